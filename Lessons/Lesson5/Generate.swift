import Autograd

// Lesson 5, exercise 5.12: writing, one character at a time.
//
// To write, the model reads a prompt, then guesses, and each guess becomes its next input:
//
//     prompt "The "  ─▶  LSTM reads T, h, e, ␣   ─▶ logits ─▶ pick "m"
//                   state ─▶ LSTM reads "m"      ─▶ logits ─▶ pick "o"
//                   state ─▶ LSTM reads "o"      ─▶ logits ─▶ pick "d"   …
//
// The LSTM's state already holds everything read so far, so each new character costs ONE
// step from the state: read it, pick the next. Feeding the whole text again from the start
// for every new character gives the same logits — and costs a step for every character
// written so far, every time: 500 characters take 125 000 steps instead of 500.

/// `count` codes written by `model` after `prompt` (at least one code): the model reads the
/// prompt in one call from no state (lstmWords from nil); `pick` chooses the first code
/// from the logits after the prompt's LAST character (`[V]`); then, `count` times in all,
/// each picked code is fed back alone (`[1, 1]`), from the state the model left, and `pick`
/// chooses the next from its logits. Returns the picked codes (not the prompt). The
/// caller puts the model in evaluation mode (no dropout) first.
public func generate(model: LSTMWordModel, prompt: [Int], count: Int, pick: (Tensor) throws -> Int) throws -> [Int] {
    // TODO(5.12): run lstmWords over the prompt ([1, P]); last = the logits at position P − 1, .reshape([V]); count times: code = pick(last), append it, run lstmWords on [[code]] from the state, last = its logits as [V].
    throw TODO("5.12")
}
