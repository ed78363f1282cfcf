import Autograd
import ExperimentKit
import Foundation
import Lesson4
import Plots

// `swift run tutor run 4`: an LSTM learns to add, with the student's own code.
//   1. the data: a split of sums with nothing held out seen in training (4.1), and one
//      sum column by column, as the network reads and writes it (4.2);
//   2. the synchronous adder (4.4, on the core's LSTM cell) trained with the student's
//      clipped training step (4.6) and cosine schedule (4.8), the held-out exact match and
//      digit accuracy (4.5) measured as it goes, sample sums, and the errors by the longest
//      run of carries;
//   3. the ablation: the design with each of its choices undone in turn, a tanh RNN in
//      its place, an encoder–decoder with its best ingredients and the notebook's two
//      models, each trained about as long as the design, over seeds (Designs.swift).
//
// Options (after `--`): --steps N (the adder's training steps; default 2000, --full 8000).

let experiment = Experiment(lesson: 4, parts: [
    .init("data", "the sums, the held-out set, and a sum column by column"),
    .init("adding", "the synchronous adder trained with your code"),
    .init("ablation", "each choice of the design undone in turn; other networks in the same time"),
], options: "--steps N")

/// The run's settings: the default, `--full`, and the options after `--`.
struct Settings {
    var steps: Int
    /// The ablation's budgets are multiplied by this; seeds per design (the notebook's
    /// models: half as many, at least one).
    let scale: Int, seeds: Int
    let hidden = 128, batch = 64, places = 5, testCount = 2000, trainCount = 200_000
    let learningRate: Float = 3e-3, maxNorm: Float = 1
    let range = 100...9999

