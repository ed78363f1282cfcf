import Autograd

// Lesson 8, exercise 8.2: padding — keys that are not there.
//
// Sequences in a batch have different lengths; the short ones are filled up with a padding
// token to make a rectangle. A query must not attend to padding: a weight on it would mix
// meaningless vectors into the output, and the output would depend on how much padding the
// batch happened to need.
//
// keyPadding [B, S] marks the padding keys of each sequence with 1 (0 = a real token),
// as PyTorch's key_padding_mask. A masked key's score becomes −∞ BEFORE the softmax:
// e^−∞ = 0, so it gets exactly zero weight and the real keys' weights still sum to 1.
//
//     scores [B, T, S] ──▶ masked keys → −∞ ──▶ softmax over S ──▶ weights
//                              ▲
//     keyPadding [B, S] ──▶ [B, 1, S]: the same keys hidden from every query
//
// Every sequence here has at least one real key (a row of all −∞ has no softmax).

/// Attention as 8.1's, for query [B, T, d], key [B, S, d], value [B, S, dv], where the keys
/// with keyPadding[b, s] ≠ 0 get no weight from any query of sequence b. Returns the output
/// [B, T, dv] and the weights [B, T, S] (zero at the masked keys, each row summing to 1).
public func maskedAttention(query: Tensor, key: Tensor, value: Tensor, keyPadding: Tensor) throws -> (output: Tensor, weights: Tensor) {
    // TODO(8.2): scores as in 8.1; fill the scores of the padding keys with −∞ (keyPadding reshaped to [B, 1, S] broadcasts over the queries); then the softmax over the keys, and weights · value.
    throw TODO("8.2")
}
