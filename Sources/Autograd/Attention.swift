import Foundation

/// Scaled dot-product attention, and the masked softmax it is made of.
///
/// Masks follow `maskedFill` and PyTorch's `key_padding_mask`: a **nonzero** entry marks a
/// position that is masked out (a padding key), 0 one that takes part. A masked score
/// enters the softmax as −∞, so it gets exactly 0 weight; a row whose every entry is
/// masked gets all-zero weights (not NaN): what `torch.nn.functional.scaled_dot_product_attention`
/// gives (PyTorch ≥ 2.5, its "safe softmax"). `torch.nn.MultiheadAttention` gives NaN there.

// MARK: - Masked softmax

/// Softmax of one contiguous row of `n` scores in place, skipping those `masked(j)`:
/// they become exactly 0, and a row with every score masked becomes all zeros.
/// The exponentials are `sumExp`'s (the softmax's own kernel).
@inline(__always)
func maskedSoftmaxRow(_ p: UnsafeMutablePointer<Float>, _ n: Int, masked: (Int) -> Bool) {
    var m = -Float.infinity
    var any = false
    for j in 0..<n {
        if masked(j) { p[j] = -.infinity } else { m = Swift.max(m, p[j]); any = true }
    }
    guard any else {
        for j in 0..<n { p[j] = 0 }
        return
    }
    // A masked score (−∞) leaves e^−87 ≈ 1.6e-38 in the sum (the fast exp is clamped there),
    // far below the rounding of a sum that is at least 1; it is set to 0 after.
    let inverse = 1 / sumExp(p, n, minus: m, store: true)
    for j in 0..<n { p[j] = masked(j) ? 0 : p[j] * inverse }
}

/// The softmax's gradient along rows of `n`: x̄ = y ∗ (ȳ − Σ ȳ·y), in place in `g`.
/// A masked entry (y = 0) gets 0.
@inline(__always)
func softmaxRowsBackward(_ g: inout [Float], _ y: [Float], n: Int) {
    guard n > 0 else { return }
    g.withUnsafeMutableBufferPointer { p in
        y.withUnsafeBufferPointer { y in
            var o = 0
            while o < p.count {
                var dot: Float = 0
                for j in 0..<n { dot += p[o + j] * y[o + j] }
                for j in 0..<n { p[o + j] = y[o + j] * (p[o + j] - dot) }
                o += n
            }
        }
    }
}

extension Tensor {
    /// Softmax along the last axis with the entries where `mask` is nonzero left out:
    /// they get exactly 0, the others sum to 1; a row with every entry masked is all 0
    /// (and passes no gradient). `mask` broadcasts to this tensor's shape.
    ///
    /// The same as `maskedFill(mask, -.infinity).softmax()` wherever a row keeps an entry
    /// (that gives NaN for a row with none), as `torch.softmax(x.masked_fill(mask, -inf), -1)`.
    public func softmax(masking mask: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        guard rank >= 1, Broadcast.shape(mask.shape, shape) == shape else {
            throw TensorError(op: "softmax", "mask \(describe(mask.shape)) does not broadcast to the scores \(describe(shape))", file: file, line: line)
        }
        let m = Broadcast.expand(mask.scalars, from: mask.shape, to: shape)
        let n = shape[rank - 1]
        var y = scalars
        y.withUnsafeMutableBufferPointer { p in
            guard let base = p.baseAddress, n > 0 else { return }
            for o in stride(from: 0, to: p.count, by: n) { maskedSoftmaxRow(base + o, n) { m[o + $0] != 0 } }
        }
        return Tensor.make("maskedSoftmax", shape: shape, scalars: y, inputs: [self]) { [y] g in
            var r = g
            softmaxRowsBackward(&r, y, n: n)
            return [r]
        }
    }
}

// MARK: - Scaled dot-product attention

/// Attention of each query over the keys, as `torch.nn.functional.scaled_dot_product_attention`
/// with the weights returned as well:
///
///     scores = q · kᵀ / √d,   masked scores → −∞,   w = softmax(scores) over the keys,
///     output = w · v
///
/// - query `[..., T, d]`, key `[..., S, d]`, value `[..., S, dv]`, the leading axes equal
///   (`[B, H, T, d]` for B sequences and H heads, or `[B, T, d]`) → output `[..., T, dv]`,
///   weights `[..., T, S]` (each row sums to 1 over the keys, or is all 0).
/// - keyPaddingMask `[B, S]`, B = the first axis: nonzero marks a key to ignore (padding),
///   for every head and every query of that sequence.
/// - causal: query t sees keys 0...t only (PyTorch's `is_causal`, aligned at the top left).
///
/// A fused primitive: two batched products through OpenBLAS (transposes as flags) around
/// a softmax done in place; the backward is four more products. The returned `weights`
/// are a read-out for pictures and measures: no gradient flows back through them.
/// `TransformerLayersTests` checks the op equals the composite
/// `q.matmul(k.transpose(-2, -1)) / √d`, `softmax(masking:)`, `matmul(v)`.
public func scaledDotProductAttention(
    _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) throws -> (output: Tensor, weights: Tensor) {
    try attention(query, key, value, keyPaddingMask: keyPaddingMask, causal: causal, dropout: nil, file: file, line: line)
}