    init(_ e: Experiment) {
        steps = e.full ? 8000 : 2000
        (scale, seeds) = e.full ? (4, 4) : (1, 2)
        var i = 0
        let args = e.arguments
        while i < args.count {
            switch args[i] {
            case "--steps":
                guard i + 1 < args.count, let n = Int(args[i + 1]), n > 0 else { Experiment.fail("--steps needs a positive integer") }
                steps = n
                i += 1
            default:
                Experiment.fail("unknown option \(args[i]) (options: --full, --seed N, and after --: --steps N)")
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

/// For each group of held-out sums (by `group`), how many `answers` got right, of how many.
func rightShare(_ answers: [Int], of test: [Pair], by group: (Pair) -> Int) -> [Int: (right: Int, count: Int)] {
    var shares: [Int: (right: Int, count: Int)] = [:]
    for (i, p) in test.enumerated() {
        shares[group(p), default: (0, 0)].count += 1
        if answers[i] == p.x + p.y { shares[group(p), default: (0, 0)].right += 1 }
    }
    return shares
}

/// A share as the tables print it: "0.985".
func shareText(_ v: (right: Int, count: Int)) -> String { String(format: "%.3f", Double(v.right) / Double(v.count)) }

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

experiment.part("adding", "The synchronous adder, trained with your code", uses: ["4.1", "4.2", "4.4", "4.5", "4.6", "4.8"]) {
    let (train, test) = try split()
    let (testX, testY) = try encodeSums(test, places: settings.places)
    var rng = RNG(seed: experiment.seed)
    let model = Adder(hiddenSize: settings.hidden, rng: &rng)
    let parameters = model.parameters()
    let optimizer = try Adam(parameters, learningRate: settings.learningRate)
    print(String(format: "LSTM cell, hidden %d, %d parameters; batches of %d, Adam %.0e with a cosine schedule, gradients clipped to norm %.0f; %d steps",
                 settings.hidden, model.parameterCount, settings.batch, settings.learningRate, settings.maxNorm, settings.steps))

    /// The held-out scores (exact match and digit accuracy) and answers.
    func evaluate() throws -> (exact: Float, digits: Float, answers: [Int]) {
        model.eval()
        defer { model.train() }
        let predicted = try noGrad { try model(testX).argmax(axis: -1) }
        let s = try additionScores(predicted: predicted, targets: testY)
        return (s.exact, s.digits, decodeSums(predicted))
    }

    // The answers at the first evaluation past half right, to see which sums are learned last.
    var halfway: (step: Int, answers: [Int])? = nil
    var order: [Int] = [], trained = 0.0, norms: [Float] = []
    var curve: [(step: Int, seconds: Double, exact: Double, digits: Double)] = []
    var table = Table(title: "Held-out sums (\(test.count)) during training", header: ["step", "seconds", "loss", "exact match", "digit accuracy"])
    var recent: [Float] = []
    let every = max(1, settings.steps / 10)
    for step in 0...settings.steps {
        if step % every == 0 || step == settings.steps {
            let s = try evaluate()
            curve.append((step, trained, Double(s.exact), Double(s.digits)))
            if halfway == nil, s.exact >= 0.5, s.exact < 1 { halfway = (step, s.answers) }
            let loss = recent.isEmpty ? "—" : Table.number(recent.reduce(0, +) / Float(recent.count))
            table.add(["\(step)", String(format: "%.1f", trained), loss, String(format: "%.3f", s.exact), String(format: "%.3f", s.digits)])
            recent = []
        }
        if step == settings.steps { break }
        let start = Date()
        // Your cosine schedule (4.8): from the full rate down to 1/100 of it over the steps.
        optimizer.learningRate = try cosineRate(step: step, steps: settings.steps, base: settings.learningRate, floor: 0.01)
        if order.count < settings.batch { order += rng.permutation(train.count) }
        let batch = order.prefix(settings.batch).map { train[$0] }
        order.removeFirst(settings.batch)
        let (x, y) = try encodeSums(batch, places: settings.places)
        let (loss, norm) = try trainStep({ try model($0) }, parameters: parameters, optimizer: optimizer,
                                      inputs: x, targets: y, maxNorm: settings.maxNorm)
        recent.append(loss)
        norms.append(norm)
        trained += Date().timeIntervalSince(start)
    }
    print(String(format: "%.2f ms a step (training only; the evaluations are not counted).", trained * 1000 / Double(settings.steps)))
    // How often the clip acted: the norms your trainStep returned, before clipping.
    let sortedNorms = norms.sorted(), clipped = norms.indices.filter { norms[$0] > settings.maxNorm }
    print(String(format: "Gradient norm before clipping: median %.3g, largest %.3g; above %.0f (so clipped) at %d of %d steps",
                 sortedNorms[sortedNorms.count / 2], sortedNorms.last ?? 0, settings.maxNorm, clipped.count, norms.count)
          + (clipped.isEmpty ? "." : " (the first at step \(clipped[0]), the last at step \(clipped.last!))."))
    print(table.render())
    var plot = LinePlot(title: "Held-out sums during training", xLabel: "training step", yLabel: "fraction right", yRange: 0...1)
    plot.add("exact match", x: curve.map { Double($0.step) }, y: curve.map(\.exact))
    plot.add("digit accuracy", x: curve.map { Double($0.step) }, y: curve.map(\.digits), dashed: true)
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
    print("\(wrong.count) of \(test.count) held-out sums wrong after \(settings.steps) steps.")

    // Where the errors are: the held-out sums by their longest run of carries and by the
    // length of the answer, halfway through learning and at the end.
    let columns = (halfway.map { ["exactly right at step \($0.step)"] } ?? []) + ["at step \(settings.steps)"]
    for (title, group) in [("longest run of carries (9999 + 1: a run of 4)", { (p: Pair) in longestCarryChain(p.x, p.y) }),
                           ("number of digits in the answer", { (p: Pair) in String(p.x + p.y).count })] {
        let end = rightShare(answers, of: test, by: group), middle = halfway.map { rightShare($0.answers, of: test, by: group) }
        var table = Table(title: "Held-out sums by their \(title)", header: [title.components(separatedBy: " (")[0], "sums"] + columns)
        for k in end.keys.sorted() {
            table.add(["\(k)", "\(end[k]!.count)"] + (middle.map { [shareText($0[k]!)] } ?? []) + [shareText(end[k]!)])
        }
        print(table.render())
    }
}

// MARK: - 3. The ablation

experiment.part("ablation", "Which choices make addition learnable: each undone in turn, other networks in the same time",
                uses: ["4.1", "4.2", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9"]) {
    let (train, test) = try split()
    let designs = Design.all(scale: settings.scale)
    func seeds(_ d: Design) -> Int {
        if case .notebook = d.network { return max(1, settings.seeds / 2) }
        return settings.seeds
    }
    print("Each design trains from \(settings.seeds) seeds (the notebook's models from \(max(1, settings.seeds / 2))) with your split, your step and your scores.")
    print("Its steps are set so that every design trains about as long as the lesson's on the course's machine")
    print("(a step of each costs differently); the seconds column is what it took here, training only.")
    let pieces = designs.flatMap { d in (0..<seeds(d)).map { (d, $0) } }
    let bar = ProgressBar(total: pieces.map(\.0.steps).reduce(0, +), label: "ablation")
    let start = Date()
    let runs = try experiment.workers.map(pieces) { design, seed in
        try trainDesign(design, seed: 4100 + UInt64(seed) + 17 * experiment.seed, train: train, test: test) { n in
            bar.advance(by: n, message: "\(design.name), seed \(seed)")
        }
    }
    bar.finish(message: String(format: "%.0f s", Date().timeIntervalSince(start)))
    var at = 0
    let byDesign = designs.map { d -> [DesignRun] in
        defer { at += seeds(d) }
        return Array(runs[at..<(at + seeds(d))])
    }

    var table = Table(title: "Held-out exact match (\(test.count) sums) after about equal training time, per seed",
                      header: ["design", "steps", "seconds", "exact match", "digit accuracy", "99% at step"])
    for (d, rs) in zip(designs, byDesign) {
        let seconds = rs.map(\.seconds).reduce(0, +) / Double(rs.count)
        let digits = rs.map(\.digits).reduce(0, +) / Float(rs.count)
        table.add([d.name, "\(d.steps)", String(format: "%.1f", seconds),
                   rs.map { String(format: "%.3f", $0.exact) }.joined(separator: " "), String(format: "%.3f", digits),
                   rs.map { $0.stepTo99.map(String.init) ?? "–" }.joined(separator: " ")])
    }
    print(table.render())
    print("(99% at step: the first check, every 1/16 of the steps, at which 500 of the held-out sums were 99% right.)")
    if decodedWithoutYours.update({ $0 }) {
        print("(The LSTM encoder–decoder was decoded by the experiment's own loop: exercise 4.7 is not written yet. `swift run tutor hint 4.7`.)")
    }
    if trainedWithoutYours.update({ $0 }) {
        print("(The LSTM encoder–decoder was trained with the experiment's own teacher forcing: exercise 4.9 is not written yet. `swift run tutor hint 4.9`.)")
    }

    var plot = LinePlot(title: "Exact match on 500 held-out sums (first seed)", xLabel: "seconds of training", yLabel: "exact match", yRange: 0...1)
    for (d, rs) in zip(designs, byDesign) where d.inPicture {
        plot.add(d.name, x: rs[0].curve.map(\.seconds), y: rs[0].curve.map { Double($0.exact) })
    }
    print(plot.terminal(height: 14))
    print("(The designs not drawn lie on the lesson's design's curve, or at 0 with the notebook's.)")
    experiment.save(plot.svg(), as: "ablation")

    // Where each design's errors are: exact match by the sum's longest run of carries.
    let shares = byDesign.map { rightShare($0[0].answers, of: test) { longestCarryChain($0.x, $0.y) } }
    let lengths = shares[0].keys.sorted()
    var byCarries = Table(title: "Exact match of the first seed by the held-out sum's longest run of carries (0: no carry at all)",
                          header: ["design"] + lengths.map { k in "\(k) (\(shares[0][k]!.count) sums)" })
    for (d, share) in zip(designs, shares) {
        byCarries.add([d.name] + lengths.map { shareText(share[$0]!) })
    }
    print(byCarries.render())

    // What the wrong answers look like where a design fails.
    var wrong = Table(title: "Wrong answers of the first seed (the first three of each design)", header: ["design", "sum", "answer"])
    for (d, rs) in zip(designs, byDesign) {
        let misses = test.indices.filter { rs[0].answers[$0] != test[$0].x + test[$0].y }.prefix(3)
        for i in misses {
            wrong.add([d.name, "\(sumText(test[i])) = \(test[i].x + test[i].y)", "\(rs[0].answers[i])"])
        }
    }
    if wrong.rows.isEmpty { print("No design got a held-out sum wrong.") } else { print(wrong.render()) }
}

experiment.finish()
