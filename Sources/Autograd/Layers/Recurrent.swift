/// What the recurrent layers share: one layer's weights (PyTorch's names and
/// initialisation), the shape checks with their messages, and the loop that runs a
/// stack of layers over a sequence.
///
/// Shapes are batch-first, as `torch.nn.LSTM(..., batch_first=True)`: a sequence is
/// `[batch, time, features]`; a state is `[batch, hidden]` for a cell and
/// `[numLayers, batch, hidden]` for a layer.

/// The nonlinearity of a plain RNN, as PyTorch's `nonlinearity="tanh"` or `"relu"`.
public enum RNNNonlinearity: Sendable {
    case tanh, relu
}

// MARK: - One layer's weights

/// The weights of one recurrent layer (or cell) with `G` gates (1 for RNN, 4 for
/// LSTM, 3 for GRU), as PyTorch lays them out:
///
/// - `weightIH [G·H, in]`: the input's contribution to every gate, gates stacked in order
///   (LSTM: i, f, g, o; GRU: r, z, n);
/// - `weightHH [G·H, H]`: the previous hidden state's contribution;
/// - `biasIH [G·H]`, `biasHH [G·H]`: two biases, as PyTorch (nil when made without bias).
public struct RecurrentWeights {
    public let weightIH: Tensor
    public let weightHH: Tensor
    public let biasIH: Tensor?
    public let biasHH: Tensor?

    /// Fresh weights, every value from U(−1/√H, 1/√H) as PyTorch draws them
    /// (in the order weight_ih, weight_hh, bias_ih, bias_hh). A negative size gives empty
    /// weights, which the ops refuse with a message when they are used.
    public init(gates: Int, inputSize: Int, hiddenSize: Int, bias: Bool = true, rng: inout RNG) {
        precondition(gates > 0, "core invariant: a recurrent layer has at least one gate")
        let (inputSize, hiddenSize) = (Swift.max(inputSize, 0), Swift.max(hiddenSize, 0))
        let k = 1 / Float(Swift.max(hiddenSize, 1)).squareRoot()
        let rows = gates * hiddenSize
        weightIH = Tensor.uniform([rows, inputSize], -k, k, requiresGrad: true, rng: &rng)
        weightHH = Tensor.uniform([rows, hiddenSize], -k, k, requiresGrad: true, rng: &rng)
        biasIH = bias ? Tensor.uniform([rows], -k, k, requiresGrad: true, rng: &rng) : nil
        biasHH = bias ? Tensor.uniform([rows], -k, k, requiresGrad: true, rng: &rng) : nil
    }

    /// Weights made from existing tensors (not checked here: the ops check them when used).
    public init(weightIH: Tensor, weightHH: Tensor, biasIH: Tensor?, biasHH: Tensor?) {
        self.weightIH = weightIH
        self.weightHH = weightHH
        self.biasIH = biasIH
        self.biasHH = biasHH
    }

    /// The size of the input.
    public var inputSize: Int { weightIH.shape[1] }
    /// The size of the hidden state.
    public var hiddenSize: Int { weightHH.shape[1] }

    /// The tensors by PyTorch's names, with a suffix: `weight_ih_l0` for suffix `_l0`.
    func named(_ suffix: String = "") -> [(name: String, tensor: Tensor)] {
        var all: [(name: String, tensor: Tensor)] = [("weight_ih\(suffix)", weightIH), ("weight_hh\(suffix)", weightHH)]
        if let biasIH { all.append(("bias_ih\(suffix)", biasIH)) }
        if let biasHH { all.append(("bias_hh\(suffix)", biasHH)) }
        return all
    }

    /// Fresh weights for a stack of `numLayers` layers: layer 0 reads the input, the
    /// others read the hidden state of the layer below.
    /// (At least one layer: a layer made with fewer throws its `sizeError` when called.)
    static func stack(gates: Int, inputSize: Int, hiddenSize: Int, numLayers: Int, bias: Bool, rng: inout RNG) -> [RecurrentWeights] {
        (0..<Swift.max(numLayers, 1)).map { l in
            RecurrentWeights(gates: gates, inputSize: l == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize, bias: bias, rng: &rng)
        }
    }
}

// MARK: - Shape checks