/// The same with dropout on the weights while training (as PyTorch's `dropout_p`): each
/// weight is zeroed with probability `p` and the rest scaled by 1/(1−p) before `· v`.
/// The returned `weights` are those before dropout.
public func scaledDotProductAttention(
    _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false,
    dropout p: Float, training: Bool, rng: inout RNG, file: StaticString = #fileID, line: UInt = #line
) throws -> (output: Tensor, weights: Tensor) {
    guard p >= 0, p < 1 else { throw TensorError(op: "scaledDotProductAttention", "dropout p = \(p) must be in [0, 1)", file: file, line: line) }
    var keep: [Float]? = nil
    if training, p > 0, query.rank >= 2, key.rank >= 2 {
        let count = query.shape.dropLast(2).reduce(1, *) * query.shape[query.rank - 2] * key.shape[key.rank - 2]
        let scale = 1 / (1 - p)
        keep = (0..<count).map { _ in rng.uniform() < p ? 0 : scale }
    }
    return try attention(query, key, value, keyPaddingMask: keyPaddingMask, causal: causal, dropout: keep, file: file, line: line)
}

/// Both spellings of `scaledDotProductAttention`; `dropout` is the keep-and-scale factor of
/// every weight (`[..., T, S]`), or nil.
func attention(
    _ q: Tensor, _ k: Tensor, _ v: Tensor, keyPaddingMask: Tensor?, causal: Bool, dropout keep: [Float]?,
    file: StaticString, line: UInt
) throws -> (output: Tensor, weights: Tensor) {
    func fail(_ why: String) -> TensorError {
        TensorError(op: "scaledDotProductAttention", "query \(describe(q.shape)), key \(describe(k.shape)), value \(describe(v.shape)): \(why)", file: file, line: line)
    }
    guard q.rank >= 2, k.rank == q.rank, v.rank == q.rank else { throw fail("expects [..., T, d], [..., S, d], [..., S, dv] of one rank, at least 2") }
    let lead = Array(q.shape.dropLast(2))
    guard Array(k.shape.dropLast(2)) == lead, Array(v.shape.dropLast(2)) == lead else { throw fail("the leading axes must be equal") }
    let (t, d, s, dv) = (q.shape[q.rank - 2], q.shape[q.rank - 1], k.shape[k.rank - 2], v.shape[v.rank - 1])
    guard k.shape[k.rank - 1] == d else { throw fail("query and key sizes \(d) and \(k.shape[k.rank - 1]) differ") }
    guard v.shape[v.rank - 2] == s else { throw fail("\(s) keys but \(v.shape[v.rank - 2]) values") }
    let count = lead.reduce(1, *)
    if let mask = keyPaddingMask, q.rank < 3 || mask.shape != [lead[0], s] {
        throw fail("keyPaddingMask \(describe(mask.shape)) must be [batch, keys] = [\(q.rank >= 3 ? lead[0] : 1), \(s)] (and the inputs at least 3-D)")
    }
    let padding = keyPaddingMask?.scalars ?? []
    let perSequence = count / Swift.max(q.rank >= 3 ? lead[0] : 1, 1)    // heads (and other axes) per sequence

    let scale = 1 / Float(Swift.max(d, 1)).squareRoot()
    let (qv, kv, vv) = (q.scalars, k.scalars, v.scalars)
    var weights = batchedGemm(qv, kv, count: count, m: t, n: s, k: d, transA: false, transB: true)
    weights.withUnsafeMutableBufferPointer { p in
        guard let base = p.baseAddress, s > 0 else { return }
        for i in 0..<count {
            let pad = i / perSequence * s    // this sequence's row of the padding mask
            for row in 0..<t {
                let r = base + (i * t + row) * s
                for j in 0..<s { r[j] *= scale }
                maskedSoftmaxRow(r, s) { j in (causal && j > row) || (!padding.isEmpty && padding[pad + j] != 0) }
            }
        }
    }
    let w = weights
    let dropped = keep.map { zipArray(w, $0, *) } ?? w
    let values = batchedGemm(dropped, vv, count: count, m: t, n: dv, k: s, transA: false, transB: false)
    let (needQ, needK, needV) = (q.requiresGrad, k.requiresGrad, v.requiresGrad)
    let output = Tensor.make("attention", shape: lead + [t, dv], scalars: values, inputs: [q, k, v]) { g in
        let gv = needV ? batchedGemm(dropped, g, count: count, m: s, n: dv, k: t, transA: true, transB: false) : nil
        guard needQ || needK else { return [nil, nil, gv] }
        var gs = batchedGemm(g, vv, count: count, m: t, n: s, k: dv, transA: false, transB: true)
        if let keep { gs = zipArray(gs, keep, *) }
        softmaxRowsBackward(&gs, w, n: s)
        gs = mapArray(gs) { $0 * scale }
        return [needQ ? batchedGemm(gs, kv, count: count, m: t, n: d, k: s, transA: false, transB: false) : nil,
                needK ? batchedGemm(gs, qv, count: count, m: s, n: d, k: t, transA: true, transB: false) : nil,
                gv]
    }
    return (output, Tensor(shape: lead + [t, s], scalars: w))
}
