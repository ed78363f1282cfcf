import Autograd
import ExperimentKit
import Foundation
import Lesson8
import Plots

// `swift run tutor run 8`: attention, and a transformer that reverses — with the student's code.
//   1. order: attention alone cannot see order (8.1); positions (8.3) break the symmetry;
//   2. grid: the notebook's grid — lengths 5 and 100, vocabularies 10 and 1000, 128 training
//      sequences — with the Reverser (8.1–8.6 inside), scaled down from BERT; accuracy on the
//      training sequences (what the notebook's "valid" printed) and on held-out ones; then
//      with more data (1 024 sequences, or a fresh batch at every step);
//   3. optimizers: Adam, Adam with a linear warm-up, RAdam — pre-norm and post-norm — from the
//      same seeds: steps until held-out accuracy reaches 95%;
//   4. rnn: lesson 2's RNN encoder–decoder on the same task;
//   5. attention: a trained reverser's attention per layer and head (8.6's withWeights), and
//      the mass it puts on the anti-diagonal, for models that reverse and models that memorised.
// Options (after `--`): --seeds N (optimizers; default 3, --full 5), --steps N (length 5;
// default 1500, --full 3000), --long-steps N (length 100; default 300, --full 1500).

let experiment = Experiment(lesson: 8, parts: [
    .init("order", "attention without positions is blind to order; with positions it is not"),
    .init("grid", "lengths 5 and 100 × vocabularies 10 and 1000: 128 sequences, then more; training vs held-out accuracy"),
    .init("optimizers", "Adam, Adam with warm-up and RAdam, pre-norm and post-norm, from the same seeds"),
    .init("rnn", "lesson 2's RNN encoder–decoder on the same task"),
    .init("attention", "a trained reverser's attention per layer and head, and its mass on the anti-diagonal", needs: ["grid"]),
], options: "--seeds N, --steps N, --long-steps N")

var seedCount = experiment.full ? 5 : 3
var shortSteps = experiment.full ? 3000 : 1500
var longSteps = experiment.full ? 1500 : 300
var arguments = experiment.arguments
Experiment.takeOptions(&arguments) { option, value in
    func positive() -> Int { Experiment.positiveInteger(option, value) }
    switch option {
    case "--seeds": seedCount = positive()
    case "--steps": shortSteps = positive()
    case "--long-steps": longSteps = positive()
    case "--": break
    default: return false
    }
    return true
}
if let unknown = arguments.first { Experiment.fail("unknown option \(unknown) (options: --full, --seed N, and after --: --seeds N, --steps N, --long-steps N)") }
let seed = experiment.seed

func fixed(_ x: Double, _ digits: Int = 3) -> String { x.isFinite ? String(format: "%.\(digits)f", x) : "—" }
func seconds(_ x: Double) -> String { String(format: "%.1f s", x) }
/// Lines for the closing summary.
var summary = Table(title: "\nSummary (seed \(seed)\(experiment.full ? ", --full" : ""))", header: ["part", "what", "measured"], alignments: [.left, .left, .left])

print("The model: the Reverser (8.6) — embedding, learned positions, 2 pre-norm encoder layers (d_model 64, 4 heads,")
print("feed-forward 256, GELU, no dropout), a final LayerNorm, a Linear head at every position: 100 096 weights in the layers,")
print("plus 129 per vocabulary token and 64 per position. The notebook's is BERT-base (12 layers, d_model 768, 12 heads,")
print("feed-forward 3 072: 85 M weights in the layers, plus 768 per token and 768 per position, and its head 769 per token).")
print("Batches of 16 (the notebook's); Adam at 1e-3 unless said (the notebook: RAdam at 1e-4, for BERT).")

// MARK: - 1. Order

