import Autograd

// Lesson 7, exercise 7.1: what the network is taught — next-letter pairs of a cyclic string.
//
// The string is read round and round: after its last letter comes its first again. Every
// letter is an input, and the letter after it is its target:
//
//     "ABCA", alphabet "ABCD"      A→B   B→C   C→A   A→A   (the last: back to the first)
//     codes                        0→1   1→2   2→0   0→0
//
// A letter's code is its position in the alphabet you are given, which need not be sorted
// or be "A…Z".

/// The n pairs (input, target) of the n letters of `text`, read cyclically: letter i's
/// code → letter (i + 1) mod n's code. Codes are positions in `alphabet`. An empty text
/// has no pairs. For a letter `alphabet` does not hold, throw `LetterNotInAlphabet` (a
/// clear error rather than a crash; the grader does not try one).
public func cyclicPairs(_ text: String, alphabet: String) throws -> [(input: Int, target: Int)] {
    // TODO(7.1): look each letter up in the alphabet (throw LetterNotInAlphabet if it is not there); pair code i with code (i + 1) % n.
    throw TODO("7.1")
}
