import Autograd
import ExperimentKit
import Foundation
import Lesson8

// Training a Reverser (8.6, with 8.1–8.5 inside the student's module) on reversal data, and
// measuring it on the sequences it trained on AND on sequences it never saw.

/// How the learning rate is driven.
enum Schedule: Sendable, Hashable, CustomStringConvertible {
    /// Adam at a constant rate from the first step.
    case adam
    /// Adam with the rate rising linearly from rate/steps to the full rate over `steps` steps (LambdaLR).
    case warmup(Int)
    /// RAdam at a constant rate (the notebook's choice, "to avoid warmup").
    case radam

    var description: String {
        switch self {
        case .adam: return "Adam"
        case .warmup(let n): return "Adam + warm-up \(n)"
        case .radam: return "RAdam"
        }
    }
}

/// Which model learns.
enum Architecture: Sendable, Hashable, CustomStringConvertible {
    /// The student's Reverser (8.6): pre-norm encoder layers.
    case reverser
    /// The same with post-norm layers (the original transformer's and BERT's), written here.
    case postNorm
    /// Lesson 2's RNN encoder–decoder with this many hidden units.
    case rnn(Int)

    var description: String {
        switch self {
        case .reverser: return "transformer (pre-norm)"
        case .postNorm: return "transformer (post-norm)"
        case .rnn(let h): return "RNN enc–dec, \(h) units"
        }
    }
}

/// A model that maps tokens [B, T] to scores [B, T, vocabulary].
protocol SequenceModel: Module {
    func callAsFunction(_ tokens: Tensor) throws -> Tensor
}

extension Reverser: SequenceModel {}

/// The Reverser with post-norm layers, x = norm(x + f(x)), and no final norm: the original
/// transformer's (and BERT's) arrangement, for the warm-up comparison. The layers are drawn
/// from `rng` in the order `Reverser.init` draws them; the forward pass is the student's 8.6.
func postNormReverser(vocabulary: Int, length: Int, dModel: Int, heads: Int, layers: Int, rng: inout RNG) -> Reverser {
    let embedding = Embedding(vocabulary, dModel, rng: &rng)
    let positions = PositionEmbedding(maxLength: length, dim: dModel, rng: &rng)
    let encoder = TransformerEncoder(dModel: dModel, nhead: heads, numLayers: layers, dimFeedforward: 4 * dModel, dropout: 0,
                                     activation: .gelu(.none), normFirst: false, rng: &rng)
    return Reverser(embedding: embedding, positions: positions, encoder: encoder, head: Linear(dModel, vocabulary, rng: &rng))
}

/// One training: the task, the data, the model and its size, and the optimizer.
struct Setup: Sendable {
    var length: Int
    var vocabulary: Int
    /// Training sequences, drawn once and read epoch after epoch (shuffled); nil: a fresh
    /// batch of new sequences at every step.
    var examples: Int?
    var steps: Int
    var batch = 16
    var learningRate: Float = 1e-3
    var schedule = Schedule.adam
    var dModel = 64
    var heads = 4
    var layers = 2
    var architecture = Architecture.reverser
    var seed: UInt64 = 0
    /// Measure held-out token accuracy every this many steps (0: only at the end).
    var evaluateEvery = 0
    /// Stop once held-out token accuracy reaches this (checked at each evaluation).
    var stopAt: Double? = nil

    var data: String { examples.map { "\(grouped($0)) examples" } ?? "fresh batches" }
    var cell: String { "L \(length), V \(vocabulary)" }
}

/// Accuracy on a set of sequences: per token, and whole sequences exactly right.
struct Accuracy: Sendable {
    var token: Double
    var sequence: Double
}

/// What one training gave.
struct ReverserRun: @unchecked Sendable {
    let setup: Setup
    let model: any SequenceModel
    /// The student's Reverser, when that is the model (for the pictures).
    var reverser: Reverser? { model as? Reverser }
    /// The loss of every step.
    var losses: [Float] = []
    /// (step, held-out token accuracy) at each evaluation.
    var curve: [(step: Int, accuracy: Double)] = []
    /// (step, token accuracy on training sequences) at each evaluation: what the notebook's "valid" printed.
    var trainingCurve: [(step: Int, accuracy: Double)] = []
    /// On the training sequences (the notebook's "valid" loader reads them) and on held-out ones.
    var training = Accuracy(token: .nan, sequence: .nan)
    var heldOut = Accuracy(token: .nan, sequence: .nan)
    /// Steps taken (fewer than asked when `stopAt` was reached).
    var steps = 0
    var seconds = 0.0
    /// The first 64 held-out sequences, for the pictures.
    var heldOutInputs: Tensor? = nil
    /// The share of held-out tokens that occur somewhere in the training sequences (1 with fresh batches).
    var coverage = 1.0

    /// The first evaluated step where held-out token accuracy was ≥ level.
    func firstStep(reaching level: Double) -> Int? { curve.first { $0.accuracy >= level }?.step }
}

/// `count` reversal pairs none of whose inputs is in `excluding` (rows of codes).
func freshData(count: Int, length: Int, vocabulary: Int, excluding: Set<[Float]>, rng: inout RNG) throws -> (inputs: Tensor, targets: Tensor) {
    var rows: [[Float]] = []
    while rows.count < count {
        let (x, _) = try reversalData(count: count - rows.count, length: length, vocabulary: vocabulary, rng: &rng)
        rows += x.rows.filter { !excluding.contains($0) }
    }
    let flat = rows.flatMap { $0 }
    return (try Tensor(flat, shape: [count, length]), try Tensor(rows.flatMap { $0.reversed() }, shape: [count, length]))
}

