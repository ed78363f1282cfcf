/// The plain (Elman) recurrent network: one step (`rnnCell`, `RNNCell`) and a stack of
/// layers over a sequence (`RNN`), as `torch.nn.RNNCell` and `torch.nn.RNN`.
///
///     h' = tanh(x · W_ihᵀ + b_ih + h · W_hhᵀ + b_hh)      (or relu)
///
/// `rnnCell` is the composite (a few lines of primitives); the `RNN` layer runs each layer
/// over the whole sequence with the fused op `rnnSequence` (RNNFused.swift), which a test
/// proves equal to a loop of `RNNCell` in values and gradients.

// MARK: - One step

/// One RNN step. x: [batch, input]; h: [batch, hidden] → h' [batch, hidden].
/// Written from primitives (linear, add, tanh), so it needs no backward of its own.
public func rnnCell(
    _ x: Tensor, _ h: Tensor, weights w: RecurrentWeights, nonlinearity: RNNNonlinearity = .tanh,
    file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    let pre = try linear(x, weight: w.weightIH, bias: w.biasIH, file: file, line: line)
        .adding(linear(h, weight: w.weightHH, bias: w.biasHH, file: file, line: line), file: file, line: line)
    switch nonlinearity {
    case .tanh: return pre.tanh()
    case .relu: return pre.relu()
    }
}

// MARK: - RNNCell

/// One RNN step as a layer, as `torch.nn.RNNCell`.
/// x: [batch, inputSize]; h: [batch, hiddenSize] (zeros when left out) → h'.
///
/// Parameters: `weight_ih [H, in]`, `weight_hh [H, H]`, `bias_ih [H]`, `bias_hh [H]`,
/// all from U(−1/√H, 1/√H).
public final class RNNCell: Module {
    public let weights: RecurrentWeights
    public let nonlinearity: RNNNonlinearity
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
        _ inputSize: Int, _ hiddenSize: Int, bias: Bool = true, nonlinearity: RNNNonlinearity = .tanh, rng: inout RNG,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        sizeError = recurrentSizeError("RNNCell", inputSize, hiddenSize, file: file, line: line)
        weights = RecurrentWeights(gates: 1, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, rng: &rng)
        self.nonlinearity = nonlinearity
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { weights.named() }

    /// x: [batch, inputSize]; h: [batch, hiddenSize] or nil (zeros) → h' [batch, hiddenSize].
    public func callAsFunction(_ x: Tensor, _ h: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        if let sizeError { throw sizeError }
        let batch = try checkStepInput("RNNCell", x, inputSize: inputSize, file: file, line: line)
        let h = h ?? Tensor.zeros([batch, hiddenSize])
        try expectShape("RNNCell", "h", h, [batch, hiddenSize], meaning: "[batch, hidden]", file: file, line: line)
        return try rnnCell(x, h, weights: weights, nonlinearity: nonlinearity, file: file, line: line)
    }
}

// MARK: - RNN

/// A stack of RNN layers over a batch-first sequence, as
/// `torch.nn.RNN(..., batch_first=True)`.
///
/// - x: [batch, time, inputSize]; h0: [numLayers, batch, hiddenSize] (zeros when nil).
/// - output: [batch, time, hiddenSize], the last layer's h at every step;
///   hidden: [numLayers, batch, hiddenSize], every layer's h at the last step.
///   With one layer, `output[:, -1] == hidden[0]`.
/// - Parameters, per layer k: `weight_ih_lk [H, in]` (in = hiddenSize for k > 0),
///   `weight_hh_lk [H, H]`, `bias_ih_lk [H]`, `bias_hh_lk [H]`, from U(−1/√H, 1/√H).
/// - dropout: applied to every layer's output but the last's, while training.
///
/// Each layer runs as one fused op over the whole sequence (`rnnSequence`).
public final class RNN: RecurrentLayer {
    /// Each layer's weights, layer 0 first.
    public let weights: [RecurrentWeights]
    public let nonlinearity: RNNNonlinearity
    /// The dropout probability between layers.
    public let dropout: Float
    public var isTraining = true
    var rng: RNG

    /// Why the layer cannot run, when it was made with sizes it cannot have (see `sizeError`).
    let sizeError: TensorError?

    public init(
        _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, bias: Bool = true,
        nonlinearity: RNNNonlinearity = .tanh, dropout: Float = 0, rng: inout RNG,
        file: StaticString = #fileID, line: UInt = #line
    ) {
        sizeError = recurrentSizeError("RNN", inputSize, hiddenSize, numLayers: numLayers, file: file, line: line)
        weights = RecurrentWeights.stack(gates: 1, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias, rng: &rng)
        self.nonlinearity = nonlinearity
        self.dropout = dropout
        self.rng = rng.split()
    }

    /// x: [batch, time, inputSize]; h0: [numLayers, batch, hiddenSize] or nil →
    /// (output [batch, time, hiddenSize], hidden [numLayers, batch, hiddenSize]).
    public func callAsFunction(
        _ x: Tensor, _ h0: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> (output: Tensor, hidden: Tensor) {
        if let sizeError { throw sizeError }
        let nonlinearity = self.nonlinearity
        return try runLayers("RNN", x, h0, weights: weights, dropoutP: dropout, training: isTraining, rng: &rng, file: file, line: line) {
            try rnnSequence($0, h0: $1, weights: $2, nonlinearity: nonlinearity, file: file, line: line)
        }
    }
}
