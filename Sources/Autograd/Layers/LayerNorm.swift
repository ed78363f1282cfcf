import Foundation

/// `LayerNorm`: each vector normalised to mean 0 and variance 1, then scaled and shifted,
/// as `torch.nn.LayerNorm`. A fused primitive (one pass forward, one back); a test checks
/// it equals the composite `(x − mean) / √(var + ε) · weight + bias` in values and gradients.

/// Layer normalisation over the last `normalized` values of each row, as
/// `torch.nn.functional.layer_norm`: x `[..., N]` (N the product of the normalised shape)
/// → the same shape.
///
///     μ = Σx / N,   σ² = Σ(x − μ)² / N   (biased: divided by N, not N − 1, as PyTorch)
///     x̂ = (x − μ) / √(σ² + ε),   y = x̂ · weight + bias     (ε = 1e-5 by default)
///
/// Backward, with ĝ = g · weight:  ∂x = (ĝ − mean(ĝ) − x̂ · mean(ĝ · x̂)) / √(σ² + ε),
/// ∂weight = Σ_rows g · x̂,  ∂bias = Σ_rows g.
public func layerNorm(
    _ x: Tensor, normalizedShape: [Int], weight: Tensor? = nil, bias: Tensor? = nil, eps: Float = 1e-5,
    file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    let r = normalizedShape.count
    guard r >= 1, x.rank >= r, Array(x.shape.suffix(r)) == normalizedShape else {
        throw TensorError(op: "layerNorm", "input \(describe(x.shape)) does not end in the normalized shape \(describe(normalizedShape))", file: file, line: line)
    }
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let t, t.shape != normalizedShape {
            throw TensorError(op: "layerNorm", "\(name) \(describe(t.shape)) must have the normalized shape \(describe(normalizedShape))", file: file, line: line)
        }
    }
    let n = normalizedShape.reduce(1, *)
    let rows = n == 0 ? 0 : x.count / n
    var xhat = x.scalars
    var rstd = [Float](repeating: 0, count: rows)
    xhat.withUnsafeMutableBufferPointer { p in
        for row in 0..<rows {
            let o = row * n
            var mean: Float = 0
            for j in 0..<n { mean += p[o + j] }
            mean /= Float(n)
            var variance: Float = 0
            for j in 0..<n { let d = p[o + j] - mean; variance += d * d }
            let s = 1 / (variance / Float(n) + eps).squareRoot()
            rstd[row] = s
            for j in 0..<n { p[o + j] = (p[o + j] - mean) * s }
        }
    }
    let (w, b) = (weight?.scalars, bias?.scalars)
    var y = xhat
    if let w {
        y.withUnsafeMutableBufferPointer { p in for row in 0..<rows { for j in 0..<n { p[row * n + j] *= w[j] } } }
    }
    if let b { addRows(&y, b) }
    let inputs = [x] + [weight, bias].compactMap { $0 }
    let (needX, needW) = (x.requiresGrad, weight?.requiresGrad ?? false)
    let (xh, rs) = (xhat, rstd)
    return Tensor.make("layerNorm", shape: x.shape, scalars: y, inputs: inputs) { g in
        var dx: [Float]? = nil
        if needX {
            var gx = g
            gx.withUnsafeMutableBufferPointer { p in
                for row in 0..<rows {
                    let o = row * n
                    var (meanG, meanGX): (Float, Float) = (0, 0)
                    for j in 0..<n {
                        let gj = w.map { p[o + j] * $0[j] } ?? p[o + j]
                        p[o + j] = gj
                        meanG += gj
                        meanGX += gj * xh[o + j]
                    }
                    meanG /= Float(n)
                    meanGX /= Float(n)
                    for j in 0..<n { p[o + j] = (p[o + j] - meanG - xh[o + j] * meanGX) * rs[row] }
                }
            }
            dx = gx
        }
        var grads: [[Float]?] = [dx]
        if w != nil { grads.append(needW ? sumRows(zipArray(g, xh, *), width: n) : nil) }
        if b != nil { grads.append(sumRows(g, width: n)) }
        return grads
    }
}

/// Layer normalisation as a layer, as `torch.nn.LayerNorm(normalizedShape, eps=1e-5)`:
/// x `[..., normalizedShape...]` → the same shape (see `layerNorm` for the formulas).
///
/// Parameters (PyTorch's names), when `elementwiseAffine`: `weight` (ones) and `bias`
/// (zeros), both of the normalised shape.
///
///     let norm = LayerNorm(64)
///     let y = try norm(x)        // [B, T, 64]: each x[b, t] to mean 0, variance 1
public final class LayerNorm: Module {
    /// The trailing shape normalised over (`[dim]` for the usual one axis).
    public let normalizedShape: [Int]
    /// Added to the variance under the square root.
    public let eps: Float
    /// Scale, of the normalised shape (ones at first); nil without `elementwiseAffine`.
    public let weight: Tensor?
    /// Shift, of the normalised shape (zeros at first); nil without `elementwiseAffine`.
    public let bias: Tensor?
    public var isTraining = true
    /// Why the layer cannot run, when it was made with a negative size (see `sizeError`).
    let sizeError: TensorError?

    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true,
                file: StaticString = #fileID, line: UInt = #line) {
        sizeError = Autograd.sizeError("LayerNorm(\(describe(normalizedShape)))", [
            (!normalizedShape.isEmpty, "the normalized shape must have at least one axis"),
            (normalizedShape.allSatisfy { $0 >= 1 }, "every size must be at least 1"),
        ], file: file, line: line)
        let shape = normalizedShape.map { Swift.max($0, 1) }
        self.normalizedShape = normalizedShape
        self.eps = eps
        weight = elementwiseAffine ? Tensor.ones(shape, requiresGrad: true) : nil
        bias = elementwiseAffine ? Tensor.zeros(shape, requiresGrad: true) : nil
    }

    /// Normalisation over the last axis of size `dim`: `LayerNorm(64)`.
    public convenience init(_ dim: Int, eps: Float = 1e-5, elementwiseAffine: Bool = true,
                            file: StaticString = #fileID, line: UInt = #line) {
        self.init([dim], eps: eps, elementwiseAffine: elementwiseAffine, file: file, line: line)
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        (weight.map { [("weight", $0)] } ?? []) + (bias.map { [("bias", $0)] } ?? [])
    }

    /// x `[..., normalizedShape...]` → the same shape.
    public func callAsFunction(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        if let sizeError { throw sizeError }
        return try layerNorm(x, normalizedShape: normalizedShape, weight: weight, bias: bias, eps: eps, file: file, line: line)
    }
}