experiment.part("order", "Attention sees a set: permute the positions and the outputs permute alike", uses: ["8.1", "8.3"]) {
    var rng = RNG(seed: seed)
    let (t, d) = (8, 16)
    let x = Tensor.randn([1, t, d], rng: &rng)
    let permutation = rng.permutation(t)
    let permute = { (y: Tensor) throws -> Tensor in try y.indexSelect(axis: 1, indices: permutation) }
    // Without positions: attention(P x) against P attention(x).
    let plain = try attention(query: x, key: x, value: x).output
    let shuffled = try permute(x)
    let plainShuffled = try attention(query: shuffled, key: shuffled, value: shuffled).output
    let without = maxDifference(try permute(plain), plainShuffled)
    // With positions: the tokens move, the positions stay where they are.
    let positions = try sinusoidalPositions(length: t, dim: d).unsqueeze(0)
    let placed = try x + positions
    let withPositions = try attention(query: placed, key: placed, value: placed).output
    let shuffledPlaced = try shuffled + positions
    let shuffledWith = try attention(query: shuffledPlaced, key: shuffledPlaced, value: shuffledPlaced).output
    let with = maxDifference(try permute(withPositions), shuffledWith)
    print("\(t) random vectors of \(d) numbers, self-attention (query = key = value = x, 8.1), and the same vectors in the order \(permutation):")
    var table = Table(header: ["input", "max |attention(P·x) − P·attention(x)|", "so"])
    table.add(["x (no positions)", String(format: "%.1e", without), without < 1e-5 ? "the outputs move with their tokens, unchanged" : "?"])
    table.add(["x + sin/cos positions (8.3)", String(format: "%.3f", with), with > 1e-3 ? "each output depends on where its token is" : "?"])
    print(table.render())
    print("(The difference without positions is rounding: the same numbers, summed in another order. A reverser must answer")
    print("\"the token at position T − 1 − t\" — a question about positions that attention alone cannot even ask.)")
    summary.add(["order", "attention(P·x) vs P·attention(x)", String(format: "%.1e without positions, %.3f with", without, with)])
}

func maxDifference(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.scalars, b.scalars).map { Double(abs($0 - $1)) }.max() ?? .nan
}

// MARK: - 2. The grid

/// The grid's trainings, by (length, vocabulary, data).
var gridRuns: [String: ReverserRun] = [:]
func gridKey(_ length: Int, _ vocabulary: Int, _ examples: Int?) -> String { "\(length)-\(vocabulary)-\(examples.map(String.init) ?? "fresh")" }

