import Autograd

// Lesson 5, exercise 5.11: sampling a character, with a temperature.
//
// To make the model write, give it a start, take its probabilities for the next
// character, DRAW one at random in proportion to them, feed it back, repeat. Always taking
// the most likely character instead (greedy) soon loops: "the the the the".
//
// The temperature T reshapes the probabilities before the draw: softmax(logits / T).
//
//     logits  [2, 1, 0]     T = 0.5: [0.87, 0.12, 0.02]   — bolder: the favourite wins more
//                           T = 1:   [0.67, 0.24, 0.09]   — the model's own probabilities
//                           T = 2:   [0.51, 0.31, 0.19]   — wilder: surprises more often
//
// As T → 0 it becomes greedy; as T → ∞, uniform. To draw: take u uniform in [0, 1) and
// walk the probabilities adding them up; the code where the running sum first exceeds u is
// the draw (each code is hit with its own probability).
//
//     p = [0.67, 0.24, 0.09]   sums 0.67 | 0.91 | 1.0     u = 0.80 → code 1

/// A code drawn from softmax(logits / temperature), with `rng`: `logits` is `[V]`,
/// `temperature` > 0. The same seed gives the same draws. Logits / temperature can be
/// large (100 / 0.5 = 200): exp of that overflows a Float, so let the core's softmax
/// (which subtracts the largest value first) make the probabilities.
public func sampleCode(_ logits: Tensor, temperature: Float, rng: inout RNG) throws -> Int {
    // TODO(5.11): p = (logits / temperature).softmax(axis: 0).scalars; u = rng.uniform(); add up p until the sum exceeds u, and return that index (the last one if rounding leaves the sum just below u).
    // BEGIN SOLUTION
    let p = try (logits / temperature).softmax(axis: 0).scalars
    let u = rng.uniform()
    var sum: Float = 0
    for (code, q) in p.enumerated() {
        sum += q
        if u < sum { return code }
    }
    return p.count - 1
    // END SOLUTION
}
