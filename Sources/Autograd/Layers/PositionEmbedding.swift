import Foundation

/// Position embeddings: attention alone sees a set, not a sequence (permute the inputs and
/// its outputs permute alike), so each position's vector is added to the token's.
/// Two kinds: learned (`PositionEmbedding`) and fixed sin/cos (`SinusoidalPositionEncoding`).

/// The sin/cos table of "Attention Is All You Need" (and of PyTorch's transformer tutorial's
/// `PositionalEncoding`), `[length, dim]`:
///
///     PE[pos, 2i] = sin(pos / 10000^(2i/dim)),   PE[pos, 2i+1] = cos(pos / 10000^(2i/dim))
///
/// computed in Double, stored as Float. Each pair of columns turns at its own frequency, so
/// a shift by k positions is a fixed rotation of every pair.
public func sinusoidalPositionEncoding(length: Int, dim: Int) -> Tensor {
    let (length, dim) = (Swift.max(length, 0), Swift.max(dim, 0))
    let values = makeArray(length * dim) { i in
        let (pos, j) = (Double(i / dim), i % dim)
        let angle = pos * Foundation.exp(Double(j - j % 2) * -Foundation.log(10_000.0) / Double(dim))
        return Float(j % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle))
    }
    return Tensor(shape: [length, dim], scalars: values)
}

/// The first `length` rows of a `[maxLength, dim]` table, added to x `[B, T, dim]`, or an
/// error naming the layer when the sequence is too long or the width wrong.
func addPositions(_ x: Tensor, _ table: Tensor, _ layer: String, file: StaticString, line: UInt) throws -> Tensor {
    let (maxLength, dim) = (table.shape[0], table.shape[1])
    guard x.rank >= 2, x.shape[x.rank - 1] == dim, x.shape[x.rank - 2] <= maxLength else {
        throw TensorError(op: layer, "input \(describe(x.shape)) must be [..., length ≤ \(maxLength), \(dim)]", file: file, line: line)
    }
    return try x.adding(table.narrow(axis: 0, start: 0, length: x.shape[x.rank - 2], file: file, line: line), file: file, line: line)
}

/// A learned vector per position, added to the input: x `[B, T, dim]` → x + weight[0..<T].
/// An `Embedding(maxLength, dim)` of the positions 0..<T (GPT-2's `wpe`; PyTorch has no layer
/// of its own for it).
///
/// Parameter: `weight [maxLength, dim]`, drawn from N(0, 1) as `nn.Embedding`'s.
public final class PositionEmbedding: Module {
    /// `[maxLength, dim]`: row t is position t's vector.
    public let weight: Tensor
    public var isTraining = true
    let sizeError: TensorError?

    public init(maxLength: Int, dim: Int, rng: inout RNG, file: StaticString = #fileID, line: UInt = #line) {
        sizeError = Autograd.sizeError("PositionEmbedding(maxLength: \(maxLength), dim: \(dim))", [
            (maxLength >= 1, "maxLength \(maxLength) must be at least 1"), (dim >= 1, "dim \(dim) must be at least 1"),
        ], file: file, line: line)
        weight = Tensor.randn([Swift.max(maxLength, 1), Swift.max(dim, 1)], requiresGrad: true, rng: &rng)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("weight", weight)] }

    /// x `[..., T, dim]` → x + weight[0..<T] (every sequence gets the same positions).
    public func callAsFunction(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        if let sizeError { throw sizeError }
        return try addPositions(x, weight, "PositionEmbedding", file: file, line: line)
    }
}

/// The fixed sin/cos positions (`sinusoidalPositionEncoding`) added to the input:
/// x `[..., T, dim]` → x + PE[0..<T]. No parameters (PyTorch's tutorial keeps the table as
/// a buffer); dropout, if wanted, is a separate `Dropout`.
public final class SinusoidalPositionEncoding: Module {
    /// `[maxLength, dim]`, fixed.
    public let table: Tensor
    public var isTraining = true

    public init(maxLength: Int, dim: Int) {
        table = sinusoidalPositionEncoding(length: maxLength, dim: dim)
    }

    /// x `[..., T, dim]` → x + PE[0..<T].
    public func callAsFunction(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try addPositions(x, table, "SinusoidalPositionEncoding", file: file, line: line)
    }
}
