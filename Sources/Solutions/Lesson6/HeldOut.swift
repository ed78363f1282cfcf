import Autograd
import Foundation

// Lesson 6, exercise 6.6: how many bits on a text the model has never seen?
//
// Lesson 5 measured its LSTM in bits per character on held-out text: the mean of
// −log₂ p(true next character). The same measure works for any model that gives the true
// character a probability — and only on text it did not count. Counted text is text the
// model has memorised: a Markov model of order 10 that has counted the held-out text too
// predicts most of it almost perfectly.
//
//     codes  [ . . . . . . training . . . . . . | . . held out . . ]
//                                              cut
//     counts: codes[..<cut] only        scored: every t in cut ..< codes.count
//     context of t: the N codes before it, codes[t − N ..< t] — it may reach back before cut
//
// One table per order, counted once, serves every N: the model of order N is tables[0…N].

/// For each N = 0…maxOrder, the held-out bits per character of the model of order N:
/// count orders 0…maxOrder on codes[..<cut] alone (with countNext); then for N = 0…maxOrder
/// the mean over every t in cut ..< codes.count of −log₂ probability(tables[0…N],
/// codes[max(0, t − N) ..< t], codes[t]). A probability that is not in (0, 1] (0, NaN, above
/// 1) throws ProbabilityError(target: t, order: N, probability: p): never return ∞ or NaN.
public func heldOutBits(_ codes: [Int], cut: Int, maxOrder: Int,
                        probability: (_ tables: [Counts], _ context: ArraySlice<Int>, _ next: Int) throws -> Double) throws -> [Double] {
    // TODO(6.6): tables = (0...maxOrder).map { countNext(Array(codes[..<cut]), order: $0) }; for each N, model = Array(tables[0...N]); for t in cut..<codes.count: p = probability(model, codes[max(0, t - N)..<t], codes[t]); throw unless p > 0 && p <= 1; add -log2(p); divide by the count.
    // BEGIN SOLUTION
    let training = Array(codes[..<cut])
    let tables = try (0...maxOrder).map { try countNext(training, order: $0) }
    return try (0...maxOrder).map { n in
        let model = Array(tables[0...n])
        var bits = 0.0
        for t in cut..<codes.count {
            let p = try probability(model, codes[max(0, t - n)..<t], codes[t])
            guard p > 0, p <= 1 else { throw ProbabilityError(target: t, order: n, probability: p) }
            bits -= log2(p)
        }
        return bits / Double(codes.count - cut)
    }
    // END SOLUTION
}
