/// Long short-term memory: one step (`lstmCell`, `LSTMCell`) and a stack of layers over
/// a sequence (`LSTM`), as `torch.nn.LSTMCell` and `torch.nn.LSTM`. Gates in order
/// i, f, g, o, each with two biases:
///
///     i  = σ(W_ii x + b_ii + W_hi h + b_hi)      input gate
///     f  = σ(W_if x + b_if + W_hf h + b_hf)      forget gate
///     g  = tanh(W_ig x + b_ig + W_hg h + b_hg)   candidate
///     o  = σ(W_io x + b_io + W_ho h + b_ho)      output gate
///     c' = f ∗ c + i ∗ g
///     h' = o ∗ tanh(c')
///
/// `lstmCell` runs as one fused op (`lstmSequence` over a single step); the `LSTM` layer
/// runs each layer over the whole sequence with the same op (LSTMFused.swift). A test proves
/// both equal to the formulas above written out in primitives, in values and gradients.

// MARK: - One step

/// One LSTM step. x: [batch, input]; h, c: [batch, hidden]. Gates in order i, f, g, o.
/// Returns the new (h, c): the formulas above, as one fused op (one node on the tape, not a
/// dozen, which makes the lesson-4 adder's training step 1.4 times faster).
public func lstmCell(
    _ x: Tensor, _ h: Tensor, _ c: Tensor, weights w: RecurrentWeights,
    file: StaticString = #fileID, line: UInt = #line
) throws -> (h: Tensor, c: Tensor) {
    guard x.rank == 2 else {
        throw TensorError(op: "lstmCell", "input \(describe(x.shape)) should be [batch, input] (one step; a sequence goes to the LSTM layer)", file: file, line: line)
    }
    let run = try lstmSequence(x.unsqueeze(1, file: file, line: line), h0: h, c0: c, weights: w, file: file, line: line)
    return (run.h, run.c)
}

// MARK: - LSTMCell

/// One LSTM step as a layer, as `torch.nn.LSTMCell`.
/// x: [batch, inputSize]; state (h, c): each [batch, hiddenSize] (zeros when left out).
///
/// Parameters: `weight_ih [4H, in]`, `weight_hh [4H, H]`, `bias_ih [4H]`, `bias_hh [4H]`
/// (gates i, f, g, o stacked), all from U(−1/√H, 1/√H).
public final class LSTMCell: Module {
    public let weights: RecurrentWeights
    public var isTraining = true

    public var weightIH: Tensor { weights.weightIH }
    public var weightHH: Tensor { weights.weightHH }
    public var biasIH: Tensor? { weights.biasIH }
    public var biasHH: Tensor? { weights.biasHH }
    public var inputSize: Int { weights.inputSize }
    public var hiddenSize: Int { weights.hiddenSize }

    /// Why the layer cannot run, when it was made with sizes it cannot have (see `sizeError`).
    let sizeError: TensorError?

    public init(
        _ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, rng: inout RNG,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        sizeError = recurrentSizeError("LSTMCell", inputSize, hiddenSize, file: file, line: line)
        weights = RecurrentWeights(gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, rng: &rng)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { weights.named() }

    /// x: [batch, inputSize]; state: (h, c), each [batch, hiddenSize], or nil (zeros)
    /// → the new (h, c).
    public func callAsFunction(
        _ x: Tensor, _ state: (h: Tensor, c: Tensor)? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> (h: Tensor, c: Tensor) {
        if let sizeError { throw sizeError }
        let batch = try checkStepInput("LSTMCell", x, inputSize: inputSize, file: file, line: line)
        let zeros = Tensor.zeros([batch, hiddenSize])
        let (h, c) = state ?? (zeros, zeros)
        try expectShape("LSTMCell", "h", h, [batch, hiddenSize], meaning: "[batch, hidden]", file: file, line: line)
        try expectShape("LSTMCell", "c", c, [batch, hiddenSize], meaning: "[batch, hidden]", file: file, line: line)
        return try lstmCell(x, h, c, weights: weights, file: file, line: line)
    }
}

// MARK: - LSTM

/// A stack of LSTM layers over a batch-first sequence, as
/// `torch.nn.LSTM(..., batch_first=True)`.
///
/// - x: [batch, time, inputSize]; state (h0, c0): each [numLayers, batch, hiddenSize]
///   (zeros when nil).
/// - output: [batch, time, hiddenSize], the last layer's h at every step;
///   state (h, c): each [numLayers, batch, hiddenSize], every layer's state at the last
///   step — PyTorch's `output, (h_n, c_n)`. With one layer, `output[:, -1] == h[0]`.
/// - Parameters, per layer k: `weight_ih_lk [4H, in]` (in = hiddenSize for k > 0),
///   `weight_hh_lk [4H, H]`, `bias_ih_lk [4H]`, `bias_hh_lk [4H]`, from U(−1/√H, 1/√H).
/// - dropout: applied to every layer's output but the last's, while training.
///
/// Each layer runs as one fused op over the whole sequence (`lstmSequence`).
public final class LSTM: RecurrentLayer {
    /// Each layer's weights, layer 0 first.
    public let weights: [RecurrentWeights]
    /// The dropout probability between layers.
    public let dropout: Float
    public var isTraining = true
    var rng: RNG

    /// Why the layer cannot run, when it was made with sizes it cannot have (see `sizeError`).
    let sizeError: TensorError?

    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true, dropout: Float = 0, rng: inout RNG,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        sizeError = recurrentSizeError("LSTM", inputSize, hiddenSize, numLayers: numLayers, file: file, line: line)
        weights = RecurrentWeights.stack(gates: 4, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias, rng: &rng)
        self.dropout = dropout
        self.rng = rng.split()
    }

    /// x: [batch, time, inputSize]; state: (h0, c0), each [numLayers, batch, hiddenSize],
    /// or nil (zeros) → (output [batch, time, hiddenSize], state (h, c) each
    /// [numLayers, batch, hiddenSize]).
    public func callAsFunction(
        _ x: Tensor, _ state: (h: Tensor, c: Tensor)? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> (output: Tensor, state: (h: Tensor, c: Tensor)) {
        if let sizeError { throw sizeError }
        let (batch, _) = try checkSequenceInput("LSTM", x, inputSize: inputSize, file: file, line: line)
        let stateShape = [numLayers, batch, hiddenSize]
        if let state {
            try expectShape("LSTM", "h0", state.h, stateShape, meaning: "[numLayers, batch, hidden]", file: file, line: line)
            try expectShape("LSTM", "c0", state.c, stateShape, meaning: "[numLayers, batch, hidden]", file: file, line: line)
        }
        var input = x
        var hs: [Tensor] = [], cs: [Tensor] = []
        for (l, w) in weights.enumerated() {
            let h0 = try state?.h.select(axis: 0, index: l, file: file, line: line) ?? Tensor.zeros([batch, hiddenSize])
            let c0 = try state?.c.select(axis: 0, index: l, file: file, line: line) ?? Tensor.zeros([batch, hiddenSize])
            let run = try lstmSequence(input, h0: h0, c0: c0, weights: w, file: file, line: line)
            hs.append(run.h)
            cs.append(run.c)
            input = run.output
            if l < numLayers - 1 {
                input = try Autograd.dropout(input, p: dropout, training: isTraining, rng: &rng, file: file, line: line)
            }
        }
        return (input, (try stack(hs, axis: 0, file: file, line: line), try stack(cs, axis: 0, file: file, line: line)))
    }
}
