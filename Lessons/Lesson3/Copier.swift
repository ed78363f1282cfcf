import Autograd

// Lesson 3: the copying encoder–decoder, built from the core's layers.
//
// Lesson 2's encoder–decoder, with the core's recurrent layers doing the unrolling:
//
//     x [B, T, C] ──encoder──► state [B, H] ──decoder (reads zeros)──► [B, T, H] ──head──► logits [B, T, C]
//
// The encoder's state is either its state at the last padded step (`hidden`) or, when
// the lengths are given, each sequence's state at its own last step (exercise 3.4).

/// Which recurrent layer the copier is built from.
public enum Cell: String, CaseIterable, Sendable {
    /// The notebook's plain RNN: h' = tanh(W_ih x + b_ih + W_hh h + b_hh).
    case tanh
    /// A gated recurrent unit (the core's `GRU`): it can keep its state unchanged
    /// through steps that do not matter.
    case gru
}

/// The core's `RNN` or `GRU` layer behind one call: both take `[B, T, in]` and an
/// optional `[layers, B, H]` initial state, and return (output, hidden).
public enum RecurrentLayer {
    case tanh(RNN)
    case gru(GRU)

    /// A one-layer layer of this cell.
    public init(_ cell: Cell, inputSize: Int, hiddenSize: Int, rng: inout RNG) {
        switch cell {
        case .tanh: self = .tanh(RNN(inputSize, hiddenSize, rng: &rng))
        case .gru: self = .gru(GRU(inputSize, hiddenSize, rng: &rng))
        }
    }

    /// The layer as a module (its parameters, its training mode).
    public var module: any Module {
        switch self {
        case .tanh(let layer): return layer
        case .gru(let layer): return layer
        }
    }

    /// x: `[B, T, in]`; h0: `[1, B, H]` or nil (zeros) → (output `[B, T, H]`, hidden `[1, B, H]`).
    public func callAsFunction(_ x: Tensor, _ h0: Tensor? = nil) throws -> (output: Tensor, hidden: Tensor) {
        switch self {
        case .tanh(let layer): return try layer(x, h0)
        case .gru(let layer): return try layer(x, h0)
        }
    }
}

/// An encoder–decoder that copies padded sequences of codes (the stop symbol included).
/// For C classes (the alphabet and the stop) and hidden size H: `encoder` reads one-hot
/// `[B, T, C]`; `decoder` reads a constant zero input `[B, T, 1]` from the encoder's
/// state; `head` (Linear(H, C)) turns each decoder state into scores for the C classes.
public final class Copier: Module {
    public let cell: Cell
    public let encoder: RecurrentLayer
    public let decoder: RecurrentLayer
    public let head: Linear
    public var isTraining = true

    /// A fresh model: the core's default initialisations, in the order encoder, decoder, head.
    public init(cell: Cell, classes: Int, hiddenSize: Int, rng: inout RNG) {
        self.cell = cell
        encoder = RecurrentLayer(cell, inputSize: classes, hiddenSize: hiddenSize, rng: &rng)
        decoder = RecurrentLayer(cell, inputSize: 1, hiddenSize: hiddenSize, rng: &rng)
        head = Linear(hiddenSize, classes, rng: &rng)
    }

    public var submodules: [(name: String, module: any Module)] {
        [("encoder", encoder.module), ("decoder", decoder.module), ("head", head)]
    }

    /// The encoder's summary of each sequence: `[B, H]`.
    /// x: one-hot `[B, T, C]`. Without lengths, the state after the last padded step
    /// (`hidden`); with them, each sequence's state at its own last step (exercise 3.4).
    public func encode(_ x: Tensor, lengths: [Int]? = nil) throws -> Tensor {
        let (output, hidden) = try encoder(x)                       // [B, T, H], [1, B, H]
        guard let lengths else { return try hidden.select(axis: 0, index: 0) }
        return try stateAtOwnLastStep(output, lengths: lengths)
    }

    /// Scores for every class at every step: x one-hot `[B, T, C]` → logits `[B, T, C]`.
    /// lengths: nil reads the whole padded sequence (the padded encoder); given, the
    /// encoder hands over each sequence's own last state (the masked encoder).
    public func callAsFunction(_ x: Tensor, lengths: [Int]? = nil) throws -> Tensor {
        let state = try encode(x, lengths: lengths)                 // [B, H]
        let h0 = try state.unsqueeze(0)                             // [1, B, H]: one layer
        let zeros = Tensor.zeros([x.shape[0], x.shape[1], 1])       // the decoder reads nothing
        let (decoded, _) = try decoder(zeros, h0)                   // [B, T, H]
        return try head(decoded)                                    // [B, T, C]
    }
}
