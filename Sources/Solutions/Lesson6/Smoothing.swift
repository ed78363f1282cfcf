import Autograd

// Lesson 6, exercise 6.3: add-α, a probability for what was never seen.
//
// From counts alone, p(x | context) = c(context, x) / c(context), where c(context) is the
// context's total. But a held-out text is new: a character that never followed this
// context in training gets probability 0, costs −log₂ 0 = ∞ bits, and one such character
// makes the whole text infinitely unlikely. So pretend every one of the V characters was
// seen α more times after every context:
//
//                       c(context, x) + α
//     p(x | context) = ───────────────────          V = the whole vocabulary,
//                       c(context)  + α·V           seen in training or not
//
// Summed over all V characters, the tops add up to c(context) + α·V: the bottom. That is
// the test every smoothing must pass, for every context: Σₓ p(x | context) = 1. An unseen
// context has c = 0 everywhere, so every x gets α / (α·V) = 1/V: nothing known, all equal.
//
//     counts after "th": {e: 6, a: 3, i: 1}, V = 30, α = 0.1:  p(e) = 6.1 / 13 = 0.469
//                                                               p(z) = 0.1 / 13 = 0.0077

/// (c(context, next) + α) / (c(context) + α · vocabulary): `counts` of one order N,
/// `context` the N codes before `next`, `vocabulary` V, the number of codes the text can
/// have. A context `counts` does not have gives 1 / V. α > 0, so every code gets p > 0.
public func addAlpha(_ counts: Counts, context: ArraySlice<Int>, next: Int, alpha: Double, vocabulary: Int) throws -> Double {
    // TODO(6.3): row = counts[Array(context)] ?? [:]; total = the sum of row's counts; return (Double(row[next] ?? 0) + alpha) / (Double(total) + alpha * Double(vocabulary)).
    // BEGIN SOLUTION
    let row = counts[Array(context)] ?? [:]
    let total = row.values.reduce(0, +)
    return (Double(row[next] ?? 0) + alpha) / (Double(total) + alpha * Double(vocabulary))
    // END SOLUTION
}
