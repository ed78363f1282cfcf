import Autograd

// Lesson 6, exercise 6.4: back-off — when the context is new, use less of it.
//
// With add-α, an unseen context of order N gets 1/V for every character: everything the
// model knew about shorter contexts is thrown away. After "xqth", never seen, "th" alone
// still says "e" is likely. So BACK OFF: use the LONGEST end of the context that training
// has seen, and add-α there.
//
//     context "xqth", N = 4:  "xqth" unseen → "qth" unseen → "th" seen: add-α on "th"'s counts
//
// The end, not the start: the characters that matter most are the nearest ones. And
// order 0's context, [], is always seen, so the search always ends.
//
// Which order is used depends on the context alone — never on the character asked about.
// Then every character of one context is scored by the same row, and Σₓ p(x | context) = 1
// still holds. (Backing off per CHARACTER — the long row when this pair was seen, a
// shorter one when it was not — scores some characters from one row and the rest from
// another: the probabilities add up to more than 1, and the model looks better than it
// is. The grader checks the sum over every character.)

/// Add-α, at the longest suffix of `context` that the model has seen: with N =
/// tables.count − 1, the largest k ≤ min(N, context.count) such that tables[k] has the last
/// k codes of `context` as a context (k = 0 always is), and addAlpha on tables[k] there.
public func backoff(_ tables: [Counts], context: ArraySlice<Int>, next: Int, alpha: Double, vocabulary: Int) throws -> Double {
    // TODO(6.4): for k from min(N, context.count) down to 0: let end = context.suffix(k); if tables[k][Array(end)] exists, return addAlpha(tables[k], context: end, …).
    // BEGIN SOLUTION
    for k in stride(from: min(tables.count - 1, context.count), through: 0, by: -1) {
        let end = context.suffix(k)
        if tables[k][Array(end)] != nil {
            return try addAlpha(tables[k], context: end, next: next, alpha: alpha, vocabulary: vocabulary)
        }
    }
    return 1 / Double(vocabulary)
    // END SOLUTION
}
