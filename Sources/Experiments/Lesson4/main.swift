import Autograd
import ExperimentKit
import Foundation
import Lesson4
import Plots

// `swift run tutor run 4`: an LSTM learns to add, with the student's own code.
//   1. the data: a split of sums with nothing held out seen in training (4.1), and one
//      sum column by column, as the network reads and writes it (4.2);
//   2. the synchronous adder (4.4, on the core's LSTM cell) trained for a few seconds of
//      wall time with the student's clipped training step (4.6), the held-out exact match
//      and digit accuracy (4.5) measured as it goes, sample sums, and the errors by the
//      longest run of carries.
//
// Options (after `--`): --seconds S (training time; default 20, --full 60).
// (The lesson's full experiment — the notebook's set-up for the same time, and the
// ablation of the design's choices — is still to come.)

let experiment = Experiment(lesson: 4, parts: [
    .init("data", "the sums, the held-out set, and a sum column by column"),
    .init("adding", "the synchronous adder trained for a few seconds with your code"),
], options: "--seconds S")

/// The run's settings: the default, `--full`, and the options after `--`.
struct Settings {
    var seconds: Double
    let hidden = 128, batch = 64, places = 5, testCount = 2000, trainCount = 200_000
    let learningRate: Float = 3e-3, maxNorm: Float = 1
    let range = 100...9999

    init(_ e: Experiment) {
        seconds = e.full ? 60 : 20
        var i = 0
        let args = e.arguments
        while i < args.count {
            switch args[i] {
            case "--seconds":
                guard i + 1 < args.count, let s = Double(args[i + 1]), s > 0 else { Experiment.fail("--seconds needs a positive number") }
                seconds = s
                i += 1
            default:
                Experiment.fail("unknown option \(args[i]) (options: --full, --seed N, and after --: --seconds S)")
            }
            i += 1
        }
    }
}

let settings = Settings(experiment)

/// The sums of the run: one split from the run's seed.
func split() throws -> (train: [Pair], test: [Pair]) {
    var rng = RNG(seed: 4000 + experiment.seed)
    return try splitSums(trainCount: settings.trainCount, testCount: settings.testCount, range: settings.range, rng: &rng)
}

/// The longest run of consecutive columns that produce a carry in x + y (a carry that ripples).
func longestCarryChain(_ x: Int, _ y: Int) -> Int {
    var (a, b, carry, run, best) = (x, y, 0, 0, 0)
    while a > 0 || b > 0 {
        carry = a % 10 + b % 10 + carry >= 10 ? 1 : 0
        run = carry == 1 ? run + 1 : 0
        best = max(best, run)
        (a, b) = (a / 10, b / 10)
    }
    return best
}

// MARK: - 1. The data

experiment.part("data", "The sums, the held-out set, and a sum column by column", uses: ["4.1", "4.2"]) {
    let (train, test) = try split()
    let held = Set(test.flatMap { [[$0.x, $0.y], [$0.y, $0.x]] })
    let leaks = train.filter { held.contains([$0.x, $0.y]) }.count
    print("\(train.count) training sums and \(test.count) held-out sums, operands in \(settings.range); training sums that are held out (or a held-out sum's swap): \(leaks)")
    print("training: " + train.prefix(6).map(sumText).joined(separator: "  ") + "  …")
    print("held out: " + test.prefix(6).map(sumText).joined(separator: "  ") + "  …")
    let example: [Pair] = [(4567, 123)]
    let (inputs, targets) = try encodeSums(example, places: settings.places)
    var table = Table(title: "4567 + 123 = 4690, as the network reads it (step t = place t, units first)",
                      header: ["step t", "digit of x", "digit of y", "target: digit of the sum"])
    let v = inputs.scalars
    for t in 0..<settings.places {
        let at = t * 20
        let dx = (0..<10).first { v[at + $0] == 1 }.map(String.init) ?? "?"
        let dy = (0..<10).first { v[at + 10 + $0] == 1 }.map(String.init) ?? "?"
        table.add(["\(t)", dx, dy, "\(targets.indices[t])"])
    }
    print(table.render())
    print("the targets read back: \(decodeSums(targets))")
}

// MARK: - 2. Training the adder

