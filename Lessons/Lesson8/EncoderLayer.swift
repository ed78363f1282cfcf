import Autograd

// Lesson 8, exercise 8.5: one encoder layer — attention, then a small network per position.
//
// Attention mixes information between positions; a feed-forward block then works on each
// position alone. Each sits on a residual connection (x + f(x): the layer learns a change to
// x, and the gradient has a straight path through every layer), with a LayerNorm in front
// (pre-norm, as GPT-2 and most transformers since):
//
//     x ──┬─▶ norm1 ─▶ self-attention ─▶ (+) ──┬─▶ norm2 ─▶ linear1 ─▶ activation ─▶ linear2 ─▶ (+) ─▶
//         └──────────────────────────────────┘  └───────────────────────────────────────────┘
//
// The original transformer (and BERT) put the norm AFTER the sum: x = norm(x + f(x)) —
// post-norm, which trains worse without a warm-up of the learning rate. Lesson 8's README
// measures both.
//
// Dropout is left out: the layers this is called with have none.

/// One pre-norm encoder layer on x [B, T, E] with the parameters of `layer` (its selfAttn,
/// norm1, norm2, linear1, linear2 and activation), the padding keys ignored by the attention:
///     y = x + selfAttn(norm1(x)),    output = y + linear2(activation(linear1(norm2(y))))
/// Pre-norm whatever `layer.normFirst` says: the graders also hand it a post-norm layer's
/// parameters, so calling `layer(x)` itself is not an answer.
public func encoderLayer(_ x: Tensor, layer: TransformerEncoderLayer, keyPadding: Tensor? = nil) throws -> Tensor {
    // TODO(8.5): n = layer.norm1(x); y = x + layer.selfAttn(n, n, n, keyPaddingMask: keyPadding).output; then y + layer.linear2(layer.activation(layer.linear1(layer.norm2(y)))).
    throw TODO("8.5")
}
