/// `MultiheadAttention`, as `torch.nn.MultiheadAttention(embedDim, numHeads, batch_first=True)`.

/// H heads of scaled dot-product attention side by side, each on its own d = E/H slice of
/// the projected queries, keys and values, their outputs joined and projected back:
///
///     q, k, v = query·W_qᵀ + b_q,  key·W_kᵀ + b_k,  value·W_vᵀ + b_v    (W_q, W_k, W_v: rows of in_proj_weight)
///     head h = attention(q[..., h·d ..< (h+1)·d], k[...], v[...])    (scaled by 1/√d)
///     output = concat(heads) · out_proj.weightᵀ + out_proj.bias
///
/// Shapes, batch first: query `[B, T, E]`, key and value `[B, S, E]` → output `[B, T, E]`.
/// Parameters (PyTorch's names and layout, so a `state_dict` loads either way):
/// `in_proj_weight [3E, E]` (queries', keys', values' rows in that order; Xavier-uniform),
/// `in_proj_bias [3E]` (zeros), `out_proj.weight [E, E]` (U(−1/√E, 1/√E), as `Linear`),
/// `out_proj.bias [E]` (zeros).
///
///     let attend = MultiheadAttention(64, 4, rng: &rng)
///     let (y, w) = try attend(x, x, x, keyPaddingMask: padding)    // w: [B, T, T], the heads' mean
public final class MultiheadAttention: Module {
    public let embedDim: Int
    public let numHeads: Int
    /// `[3E, E]`: the query, key and value projections stacked.
    public let inProjWeight: Tensor
    /// `[3E]`, or nil when made with `bias: false`.
    public let inProjBias: Tensor?
    /// The output projection, `Linear(E, E)`.
    public let outProj: Linear
    /// The dropout probability on the attention weights while training.
    public let dropout: Float
    public var isTraining = true
    /// This layer's own random stream (for dropout).
    var rng: RNG
    /// Why the layer cannot run, when made with sizes it cannot have (see `sizeError`).
    let sizeError: TensorError?

    /// The size of each head, E / H.
    public var headDim: Int { numHeads > 0 ? embedDim / numHeads : 0 }

    public init(_ embedDim: Int, _ numHeads: Int, dropout: Float = 0, bias: Bool = true, rng: inout RNG,
                file: StaticString = #fileID, line: UInt = #line) {
        sizeError = Autograd.sizeError("MultiheadAttention(\(embedDim), \(numHeads))", [
            (embedDim >= 1, "embedDim \(embedDim) must be at least 1"),
            (numHeads >= 1, "numHeads \(numHeads) must be at least 1"),
            (numHeads < 1 || embedDim % numHeads == 0, "embedDim \(embedDim) must be divisible by numHeads \(numHeads)"),
            (dropout >= 0 && dropout < 1, "dropout \(dropout) must be in [0, 1)"),
        ], file: file, line: line)
        let e = Swift.max(embedDim, 1)
        (self.embedDim, self.numHeads, self.dropout) = (embedDim, numHeads, dropout)
        let xavier = (6 / Float(e + 3 * e)).squareRoot()
        inProjWeight = Tensor.uniform([3 * e, e], -xavier, xavier, requiresGrad: true, rng: &rng)
        inProjBias = bias ? Tensor.zeros([3 * e], requiresGrad: true) : nil
        outProj = Linear(e, e, bias: bias, rng: &rng)
        if let b = outProj.bias { b.scalars = [Float](repeating: 0, count: e) }
        self.rng = rng.split()
    }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        [("in_proj_weight", inProjWeight)] + (inProjBias.map { [("in_proj_bias", $0)] } ?? [])
    }
    public var submodules: [(name: String, module: any Module)] { [("out_proj", outProj)] }

    /// Attention of `query` over `key` and `value` (pass the same tensor three times for
    /// self-attention: it is then projected by one product).
    ///
    /// - keyPaddingMask `[B, S]`: nonzero marks a padding key that no query attends to (as
    ///   PyTorch's `key_padding_mask` with True). A query whose every key is masked gets
    ///   zero weights, and the output bias alone (PyTorch gives NaN there).
    /// - causal: query t attends to keys 0...t only.
    /// - needWeights, averageWeights (PyTorch's `need_weights`, `average_attn_weights`): the
    ///   weights returned are `[B, T, S]`, the mean over the heads, or `[B, H, T, S]` per head
    ///   when `averageWeights` is false, or nil. They are a read-out (no gradient), before
    ///   dropout (PyTorch returns them after dropout; in `eval()` the two agree).
    public func callAsFunction(
        _ query: Tensor, _ key: Tensor, _ value: Tensor, keyPaddingMask: Tensor? = nil, causal: Bool = false,
        needWeights: Bool = true, averageWeights: Bool = true, file: StaticString = #fileID, line: UInt = #line
    ) throws -> (output: Tensor, weights: Tensor?) {
        if let sizeError { throw sizeError }
        let (e, h, d) = (embedDim, numHeads, headDim)
        for (name, x) in [("query", query), ("key", key), ("value", value)] where x.rank != 3 || x.shape[2] != e {
            throw TensorError(op: "MultiheadAttention", "\(name) \(describe(x.shape)) must be [batch, length, \(e)] (batch first)", file: file, line: line)
        }
        guard key.shape == value.shape, key.shape[0] == query.shape[0] else {
            throw TensorError(op: "MultiheadAttention", "query \(describe(query.shape)), key \(describe(key.shape)), value \(describe(value.shape)): the batch sizes must match, and key and value must have one shape", file: file, line: line)
        }
        /// [B, L, E] → [B, H, L, d]: head h takes the d values from h·d on.
        func heads(_ x: Tensor) throws -> Tensor {
            try x.reshape([x.shape[0], x.shape[1], h, d], file: file, line: line).permute([0, 2, 1, 3], file: file, line: line)
        }
        let (q, k, v): (Tensor, Tensor, Tensor)
        if query === key, key === value {
            let qkv = try linear(query, weight: inProjWeight, bias: inProjBias, file: file, line: line)
            (q, k, v) = try (heads(qkv.narrow(axis: 2, start: 0, length: e)), heads(qkv.narrow(axis: 2, start: e, length: e)),
                             heads(qkv.narrow(axis: 2, start: 2 * e, length: e)))
        } else {
            func project(_ x: Tensor, _ part: Int) throws -> Tensor {
                try heads(linear(x, weight: inProjWeight.narrow(axis: 0, start: part * e, length: e),
                                 bias: inProjBias?.narrow(axis: 0, start: part * e, length: e), file: file, line: line))
            }
            (q, k, v) = (try project(query, 0), try project(key, 1), try project(value, 2))
        }
        let (out, weights) = isTraining && dropout > 0
            ? try scaledDotProductAttention(q, k, v, keyPaddingMask: keyPaddingMask, causal: causal, dropout: dropout, training: true, rng: &rng, file: file, line: line)
            : try scaledDotProductAttention(q, k, v, keyPaddingMask: keyPaddingMask, causal: causal, file: file, line: line)
        let merged = try out.permute([0, 2, 1, 3], file: file, line: line).reshape([query.shape[0], query.shape[1], e], file: file, line: line)
        let output = try outProj(merged, file: file, line: line)
        guard needWeights else { return (output, nil) }
        return (output, averageWeights ? try weights.mean(axis: 1) : weights)
    }
}
