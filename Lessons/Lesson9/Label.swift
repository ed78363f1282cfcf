import Autograd

// Lesson 9, exercise 9.2: the label — how many terms have a like partner.
//
// Two terms are LIKE when they have the same variable and the same power (their `key`):
// 2x^3 and x^3 are like, x^3 and x are not, and the coefficients do not matter. The notebook's
// label is mathy's `count_like_terms`: the number of TERMS that share their key with at least
// one other term.
//
//     60 + 2x^3 - 6x + x^3 + 17x      keys: "", x^3, x, x^3, x
//                                     groups: {60}, {2x^3, x^3}, {-6x, 17x}
//                                     label: 2 + 2 = 4 (not 2 groups, not 3 kinds)

/// How many of `terms` share their key (variable and power) with at least one other term.
public func likeTermCount(_ terms: [Term]) throws -> Int {
    // TODO(9.2): count the terms of each key; add up the counts of the keys that occur twice or more.
    throw TODO("9.2")
}
