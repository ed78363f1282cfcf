import Autograd

// Lesson 5, exercise 5.5: a prediction after every word.
//
// Model 3 reads three words to make one guess — and gets one loss, one signal, per three
// words read. But the state after the first word could already guess the second, after
// the second the third… The text gives the answer at every step: the targets are the
// inputs shifted by one.
//
//     inputs   one   .     two   .     three  .     four  .    …
//     targets  .     two   .     three .      four  .     five …
//
// So run the loop over sequences of T words (the chapter: 16) and apply the head after
// EVERY step: T guesses, T losses, for the same work.

/// The word model over `[B, T]` codes from `state` (`[B, H]`, nil: zeros), with a guess
/// after every word: for each t, h = relu(hidden(h + e_t)) and logits_t = head(h) — the
/// guess for word t + 1, made after reading word t. Returns the logits, `[B, T,
/// vocabulary]`, and the last h, detached, for the next batch.
public func everyWord(_ words: Tensor, state: Tensor?, model: WordModel) throws -> (logits: Tensor, state: Tensor) {
    // TODO(5.5): the loop of 5.4, keeping every step's h (or its head's logits); stack them along axis 1 → [B, T, V]; return them and the last h, detached.
    // BEGIN SOLUTION
    let e = try model.embedding(words)
    var h = state
    var states: [Tensor] = []
    for t in 0..<words.shape[1] {
        let word = try e.select(axis: 1, index: t)
        let next = try model.hidden(h.map { try $0 + word } ?? word).relu()
        states.append(next)
        h = next
    }
    guard let last = h else { throw TensorError(op: "everyWord", "words \(words.shape) has no word to read: T must be at least 1") }
    return (try model.head(stack(states, axis: 1)), last.detached())
    // END SOLUTION
}
