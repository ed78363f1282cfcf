/// The gated recurrent unit: one step (`gruCell`, `GRUCell`) and a stack of layers over a
/// sequence (`GRU`), as `torch.nn.GRUCell` and `torch.nn.GRU`. Gates in order r, z, n:
///
///     r  = σ(W_ir x + b_ir + W_hr h + b_hr)            reset gate
///     z  = σ(W_iz x + b_iz + W_hz h + b_hz)            update gate
///     n  = tanh(W_in x + b_in + r ∗ (W_hn h + b_hn))    candidate
///     h' = (1 − z) ∗ n + z ∗ h
///
/// Note where r goes: it scales `W_hn h + b_hn`, bias included (PyTorch's formula, not
/// the paper's `W_hn (r ∗ h)`).
///
/// `gruCell` is the composite (a few lines of primitives); the `GRU` layer runs each layer
/// over the whole sequence with the fused op `gruSequence` (GRUFused.swift), which a test
/// proves equal to a loop of `GRUCell` in values and gradients.

// MARK: - One step

/// One GRU step. x: [batch, input]; h: [batch, hidden] → h' [batch, hidden].
/// Written from primitives (linear, chunk, sigmoid, tanh, ∗, +).
public func gruCell(
    _ x: Tensor, _ h: Tensor, weights w: RecurrentWeights, file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    let xg = try linear(x, weight: w.weightIH, bias: w.biasIH, file: file, line: line).chunk(3, axis: 1, file: file, line: line)
    let hg = try linear(h, weight: w.weightHH, bias: w.biasHH, file: file, line: line).chunk(3, axis: 1, file: file, line: line)
    let r = try xg[0].adding(hg[0], file: file, line: line).sigmoid()
    let z = try xg[1].adding(hg[1], file: file, line: line).sigmoid()
    let n = try xg[2].adding(r * hg[2], file: file, line: line).tanh()
    return try (1 - z) * n + z.multiplying(h, file: file, line: line)
}

// MARK: - GRUCell

/// One GRU step as a layer, as `torch.nn.GRUCell`.
/// x: [batch, inputSize]; h: [batch, hiddenSize] (zeros when left out) → h'.
///
/// Parameters: `weight_ih [3H, in]`, `weight_hh [3H, H]`, `bias_ih [3H]`, `bias_hh [3H]`
/// (gates r, z, n stacked), all from U(−1/√H, 1/√H).
public final class GRUCell: Module {
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
        sizeError = recurrentSizeError("GRUCell", inputSize, hiddenSize, file: file, line: line)
        weights = RecurrentWeights(gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, rng: &rng)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { weights.named() }

    /// x: [batch, inputSize]; h: [batch, hiddenSize] or nil (zeros) → h' [batch, hiddenSize].
    public func callAsFunction(_ x: Tensor, _ h: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        if let sizeError { throw sizeError }
        let batch = try checkStepInput("GRUCell", x, inputSize: inputSize, file: file, line: line)
        let h = h ?? Tensor.zeros([batch, hiddenSize])
        try expectShape("GRUCell", "h", h, [batch, hiddenSize], meaning: "[batch, hidden]", file: file, line: line)
        return try gruCell(x, h, weights: weights, file: file, line: line)
    }
}

// MARK: - GRU

/// A stack of GRU layers over a batch-first sequence, as
/// `torch.nn.GRU(..., batch_first=True)`.
///
/// - x: [batch, time, inputSize]; h0: [numLayers, batch, hiddenSize] (zeros when nil).
/// - output: [batch, time, hiddenSize], the last layer's h at every step;
///   hidden: [numLayers, batch, hiddenSize], every layer's h at the last step.
/// - Parameters, per layer k: `weight_ih_lk [3H, in]` (in = hiddenSize for k > 0),
///   `weight_hh_lk [3H, H]`, `bias_ih_lk [3H]`, `bias_hh_lk [3H]`, from U(−1/√H, 1/√H).
/// - dropout: applied to every layer's output but the last's, while training.
///
/// Each layer runs as one fused op over the whole sequence (`gruSequence`).
public final class GRU: RecurrentLayer {
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
        sizeError = recurrentSizeError("GRU", inputSize, hiddenSize, numLayers: numLayers, file: file, line: line)
        weights = RecurrentWeights.stack(gates: 3, inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, bias: bias, rng: &rng)
        self.dropout = dropout
        self.rng = rng.split()
    }

    /// x: [batch, time, inputSize]; h0: [numLayers, batch, hiddenSize] or nil →
    /// (output [batch, time, hiddenSize], hidden [numLayers, batch, hiddenSize]).
    public func callAsFunction(
        _ x: Tensor, _ h0: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line
    ) throws -> (output: Tensor, hidden: Tensor) {
        if let sizeError { throw sizeError }
        return try runLayers("GRU", x, h0, weights: weights, dropoutP: dropout, training: isTraining, rng: &rng, file: file, line: line) {
            try gruSequence($0, h0: $1, weights: $2, file: file, line: line)
        }
    }
}
