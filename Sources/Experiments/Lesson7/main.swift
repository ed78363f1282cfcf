import Autograd
import ExperimentKit
import Foundation
import Lesson7
import Plots

// `swift run tutor run 7`: memorising short strings online, with the student's own code.
//   1. strings: the notebook's four strings, their pairs (7.1), and where a network that sees
//      one or two letters is stuck (7.2), with the loss such a network cannot go below;
//   2. cases: the notebook's seven cases, each in its own mode and the other, trained with
//      the lesson's design (7.3, 7.4) until the recital (7.5) gets the whole string right
//      (7.6), from several seeds: converged or not, epochs, characters per second, loss plots;
//   3. notebook: the notebook's own design (state never detached, softmax before the
//      cross-entropy, the softmax fed back, checked every 10 epochs) on the same cases.
//
// Nothing is scaled down: every case gets the notebook's 1000 epochs. --full runs more seeds
// and gives case 7 of the notebook's design the 2000 epochs its cell asks for.
// Options (after `--`): --seeds N (default 5, --full 10), --notebook-seeds N (default 3,
// --full 5), --epochs N (default 1000, the notebook's).

let experiment = Experiment(lesson: 7, parts: [
    .init("strings", "the notebook's strings: pairs, ambiguous positions, the one-letter network's floor"),
    .init("cases", "the seven cases, carried and one-step, until the recital is right"),
    .init("notebook", "the notebook's own design on the seven cases"),
], options: "--seeds N, --notebook-seeds N, --epochs N")

var seedCount = experiment.full ? 10 : 5
var notebookSeedCount = experiment.full ? 5 : 3
var maxEpochs = 1000
var arguments = experiment.arguments
Experiment.takeOptions(&arguments) { option, value in
    func positive() -> Int { Experiment.positiveInteger(option, value) }
    switch option {
    case "--seeds": seedCount = positive()
    case "--notebook-seeds": notebookSeedCount = positive()
    case "--epochs": maxEpochs = positive()
    default: return false
    }
    return true
}
if let unknown = arguments.first { Experiment.fail("unknown option \(unknown) (options: --full, --seed N, and after --: --seeds N, --notebook-seeds N, --epochs N)") }
let seeds = (0..<seedCount).map { UInt64($0) + 100 * experiment.seed }
let notebookSeeds = (0..<notebookSeedCount).map { UInt64($0) + 100 * experiment.seed }

