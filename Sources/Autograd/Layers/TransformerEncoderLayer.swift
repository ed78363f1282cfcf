/// `TransformerEncoderLayer`, as `torch.nn.TransformerEncoderLayer(batch_first=True)`.

/// The nonlinearity of a transformer's feed-forward block (PyTorch's `activation`).
public enum Activation: Sendable {
    case relu
    /// GELU, exact (erf) or tanh-approximated: see `Tensor.gelu`.
    case gelu(GELUApproximation)

    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .relu: return x.relu()
        case .gelu(let form): return x.gelu(approximate: form)
        }
    }
}

/// Self-attention and a position-wise feed-forward block, each around a residual
/// connection with a layer norm. Pre-norm (`normFirst: true`, this layer's default; PyTorch's
/// is false):
///
///     x = x + dropout1(SA(norm1(x))),      x = x + dropout2(FF(norm2(x)))
///
/// post-norm (`normFirst: false`, the original transformer's):
///
///     x = norm1(x + dropout1(SA(x))),      x = norm2(x + dropout2(FF(x)))
///
/// with SA = `selfAttn(x, x, x)` (dropout on its weights) and
/// FF(x) = linear2(dropout(activation(linear1(x)))).
///
/// x `[B, T, dModel]` → the same shape. Submodules (PyTorch's names, so a `state_dict` loads
/// either way): `self_attn`, `linear1 [dimFeedforward, dModel]`, `dropout`,
/// `linear2 [dModel, dimFeedforward]`, `norm1`, `norm2`, `dropout1`, `dropout2`.
///
///     let layer = TransformerEncoderLayer(dModel: 64, nhead: 4, dimFeedforward: 256, dropout: 0.1, rng: &rng)
///     let y = try layer(x, keyPaddingMask: padding)
///     let (_, w) = try layer.withWeights(x)      // w: [B, 4, T, T], each head's weights
public final class TransformerEncoderLayer: Module {
    public let selfAttn: MultiheadAttention
    public let linear1: Linear
    public let dropout: Dropout
    public let linear2: Linear
    public let norm1: LayerNorm
    public let norm2: LayerNorm
    public let dropout1: Dropout
    public let dropout2: Dropout
    public let activation: Activation
    /// Pre-norm (true) or post-norm (false).
    public let normFirst: Bool
    public var isTraining = true

    public init(dModel: Int, nhead: Int, dimFeedforward: Int = 2048, dropout p: Float = 0.1,
                activation: Activation = .relu, layerNormEps: Float = 1e-5, normFirst: Bool = true,
                rng: inout RNG, file: StaticString = #fileID, line: UInt = #line) {
        selfAttn = MultiheadAttention(dModel, nhead, dropout: p, rng: &rng, file: file, line: line)
        linear1 = Linear(dModel, dimFeedforward, rng: &rng, file: file, line: line)
        dropout = Dropout(p: p, rng: &rng)
        linear2 = Linear(dimFeedforward, dModel, rng: &rng, file: file, line: line)
        norm1 = LayerNorm(dModel, eps: layerNormEps, file: file, line: line)
        norm2 = LayerNorm(dModel, eps: layerNormEps, file: file, line: line)
        dropout1 = Dropout(p: p, rng: &rng)
        dropout2 = Dropout(p: p, rng: &rng)
        (self.activation, self.normFirst) = (activation, normFirst)
    }

    public var submodules: [(name: String, module: any Module)] {
        [("self_attn", selfAttn), ("linear1", linear1), ("dropout", dropout), ("linear2", linear2),
         ("norm1", norm1), ("norm2", norm2), ("dropout1", dropout1), ("dropout2", dropout2)]
    }

    /// x `[B, T, dModel]` → `[B, T, dModel]`. keyPaddingMask `[B, T]`: nonzero marks padding
    /// (no position attends to it); causal: position t attends to 0...t only.
    public func callAsFunction(_ x: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false,
                               file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try forward(x, keyPaddingMask: keyPaddingMask, causal: causal, needWeights: false, file: file, line: line).output
    }

    /// The same, with the self-attention's weights per head `[B, H, T, T]` (a read-out, for
    /// pictures and measures: no gradient, before dropout).
    public func withWeights(_ x: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false,
                            file: StaticString = #fileID, line: UInt = #line) throws -> (output: Tensor, weights: Tensor) {
        let (y, w) = try forward(x, keyPaddingMask: keyPaddingMask, causal: causal, needWeights: true, file: file, line: line)
        return (y, w!)
    }

