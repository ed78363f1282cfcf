import Autograd
import ExperimentKit
import Foundation
import Lesson6
import Plots

// `swift run tutor run 6`: the Markov baseline, with the student's code, on lesson 5's two
// corpora (the course's lessons 0–4, the numbers in words) or a file of the user's:
//   1. counts: contexts of order N = 0…10 in the training text, and how many held-out
//      characters follow a context training never saw (6.1);
//   2. lstm: lesson 5's character LSTM on each corpus — its checkpoint, or trained here the
//      same way — for comparison (no exercise);
//   3. bits: held-out bits per character against N for add-α, back-off and interpolation
//      (6.1, 6.3–6.6), and Kneser–Ney (given), beside the LSTM: a table and a plot;
//   4. samples: text written by the models of order 2, 4 and 8 (6.2), and how much of it is
//      copied from the training text;
//   5. compare: where the counts win and where they lose: the held-out characters whose
//      context was seen in training, and the others, Markov against LSTM.
//
// Options (after `--`): --corpus lessons,numbers; --text FILE; --no-lstm.

let experiment = Experiment(lesson: 6, parts: [
    .init("counts", "contexts of order 0…10, and how many held-out characters follow an unseen one"),
    .init("lstm", "lesson 5's character LSTM on each corpus: its checkpoint, or trained here as lesson 5 trains it"),
    .init("bits", "held-out bits/char against the order N, for each smoothing, beside the LSTM", needs: ["lstm"]),
    .init("samples", "text written by the models of order 2, 4 and 8"),
    .init("compare", "where the counts win and lose: seen and unseen contexts, Markov against LSTM", needs: ["bits"]),
], options: Settings.usage)

/// What the run reads and compares: the default, `--full`, and the options after `--`.
struct Settings {
    var corpora: [String]? = nil
    var file: String? = nil
    var lstm = true
    /// The LSTM trained when no checkpoint serves.
    let size: LSTMSize
    /// Orders 0…maxOrder are counted and scored.
    let maxOrder = 10
    let sampleOrders = [2, 4, 8], sampleLength = 300

    static let usage = "--corpus lessons,numbers, --text FILE, --no-lstm"

    init(full: Bool) { size = full ? .lessonFiveFull : .lessonFive }

    /// Takes the options out of `arguments`; a bad value fails with one line.
    mutating func take(_ arguments: inout [String]) {
        Experiment.takeOptions(&arguments) { option, value in
            switch option {
            case "--corpus":
                let asked = value().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard !asked.isEmpty, asked.allSatisfy(["lessons", "numbers"].contains) else {
                    Experiment.fail("--corpus takes lessons, numbers or lessons,numbers (or --text FILE for your own)")
                }
                corpora = asked
            case "--text": file = value()
            case "--no-lstm": lstm = false
            case "--": break        // the tutor drops it; run directly, the executable gets it
            default: return false
            }
            return true
        }
    }

    /// The corpora, checked before anything runs: those asked for with --corpus, then the
    /// file; by default lessons and numbers, or the file alone.
    func load(root: URL) -> [Corpus] {
        var corpora: [Corpus] = []
        for name in self.corpora ?? (file == nil ? ["lessons", "numbers"] : []) {
            do { corpora.append(name == "lessons" ? try lessonsCorpus(root: root) : numbersCorpus()) } catch { Experiment.fail("\(error)") }
        }
        if let file { corpora.append(fileCorpus(file)) }
        return corpora
    }
}

var settings = Settings(full: experiment.full)
var arguments = experiment.arguments
settings.take(&arguments)
if let unknown = arguments.first { Experiment.fail("unknown option \(unknown) (options: --full, --seed N, and after --: \(Settings.usage))") }
let corpora = settings.load(root: experiment.root)

/// Bits per character in a cell: "0.491".
func figure(_ x: Double) -> String { x.isFinite ? String(format: "%.3f", x) : "—" }

/// "17.5 %".
func percent(_ part: Int, of whole: Int) -> String { String(format: "%.1f %%", 100 * Double(part) / Double(max(1, whole))) }

// MARK: - The counts, made once per corpus by the student's countNext

/// Each corpus's tables of orders 0…maxOrder on its training text, and the seconds each took.
var counted: [String: Result<(tables: [Counts], seconds: [Double]), Error>] = [:]

/// The tables of orders 0…maxOrder of `corpus`'s training text (countNext, 6.1).
func tables(_ corpus: Corpus) throws -> (tables: [Counts], seconds: [Double]) {
    if counted[corpus.name] == nil {
        counted[corpus.name] = Result {
            let training = corpus.training
            var tables: [Counts] = [], seconds: [Double] = []
            for n in 0...settings.maxOrder {
                let start = Date()
                tables.append(try countNext(training, order: n))
                seconds.append(Date().timeIntervalSince(start))
            }
            return (tables, seconds)
        }
    }
    return try counted[corpus.name]!.get()
}

/// Each corpus's Kneser–Ney model, made once from its tables.
var kneserNeyModels: [String: KneserNey] = [:]