/// Throws unless `t` has shape `expected`, naming the layer, what `t` is, and both shapes:
/// "LSTMCell: h [3, 5] should be [batch, hidden] = [3, 4]".
func expectShape(
    _ layer: String, _ what: String, _ t: Tensor, _ expected: [Int], meaning: String,
    file: StaticString, line: UInt
) throws {
    guard t.shape != expected else { return }
    throw TensorError(op: layer, "\(what) \(describe(t.shape)) should be \(meaning) = \(describe(expected))", file: file, line: line)
}

/// Checks one step's input `[batch, inputSize]` and returns the batch size.
func checkStepInput(_ layer: String, _ x: Tensor, inputSize: Int, file: StaticString, line: UInt) throws -> Int {
    guard x.rank == 2, x.shape[1] == inputSize else {
        throw TensorError(op: layer, "input \(describe(x.shape)) should be [batch, input] = [batch, \(inputSize)]", file: file, line: line)
    }
    return x.shape[0]
}

/// Checks a sequence `[batch, time, inputSize]` and returns (batch, time).
func checkSequenceInput(_ layer: String, _ x: Tensor, inputSize: Int, file: StaticString, line: UInt) throws -> (batch: Int, time: Int) {
    guard x.rank == 3, x.shape[2] == inputSize else {
        let hint = x.rank == 2 ? " (one sequence? add a batch axis with unsqueeze(0))" : ""
        throw TensorError(op: layer, "input \(describe(x.shape)) should be [batch, time, input] = [batch, time, \(inputSize)] (batch first)\(hint)", file: file, line: line)
    }
    guard x.shape[1] > 0 else {
        throw TensorError(op: layer, "input \(describe(x.shape)) has no time steps", file: file, line: line)
    }
    return (x.shape[0], x.shape[1])
}

// MARK: - A stack of layers over a sequence

/// What the multi-layer `RNN`, `GRU` and `LSTM` share: a stack of weights, one
/// `RecurrentWeights` per layer, named as PyTorch names them (`weight_ih_l0`, …).
public protocol RecurrentLayer: Module {
    /// Each layer's weights, layer 0 first.
    var weights: [RecurrentWeights] { get }
}

extension RecurrentLayer {
    public var inputSize: Int { weights[0].inputSize }
    public var hiddenSize: Int { weights[0].hiddenSize }
    public var numLayers: Int { weights.count }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        weights.enumerated().flatMap { $0.element.named("_l\($0.offset)") }
    }
}

/// Runs a stack of recurrent layers over `x [B, T, in]`, layer by layer, with
/// `sequence(input, h0, weights)` running one layer over the whole sequence (a fused op
/// returning h at every step, `[B, T, H]`). Dropout is applied to every layer's output
/// but the last.
///
/// Returns the last layer's h at every step `[B, T, H]` and each layer's final h
/// `[numLayers, B, H]`.
func runLayers(
    _ layer: String, _ x: Tensor, _ h0: Tensor?, weights: [RecurrentWeights],
    dropoutP: Float, training: Bool, rng: inout RNG, file: StaticString, line: UInt,
    sequence: (_ input: Tensor, _ h0: Tensor, _ weights: RecurrentWeights) throws -> Tensor
) throws -> (output: Tensor, hidden: Tensor) {
    let hiddenSize = weights[0].hiddenSize
    let (batch, _) = try checkSequenceInput(layer, x, inputSize: weights[0].inputSize, file: file, line: line)
    if let h0 {
        try expectShape(layer, "h0", h0, [weights.count, batch, hiddenSize], meaning: "[numLayers, batch, hidden]", file: file, line: line)
    }
    var input = x
    var finals: [Tensor] = []
    for (l, w) in weights.enumerated() {
        let h = try h0?.select(axis: 0, index: l, file: file, line: line) ?? Tensor.zeros([batch, hiddenSize])
        input = try sequence(input, h, w)
        finals.append(try input.select(axis: 1, index: -1, file: file, line: line))
        if l < weights.count - 1 {
            input = try dropout(input, p: dropoutP, training: training, rng: &rng, file: file, line: line)
        }
    }
    return (input, try stack(finals, axis: 0, file: file, line: line))
}

// MARK: - The fused sequence ops: sizes and checks

