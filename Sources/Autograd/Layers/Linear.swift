/// `Linear`: an affine map of the last axis, as `torch.nn.Linear`.

/// y = x · Wᵀ + b for x `[..., inFeatures]` → `[..., outFeatures]`.
///
/// Parameters (PyTorch's names): `weight [out, in]`, `bias [out]`, both drawn from
/// U(−1/√in, 1/√in) — what PyTorch's Kaiming-uniform default comes to.
///
///     let head = Linear(64, vocab, rng: &rng)
///     let logits = try head(h)           // [B, T, 64] → [B, T, vocab]
public final class Linear: Module {
    /// `[outFeatures, inFeatures]`.
    public let weight: Tensor
    /// `[outFeatures]`, or nil when made with `bias: false`.
    public let bias: Tensor?
    public var isTraining = true
    /// Why the layer cannot run, when it was made with a negative size (see `sizeError`).
    let sizeError: TensorError?

    /// The size of the last axis of the input.
    public var inFeatures: Int { weight.rank == 2 ? weight.shape[1] : 0 }
    /// The size of the last axis of the output.
    public var outFeatures: Int { weight.rank == 2 ? weight.shape[0] : 0 }

    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, rng: inout RNG,
                file: StaticString = #fileID, line: UInt = #line) {
        sizeError = Autograd.sizeError("Linear(\(inFeatures), \(outFeatures))", [
            (inFeatures >= 0, "inFeatures \(inFeatures) must not be negative"),
            (outFeatures >= 0, "outFeatures \(outFeatures) must not be negative"),
        ], file: file, line: line)
        let (inFeatures, outFeatures) = (Swift.max(inFeatures, 0), Swift.max(outFeatures, 0))
        let k = 1 / Float(Swift.max(inFeatures, 1)).squareRoot()
        weight = Tensor.uniform([outFeatures, inFeatures], -k, k, requiresGrad: true, rng: &rng)
        self.bias = bias ? Tensor.uniform([outFeatures], -k, k, requiresGrad: true, rng: &rng) : nil
    }

    /// A layer over existing tensors, `weight [out, in]` and `bias [out]` or nil: for weight
    /// tying, a language model's head reusing its embedding table (`Embedding`'s weight
    /// `[vocab, dim]` is a head's `[out, in]`), as PyTorch's `head.weight = embedding.weight`:
    ///
    ///     let head = Linear(weight: embed.weight, bias: Tensor.zeros([vocab], requiresGrad: true))
    ///
    /// The tensor is shared, not copied: its gradient sums both uses, and an optimizer
    /// updates it once. Wrong shapes are refused by the layer's first call.
    public init(weight: Tensor, bias: Tensor?, file: StaticString = #fileID, line: UInt = #line) {
        sizeError = Autograd.sizeError("Linear(weight: \(describe(weight.shape)), bias: \(bias.map { describe($0.shape) } ?? "nil"))", [
            (weight.rank == 2, "weight must be [out, in]"),
            (weight.rank != 2 || bias.map { $0.shape == [weight.shape[0]] } ?? true, "bias must be [out] = [\(weight.shape.first ?? 0)]"),
        ], file: file, line: line)
        self.weight = weight
        self.bias = bias
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("weight", weight)] + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x `[..., inFeatures]` → `[..., outFeatures]`.
    public func callAsFunction(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        if let sizeError { throw sizeError }
        guard x.rank >= 1, x.shape[x.rank - 1] == inFeatures else {
            throw TensorError(op: "Linear", "input \(describe(x.shape)) for Linear(\(inFeatures), \(outFeatures)): the last size must be \(inFeatures) (weight \(describe(weight.shape)))", file: file, line: line)
        }
        return try linear(x, weight: weight, bias: bias, file: file, line: line)
    }
}
