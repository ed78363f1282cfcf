import Autograd
import ExperimentKit
import Foundation
import Lesson2
import Plots

// `swift run tutor run 2`: copy and reverse with the student's encoder–decoder.
//   1. symbols → codes → one-hot vectors;
//   2. train to copy, then to reverse (the notebook's setting: alphabet 3, length 10,
//      hidden 20, 1000 sequences, batches of 32, Adam at 1e-3, 100 epochs);
//   3. the same training from other seeds: how reliable is it?
//   4. the trained models on lengths 2 … 20: where does each still work?
//   5. bigger alphabets: how many hidden units does copying need?
// `--full`: 300 epochs, ten seeds, two seeds per alphabet and hidden size.
// The default run takes about 45 s on 2 cores, `--full` about 4 minutes.

let experiment = Experiment(lesson: 2, parts: [
    .init("symbols", "symbols, integer codes and one-hot vectors"),
    .init("training", "training to copy and to reverse (alphabet 3, length 10)"),
    .init("curves", "loss and accuracy while training", needs: ["training"]),
    .init("seeds", "the same training from other seeds"),
    .init("lengths", "lengths 2 … 20 for the models trained on length 10", needs: ["training"]),
    .init("alphabets", "bigger alphabets: how many hidden units copying needs"),
])
let epochs = experiment.full ? 300 : 100
let seed = experiment.seed

// MARK: - 1. Symbols, codes, one-hot

experiment.part("symbols", "Symbols, integer codes and one-hot vectors", uses: ["2.1", "2.2"]) {
    var rng = RNG(seed: seed)
    let sequences = randomSequences(count: 1000, length: 10, alphabet: letters(3), rng: &rng)
    let (alphabet, codes) = try integerCodes(sequences)
    print("alphabet: \(alphabet.map(String.init)) — \(sequences.count) sequences, codes \(codes.shape)")
    let firstCodes = codes.rows.prefix(3).map { $0.map { String(Int($0)) }.joined(separator: " ") }
    for (s, c) in zip(sequences.prefix(3), firstCodes) { print("  \(s)  →  \(c)") }
    let back = decodeSymbols(codes, alphabet: alphabet)
    print("decoded back (alphabet[codes]) equals the input: \(back == sequences)")
    let oneHot = try oneHotEncode(codes, alphabetSize: alphabet.count)
    print("one-hot: \(oneHot.shape); the first four symbols of \(sequences[0]):")
    for t in 0..<4 {
        let row = (0..<alphabet.count).map { Int(oneHot.scalars[t * alphabet.count + $0]) }
        print("  \(Array(sequences[0])[t])  \(row)")
    }
}

// MARK: - 2. Copy, then reverse

var trained: [Run] = []
for reverse in [false, true] {
    let task = reverse ? "reverse" : "copy"
    experiment.part("training", "Training to \(task): alphabet 3, length 10, hidden 20, \(epochs) epochs", uses: ["2.1", "2.3", "2.4", "2.5", "2.7", "2.8"]) {
        let run = try train(reverse: reverse, epochs: epochs, seed: seed, progress: task)
        trained.append(run)
        let reached = run.firstEpoch(reaching: 0.99).map { "epoch \($0) (\($0 * 32) steps)" } ?? "never"
        print("\(task): symbol accuracy on 1000 fresh sequences \(percent(run.finalAccuracy))")
        print("≥ 99% from \(reached); mean loss of the last epoch \(Table.number(run.losses.suffix(32).reduce(0, +) / 32)); \(String(format: "%.1f", run.seconds)) s")
        print(try samples(run, length: 10, count: 5, seed: seed + 11))
    }
}

if !trained.isEmpty {
    experiment.part("curves", "Loss and accuracy while training", uses: ["2.8"]) {
        var loss = LinePlot(title: "Cross-entropy per batch (log scale)", xLabel: "step (batch)", yLabel: "loss", logY: true)
        var accuracy = LinePlot(title: "Symbol accuracy on fresh sequences", xLabel: "epoch", yLabel: "accuracy")
        for run in trained {
            loss.add(run.task, run.losses)
            accuracy.add(run.task, x: Array(1...run.accuracyByEpoch.count), y: run.accuracyByEpoch)
        }
        accuracy.addLevel("chance (1/3)", y: 1.0 / 3)
        accuracy.yRange = 0...1
        print(loss.terminal(height: 14))
        experiment.save(loss.svg(), as: "loss")
        print(accuracy.terminal(height: 12))
        experiment.save(accuracy.svg(), as: "accuracy-by-epoch")
    }
}

// MARK: - 3. Other seeds

