import Autograd
import ExperimentKit
import Foundation
import Lesson3
import Plots

// `swift run tutor run 3`: variable lengths, with the student's own code.
//   1. a padded batch and its mask, as images (3.1, 3.2);
//   2. what the RNN layer returns, checked against the student's stackedRNN (3.3);
//   3. the notebook's experiment: copy sequences of lengths 3…14 (hidden 200) trained
//      padded, with the masked encoder, with the masked encoder and the masked loss, and
//      with the notebook's state after the first stop — each from 3 seeds with equal
//      training, for the tanh RNN and a GRU (3.4, 3.6);
//   4. what the models write: prediction == target images and sample copies.
//
// Options (after `--`): --cell tanh|gru (one cell only), --epochs N, --seeds N.
// The default trains 4 epochs (1 252 steps); --full trains the notebook's 20 (6 260).

let experiment = Experiment(lesson: 3, parts: [
    .init("padding", "padded batches, stop symbols and masks"),
    .init("rnn-layer", "what the RNN layer returns: output and hidden"),
    .init("copying", "the copier trained four ways, with a tanh RNN and a GRU"),
    .init("samples", "what the trained models write", needs: ["copying"]),
], options: "--cell tanh|gru --epochs N --seeds N")

/// The run's settings: the default, `--full`, and the options after `--`.
struct Settings {
    var epochs: Int
    var seeds = 3
    var cells = Cell.allCases
    let hidden = 200

    init(_ e: Experiment) {
        epochs = e.full ? 20 : 4
        var i = 0
        let args = e.arguments
        func value(_ name: String) -> String {
            guard i + 1 < args.count else { Experiment.fail("\(name) needs a value") }
            i += 1
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--cell":
                let v = value("--cell")
                guard let c = Cell(rawValue: v) else { Experiment.fail("--cell must be tanh or gru, not \(v)") }
                cells = [c]
            case "--epochs":
                guard let n = Int(value("--epochs")), n > 0 else { Experiment.fail("--epochs needs a positive integer") }
                epochs = n
            case "--seeds":
                guard let n = Int(value("--seeds")), n > 0 else { Experiment.fail("--seeds needs a positive integer") }
                seeds = n
            default:
                Experiment.fail("unknown option \(args[i]) (options: --full, --seed N, and after --: --cell tanh|gru, --epochs N, --seeds N)")
            }
            i += 1
        }
    }
}

let settings = Settings(experiment)
let alphabet: [Character] = ["a", "b", "c"]
var dataRNG = RNG(seed: 1000 + experiment.seed)
let trainTexts = randomSequences(count: 10_000, lengths: 3...14, alphabet: alphabet, rng: &dataRNG)
let testTexts = randomSequences(count: 2_000, lengths: 3...14, alphabet: alphabet, rng: &dataRNG)

// MARK: - 1. Padding and masks

experiment.part("padding", "Padded batches, stop symbols and masks", uses: ["3.1", "3.2"]) {
    let data = try CopyData(train: trainTexts, test: testTexts)
    let lengths = data.train.lengths
    let total = lengths.reduce(0, +)
    let steps = data.steps
    print("\(lengths.count) training sequences over \"\(String(data.alphabet))\", lengths 3…14: \(total) symbols, "
        + String(format: "%.2f", Double(total) / Double(lengths.count)) + " per sequence;")
    print("padded with stops to T = \(steps) (the longest, 14, plus one stop).")
    let mask = try realMask(lengths: lengths, steps: steps)
    let padding = 1 - Double(try mask.mean().item())
    let knowsLengthOnly = padding + (1 - padding) / Double(data.alphabet.count)
    print(String(format: "%.1f%% of the %d × %d positions are stops or padding. A model that knows each length", 100 * padding, lengths.count, steps))
    print(String(format: "but guesses every symbol gets %.1f%% of ALL positions right — and 33.3%% of the real symbols.", 100 * knowsLengthOnly))
    let batch = paddedBatchPicture(data.train.codes, alphabet: data.alphabet, rows: 12, title: "12 padded sequences", short: true)
    let maskImage = maskPicture(mask, rows: 12, title: "their realMask")
    print(sideBySide(batch.terminal(maxWidth: 34), maskImage.terminal(maxWidth: 34)))
    let batch48 = paddedBatchPicture(data.train.codes, alphabet: data.alphabet, rows: 48, title: "48 padded training sequences")
    experiment.save(batch48.svg(), as: "padded-batch")
    experiment.save(maskPicture(mask, rows: 48, title: "The mask of those 48 sequences").svg(), as: "mask")
}

