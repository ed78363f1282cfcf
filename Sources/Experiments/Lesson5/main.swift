import Autograd
import ExperimentKit
import Foundation
import Lesson5
import Plots

// `swift run tutor run 5`: language models from scratch, with the student's own code.
// Part A, words: the fastai chapter's "human numbers" (1…9999 in words).
//   1. the text: its counts beside the chapter's, the vocabulary, where the chapter's
//      80 % cut falls, and the accuracy of always guessing the most frequent word (5.1);
//   2. the chapter's seven models, each through the student's function for a batch, trained
//      the chapter's way (fit_one_cycle with its epochs, rates and weight decay), from 3
//      seeds, side by side; a model whose exercise is not written yet is skipped, the others
//      run (5.1–5.8; model 5 has no exercise and is written here, WordModels.swift);
//   3. the ablation: model 7 with each of its three changes removed in turn (5.6–5.8).
// Part B, characters (Characters.swift): a character LSTM on real text, by default this
// course's own lessons.
//
// Options (after `--`): Part A's --seeds N (default 3, --full 6) and --models 1,4,7 (only
// those); Part B's --text FILE | --corpus lessons|numbers, --char-steps N, --hidden N, --resume.

let experiment = Experiment(lesson: 5, parts: [
    // Part A: words.
    .init("text", "the numbers in words, the vocabulary, and the chapter's split"),
    .init("models", "the chapter's seven word models trained its way, over seeds"),
    .init("ablation", "model 7 with each of its three changes removed in turn"),
    // Part B: characters.
    .init("characters", "a character LSTM on real text: bits per character, samples"),
], options: WordSettings.usage + ", " + CharacterSettings.usage)

/// What Part A trains: the default, `--full`, and its options after `--`.
struct WordSettings {
    var seeds: Int
    /// The models the models part trains ("1" … "7").
    var models = WordSetup.chapter.map(\.name)
    let batchSize = 64

    /// The options Part A reads after `--`, for the usage line.
    static let usage = "--seeds N, --models LIST"

    init(full: Bool) { seeds = full ? 6 : 3 }

    /// Takes Part A's options out of `arguments` (leaving the others); a bad value fails
    /// with a one-line message.
    mutating func take(_ arguments: inout [String]) {
        Experiment.takeOptions(&arguments) { option, value in
            switch option {
            case "--seeds":
                seeds = Experiment.positiveInteger(option, value)
            case "--models":
                let asked = value().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                guard !asked.isEmpty, asked.allSatisfy(models.contains) else { Experiment.fail("--models takes a list of 1 … 7, such as 1,4,7") }
                models = asked
            default: return false
            }
            return true
        }
    }

    /// The seeds the trainings start from, derived from the run's `--seed`.
    func trainingSeeds(_ e: Experiment) -> [UInt64] { (0..<seeds).map { UInt64($0) + 17 * e.seed } }
}

var settings = WordSettings(full: experiment.full)
var characterSettings = CharacterSettings(full: experiment.full)
var arguments = experiment.arguments
settings.take(&arguments)
characterSettings.take(&arguments)
if let unknown = arguments.first {
    Experiment.fail("unknown option \(unknown) (options: --full, --seed N, and after --: \(WordSettings.usage), \(CharacterSettings.usage))")
}
let characterText = experiment.running.contains("characters") ? loadCharacterText(characterSettings, root: experiment.root) : nil
let seeds = settings.trainingSeeds(experiment)
let seedsEach = seeds.count == 1 ? "1 seed" : "\(seeds.count) seeds each"

/// "0.491".
func share(_ x: Double) -> String { String(format: "%.3f", x) }

/// Mean and standard deviation.
func meanAndSD(_ xs: [Double]) -> (mean: Double, sd: Double) {
    let mean = xs.reduce(0, +) / Double(xs.count)
    let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(max(1, xs.count - 1))
    return (mean, variance.squareRoot())
}

// MARK: - Training the setups side by side