experiment.part("adding", "The synchronous adder, trained with your code", uses: ["4.1", "4.2", "4.4", "4.5", "4.6"]) {
    let (train, test) = try split()
    let (testX, testY) = try encodeSums(test, places: settings.places)
    var rng = RNG(seed: experiment.seed)
    let model = Adder(hiddenSize: settings.hidden, rng: &rng)
    let parameters = model.parameters()
    let optimizer = try Adam(parameters, learningRate: settings.learningRate)
    print(String(format: "LSTM cell, hidden %d, %d parameters; batches of %d, Adam %.0e with a cosine schedule, gradients clipped to norm %.0f; %.0f s of training",
                 settings.hidden, model.parameterCount, settings.batch, settings.learningRate, settings.maxNorm, settings.seconds))

    /// The held-out scores: exact match and digit accuracy.
    func evaluate() throws -> (exact: Float, digits: Float) {
        model.eval()
        defer { model.train() }
        let predicted = try noGrad { try model(testX).argmax(axis: -1) }
        return try additionScores(predicted: predicted, targets: testY)
    }

    var order: [Int] = [], step = 0, trained = 0.0, nextEvaluation = 0.0
    var curve: [(seconds: Double, exact: Double, digits: Double)] = []
    var table = Table(title: "Held-out sums (\(test.count)) during training", header: ["seconds", "steps", "loss", "exact match", "digit accuracy"])
    var recent: [Float] = []
    while true {
        if trained >= nextEvaluation {
            let s = try evaluate()
            curve.append((trained, Double(s.exact), Double(s.digits)))
            let loss = recent.isEmpty ? "—" : Table.number(recent.reduce(0, +) / Float(recent.count))
            table.add([String(format: "%.1f", trained), "\(step)", loss, String(format: "%.3f", s.exact), String(format: "%.3f", s.digits)])
            recent = []
            nextEvaluation += settings.seconds / 10
        }
        if trained >= settings.seconds { break }
        let start = Date()
        // Cosine from the full rate down to 1/100 of it over the training time.
        let progress = min(trained / settings.seconds, 1)
        optimizer.learningRate = settings.learningRate * Float(0.01 + 0.99 * 0.5 * (1 + cos(Double.pi * progress)))
        if order.count < settings.batch { order += rng.permutation(train.count) }
        let batch = order.prefix(settings.batch).map { train[$0] }
        order.removeFirst(settings.batch)
        let (x, y) = try encodeSums(batch, places: settings.places)
        let (loss, _) = try trainStep({ try model($0) }, parameters: parameters, optimizer: optimizer,
                                      inputs: x, targets: y, maxNorm: settings.maxNorm)
        recent.append(loss)
        step += 1
        trained += Date().timeIntervalSince(start)
    }
    print(table.render())
    var plot = LinePlot(title: "Held-out sums during training", xLabel: "seconds of training", yLabel: "fraction right", yRange: 0...1)
    plot.add("exact match", x: curve.map(\.seconds), y: curve.map(\.exact))
    plot.add("digit accuracy", x: curve.map(\.seconds), y: curve.map(\.digits), dashed: true)
    print(plot.terminal())
    experiment.save(plot.svg(), as: "adding")

    // Sample sums, right and wrong.
    let predicted = try noGrad { try model(testX).argmax(axis: -1) }
    let answers = decodeSums(predicted)
    var samples = Table(title: "Held-out sums and the adder's answers", header: ["sum", "answer", ""])
    let wrong = test.indices.filter { answers[$0] != test[$0].x + test[$0].y }
    for i in Array(test.indices.prefix(6)) + Array(wrong.prefix(4)) {
        let right = answers[i] == test[i].x + test[i].y
        samples.add(["\(sumText(test[i])) = \(test[i].x + test[i].y)", "\(answers[i])", right ? "✓" : "✗"])
    }
    print(samples.render())
    print("\(wrong.count) of \(test.count) held-out sums wrong after \(step) steps.")

    // Where the errors are: the held-out sums by their longest run of carries.
    var byChain: [Int: (right: Int, count: Int)] = [:]
    for (i, p) in test.enumerated() {
        let chain = longestCarryChain(p.x, p.y), ok = answers[i] == p.x + p.y
        byChain[chain, default: (0, 0)].count += 1
        if ok { byChain[chain, default: (0, 0)].right += 1 }
    }
    var chains = Table(title: "Held-out sums by their longest run of carries (9999 + 1: a run of 4)", header: ["longest carry run", "sums", "exactly right"])
    for k in byChain.keys.sorted() {
        let v = byChain[k]!
        chains.add(["\(k)", "\(v.count)", String(format: "%.3f", Double(v.right) / Double(v.count))])
    }
    print(chains.render())
}

experiment.finish()
