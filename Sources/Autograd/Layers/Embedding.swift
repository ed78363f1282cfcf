/// `Embedding`: a learned vector per code, as `torch.nn.Embedding`.

/// Looks up row `code` of a `[count, dim]` table for every code of the input:
/// codes of any shape `[...]` (integer values as floats) → `[..., dim]`.
///
/// Parameter (PyTorch's name): `weight [count, dim]`, drawn from N(0, 1). The gradient
/// of a row is the sum of the gradients where its code was used.
///
///     let embed = Embedding(vocab, 32, rng: &rng)
///     let vectors = try embed(tokens)    // [B, T] → [B, T, 32]
public final class Embedding: Module {
    /// `[count, dim]`: row i is the vector of code i.
    public let weight: Tensor
    public var isTraining = true
    /// Why the layer cannot run, when it was made with a negative size (see `sizeError`).
    let sizeError: TensorError?

    /// How many codes there are (0..<count).
    public var count: Int { weight.shape[0] }
    /// The size of each vector.
    public var dim: Int { weight.shape[1] }

    public init(_ count: Int, _ dim: Int, rng: inout RNG, file: StaticString = #fileID, line: UInt = #line) {
        sizeError = Autograd.sizeError("Embedding(\(count), \(dim))", [
            (count >= 0, "count \(count) must not be negative"), (dim >= 0, "dim \(dim) must not be negative"),
        ], file: file, line: line)
        weight = Tensor.randn([Swift.max(count, 0), Swift.max(dim, 0)], requiresGrad: true, rng: &rng)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// codes `[...]` → `[..., dim]`. A code outside 0..<count is the `indexSelect` error;
    /// a value that is not a whole number (a float tensor passed by mistake, NaN, ±∞) is
    /// refused.
    public func callAsFunction(_ codes: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        if let sizeError { throw sizeError }
        if let bad = codes.scalars.first(where: { !($0 == $0.rounded() && Swift.abs($0) < 0x1p62) }) {
            throw TensorError(op: "Embedding", "codes \(describe(codes.shape)) must hold whole numbers, found \(bad): pass token ids, not vectors", file: file, line: line)
        }
        return try weight.indexSelect(axis: 0, indices: codes.indices, file: file, line: line)
            .reshape(codes.shape + [dim], file: file, line: line)
    }
}