experiment.part("grid", "The notebook's grid: 128 training sequences, then more — on the training set and on held-out sequences",
                uses: ["8.6"]) {
    var setups: [Setup] = []
    for length in [5, 10, 100] {
        for vocabulary in [10, 1000] {
            // Length 10 is the notebook's own cell for vocabulary 1000 (its grid: 5 × 10, 100 × 10, 10 × 1000, 100 × 1000).
            if length == 10 {
                if vocabulary == 1000 { setups.append(Setup(length: 10, vocabulary: 1000, examples: 128, steps: shortSteps, seed: seed, evaluateEvery: 100)) }
                continue
            }
            let more: [Int?] = length == 5 ? (vocabulary == 1000 ? [1024, nil] : [nil]) : (experiment.full ? [1024, nil] : [nil])
            for examples in [128] + more {
                if length == 100, vocabulary == 1000, examples == nil, !experiment.full { continue }
                setups.append(Setup(length: length, vocabulary: vocabulary, examples: examples, steps: length == 5 ? shortSteps : longSteps,
                                    seed: seed, evaluateEvery: length == 5 ? 100 : 50))
            }
        }
    }
    print("Held-out: 1 000 new sequences (none of them a training sequence); training: the training sequences (the first 1 024).")
    print("Steps: \(shortSteps) at lengths 5 and 10, \(longSteps) at length 100, batches of 16; seed \(seed); two trainings side by side.")
    // The slowest first, so that no thread waits alone at the end.
    let order = setups.indices.sorted { setups[$0].length * (setups[$0].vocabulary + 200) * setups[$0].steps > setups[$1].length * (setups[$1].vocabulary + 200) * setups[$1].steps }
    let bar = ProgressBar(total: setups.map(\.steps).reduce(0, +), label: "grid")
    let start = Date()
    let results = try experiment.workers.map(order.map { setups[$0] }) { setup -> ReverserRun in
        let run = try trainReverser(setup, heldOut: setup.length < 100 ? 1000 : 500) { step in
            if step % 10 == 0 { bar.advance(by: 10, message: "\(setup.cell), \(setup.data)") }
        }
        return run
    }
    bar.finish(message: "\(setups.count) trainings: \(seconds(Date().timeIntervalSince(start)))")
    for run in results { gridRuns[gridKey(run.setup.length, run.setup.vocabulary, run.setup.examples)] = run }

    var table = Table(title: "\nToken accuracy (whole sequences right in brackets); chance is 1/V",
                      header: ["length", "V", "training data", "steps", "on the training set", "held-out", "held-out tokens seen in training", "time"])
    for setup in setups {
        guard let run = gridRuns[gridKey(setup.length, setup.vocabulary, setup.examples)] else { continue }
        let train = setup.examples == nil ? "—" : "\(fixed(run.training.token)) (\(fixed(run.training.sequence, 2)))"
        table.add(["\(setup.length)", "\(setup.vocabulary)", setup.data, "\(run.steps)", train,
                   "\(fixed(run.heldOut.token)) (\(fixed(run.heldOut.sequence, 2)))", fixed(run.coverage), seconds(run.seconds)])
        summary.add(["grid", "L \(setup.length), V \(setup.vocabulary), \(setup.data), \(run.steps) steps",
                     "training \(setup.examples == nil ? "—" : fixed(run.training.token)), held-out \(fixed(run.heldOut.token)) per token"])
    }
    print(table.render())
    print("(The held-out length-100 sequences are 500. A held-out token never seen in training has an embedding and a head row that")
    print("no gradient ever moved: the last column caps what a perfect reverser trained on that data could score.)")

    // Curves: the training set's accuracy (the notebook's "valid") against the held-out accuracy.
    for length in [5, 10, 100] where length != 10 || setups.contains(where: { $0.length == 10 }) {
        var plot = LinePlot(title: "Length \(length): token accuracy while training — solid: held-out; dashed: the training set (the notebook's \"valid\")",
                            xLabel: "step", yLabel: "token accuracy")
        for setup in setups where setup.length == length {
            guard let run = gridRuns[gridKey(setup.length, setup.vocabulary, setup.examples)] else { continue }
            plot.add("V \(setup.vocabulary), \(setup.data), held-out", x: run.curve.map(\.step), y: run.curve.map(\.accuracy))
            if !run.trainingCurve.isEmpty {
                plot.add("V \(setup.vocabulary), \(setup.data), training set", x: run.trainingCurve.map(\.step), y: run.trainingCurve.map(\.accuracy), dashed: true)
            }
        }
        plot.yRange = 0...1
        print(plot.terminal(height: 12))
        experiment.save(plot.svg(), as: "accuracy-length\(length)")
    }
}

// MARK: - 3. Optimizers

