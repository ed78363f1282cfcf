import Autograd

// Lesson 8, exercise 8.4: several heads, each attending in its own way.
//
// One attention can only average: where a position needs the token 3 to the left AND the
// one 5 to the right, one softmax must split its weight between them. Multi-head attention
// runs h small attentions side by side, each on its own d/h columns, and joins them:
//
//     x [B, T, E] ──▶ in-projection: one product with inProjWeight [3E, E] (+ inProjBias)
//                 ──▶ q, k, v: the first, second and third E columns, each [B, T, E]
//                 ──▶ split: [B, T, E] → [B, T, h, E/h] → [B, h, T, E/h]   (head j: columns j·E/h ..< (j+1)·E/h)
//                 ──▶ scaledDotProductAttention per head (the core's: 8.1 and 8.2 in one op)
//                 ──▶ merge: [B, h, T, E/h] → [B, T, h, E/h] → [B, T, E]
//                 ──▶ outProj (a Linear E → E)
//
// The layer holds PyTorch's parameters (`torch.nn.MultiheadAttention`): write the steps with
// them yourself. Calling `layer(x, x, x)` is the answer key, not an answer.

/// Multi-head self-attention of x [B, T, E] with the parameters of `layer` (its numHeads,
/// inProjWeight [3E, E], inProjBias [3E], outProj), the keys with keyPadding[b, s] ≠ 0
/// ignored: [B, T, E], what `layer(x, x, x, keyPaddingMask: keyPadding).output` gives.
public func multiHeadSelfAttention(_ x: Tensor, layer: MultiheadAttention, keyPadding: Tensor? = nil) throws -> Tensor {
    // TODO(8.4): qkv = linear(x, weight: layer.inProjWeight, bias: layer.inProjBias); chunk it in 3 along axis 2; split each into heads (reshape to [B, T, h, E/h], then swap axes 1 and 2); scaledDotProductAttention(q, k, v, keyPaddingMask: keyPadding); merge (swap axes 1 and 2 back, reshape to [B, T, E]); layer.outProj.
    throw TODO("8.4")
}
