import Autograd

// Lesson 7, exercise 7.2: which letters a network cannot predict from what it sees.
//
// A network whose state is reset before every letter sees one letter only: it is a
// function of that letter. In "ABCDEFGHIJKLMNOPHRSTUVWXYZ" the letter H comes twice, once
// before I and once before R: whatever the network answers after H, one of the two is
// wrong. Those two positions are AMBIGUOUS for a network that sees one letter.
//
// A network that sees the last `order` letters is stuck the same way at every position
// whose `order` letters (its context) also come somewhere else before a different letter:
//
//     "ABAC" read round and round, order 1:   A→B, B→A, A→C, C→A    A is ambiguous: 2 positions
//                                   order 2:   CA→B, AB→A, BA→C, AC→A    none is
//
// The context of position j is the `order` letters ending at j, codes[j − order + 1 … j],
// read cyclically too (for j = 0, order 2: the last letter, then the first).

/// How many positions j of the cyclic string `codes` have a context (the `order` codes
/// ending at j, cyclically) that also occurs at a position followed by a different code
/// than the one after j. `order` ≥ 1; an empty string has none.
public func ambiguousPositions(_ codes: [Int], order: Int) throws -> Int {
    // TODO(7.2): for every position j, its context (order codes ending at j, indices taken mod n) and the code after it (j + 1 mod n); collect, for each context, the set of codes that follow it; count the positions whose context is followed by more than one code.
    throw TODO("7.2")
}