// MARK: - 2. The RNN layer's output and hidden

experiment.part("rnn-layer", "What the RNN layer returns: output and hidden", uses: ["3.3"]) {
    var rng = RNG(seed: 300 + experiment.seed)
    let layer = RNN(3, 5, numLayers: 3, rng: &rng)
    let x = Tensor.uniform([2, 6, 3], -1, 1, rng: &rng)
    let core = try layer(x)
    let yours = try stackedRNN(x, layers: layer.weights)
    func gap(_ a: Tensor, _ b: Tensor) throws -> String {
        guard a.shape == b.shape else { return "shapes \(a.shape) and \(b.shape) differ" }
        return Table.number(try (a - b).abs().max().item(), significant: 2)
    }
    print("A 3-layer RNN(3, 5) on x [2, 6, 3]: output \(core.output.shape), hidden \(core.hidden.shape).")
    var table = Table(header: ["compared", "largest difference"])
    table.add(["your stackedRNN output vs the layer's output", try gap(yours.output, core.output)])
    table.add(["your stackedRNN hidden vs the layer's hidden", try gap(yours.hidden, core.hidden)])
    let lastStep = try core.output.select(axis: 1, index: -1)
    for l in 0..<3 {
        table.add(["output[:, T−1] vs hidden[\(l)] (layer \(l)'s last state)", try gap(lastStep, core.hidden.select(axis: 0, index: l))])
    }
    print(table.render())
    print("output[:, T−1] is the TOP layer's last state: it equals hidden[2] only.")
    print("With one layer, hidden[0] would be output[:, T−1]; with several, hidden has every layer's.")
}

// MARK: - 3. Training: padded, masked encoder, masked loss

var results: [Cell: [[RunResult]]] = [:]          // cell → variant → seed
var loadedData: CopyData? = nil