/// The sizes of one call of a fused sequence op (`lstmSequence`, `gruSequence`,
/// `rnnSequence`): T steps, batch B, input I, hidden H, and G = gates·H weight rows; and
/// whether the initial hidden state is all zeros (the layers' default), so that its
/// products can be skipped.
struct SequenceSizes {
    let T: Int, B: Int, I: Int, H: Int, G: Int
    var zeroH0 = false
}

/// Which gradients the backward of a fused sequence op must compute.
struct SequenceNeeds {
    let x: Bool, h0: Bool, weightIH: Bool, weightHH: Bool, bias: Bool
}

/// Checks the input `[B, T, in]`, the weights (`gates` blocks stacked) and the states
/// (each `[B, H]`) of a fused sequence op, and returns the sizes.
func checkSequenceOp(
    _ op: String, _ x: Tensor, states: [(name: String, tensor: Tensor)], weights w: RecurrentWeights, gates: Int,
    file: StaticString, line: UInt
) throws -> SequenceSizes {
    func fail(_ why: String) -> TensorError { TensorError(op: op, why, file: file, line: line) }
    guard x.rank == 3 else { throw fail("input \(describe(x.shape)) should be [batch, time, input]") }
    let (B, T, I) = (x.shape[0], x.shape[1], x.shape[2])
    guard T > 0 else { throw fail("input \(describe(x.shape)) has no time steps") }
    let H = w.weightHH.rank == 2 ? w.weightHH.shape[1] : 0
    let G = gates * H
    guard H > 0, w.weightHH.shape == [G, H] else {
        throw fail("weight_hh \(describe(w.weightHH.shape)) should be [\(gates)·hidden, hidden]")
    }
    guard w.weightIH.shape == [G, I] else {
        throw fail("weight_ih \(describe(w.weightIH.shape)) should be [\(gates)·hidden, input] = [\(G), \(I)] for input \(describe(x.shape))")
    }
    for (name, b) in [("bias_ih", w.biasIH), ("bias_hh", w.biasHH)] {
        if let b, b.shape != [G] { throw fail("\(name) \(describe(b.shape)) should be [\(gates)·hidden] = [\(G)]") }
    }
    for (name, s) in states where s.shape != [B, H] {
        throw fail("\(name) \(describe(s.shape)) should be [batch, hidden] = [\(B), \(H)]")
    }
    let h0 = states.first?.tensor.scalars ?? []
    return SequenceSizes(T: T, B: B, I: I, H: H, G: G, zeroH0: h0.allSatisfy { $0 == 0 })
}

// MARK: - The fused sequence ops: the gradients taken over all steps at once

/// The weight and input gradients of a fused sequence op once every step's pre-activation
/// gradients are known, as one large product each over all `T·B` rows — far faster than `T`
/// thin products of `B` rows: dW_hh = dHᵀ · h_{0…T−1}, dW_ih = dXᵀ · x, dx = dX · W_ih.
/// `dX` is the gradient of the input's projection and `dH` of the state's, `[T, B, G]` each
/// (the same array for the LSTM and the plain RNN; the GRU's differ in the n block); `h`
/// holds h_0 … h_T and `xs` the input, time-major.
func sequenceProductGradients(
    dX: UnsafePointer<Float>, dH: UnsafePointer<Float>, h: UnsafePointer<Float>, xs: UnsafePointer<Float>,
    wih: UnsafePointer<Float>, _ s: SequenceSizes, _ need: SequenceNeeds,
    dWih: UnsafeMutablePointer<Float>, dWhh: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>
) {
    let (T, B, I, H, G) = (s.T, s.B, s.I, s.H, s.G)
    if need.weightHH {
        let skip = s.zeroH0 ? B : 0                                                  // h_0 = 0 adds nothing
        gemm(dH + skip * G, h + skip * H, dWhh, m: G, n: H, k: T * B - skip, transA: true)
    }
    if need.weightIH, I > 0 { gemm(dX, xs, dWih, m: G, n: I, k: T * B, transA: true) }
    if need.x, I > 0 { gemm(dX, wih, dx, m: T * B, n: I, k: G) }
}

/// `sum[k] += a[r, k]` over the `rows` rows of `a` (`width` wide): a bias's gradient.
func addRows(_ a: UnsafePointer<Float>, rows: Int, width: Int, to sum: UnsafeMutablePointer<Float>) {
    for r in 0..<rows { addLanes(a + r * width, to: sum, count: width) }
}