/// A setup's trainings from every seed, or what stopped it.
struct SetupRuns {
    let setup: WordSetup
    let runs: Result<[Training], Error>
    /// The accuracy of always guessing the most frequent validation target of its layout.
    let baseline: Double?
}

/// Every seed of every setup in `setups` on the text, side by side (`--jobs`): a setup
/// whose exercise is not written yet, or throws, gets that error and the others still train.
func trainEach(_ setups: [WordSetup], text: NumberText, label: String) throws -> [SetupRuns] {
    // Each layout's batches, once; a layout that needs an exercise not written yet (5.2) holds its error.
    var data: [Layout: Result<(train: [Batch], valid: [Batch]), Error>] = [:]
    for setup in setups where data[setup.layout] == nil {
        data[setup.layout] = Result { try batches(setup.layout, of: text, batchSize: settings.batchSize) }
    }
    let ready = setups.indices.filter { (try? data[setups[$0].layout]!.get()) != nil }
    func steps(_ s: Int) -> Int { setups[s].epochs * ((try? data[setups[s].layout]!.get())?.train.count ?? 0) }
    // The longest trainings (the LSTMs, listed last) first, so that no core waits alone at the end.
    let pieces = ready.reversed().flatMap { s in seeds.map { (setup: s, seed: $0) } }
    let bar = ProgressBar(total: pieces.map { steps($0.setup) }.reduce(0, +), label: label)
    let start = Date()
    let outcomes = try experiment.workers.map(pieces) { piece -> Result<Training, Error> in
        let (setup, seed) = (setups[piece.setup], piece.seed)
        var done = 0
        let outcome = Result {
            try fit(setup, seed: seed, vocabulary: text.vocabulary.count, data: data[setup.layout]!.get()) { n in
                done += n
                bar.advance(by: n, message: "model \(setup.name), seed \(seed)")
            }
        }
        bar.advance(by: steps(piece.setup) - done)      // what a training that stopped did not do
        return outcome
    }
    bar.finish(message: String(format: "%d trainings, %d at a time: %.0f s", pieces.count, min(experiment.workers.count, pieces.count),
                               Date().timeIntervalSince(start)))
    return setups.indices.map { s in
        let layout = data[setups[s].layout]!
        let trainings = zip(pieces, outcomes).filter { $0.0.setup == s }.map(\.1)      // in the order of the seeds
        return SetupRuns(setup: setups[s], runs: layout.flatMap { _ in Result { try trainings.map { try $0.get() } } },
                         baseline: (try? layout.get()).map { mostFrequent($0.valid.flatMap(\.y.indices)).share })
    }
}

/// The kit's message for each setup that did not train, once per message: "Models 4, 6 — Skipped: …".
func explainSkipped(_ results: [SetupRuns]) {
    var messages: [(message: String, names: [String])] = []
    for r in results {
        guard case .failure(let error) = r.runs else { continue }
        let message = experiment.verdict(on: error, uses: r.setup.uses, what: "Model \(r.setup.name)").message
        if let k = messages.firstIndex(where: { $0.message == message }) {
            messages[k].names.append(r.setup.name)
        } else {
            messages.append((message, [r.setup.name]))
        }
    }
    for (message, names) in messages {
        print("\(names.count == 1 ? "Model" : "Models") \(names.joined(separator: ", ")) — \(message)")
    }
}

/// The number text from the student's 5.1, made once for the parts that read it (or what
/// stopped it).
var madeText: Result<NumberText, Error>?
func numberText() throws -> NumberText {
    if madeText == nil { madeText = Result { try NumberText() } }
    return try madeText!.get()
}

// MARK: - Part A, 1. The text

