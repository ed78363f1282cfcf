import Autograd

// Lesson 4, exercise 4.4: the adder — one LSTM that reads a column and writes a digit.
//
//     step         0          1          2          3          4
//     reads     (7, 3)     (6, 2)     (5, 1)     (4, 0)     (0, 0)       x = 4567, y = 123
//                 │          │          │          │          │
//     (h, c) ─► [LSTM] ──► [LSTM] ──► [LSTM] ──► [LSTM] ──► [LSTM]
//                 │          │          │          │          │
//     head       0          9          6          4          0          scores [B, 5, 10]
//
// The state carries what addition needs from one column to the next: the carry. There is
// no encoder and no decoder; each answer digit is written as soon as its column is read.

/// The scores for each answer digit: the LSTM cell unrolled over the columns, from a zero
/// state, with the head applied to the new h after every step.
/// x: `[B, T, 20]` (encodeSums's inputs); cell: the LSTM's weights (hidden size H);
/// head: Linear(H, 10). Returns logits `[B, T, 10]`:
///
///     h_0 = c_0 = 0;   (h_{t+1}, c_{t+1}) = lstmCell(x[:, t], h_t, c_t);   logits[:, t] = head(h_{t+1})
///
/// (The core's `lstmCell` and your `lstmStep` compute the same step.)
public func unrollAdder(_ x: Tensor, cell: RecurrentWeights, head: Linear) throws -> Tensor {
    // TODO(4.4): start from zeros [B, H] for h and c; for each step t: (h, c) = lstmCell(x.select(axis: 1, index: t), h, c, weights: cell), scores = head(h); stack the scores along axis 1.
    // BEGIN SOLUTION
    let zeros = Tensor.zeros([x.shape[0], cell.hiddenSize])
    var (h, c) = (zeros, zeros)
    var scores: [Tensor] = []
    for t in 0..<x.shape[1] {
        (h, c) = try lstmCell(x.select(axis: 1, index: t), h, c, weights: cell)
        scores.append(try head(h))
    }
    return try stack(scores, axis: 1)
    // END SOLUTION
}

/// The synchronous adder: an LSTM cell over the columns and a linear head to 10 digits.
public final class Adder: Module {
    public let cell: LSTMCell
    public let head: Linear
    public var isTraining = true

    /// A fresh model: the core's default initialisations, the cell first, then the head.
    public init(hiddenSize: Int, rng: inout RNG) {
        cell = LSTMCell(20, hiddenSize, rng: &rng)
        head = Linear(hiddenSize, 10, rng: &rng)
    }

    public var submodules: [(name: String, module: any Module)] { [("cell", cell), ("head", head)] }

    /// x: `[B, T, 20]` → logits `[B, T, 10]` (exercise 4.4).
    public func callAsFunction(_ x: Tensor) throws -> Tensor { try unrollAdder(x, cell: cell.weights, head: head) }
}