for cell in settings.cells {
    let label = cell == .tanh ? "tanh RNN" : "GRU"
    let seeds = settings.seeds == 1 ? "1 seed" : "\(settings.seeds) seeds"
    experiment.part("copying", "Copying with a \(label), hidden \(settings.hidden): four ways to train, \(seeds)", uses: ["3.1", "3.4", "3.6"]) {
        _ = try stateAtOwnLastStep(Tensor.zeros([1, 2, 1]), lengths: [1])      // fail fast if 3.4 is not written
        let data = try loadedData ?? CopyData(train: trainTexts, test: testTexts)
        loadedData = data
        let batchesPerEpoch = (data.train.codes.shape[0] + 31) / 32
        print("Each run: \(settings.epochs) epochs of \(batchesPerEpoch) batches of 32 (\(settings.epochs * batchesPerEpoch) steps), Adam lr 1e-3;")
        print("scored on \(data.test.lengths.count) fresh test sequences after every epoch.")
        let bar = ProgressBar(total: Variant.all.count * settings.seeds * settings.epochs * batchesPerEpoch, label: label)
        let start = Date()
        // Every (variant, seed) training is independent: they share the machine's cores.
        let trainings = Variant.all.flatMap { variant in (0..<settings.seeds).map { (variant, $0) } }
        let runs = try experiment.workers.map(trainings) { variant, seed in
            try run(variant, cell: cell, hidden: settings.hidden, seed: UInt64(seed) + 17 * experiment.seed, epochs: settings.epochs, data: data) { n, loss in
                bar.advance(by: n, message: "\(variant.name) seed \(seed) loss \(Table.number(loss, significant: 3))")
            }
        }
        let byVariant = (0..<Variant.all.count).map { v in Array(runs[(v * settings.seeds)..<((v + 1) * settings.seeds)]) }
        bar.finish(message: String(format: "%.0f s", Date().timeIntervalSince(start)))
        results[cell] = byVariant

        var table = Table(title: "\(label): test accuracy after \(settings.epochs) epochs, mean ± sd over \(seeds)",
                          header: ["training", "real symbols", "all positions", "whole copies", settings.seeds <= 4 ? "real, per seed" : "real, range"])
        for (variant, runs) in zip(Variant.all, byVariant) {
            let real = runs.map(\.final.realSymbols)
            let each = settings.seeds <= 4 ? real.map { String(format: "%.2f", $0) }.joined(separator: " ")
                                           : String(format: "%.2f – %.2f", real.min()!, real.max()!)
            table.add([variant.name, meanSD(real), meanSD(runs.map(\.final.allPositions)), meanSD(runs.map(\.final.wholeSequences)), each])
        }
        print(table.render())
        if settings.seeds > 4 {
            for (variant, runs) in zip(Variant.all, byVariant) {
                print("\(variant.name), real symbols per seed: " + runs.map { String(format: "%.2f", $0.final.realSymbols) }.joined(separator: " "))
            }
        }

        var losses = Table(title: "\(label), seed 0: test cross-entropy by part of the sequence, and its means",
                           header: ["training", "symbols t<n", "stop t=n", "padding t>n", "mean, all", "mean, t≤n"])
        for (variant, runs) in zip(Variant.all, byVariant) {
            let part = runs[0].lossByPart
            losses.add([variant.name] + [part.symbols, part.stop, part.padding, part.all, part.upToStop].map { Table.number($0, significant: 3) })
        }
        print(losses.render())

        var curves = LinePlot(title: "\(label): accuracy on real symbols (test, mean of \(seeds))", xLabel: "epoch", yLabel: "accuracy", yRange: 0.2...1)
        for (variant, runs) in zip(Variant.all, byVariant) {
            let mean = (0...settings.epochs).map { e in runs.map { $0.curve[e].realSymbols }.reduce(0, +) / Float(runs.count) }
            curves.add(variant.name, x: Array(0...settings.epochs), y: mean)
        }
        curves.addLevel("chance (1/3)", y: 1.0 / 3)
        print(curves.terminal(height: 14))
        experiment.save(curves.svg(), as: "accuracy-\(cell)")

        var byLength = LinePlot(title: "\(label): accuracy on real symbols by length (test, mean of \(seeds))",
                                xLabel: "sequence length", yLabel: "accuracy", yRange: 0...1)
        for (variant, runs) in zip(Variant.all, byVariant) {
            let each = runs.map { realAccuracyByLength($0.predicted!, data.test, lengths: 3...14) }
            byLength.add(variant.name, x: Array(3...14), y: (0..<12).map { k in each.map { $0[k] }.reduce(0, +) / Float(each.count) })
        }
        experiment.save(byLength.svg(), as: "accuracy-by-length-\(cell)")
        let short = byVariant.map { runs in runs.map { realAccuracyByLength($0.predicted!, data.test, lengths: 3...14) } }
        var lengthTable = Table(title: "\(label): accuracy on real symbols by length (mean of seeds)",
                                header: ["training", "n=3", "n=5", "n=8", "n=11", "n=14"])
        for (variant, each) in zip(Variant.all, short) {
            let means = [3, 5, 8, 11, 14].map { n in each.map { $0[n - 3] }.reduce(0, +) / Float(each.count) }
            lengthTable.add([variant.name] + means.map { Table.number($0, significant: 2) })
        }
        print(lengthTable.render())
    }
}

// MARK: - 4. What the models write

experiment.part("samples", "What the models write (seed 0)", uses: ["3.4", "3.6"]) {
    guard let data = loadedData, !results.isEmpty else {
        print("Nothing trained above, so nothing to show.")
        return
    }
    let rows = 10
    for cell in settings.cells {
        guard let byVariant = results[cell] else { continue }
        let label = cell == .tanh ? "tanh RNN" : "GRU"
        for (k, variant) in Variant.all.enumerated() where k == 0 || k == 2 {
            let predicted = byVariant[k][0].predicted!
            let title = "\(label), \(variant.name): prediction == target"
            let (targets, lengths) = (data.test.codes, data.test.lengths)
            print(rightWrongPicture(predicted: predicted, targets: targets, lengths: lengths, rows: rows, title: title).terminal())
            let picture = rightWrongPicture(predicted: predicted, targets: targets, lengths: lengths, rows: 48, title: title)
            experiment.save(picture.svg(), as: "right-wrong-\(cell)-\(variant.strategy)")
        }
        var samples = Table(title: "\(label): test sequences and their copies, read up to the first predicted stop",
                            header: ["target", "padded", "masked enc+loss"])
        let padded = decodeCodes(byVariant[0][0].predicted!, alphabet: data.alphabet)
        let masked = decodeCodes(byVariant[2][0].predicted!, alphabet: data.alphabet)
        for i in 0..<8 {
            let mark = { (s: String) in s == data.test.texts[i] ? s + " ✓" : s }
            samples.add([data.test.texts[i], mark(padded[i]), mark(masked[i])])
        }
        print(samples.render())
    }
}

experiment.finish()