experiment.part("optimizers", "Adam without warm-up, with warm-up, and RAdam: the same models from the same seeds",
                uses: ["8.6"]) {
    let warmupSteps = 200
    let schedules: [Schedule] = [.adam, .warmup(warmupSteps), .radam]
    let level = 0.95
    let seeds = (0..<seedCount).map { UInt64($0) + 100 * seed }
    /// A task the optimizers are compared on, and the models compared.
    struct Task {
        let name: String
        let length: Int, vocabulary: Int, examples: Int?
        let architectures: [Architecture]
        let budget: Int, seeds: [UInt64]
    }
    // Length 5, vocabulary 1000, a fresh batch every step: the reverser must learn the rule (it cannot memorise).
    // --full: also the notebook's long case, length 100, vocabulary 10, 128 sequences ("If we use regular Adam, this
    // usually won't converge for long sequences").
    var tasks = [Task(name: "L 5, V 1000, fresh batches", length: 5, vocabulary: 1000, examples: nil,
                      architectures: [.reverser, .postNorm], budget: 2 * shortSteps, seeds: seeds)]
    if experiment.full {
        tasks.append(Task(name: "L 100, V 10, 128 examples", length: 100, vocabulary: 10, examples: 128,
                          architectures: [.reverser], budget: longSteps, seeds: Array(seeds.prefix(2))))
    }
    var pieces: [Setup] = []
    for task in tasks {
        for architecture in task.architectures {
            for schedule in schedules {
                for s in task.seeds {
                    pieces.append(Setup(length: task.length, vocabulary: task.vocabulary, examples: task.examples, steps: task.budget, schedule: schedule,
                                        architecture: architecture, seed: s, evaluateEvery: task.length == 5 ? 50 : 25, stopAt: level))
                }
            }
        }
    }
    print("Rate 1e-3; warm-up: the rate rises linearly over the first \(warmupSteps) steps (LambdaLR); RAdam: no schedule. Post-norm: the")
    print("same model with x = norm(x + f(x)) (the original transformer's, and BERT's). Each training stops when its held-out token")
    print("accuracy (256 sequences, measured every 50 steps at length 5, every 25 at length 100) reaches \(Int(level * 100))%.")
    // The slowest first.
    let order = pieces.indices.sorted { pieces[$0].length > pieces[$1].length }
    let bar = ProgressBar(total: pieces.count, label: "optimizers")
    let start = Date()
    let ordered = try experiment.workers.map(order.map { pieces[$0] }) { setup -> ReverserRun in
        let run = try trainReverser(setup, heldOut: 256)
        bar.advance(message: "\(setup.cell), \(setup.architecture), \(setup.schedule), seed \(setup.seed)")
        return run
    }
    var runs = [ReverserRun?](repeating: nil, count: pieces.count)
    for (k, i) in order.enumerated() { runs[i] = ordered[k] }
    bar.finish(message: "\(pieces.count) trainings: \(seconds(Date().timeIntervalSince(start)))")
    for task in tasks {
        let check = task.length == 5 ? 500 : 200
        var table = Table(title: "\n\(task.name): steps until held-out token accuracy ≥ \(Int(level * 100))% (seeds \(task.seeds.map(String.init).joined(separator: ", "))), at most \(task.budget)",
                          header: ["model", "optimizer", "steps to \(Int(level * 100))%", "mean", "accuracy at step \(check)"])
        var plot = LinePlot(title: "Held-out token accuracy, \(task.name) (seed \(task.seeds[0]))", xLabel: "step", yLabel: "token accuracy")
        for architecture in task.architectures {
            let model = architecture == .reverser ? "pre-norm" : "post-norm"
            for schedule in schedules {
                let group = zip(pieces, runs).filter { $0.0.length == task.length && $0.0.architecture == architecture && $0.0.schedule == schedule }.compactMap(\.1)
                let reached = group.map { $0.firstStep(reaching: level) }
                let mean = reached.allSatisfy { $0 != nil } ? fixed(Double(reached.map { $0! }.reduce(0, +)) / Double(reached.count), 0) : "—"
                let atCheck = group.map { run in run.curve.first { $0.step >= check }?.accuracy ?? run.curve.last?.accuracy ?? .nan }
                let steps = reached.map { $0.map(String.init) ?? "> \(task.budget)" }.joined(separator: ", ")
                table.add([model, "\(schedule)", steps, mean, atCheck.map { fixed($0, 2) }.joined(separator: ", ")])
                summary.add(["optimizers", "\(task.name), \(model), \(schedule)", "steps to \(Int(level * 100))%: \(steps)"])
                if let first = group.first {
                    plot.add("\(model), \(schedule)", x: first.curve.map(\.step), y: first.curve.map(\.accuracy), dashed: architecture == .postNorm)
                }
            }
        }
        print(table.render())
        print("(accuracy at step \(check): where a training stopped earlier, its accuracy then — at least \(Int(level * 100))%.)")
        plot.yRange = 0...1
        print(plot.terminal(height: 12))
        experiment.save(plot.svg(), as: "optimizers-length\(task.length)")
    }
}

// MARK: - 4. Lesson 2's RNN