experiment.part("text", "Part A: the text, the numbers from one to 9 999 in words", uses: ["5.1"]) {
    let text = try numberText()
    var counts = Table(title: "The text, beside the chapter's", header: ["", "chapter", "here"])
    counts.add(["lines (1…7999, 8001…9999)", "9 998", grouped(numberLines.count)])
    counts.add(["tokens (words and dots)", "63 095", grouped(text.tokens.count)])
    counts.add(["words in the vocabulary", "30", "\(text.vocabulary.count)"])
    counts.add(["windows of three (→ the fourth)", "21 031", grouped(text.windows.count)])
    counts.add(["sequences of 16 (→ the same shifted by one)", "—", grouped(text.sequences.count)])
    print(counts.render())
    print("The vocabulary, by code: " + text.vocabulary.words.joined(separator: " "))
    print("The first tokens: " + text.tokens.prefix(14).joined(separator: " ") + " …")
    print("The last tokens:  … " + text.tokens.suffix(10).joined(separator: " "))

    print("\nWhere the split falls. The chapter reads train.txt (1…7999) and valid.txt (8001…9999; 8000 is in")
    print("neither file) into one text, then cuts at 80% of the SAMPLES, not at the file boundary (| marks the cut;")
    print("the word after it is the last training target and the first validation input):")
    for (samples, what, step) in [(text.windows, "windows of three", 3), (text.sequences, "sequences of 16", NumberText.sequenceLength)] {
        let cut = NumberText.cut(samples)
        let at = cut * step
        let context = text.tokens[(at - 4)..<at].joined(separator: " ") + " | " + text.tokens[at..<(at + 5)].joined(separator: " ")
        print("  \(what): \(grouped(cut)) train, \(grouped(samples.count - cut)) validate; the cut is at token \(grouped(at)),"
            + " in \(text.number(at: at)): … \(context) …")
    }
    let fileStart = text.validFileStart
    print("  valid.txt would start at token \(grouped(fileStart)) (\(text.tokens[fileStart..<(fileStart + 3)].joined(separator: " "))):"
        + " 8001 and what follows it, up to the cut, is trained on.")

    var baselines = Table(title: "\nAlways guessing the most frequent validation target (the baseline every model must beat)",
                          header: ["samples", "validation targets", "most frequent", "its share"])
    for (samples, what) in [(text.windows, "windows of three"), (text.sequences, "sequences of 16")] {
        let targets = samples[NumberText.cut(samples)...].flatMap(\.y)
        let (code, fraction) = mostFrequent(targets)
        baselines.add([what, grouped(targets.count), "\"\(text.vocabulary.words[code])\"", share(fraction)])
    }
    print(baselines.render())
}

// MARK: - Part A, 2. The seven models

/// The trainings of the models part by model ("7": for the ablation to reuse).
var trained: [String: [Training]] = [:]