    func forward(_ x: Tensor, keyPaddingMask: Tensor?, causal: Bool, needWeights: Bool,
                 file: StaticString, line: UInt) throws -> (output: Tensor, weights: Tensor?) {
        func attend(_ x: Tensor) throws -> (Tensor, Tensor?) {
            let (y, w) = try selfAttn(x, x, x, keyPaddingMask: keyPaddingMask, causal: causal, needWeights: needWeights,
                                      averageWeights: false, file: file, line: line)
            return (try dropout1(y, file: file, line: line), w)
        }
        func feedForward(_ x: Tensor) throws -> Tensor {
            try dropout2(linear2(dropout(activation(linear1(x, file: file, line: line)), file: file, line: line), file: file, line: line), file: file, line: line)
        }
        if normFirst {
            let (a, w) = try attend(norm1(x, file: file, line: line))
            let h = try x.adding(a, file: file, line: line)
            return (try h.adding(feedForward(norm2(h, file: file, line: line)), file: file, line: line), w)
        }
        let (a, w) = try attend(x)
        let h = try norm1(x.adding(a, file: file, line: line), file: file, line: line)
        return (try norm2(h.adding(feedForward(h), file: file, line: line), file: file, line: line), w)
    }
}

/// A stack of `numLayers` encoder layers, as `torch.nn.TransformerEncoder(layer, numLayers,
/// norm)`: x `[B, T, dModel]` → the same shape, through `layers.0`, `layers.1`, … and then
/// `norm` when there is one (a pre-norm stack needs it: its last layer's output is not
/// normalised). Parameter names as PyTorch's: `layers.0.self_attn.in_proj_weight`, …,
/// `norm.weight`, `norm.bias`.
///
/// PyTorch deep-copies one layer, so its layers start equal; here each layer draws its own
/// initial weights from `rng`.
public final class TransformerEncoder: Module {
    public let layers: [TransformerEncoderLayer]
    /// The final layer norm (by default there is one exactly when the layers are pre-norm).
    public let norm: LayerNorm?
    public var isTraining = true

    public init(dModel: Int, nhead: Int, numLayers: Int, dimFeedforward: Int = 2048, dropout p: Float = 0.1,
                activation: Activation = .relu, layerNormEps: Float = 1e-5, normFirst: Bool = true,
                finalNorm: Bool? = nil, rng: inout RNG, file: StaticString = #fileID, line: UInt = #line) {
        layers = (0..<Swift.max(numLayers, 0)).map { _ in
            TransformerEncoderLayer(dModel: dModel, nhead: nhead, dimFeedforward: dimFeedforward, dropout: p, activation: activation,
                                    layerNormEps: layerNormEps, normFirst: normFirst, rng: &rng, file: file, line: line)
        }
        norm = finalNorm ?? normFirst ? LayerNorm(dModel, eps: layerNormEps, file: file, line: line) : nil
    }

    public var submodules: [(name: String, module: any Module)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element as any Module) } + (norm.map { [("norm", $0 as any Module)] } ?? [])
    }

    /// x `[B, T, dModel]` → `[B, T, dModel]`; the mask and `causal` as the layer's, for every layer.
    public func callAsFunction(_ x: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false,
                               file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try withWeights(x, keyPaddingMask: keyPaddingMask, causal: causal, needWeights: false, file: file, line: line).output
    }

    /// The same, with each layer's self-attention weights per head, `[B, H, T, T]` a layer
    /// (a read-out: no gradient, before dropout).
    public func withWeights(_ x: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false,
                            file: StaticString = #fileID, line: UInt = #line) throws -> (output: Tensor, weights: [Tensor]) {
        try withWeights(x, keyPaddingMask: keyPaddingMask, causal: causal, needWeights: true, file: file, line: line)
    }

    func withWeights(_ x: Tensor, keyPaddingMask: Tensor?, causal: Bool, needWeights: Bool,
                     file: StaticString, line: UInt) throws -> (output: Tensor, weights: [Tensor]) {
        var (h, weights) = (x, [Tensor]())
        for layer in layers {
            let (y, w) = try layer.forward(h, keyPaddingMask: keyPaddingMask, causal: causal, needWeights: needWeights, file: file, line: line)
            h = y
            if let w { weights.append(w) }
        }
        return (try norm.map { try $0(h, file: file, line: line) } ?? h, weights)
    }
}