/// The Kneser–Ney model of `corpus` (given code, over the tables of countNext).
func kneserNey(_ corpus: Corpus) throws -> KneserNey {
    if let model = kneserNeyModels[corpus.name] { return model }
    let model = KneserNey(try tables(corpus).tables, vocabulary: corpus.v)
    kneserNeyModels[corpus.name] = model
    return model
}

/// "lessons (the READMEs of lessons 0–4): 101 784 characters, 165 distinct; …".
func introduce(_ corpus: Corpus) {
    print("\n\(corpus.name) (\(corpus.about)): \(grouped(corpus.codes.count)) characters, \(corpus.v) distinct; counted: the first "
          + "\(grouped(corpus.cut)) (lesson 5's 90 %); held out: the \(corpus.targets.count == corpus.codes.count - corpus.cut ? "" : "first ")"
          + "\(grouped(corpus.targets.count)) after them.")
}

// MARK: - 1. Counts

experiment.part("counts", "Contexts: how many there are of each order, and how many the held-out text never saw", uses: ["6.1"]) {
    for corpus in corpora {
        let (tables, seconds) = try tables(corpus)
        introduce(corpus)
        print(contextTable(corpus, tables: tables, seconds: seconds).render())
        print(String(format: "Counting orders 0–%d with countNext took %.2f s.", settings.maxOrder, seconds.reduce(0, +)))
    }
    print("\n(contexts: those followed by at least one character in training; pairs: distinct (context, next character);"
          + " unseen: the held-out character's N characters before it never occur in training.)")
}

// MARK: - 2. Lesson 5's LSTM

/// Lesson 5's LSTM on each corpus, by name (none with --no-lstm, or when it could not be had).
var lstms: [String: LSTMFigure] = [:]

experiment.part("lstm", "Lesson 5's character LSTM on each corpus, for comparison", uses: []) {
    guard settings.lstm else { return print("Not used (--no-lstm).") }
    let figures = try lessonFiveFigures(corpora, size: settings.size, experiment: experiment)
    for (corpus, figure) in zip(corpora, figures) {
        lstms[corpus.name] = figure
        print("\(corpus.name): \(figure.source).")
    }
    print("(bits/char on lesson 5's validation targets: its batches of 32 × 64 after the cut, \(corpora.map { "\(grouped(lstms[$0.name]!.probabilities.count)) on \($0.name)" }.joined(separator: ", ")).)")
}

// MARK: - 3. Bits per character

/// Each corpus's bits/char per method and order (the methods that ran), or what stopped the bits part.
var scored: Result<[String: [MethodScore]], Error> = .success([:])

experiment.part("bits", "Held-out bits per character against the order N", uses: ["6.1", "6.3", "6.4", "6.5", "6.6"]) {
    scored = Result {
        let ready = try corpora.map { (corpus: $0, kneserNey: try kneserNey($0)) }
        let results = try scoreEveryMethod(ready, maxOrder: settings.maxOrder, workers: experiment.workers)
        var shown: [String: [MethodScore]] = [:]
        for ((corpus, _), scores) in zip(ready, results) {
            introduce(corpus)
            shown[corpus.name] = try showBits(corpus, scores, lstm: lstms[corpus.name], experiment: experiment)
        }
        return shown
    }
    _ = try scored.get()
    print("\nKneser–Ney is given (Sources/Experiments/Lesson6/KneserNey.swift), not an exercise: the yardstick for the smoothings you wrote.")
}

// MARK: - 4. Samples

experiment.part("samples", "Writing from the counts: the models of order \(settings.sampleOrders.map(String.init).joined(separator: ", "))", uses: ["6.1", "6.2"]) {
    for corpus in corpora {
        let tables = try tables(corpus).tables
        let finder = CopyFinder(corpus.training)
        print("\n\(corpus.name): \(settings.sampleLength) characters after the prompt \"\(corpus.prompt)\", seed 6000 + N\(experiment.seed == 0 ? "" : " + 1000 × \(experiment.seed)").")
        for n in settings.sampleOrders {
            var rng = RNG(seed: 6000 + UInt64(n) + 1000 * experiment.seed)
            let written = try generate(Array(tables[0...n]), prompt: corpus.encode(corpus.prompt), count: settings.sampleLength, rng: &rng)
            let copy = finder.longestCopy(written)
            print("\nN = \(n). Longest run copied verbatim from the training text: \(copy.count) characters, \"\(corpus.decode(Array(written[copy.start..<copy.start + copy.count])).replacingOccurrences(of: "\n", with: "⏎"))\".")
            print(corpus.prompt + corpus.decode(written))
        }
    }
}

// MARK: - 5. Where the counts win and lose

experiment.part("compare", "Where the counts win and where they lose, against lesson 5's LSTM", uses: ["6.1", "6.3", "6.4", "6.5"]) {
    guard !lstms.isEmpty else { return print("Needs lesson 5's LSTM (left out with --no-lstm, or the lstm part did not run).") }
    let scored = try scored.get()       // the bits part's best orders; what stopped it stops this part too
    for corpus in corpora {
        guard let lstm = lstms[corpus.name], let scores = scored[corpus.name] else { continue }
        introduce(corpus)
        try showComparison(corpus, tables: try tables(corpus).tables, kneserNey: try kneserNey(corpus), scores: scores, lstm: lstm)
    }
}

experiment.finish()