experiment.part("seeds", "The same training from other seeds", uses: ["2.1", "2.3", "2.4", "2.5", "2.7", "2.8"]) {
    let seeds: [UInt64] = experiment.full ? Array(1...10) : Array(1...6)
    var table = Table(header: ["seed", "copy", "copy ≥ 99% at epoch", "reverse", "reverse ≥ 99% at epoch"])
    let bar = ProgressBar(total: seeds.count * 2, label: "seeds")
    // Every (seed, task) training is independent: they share the machine's cores.
    let trainings = seeds.flatMap { s in [false, true].map { (s, $0) } }
    let runs = try experiment.workers.map(trainings) { s, reverse in
        let run = try train(reverse: reverse, epochs: epochs, seed: seed + s)
        bar.advance()
        return run
    }
    for (k, s) in seeds.enumerated() {
        var row = ["\(seed + s)"]
        for run in runs[(2 * k)..<(2 * k + 2)] {
            row += [percent(run.finalAccuracy), run.firstEpoch(reaching: 0.99).map(String.init) ?? "never"]
        }
        table.add(row)
    }
    bar.finish()
    print(table.render())
}

// MARK: - 4. Other lengths

if trained.count == 2 {
    experiment.part("lengths", "Lengths 2 … 20 for models trained on length 10", uses: ["2.1", "2.5", "2.7"]) {
        let lengths = Array(2...20)
        var table = Table(header: ["L", "copy", "reverse", "chance", "copy: written[t] = input[t + L − 10]"])
        var plot = LinePlot(title: "Symbol accuracy by input length (trained on 10)", xLabel: "length", yLabel: "accuracy")
        var byPosition: [[[Float]]] = [[], []]
        var overall: [[Float]] = [[], []]
        for length in lengths {
            for (k, run) in trained.enumerated() {
                let (accuracy, positions) = try evaluate(run, length: length, seed: seed + 1000 + UInt64(length))
                overall[k].append(accuracy)
                byPosition[k].append(positions)
            }
            let shifted = try shiftedAgreement(trained[0], length: length, seed: seed + 1000 + UInt64(length))
            table.add(["\(length)", percent(overall[0].last!), percent(overall[1].last!), "33.3%", percent(shifted)])
        }
        print(table.render())
        for (k, run) in trained.enumerated() { plot.add(run.task, x: lengths, y: overall[k]) }
        plot.addLevel("chance", y: 1.0 / 3)
        plot.yRange = 0...1
        print(plot.terminal(height: 12))
        experiment.save(plot.svg(), as: "accuracy-by-length")
        for (k, run) in trained.enumerated() {
            let map = Heatmap(title: "\(run.task): accuracy at each output position (rows: input length)",
                              values: byPosition[k], rowLabels: lengths.map { "length \($0)" },
                              columnLabels: (1...20).map { $0 % 5 == 0 || $0 == 1 ? "\($0)" : "" }, range: 0...1)
            print(map.terminal())
            experiment.save(map.svg(), as: "\(run.task)-accuracy-by-position")
        }
        for run in trained {
            for length in [5, 15] {
                print("\(run.task), length \(length):")
                print(try samples(run, length: length, count: 4, seed: seed + 77))
            }
        }
    }
}

// MARK: - 5. Bigger alphabets

experiment.part("alphabets", "Bigger alphabets: how many hidden units does copying need?", uses: ["2.1", "2.3", "2.4", "2.5", "2.7", "2.8"]) {
    let alphabets = [3, 5, 8, 12]
    let hiddens = [5, 10, 20, 40, 80]
    let seeds: [UInt64] = experiment.full ? [seed, seed + 1] : [seed]
    var table = Table(title: "Copy accuracy: alphabet size A (rows) × hidden units (columns)\(seeds.count > 1 ? ", per seed" : "")",
                      header: ["A", "bits per sequence"] + hiddens.map { "\($0)" })
    var plot = LinePlot(title: "Copy accuracy after \(epochs) epochs, by hidden size", xLabel: "hidden units", yLabel: "accuracy")
    let bar = ProgressBar(total: alphabets.count * hiddens.count * seeds.count, label: "grid")
    let cells = alphabets.flatMap { a in hiddens.flatMap { h in seeds.map { (a, h, $0) } } }
    let grid = try experiment.workers.map(cells) { a, h, s in
        let accuracy = try train(reverse: false, alphabetSize: a, hiddenSize: h, epochs: epochs, seed: s).finalAccuracy
        bar.advance(message: "alphabet \(a), hidden \(h)")
        return accuracy
    }
    for (i, a) in alphabets.enumerated() {
        var row = ["\(a)", String(format: "%.1f", 10 * log2(Double(a)))]
        var best: [Float] = []
        for j in hiddens.indices {
            let first = (i * hiddens.count + j) * seeds.count
            let accuracies = Array(grid[first..<(first + seeds.count)])
            best.append(accuracies.max()!)
            row.append(seeds.count == 1 ? percent(accuracies[0]) : accuracies.map { String(format: "%.0f", 100 * $0) }.joined(separator: "/") + "%")
        }
        table.add(row)
        plot.add("alphabet \(a)", x: hiddens, y: best)
    }
    bar.finish()
    print(table.render())
    plot.yRange = 0...1
    print(plot.terminal(height: 12))
    experiment.save(plot.svg(), as: "hidden-units")
}

experiment.finish()
