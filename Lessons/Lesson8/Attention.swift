import Autograd

// Lesson 8, exercise 8.1: attention — every position asks a question of every other.
//
// A recurrent network passes what it knows along, one step at a time: to reverse a
// sequence of 100 it must carry the first token through 99 updates. Attention lets
// position t look at every position s at once. Each position has a query (what it looks
// for), a key (what it offers) and a value (what it hands over):
//
//     scores[t, s] = q_t · k_s / √d          how well key s answers query t
//     weights[t, :] = softmax(scores[t, :])   over the KEYS: row t sums to 1
//     output[t]     = Σ_s weights[t, s] · v_s  a weighted average of the values
//
// In matrices, for query [T, d], key [S, d], value [S, dv]:
//
//     output = softmax(Q Kᵀ / √d) V           [T, S] weights, [T, dv] output
//
// Why √d: the dot product of two random d-vectors with unit entries has variance d, so
// with d = 64 the scores are typically ±8 and the softmax all but picks one key, whose
// gradient is nearly zero. Dividing by √d brings them back to ±1.

/// Scaled dot-product attention of `query` [..., T, d] over `key` [..., S, d] and
/// `value` [..., S, dv] (the leading axes equal, e.g. [B, T, d]): the output [..., T, dv]
/// and the weights [..., T, S], each row a softmax over the S keys.
public func attention(query: Tensor, key: Tensor, value: Tensor) throws -> (output: Tensor, weights: Tensor) {
    // TODO(8.1): scores = query · keyᵀ (the last two axes of key swapped) / √d, with d = query's last size; weights = softmax of the scores over the last axis (the keys); output = weights · value.
    throw TODO("8.1")
}
