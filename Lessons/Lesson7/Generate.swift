import Autograd

// Lesson 7, exercise 7.5: reciting — the network fed its own guesses.
//
// Has it memorised the string? Give it the first letter and a fresh state, take its most
// likely next letter, and feed THAT back in, again and again:
//
//     zeros, "A" ─▶ "B"?  ─▶ feed "B" ─▶ "C"?  ─▶ feed "C" ─▶ …
//
// One wrong letter and it is reading a string it was never taught: the errors compound,
// unlike training, where every input was the true letter. (The notebook fed back the whole
// softmax vector; a letter is what a recital feeds back.)

/// `count` letters recited by `model` from the letter `first`: from a fresh (zero) state,
/// the most likely next code (argmax of the scores), fed back as the next input, `count`
/// times; in `oneStep` mode the state is reset to zeros before every letter, as it was
/// trained. Returns the predicted codes (not `first`). No gradients are needed.
public func generate(_ model: Memoriser, from first: Int, count: Int, oneStep: Bool) throws -> [Int] {
    // TODO(7.5): under noGrad: state = zeros, code = first; count times: reset if oneStep; (scores, state) = model(code, state); code = argmax of the scores; append it.
    throw TODO("7.5")
}
