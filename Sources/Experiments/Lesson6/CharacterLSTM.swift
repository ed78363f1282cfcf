import Autograd
import Foundation

// Lesson 5's character LSTM, rebuilt from the core's layers: lessons never import each other,
// so this experiment cannot use lesson 5's LSTMWordModel. The submodules carry its names
// (i_h, rnn, h_o), so lesson 5's checkpoint loads into it; its batches, validation and
// training loop are lesson 5's Part B, step for step, so that a model trained here from
// lesson 5's seed is lesson 5's model.

/// Embedding → LSTM → linear head, as lesson 5's LSTMWordModel without dropout.
final class CharacterLSTM: Module {
    let embedding: Embedding
    let lstm: LSTM
    let head: Linear
    var isTraining = true

    /// Drawn from `rng` in LSTMWordModel's order (embedding, LSTM, head).
    init(vocabulary v: Int, hidden: Int, layers: Int, rng: inout RNG) {
        embedding = Embedding(v, hidden, rng: &rng)
        lstm = LSTM(hidden, hidden, numLayers: layers, rng: &rng)
        head = Linear(hidden, v, rng: &rng)
    }

    var submodules: [(name: String, module: any Module)] { [("i_h", embedding), ("rnn", lstm), ("h_o", head)] }

    /// Logits [batch, time, V] for codes `x` [batch, time], and the state after them, detached.
    func callAsFunction(_ x: Tensor, _ state: (h: Tensor, c: Tensor)?) throws -> (logits: Tensor, state: (h: Tensor, c: Tensor)) {
        let (raw, next) = try lstm(embedding(x), state)
        return (try head(raw), (next.h.detached(), next.c.detached()))
    }
}

/// One batch of lesson 5's: codes x and targets y, [32, 64], and the text position of each target (row-major).
struct TextBatch {
    let x: Tensor
    let y: Tensor
    let positions: [Int]
}

/// Lesson 5's batches of `codes`: windows of 64 starting every 64 codes (the last window must
/// have its 65th code), dealt by groupChunks into 32 streams that continue from batch to batch.
/// Positions are indices of `codes`' base array.
func lessonFiveBatches(_ codes: ArraySlice<Int>, batch: Int = 32, length: Int = 64) throws -> [TextBatch] {
    let base = codes.startIndex
    let starts = Array(stride(from: 0, to: codes.count - length - 1, by: length))
    let m = starts.count / batch
    var grouped: [Int] = []
    for i in 0..<m { for j in 0..<batch { grouped.append(base + starts[j * m + i]) } }
    return try stride(from: 0, to: grouped.count, by: batch).map { b in
        let rows = grouped[b..<b + batch]
        let x = rows.flatMap { codes[$0..<($0 + length)].map(Float.init) }
        let y = rows.flatMap { codes[($0 + 1)..<($0 + length + 1)].map(Float.init) }
        return TextBatch(x: try Tensor(x, shape: [batch, length]), y: try Tensor(y, shape: [batch, length]),
                         positions: rows.flatMap { ($0 + 1)..<($0 + length + 1) })
    }
}

/// Lesson 5's validation batches of a corpus: the 40 961 codes from the cut on.
func validationBatches(_ corpus: Corpus) throws -> [TextBatch] {
    try lessonFiveBatches(corpus.codes[corpus.cut...].prefix(Corpus.heldOutLimit + 1))
}

/// The probability the model gives each target of `batches`, by text position: the state
/// carried from batch to batch, as lesson 5 validates; no tape.
func probabilities(_ model: CharacterLSTM, _ batches: [TextBatch]) throws -> [Int: Double] {
    model.eval()
    defer { model.train() }
    var state: (h: Tensor, c: Tensor)? = nil
    var p: [Int: Double] = [:]
    try noGrad {
        for b in batches {
            let pass = try model(b.x, state)
            state = pass.state
            let v = pass.logits.shape[2]
            let logp = try pass.logits.logSoftmax(axis: -1).scalars
            let y = b.y.scalars
            for (i, position) in b.positions.enumerated() { p[position] = exp(Double(logp[i * v + Int(y[i])])) }
        }
    }
    return p
}

/// Mean −log₂ p over the probabilities.
func meanBits<S: Sequence>(_ ps: S) -> Double where S.Element == Double {
    var total = 0.0, n = 0
    for p in ps { total -= log2(p); n += 1 }
    return total / Double(max(1, n))
}

/// Lesson 5's Part B training: seed 5000 + `seed`, batches of 32 × 64 with the state carried
/// and reset at each epoch, Adam 3e-3 down a cosine to 0.05 of it, gradients clipped to norm
/// 1. `progress` hears every step. Returns the model and the seconds it took.
func trainLikeLessonFive(_ corpus: Corpus, hidden: Int, steps: Int, seed: UInt64, progress: () -> Void) throws -> (model: CharacterLSTM, seconds: Double) {
    let start = Date()
    var rng = RNG(seed: 5000 + seed)
    let model = CharacterLSTM(vocabulary: corpus.v, hidden: hidden, layers: 1, rng: &rng)
    let batches = try lessonFiveBatches(corpus.codes[..<corpus.cut])
    let optimizer = try Adam(model.parameters(), learningRate: 3e-3)
    var state: (h: Tensor, c: Tensor)? = nil
    for step in 0..<steps {
        let k = step % batches.count
        if k == 0 { state = nil }
        optimizer.learningRate = 3e-3 * (0.05 + 0.95 * Float(0.5 * (1 + cos(Double.pi * Double(step) / Double(steps)))))
        let pass = try model(batches[k].x, state)
        state = pass.state
        let loss = try crossEntropy(pass.logits, batches[k].y)
        optimizer.zeroGrad()
        try loss.backward()
        _ = clipGradNorm(model.parameters(), maxNorm: 1)
        optimizer.step()
        progress()
    }
    return (model, Date().timeIntervalSince(start))
}