/// Token and sequence accuracy of `model` on inputs/targets [N, T], in chunks, without gradients.
func accuracy(_ model: any SequenceModel, inputs: Tensor, targets: Tensor, chunk: Int = 128) throws -> Accuracy {
    let (n, t) = (inputs.shape[0], inputs.shape[1])
    let wanted = targets.indices
    var tokens = 0, sequences = 0
    try noGrad {
        var start = 0
        while start < n {
            let size = min(chunk, n - start)
            let written = try model(inputs.narrow(axis: 0, start: start, length: size)).argmax(axis: -1).indices
            for i in 0..<size {
                var right = 0
                for j in 0..<t where written[i * t + j] == wanted[(start + i) * t + j] { right += 1 }
                tokens += right
                if right == t { sequences += 1 }
            }
            start += size
        }
    }
    return Accuracy(token: Double(tokens) / Double(n * t), sequence: Double(sequences) / Double(n))
}

/// Trains a reverser as `setup` says and measures it on its training sequences (at most the
/// first 1 024) and on `heldOut` new ones.
func trainReverser(_ setup: Setup, heldOut heldOutCount: Int = 1000, progress: ((Int) -> Void)? = nil) throws -> ReverserRun {
    let start = Date()
    var rng = RNG(seed: setup.seed)
    var dataRNG = rng.split()
    let model: any SequenceModel
    switch setup.architecture {
    case .reverser:
        model = Reverser(vocabulary: setup.vocabulary, length: setup.length, dModel: setup.dModel, heads: setup.heads, layers: setup.layers, rng: &rng)
    case .postNorm:
        model = postNormReverser(vocabulary: setup.vocabulary, length: setup.length, dModel: setup.dModel, heads: setup.heads, layers: setup.layers, rng: &rng)
    case .rnn(let hidden):
        model = RNNEncoderDecoder(vocabulary: setup.vocabulary, hidden: hidden, rng: &rng)
    }
    let train = try setup.examples.map { try reversalData(count: $0, length: setup.length, vocabulary: setup.vocabulary, rng: &dataRNG) }
    let seen = Set(train?.inputs.rows ?? [])
    let held = try freshData(count: heldOutCount, length: setup.length, vocabulary: setup.vocabulary, excluding: seen, rng: &dataRNG)
    let optimizer: any Optimizer
    var warmup: LambdaLR? = nil
    switch setup.schedule {
    case .adam: optimizer = try Adam(model.parameters(), learningRate: setup.learningRate)
    case .warmup(let n):
        optimizer = try Adam(model.parameters(), learningRate: setup.learningRate)
        warmup = LambdaLR(optimizer) { step in min(1, Float(step + 1) / Float(n)) }
    case .radam: optimizer = try RAdam(model.parameters(), learningRate: setup.learningRate)
    }
    var run = ReverserRun(setup: setup, model: model)
    var order: [Int] = []
    var heldCurveSet: (Tensor, Tensor)? = nil, trainCurveSet: (Tensor, Tensor)? = nil
    if setup.evaluateEvery > 0 {
        // The curves are measured on the first 256 held-out (and training) sequences, to keep them cheap.
        let k = min(256, heldOutCount)
        heldCurveSet = (try held.inputs.narrow(axis: 0, start: 0, length: k), try held.targets.narrow(axis: 0, start: 0, length: k))
        if let train {
            let k = min(256, train.inputs.shape[0])
            trainCurveSet = (try train.inputs.narrow(axis: 0, start: 0, length: k), try train.targets.narrow(axis: 0, start: 0, length: k))
        }
    }
    for step in 1...max(1, setup.steps) {
        let (x, y): (Tensor, Tensor)
        if let train {
            let n = train.inputs.shape[0]
            if order.count < setup.batch { order += dataRNG.permutation(n) }
            let pick = Array(order.prefix(min(setup.batch, n)))
            order.removeFirst(pick.count)
            (x, y) = (try train.inputs.indexSelect(axis: 0, indices: pick), try train.targets.indexSelect(axis: 0, indices: pick))
        } else {
            (x, y) = try reversalData(count: setup.batch, length: setup.length, vocabulary: setup.vocabulary, rng: &dataRNG)
        }
        let loss = try crossEntropy(model(x), y)
        optimizer.zeroGrad()
        try loss.backward()
        optimizer.step()
        warmup?.step()
        run.losses.append(try loss.item())
        run.steps = step
        if let (hx, hy) = heldCurveSet, step % setup.evaluateEvery == 0 || step == setup.steps {
            let a = try accuracy(model, inputs: hx, targets: hy).token
            run.curve.append((step, a))
            if let (tx, ty) = trainCurveSet { run.trainingCurve.append((step, try accuracy(model, inputs: tx, targets: ty).token)) }
            if let level = setup.stopAt, a >= level { break }
        }
        progress?(step)
    }
    if let train {
        let k = min(1024, train.inputs.shape[0])
        run.training = try accuracy(model, inputs: train.inputs.narrow(axis: 0, start: 0, length: k),
                                    targets: train.targets.narrow(axis: 0, start: 0, length: k))
    }
    run.heldOut = try accuracy(model, inputs: held.inputs, targets: held.targets)
    run.heldOutInputs = try held.inputs.narrow(axis: 0, start: 0, length: min(64, heldOutCount))
    run.coverage = coverage(train: train?.inputs, heldOut: held.inputs)
    run.seconds = Date().timeIntervalSince(start)
    return run
}

/// The share of the held-out tokens that the training sequences contain at least once: a
/// token never seen in training has an embedding and a head row that no gradient has moved,
/// and cannot be written back (all tokens are seen with fresh batches: 1).
func coverage(train: Tensor?, heldOut: Tensor) -> Double {
    guard let train else { return 1 }
    let seen = Set(train.indices)
    let held = heldOut.indices
    return Double(held.filter { seen.contains($0) }.count) / Double(max(held.count, 1))
}