func fixed(_ x: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", x) }
// MARK: - 1. The strings

experiment.part("strings", "The notebook's strings, and what a network that sees one or two letters cannot learn", uses: ["7.1", "7.2"]) {
    var table = Table(title: "Ambiguous positions (7.2): the context is followed by different letters elsewhere in the cycle",
                      header: ["string", "n", "pairs (7.1)", "last pair", "order 1", "order 2", "one-letter floor (nats)", "one-step recital ≤"])
    for (name, text) in notebookStrings {
        let pairs = try cyclicPairs(text, alphabet: capitals)
        let codes = pairs.map(\.input)
        let letter = { (k: Int) in String(Array(capitals)[k]) }
        table.add([name, "\(text.count)", "\(pairs.count)", "\(letter(pairs.last!.input))→\(letter(pairs.last!.target))",
                   "\(try ambiguousPositions(codes, order: 1))", "\(try ambiguousPositions(codes, order: 2))",
                   fixed(lossFloor(codes, order: 1), 4), "\(oneStepBound(codes)) of \(codes.count)"])
    }
    print(table.render())
    print("""
    (one-letter floor: the lowest mean cross-entropy per letter of ANY function of the current letter alone — the
    entropy of the next letter given it; one-step recital ≤: the most letters such a network, fed its own guesses
    from the first letter, can get right before the first letter it has seen followed by something else.)
    A carried state, reset at the start of the string, can tell every position apart: for it no position is ambiguous.
    """)
}

// MARK: - 2. The seven cases

/// The runs of each (string, hidden, mode), by a key, for the plots.
var runsByKey: [String: [Run]] = [:]
func key(_ c: Case) -> String { "\(c.string)-\(c.hidden)-\(c.mode)" }

experiment.part("cases", "The seven cases with the lesson's design, \(seeds.count) seeds, at most \(maxEpochs) epochs",
                uses: ["7.1", "7.3", "7.4", "7.5", "7.6"]) {
    // Each case in the notebook's mode, then cases 5–7 one-step too (cases 1–4 are two modes of two strings already).
    let rows = Case.notebook + Case.notebook.filter { $0.number >= 5 }.map(\.otherMode)
    var configurations: [Case] = []
    for c in rows where !configurations.contains(where: { key($0) == key(c) }) { configurations.append(c) }
    // The slowest first (one-step at 128 runs all its epochs), so that no thread waits alone at the end.
    let pieces = configurations.flatMap { c in seeds.map { (c, $0) } }.sorted { a, b in
        (a.0.oneStep ? 4 : 1) * a.0.hidden > (b.0.oneStep ? 4 : 1) * b.0.hidden
    }
    print("Lesson design: one-hot letter → LSTM cell → linear; cross-entropy of the scores; Adam, lr 0.001; a step after every")
    print("letter; the state detached after each step, reset at each epoch's start (one-step: before every letter). After every")
    print("epoch the network recites from the first letter, fed its own guesses; converged = the whole cycle right (n letters).")
    let bar = ProgressBar(total: pieces.count, label: "cases")
    let start = Date()
    let results = try experiment.workers.map(pieces) { (c, seed) -> Run in
        let run = try memorise(c.text, hidden: c.hidden, oneStep: c.oneStep, seed: seed, maxEpochs: maxEpochs)
        bar.advance(message: "\(c.string), \(c.hidden), \(c.mode), seed \(seed)")
        return run
    }
    bar.finish(message: String(format: "%d trainings, %d at a time: %.1f s", pieces.count, min(experiment.workers.count, pieces.count), Date().timeIntervalSince(start)))
    for (piece, run) in zip(pieces, results).sorted(by: { $0.0.1 < $1.0.1 }) { runsByKey[key(piece.0), default: []].append(run) }

    var table = Table(title: "\nThe seven cases (seeds \(seeds.map(String.init).joined(separator: ", ")))",
                      header: ["case", "string (n)", "hidden", "mode", "converged", "epochs to converge", "best recital (steps / longest)", "chars/s", "notebook says"])
    for (i, c) in rows.enumerated() {
        let runs = runsByKey[key(c)] ?? []
        let converged = runs.filter { $0.convergedAt != nil }.count
        let epochs = runs.map { $0.convergedAt.map(String.init) ?? "no" }.joined(separator: ", ")
        let best = runs.map { "\($0.bestSteps)/\($0.bestLongest)" }.joined(separator: ", ")
        let steps = runs.map(\.steps).reduce(0, +), seconds = runs.map(\.trainSeconds).reduce(0, +)
        let label = i < Case.notebook.count ? "\(c.number)" : "\(c.number)′"
        table.add([label, "\(c.string) (\(c.text.count))", "\(c.hidden)", c.mode, "\(converged)/\(runs.count)", epochs, best,
                   grouped(Int(Double(steps) / max(seconds, 1e-9))), i < Case.notebook.count ? c.notebookSays : "—"])
    }
    print(table.render())
    print("(n′: the same string and size as case n in the other mode. best recital: the most steps correct before the first error")
    print("over the epochs, and the longest common substring of that recital; chars/s: letters trained per second in trainEpoch,")
    print("\(min(experiment.workers.count, pieces.count)) trainings side by side.)")
    var floors = Table(title: "\nOne-step runs that cannot converge: the mean loss of their last epoch against the one-letter floor",
                       header: ["string", "hidden", "epochs", "mean loss, last epoch (per seed)", "floor", "above it"])
    for c in configurations where c.oneStep {
        guard let runs = runsByKey[key(c)], runs.allSatisfy({ $0.convergedAt == nil }) else { continue }
        let floor = lossFloor(try cyclicPairs(c.text, alphabet: capitals).map(\.input), order: 1)
        let last = runs.map { Double($0.epochLosses.last!) }
        floors.add([c.string, "\(c.hidden)", "\(runs[0].epochs)", last.map { fixed($0) }.joined(separator: ", "), fixed(floor, 4),
                    "+" + fixed(last.reduce(0, +) / Double(last.count) - floor)])
    }
    print(floors.render())
    for hidden in [32, 128] {
        let parts = [false, true].map { oneStep -> String in
            let runs = configurations.filter { $0.hidden == hidden && $0.oneStep == oneStep }.flatMap { runsByKey[key($0)] ?? [] }
            let steps = runs.map(\.steps).reduce(0, +), seconds = runs.map(\.trainSeconds).reduce(0, +)
            return "\(oneStep ? "one-step" : "carried") \(grouped(Int(Double(steps) / max(seconds, 1e-9)))) steps/s (\(grouped(steps)) steps)"
        }
        print("Hidden \(hidden): \(parts.joined(separator: ", ")).")
    }

    // Plots: the loss of every step of the first seed, as the notebook plots it, one per case.
    for c in Case.notebook {
        guard let run = runsByKey[key(c)]?.first else { continue }
        let losses = run.stepLosses
        let bucket = max(1, losses.count / 3000)
        let xs = stride(from: 0, to: losses.count, by: bucket).map { $0 + 1 }
        let ys = stride(from: 0, to: losses.count, by: bucket).map { s in
            Double(losses[s..<min(losses.count, s + bucket)].reduce(0, +)) / Double(min(losses.count, s + bucket) - s)
        }
        var plot = LinePlot(title: "Case \(c.number): \(c.string), \(c.hidden) units, \(c.mode) — loss of every step (seed \(seeds[0])\(bucket > 1 ? ", mean of every \(bucket) steps" : ""))",
                            xLabel: "step (letter)", yLabel: "cross-entropy (nats)", logY: true)
        plot.add("loss", x: xs, y: ys)
        if c.oneStep { plot.addLevel("one-letter floor", y: lossFloor(try cyclicPairs(c.text, alphabet: capitals).map(\.input), order: 1)) }
        experiment.save(plot.svg(), as: "case\(c.number)-loss-per-step")
    }
    for oneStep in [false, true] {
        var plot = LinePlot(title: "Mean loss per epoch, \(oneStep ? "one-step (reset before every letter)" : "carried (state reset at each epoch)"), seed \(seeds[0])",
                            xLabel: "epoch", yLabel: "cross-entropy (nats)", logY: true)
        for c in rows where c.oneStep == oneStep {
            guard let run = runsByKey[key(c)]?.first else { continue }
            plot.add("\(c.string), \(c.hidden)", x: Array(1...run.epochLosses.count), y: run.epochLosses)
        }
        if oneStep {
            for name in ["repeatone", "repeatfive", "random30"] {
                let text = notebookStrings.first { $0.name == name }!.text
                plot.addLevel("floor, \(name)", y: lossFloor(try cyclicPairs(text, alphabet: capitals).map(\.input), order: 1))
            }
        }
        print(plot.terminal(height: 14))
        experiment.save(plot.svg(), as: oneStep ? "one-step-loss-per-epoch" : "carried-loss-per-epoch")
    }
    // A look at case 3: what the one-letter network recites.
    if let run = runsByKey[key(Case.notebook[2])]?.first {
        print("Case 3 (one-step, \(Case.notebook[2].text)) after \(run.epochs) epochs recites: \(run.recital)")
    }
}

// MARK: - 3. The notebook's design

experiment.part("notebook", "The notebook's own design on the seven cases, \(notebookSeeds.count == 1 ? "1 seed" : "\(notebookSeeds.count) seeds")", uses: ["7.1"]) {
    print("The state handed on with its history (each step backpropagates to the epoch's start), the cross-entropy of the SOFTMAX of")
    print("the scores, the softmax fed back when reciting, checked before epochs 0, 10, 20… on n − 1 letters; at most \(maxEpochs) epochs\(experiment.full ? " (case 7: \(2 * maxEpochs), as its cell asks)" : "").")
    let pieces = Case.notebook.flatMap { c in notebookSeeds.map { (c, $0) } }.sorted { $0.0.hidden > $1.0.hidden }
    let bar = ProgressBar(total: pieces.count, label: "notebook")
    let start = Date()
    let results = try experiment.workers.map(pieces) { (c, seed) -> NotebookRun in
        let epochs = experiment.full && c.number == 7 ? 2 * maxEpochs : maxEpochs
        let run = try notebookDesign(c.text, hidden: c.hidden, oneStep: c.oneStep, seed: seed, maxEpochs: epochs)
        bar.advance(message: "case \(c.number), seed \(seed)")
        return run
    }
    bar.finish(message: String(format: "%d trainings: %.1f s", pieces.count, Date().timeIntervalSince(start)))
    var table = Table(title: "\nThe notebook's design", header: ["case", "string", "hidden", "mode", "converged", "epochs to converge", "loss at the end", "chars/s", "notebook says"])
    for c in Case.notebook {
        let runs = zip(pieces, results).filter { $0.0.0.number == c.number }.sorted { $0.0.1 < $1.0.1 }.map(\.1)
        let steps = runs.map(\.steps).reduce(0, +), seconds = runs.map(\.seconds).reduce(0, +)
        table.add(["\(c.number)", c.string, "\(c.hidden)", c.mode, "\(runs.filter { $0.convergedAt != nil }.count)/\(runs.count)",
                   runs.map { $0.convergedAt.map(String.init) ?? "no" }.joined(separator: ", "),
                   runs.map { fixed(Double($0.lastLoss)) }.joined(separator: ", "), grouped(Int(Double(steps) / max(seconds, 1e-9))), c.notebookSays])
    }
    print(table.render())
    print("(loss at the end: the last step's; the softmax-then-cross-entropy loss cannot go below log(1 + 25/e) = \(fixed(log(1 + 25 / M_E), 4)).)")
}

experiment.finish()