experiment.part("models", "Part A: the chapter's seven models, trained its way, \(seedsEach)",
                uses: ["5.1", "5.2", "5.3", "5.4", "5.5", "5.6", "5.7", "5.8"]) {
    let text = try numberText()
    let setups = WordSetup.chapter.filter { settings.models.contains($0.name) }
    print("Hidden 64, batches of 64, fastai's fit_one_cycle (AdamW β = (0.9, 0.99), one-cycle rate and momentum) with each model's")
    print("epochs, top rate and weight decay; the carried state forgotten at each epoch's start and before validation.")
    print("Seed\(seeds.count == 1 ? "" : "s") \(seeds.map(String.init).joined(separator: ", ")) (from --seed \(experiment.seed)).",
          "Validation: the chapter's last 20% of the samples.")
    let results = try trainEach(setups, text: text, label: "models")

    var table = Table(title: "Validation accuracy after the last epoch", header: ["model", "parameters", "epochs", "lr", "wd",
                      "accuracy per seed", "mean", "chapter", "baseline", "seconds"])
    for r in results {
        let s = r.setup
        let about = "\(s.name) \(s.about)"
        let settingsCells = ["\(s.epochs)", Table.number(s.learningRate), Table.number(s.weightDecay)]
        let chapter = s.chapter.map(share) ?? "—"
        switch r.runs {
        case .success(let runs):
            trained[s.name] = runs
            let accuracies = runs.map(\.accuracy)
            table.add([about, "\(runs[0].parameters)"] + settingsCells + [accuracies.map(share).joined(separator: " "),
                      share(meanAndSD(accuracies).mean), chapter, r.baseline.map(share) ?? "—",
                      String(format: "%.1f", runs.map(\.seconds).reduce(0, +) / Double(runs.count))])
        case .failure(let error):
            let why = (error as? TODO).map { "not run: \($0.exercise) not written" } ?? "stopped (below)"
            table.add([about, "—"] + settingsCells + [why, "—", chapter, r.baseline.map(share) ?? "—", "—"])
        }
    }
    print(table.render())
    print("(seconds: one training's, training and validation, \(experiment.workers.count) side by side;",
          "baseline: always the most frequent target.)")
    explainSkipped(results)

    let done = results.compactMap { r in (try? r.runs.get()).map { (r.setup, $0[0]) } }
    guard !done.isEmpty else { return }
    var losses = Table(title: "\nCross-entropy of the first seed (seed \(seeds[0])): does it learn the numbers, or the training text?",
                       header: ["model", "training, last epoch", "validation, lowest (epoch)", "validation, last epoch"])
    for (setup, run) in done {
        let best = run.epochs.indices.min { run.epochs[$0].validLoss < run.epochs[$1].validLoss }!
        losses.add(["\(setup.name) \(setup.about)", Table.number(run.epochs.last!.trainLoss, significant: 3),
                    "\(Table.number(run.epochs[best].validLoss, significant: 3)) (\(best + 1))",
                    Table.number(run.epochs.last!.validLoss, significant: 3)])
    }
    print(losses.render())
    print("(training: the mean over the epoch's batches while it trained, cross-entropy alone, without model 7's penalty.)")

    for (which, loss) in [("validation", \Epoch.validLoss), ("training", \Epoch.trainLoss)] {
        var plot = LinePlot(title: "\(which.capitalized) loss per epoch (seed \(seeds[0]))", xLabel: "epoch", yLabel: "cross-entropy",
                            logY: which == "training")
        for (setup, run) in done {
            plot.add("model \(setup.name)", x: Array(1...run.epochs.count), y: run.epochs.map { $0[keyPath: loss] })
        }
        print(plot.terminal(height: 14))
        experiment.save(plot.svg(), as: "\(which)-loss")
    }
}

// MARK: - Part A, 3. The ablation

experiment.part("ablation", "Part A: model 7 with each of its three changes removed in turn, \(seedsEach)",
                uses: ["5.1", "5.2", "5.6", "5.7", "5.8"]) {
    let text = try numberText()
    let seven = WordSetup.chapter.last!
    let reused = trained[seven.name]
    let results = try trainEach((reused == nil ? [seven] : []) + WordSetup.ablation, text: text, label: "ablation")
    let all = (reused.map { [SetupRuns(setup: seven, runs: .success($0), baseline: nil)] } ?? []) + results
    guard all.contains(where: { (try? $0.runs.get()) != nil }) else { return explainSkipped(all) }
    print("The same seeds and settings as model 7 (fit_one_cycle(15, 1e-2, wd=0.1))"
          + (reused == nil ? "." : "; model 7's row is the models part's."))
    let full = (try? all[0].runs.get()).map { meanAndSD($0.map(\.accuracy)).mean }
    var table = Table(title: "Validation accuracy after 15 epochs",
                      header: ["model", "parameters", "accuracy per seed", "mean", "sd", "mean − model 7's"])
    for r in all {
        let about = "\(r.setup.name): \(r.setup.about)"
        guard let runs = try? r.runs.get() else {
            table.add([about, "—", "not run", "—", "—", "—"])
            continue
        }
        let (mean, sd) = meanAndSD(runs.map(\.accuracy))
        table.add([about, "\(runs[0].parameters)", runs.map { share($0.accuracy) }.joined(separator: " "), share(mean), share(sd),
                   r.setup.name == seven.name ? "" : full.map { String(format: "%+.3f", mean - $0) } ?? "—"])
    }
    print(table.render())
    explainSkipped(all)
}

// MARK: - Part B: characters

_ = experiment.part("characters", "Part B: characters of real text", uses: ["5.2", "5.6", "5.9", "5.10", "5.11", "5.12"]) {
    try runCharacters(experiment, characterSettings, text: characterText!)
}

experiment.finish()
