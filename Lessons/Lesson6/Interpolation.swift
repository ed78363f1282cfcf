import Autograd

// Lesson 6, exercise 6.5: interpolation — every order has its say.
//
// Back-off trusts the longest seen context completely, even when it was seen once. A
// context seen once has one follower, and add-α gives that follower nearly everything.
// Interpolation blends instead: each order's counts are smoothed not towards "all
// characters equal" but towards what the next shorter context predicts.
//
//     p₋₁(x) = 1/V                                    nothing known
//     p₀(x)  = (c(x) + β·p₋₁(x)) / (c + β)            the characters' frequencies
//     p₁(x)  = (c(a, x) + β·p₀(x)) / (c(a) + β)       after the last character, a
//     …
//     p_k(x) = (c(context_k, x) + β·p_{k−1}(x)) / (c(context_k) + β)
//
// β is how many made-up counts the shorter order gets to vote with. A context seen a
// thousand times barely listens to it; a context seen once listens a lot. Σₓ p_k(x) = 1
// for every k: the tops add up to c(context_k) + β·1. (Add-α is the case where the shorter
// order is always uniform: β·(1/V) = α.)
//
// When the last k codes were never seen, p_k is p_{k−1}: nothing to add. And every longer
// context, which ends with this one, was never seen either: stop there.

/// p_N(next | context) with N = tables.count − 1: p₋₁ = 1/V; for k = 0, 1, …, min(N,
/// context.count), while tables[k] has the last k codes of `context` as a context with
/// total c, p_k = (c(context_k, next) + β·p_{k−1}) / (c + β); at the first unseen one,
/// stop. Returns the last p computed.
public func interpolated(_ tables: [Counts], context: ArraySlice<Int>, next: Int, beta: Double, vocabulary: Int) throws -> Double {
    // TODO(6.5): p = 1 / V; for k in 0...min(N, context.count): guard let row = tables[k][Array(context.suffix(k))] else { break }; total = row's sum; p = (Double(row[next] ?? 0) + beta * p) / (Double(total) + beta).
    throw TODO("6.5")
}