experiment.part("rnn", "Lesson 2's RNN encoder–decoder on the same task", uses: []) {
    let hidden = 128
    var pieces: [Setup] = []
    let lengths = experiment.full ? [5, 10, 20, 100] : [5, 10, 20]
    for length in lengths {
        for examples in [128, nil] as [Int?] {
            pieces.append(Setup(length: length, vocabulary: 10, examples: examples, steps: length == 100 ? longSteps : shortSteps,
                                architecture: .rnn(hidden), seed: seed))
        }
    }
    print("Lesson 2's model (a tanh RNN reads the one-hot tokens; from its last state a second tanh RNN with no input writes")
    print("the T outputs), \(hidden) hidden units, vocabulary 10, Adam at 1e-3, batches of 16, the same steps as the reverser's; seed \(seed).")
    let bar = ProgressBar(total: pieces.count, label: "rnn")
    let start = Date()
    let runs = try experiment.workers.map(pieces) { setup -> ReverserRun in
        let run = try trainReverser(setup, heldOut: 1000)
        bar.advance(message: "length \(setup.length), \(setup.data)")
        return run
    }
    bar.finish(message: "\(pieces.count) trainings: \(seconds(Date().timeIntervalSince(start)))")
    var table = Table(title: "\nToken accuracy (whole sequences in brackets), vocabulary 10 (chance 0.1)",
                      header: ["length", "training data", "steps", "RNN: training set", "RNN: held-out", "reverser: held-out (grid)", "time"])
    for run in runs {
        let s = run.setup
        let reverser = gridRuns[gridKey(s.length, s.vocabulary, s.examples)].map { "\(fixed($0.heldOut.token)) (\(fixed($0.heldOut.sequence, 2)))" } ?? "—"
        table.add(["\(s.length)", s.data, "\(run.steps)", s.examples == nil ? "—" : "\(fixed(run.training.token)) (\(fixed(run.training.sequence, 2)))",
                   "\(fixed(run.heldOut.token)) (\(fixed(run.heldOut.sequence, 2)))", reverser, seconds(run.seconds)])
        summary.add(["rnn", "L \(s.length), V 10, \(s.data)", "held-out \(fixed(run.heldOut.token)) per token"])
    }
    print(table.render())
}

// MARK: - 5. Attention

