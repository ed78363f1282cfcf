import Autograd

// Lesson 5, exercise 5.7: one table for reading words and for writing them.
//
// The embedding is a table with a row per word: row c is how the model READS word c.
// The head is a matrix with a row per word too: row c, dotted with the state, is how much
// the model wants to WRITE word c next. Both are [vocabulary, hidden]. Words that play the
// same part ("two" and "three") should be near each other in both tables — so why learn
// them twice? Weight tying makes the head's weight the embedding's table itself: one
// tensor, used twice, and its gradient is the sum of what reading and writing ask of it.
//
//     embedding.weight ──┬──▶ looked up:  e = E[word]            (reading)
//                        └──▶ head:       logits = h · Eᵀ + b    (writing)
//
// The same TENSOR, not a copy of its values: a copy starts equal and drifts apart with
// the first step of the optimizer, and the model has two tables again.

/// A head that scores words with `embedding`'s table: a Linear whose weight is the very
/// tensor `embedding.weight` (`[vocabulary, hidden]`, which is a Linear's `[out, in]`),
/// keeping `head`'s bias. (PyTorch: `self.h_o.weight = self.i_h.weight`.)
public func tie(_ head: Linear, to embedding: Embedding) throws -> Linear {
    // TODO(5.7): a new Linear(weight: …, bias: …) — the embedding's weight tensor itself, and the head's bias.
    // BEGIN SOLUTION
    return Linear(weight: embedding.weight, bias: head.bias)
    // END SOLUTION
}
