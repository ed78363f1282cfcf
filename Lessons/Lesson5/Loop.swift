import Autograd

// Lesson 5, exercise 5.4: the same as a loop — and a state that lives on.
//
// Model 1 with its three steps written out is a loop with the state starting at zero:
// h = 0, then for each word h = relu(hidden(h + e_i)). (0 + e0 = e0: the same numbers.)
// As a loop it reads windows of any length.
//
// And once it is a loop, why start every batch from zero? The windows of a batch continue
// the windows of the batch before (exercise 5.2 laid them out so), so the state each row
// ended with already knows the text before: "… thousand three hundred" makes "forty" more
// likely than the window "hundred forty" alone could. So the function takes the state the
// last batch left and returns the state it leaves.
//
// One catch. If the state returned still remembers how it was computed, the next batch's
// backward pass runs back through this batch, and the one before, to the start of the
// epoch: every step slower, and the tape never freed. So the state handed on is DETACHED:
// the same numbers, no history (truncated backpropagation through time). The logits of
// THIS batch are computed from the undetached state: within a batch, the gradient flows
// through all its steps.
//
//     batch k−1 ─ h ─▶ │ detach │ ─▶ batch k:  h ─▶ step ─▶ step ─▶ step ─▶ head ─▶ logits
//                                                  gradient flows ◀───────────────┘
//                                              (and stops at the detach)

/// The word model as a loop over the `[B, T]` codes in `words`, starting from `state`
/// (`[B, H]`; nil: zeros, the same as h = e0 at the first step): for each word,
/// h = relu(hidden(h + e_t)). Returns the logits of the word after the last,
/// `[B, vocabulary]`, computed from h as it is (gradient flowing through every step), and
/// the state to start the next batch from: the last h, detached.
public func wordLoop(_ words: Tensor, state: Tensor?, model: WordModel) throws -> (logits: Tensor, state: Tensor) {
    // TODO(5.4): e = model.embedding(words); h = state (or nothing yet); for t in 0..<T: h = relu(hidden(h + e_t)) (just e_t when there is no h); return (head(h), h.detached()).
    throw TODO("5.4")
}