experiment.part("attention", "What a trained reverser attends to", uses: ["8.6"]) {
    guard !gridRuns.isEmpty else {
        print("No trained reverser to look at: the grid part did not complete (see above).")
        return
    }
    var table = Table(title: "Mean attention weight on the anti-diagonal (query t → key T − 1 − t) on held-out sequences; uniform = 1/T",
                      header: ["model", "held-out accuracy", "layer", "head 1", "head 2", "head 3", "head 4", "uniform"])
    let keys: [(Int, Int, Int?)] = [(5, 10, 128), (5, 10, nil), (5, 1000, 128), (5, 1000, 1024), (5, 1000, nil), (10, 1000, 128),
                                    (100, 10, 128), (100, 10, 1024), (100, 10, nil), (100, 1000, 128), (100, 1000, 1024), (100, 1000, nil)]
    var masses: [String: [[Double]]] = [:]
    var strongest = Table(title: "\nThe best head of each model: its mean weight on T − 1 − t, and how often T − 1 − t is its strongest key",
                          header: ["model", "held-out accuracy", "anti-diagonal mass", "strongest key = T − 1 − t"])
    for (length, vocabulary, examples) in keys {
        guard let run = gridRuns[gridKey(length, vocabulary, examples)], let model = run.reverser, let inputs = run.heldOutInputs else { continue }
        let weights = try attentionWeights(model, inputs: inputs)
        let mass = antiDiagonalMass(weights)
        masses[gridKey(length, vocabulary, examples)] = mass
        for (l, row) in mass.enumerated() {
            table.add([l == 0 ? "L \(length), V \(vocabulary), \(run.setup.data)" : "", l == 0 ? fixed(run.heldOut.token) : "", "\(l + 1)"]
                      + row.map { fixed($0) } + [l == 0 ? fixed(1 / Double(length)) : ""])
        }
        let best = mass.flatMap { $0 }.max() ?? .nan
        let hits = strongestKeyHits(weights).flatMap { $0 }.max() ?? .nan
        strongest.add(["L \(length), V \(vocabulary), \(run.setup.data)", fixed(run.heldOut.token), fixed(best), fixed(hits)])
        summary.add(["attention", "L \(length), V \(vocabulary), \(run.setup.data)", "anti-diagonal mass, best head \(fixed(best)) (uniform \(fixed(1 / Double(length))))"])
    }
    print(table.render())
    print("(the first 64 held-out sequences; a model that reverses needs, somewhere, a head that looks at T − 1 − t.)")
    print(strongest.render())
    // Pictures: the model that memorised and the one that reverses, at length 5 on one held-out sequence; and length 100.
    for (length, vocabulary, examples, name) in [(5, 1000, 128 as Int?, "memorised"), (5, 1000, nil, "reverses"), (100, 10, 128 as Int?, "reverses")] {
        guard let run = gridRuns[gridKey(length, vocabulary, examples)], let model = run.reverser, let inputs = run.heldOutInputs else { continue }
        let one = try inputs.narrow(axis: 0, start: 0, length: 1)
        let weights = try attentionWeights(model, inputs: one)
        let tokens = one.indices
        let title = "L \(length), V \(vocabulary), \(run.setup.data) (held-out \(fixed(run.heldOut.token))): attention on a held-out sequence, per layer (rows) and head"
        if length <= 10 {
            print("\n\(title) — it \(name):")
            print("input \(tokens.map(String.init).joined(separator: " ")) → wanted \(tokens.reversed().map(String.init).joined(separator: " ")), written \(try noGrad { try model(one) }.argmax(axis: -1).indices.map(String.init).joined(separator: " "))")
            print(attentionText(weights, sequence: 0, tokens: tokens))
        }
        // A length-100 map in blocks of 4 × 4 (25 × 25 cells a head): the full one would be an 8 MB picture.
        let (shown, shownTokens) = length <= 10 ? (weights, tokens) : (pooled(weights, by: 4), stride(from: 0, to: length, by: 4).map { tokens[$0] })
        experiment.save(attentionHeatmap(shown, sequence: 0, tokens: shownTokens, title: title + (length <= 10 ? "" : " — in blocks of 4 queries × 4 keys"),
                                         step: length <= 10 ? 1 : 4).svg(cellSize: length <= 10 ? 24 : 8),
                        as: "attention-length\(length)-v\(vocabulary)-\(examples.map(String.init) ?? "fresh")")
    }
    _ = masses

    // The trained reverser with the student's 8.4 and 8.5 in place of the core's layers: the same answers?
    if let run = gridRuns[gridKey(5, 1000, nil)], let model = run.reverser, let inputs = run.heldOutInputs {
        print("\nThe trained reverser (L 5, V 1000, fresh batches) on its first 64 held-out sequences, its layers computed by:")
        let targets = try Tensor(inputs.rows.flatMap { $0.reversed() }, shape: inputs.shape)
        let core = try noGrad { try model(inputs) }
        var table = Table(header: ["the layers", "token accuracy", "max |scores − the core's|"])
        table.add(["the core's TransformerEncoder (your 8.6)", fixed(try accuracy(model, inputs: inputs, targets: targets).token), "—"])
        for (name, exercise) in [("your encoderLayer (8.5)", "8.5"), ("your multiHeadSelfAttention (8.4) in the layer", "8.4")] {
            do {
                let scores = try noGrad { try exercise == "8.5" ? studentLayers(model, inputs) : studentHeads(model, inputs) }
                let written = try scores.argmax(axis: -1).indices, wanted = targets.indices
                let right = zip(written, wanted).filter { $0 == $1 }.count
                table.add([name, fixed(Double(right) / Double(wanted.count)), String(format: "%.1e", maxDifference(scores, core))])
            } catch {
                table.add([name, "—", experiment.verdict(on: error, uses: [exercise], what: "This row").message.split(separator: "\n").first.map(String.init) ?? ""])
            }
        }
        print(table.render())
    }
}

/// The reverser's forward pass with the student's encoder layer (8.5) for each of its layers.
func studentLayers(_ model: Reverser, _ tokens: Tensor) throws -> Tensor {
    var x = try model.positions(model.embedding(tokens))
    for layer in model.encoder.layers { x = try encoderLayer(x, layer: layer) }
    if let norm = model.encoder.norm { x = try norm(x) }
    return try model.head(x)
}

/// The same with the student's multi-head self-attention (8.4) inside each layer.
func studentHeads(_ model: Reverser, _ tokens: Tensor) throws -> Tensor {
    var x = try model.positions(model.embedding(tokens))
    for layer in model.encoder.layers {
        let y = try x + multiHeadSelfAttention(layer.norm1(x), layer: layer.selfAttn)
        x = try y + layer.linear2(layer.activation(layer.linear1(layer.norm2(y))))
    }
    if let norm = model.encoder.norm { x = try norm(x) }
    return try model.head(x)
}

if !summary.rows.isEmpty { print(summary.render()) }
experiment.finish()
