import Autograd

// Lesson 4, exercise 4.1: sums to learn from, and sums kept for the test.
//
// A sum is a pair of numbers, x + y. The network will see many of them while it trains,
// and we want to know whether it learned to ADD or learned the answers by heart. So a
// set of pairs is kept apart before training starts — the held-out set — and no training
// batch may ever hold one of them. Addition does not care about order, so a held-out
// x + y keeps y + x out of training too: a model that saw 4567 + 123 has seen 123 + 4567.
//
//     held out          1234+5678   845+3002   …        (and 5678+1234, 3002+845, …)
//     training          every other pair of range × range, drawn afresh

/// One sum to learn: the operands x and y (the answer is x + y).
public typealias Pair = (x: Int, y: Int)

/// The text of a sum as the source notebook writes it: "123+4567".
public func sumText(_ pair: Pair) -> String { "\(pair.x)+\(pair.y)" }

/// A training set and a held-out set of sums, drawn from `rng`.
/// Every operand is drawn uniformly from `range` (both ends included). Returns
///
/// - test: `testCount` pairs, no pair twice — and not its swap either: (x, y) and (y, x)
///   count as the same sum;
/// - train: `trainCount` pairs (repeats allowed), none of them a test pair or the swap of
///   one.
///
/// Both come from `rng`, so the same seed gives the same split. (`testCount` is at most a
/// third of the possible pairs, so the draws always end.)
public func splitSums(trainCount: Int, testCount: Int, range: ClosedRange<Int>, rng: inout RNG) throws -> (train: [Pair], test: [Pair]) {
    // TODO(4.1): draw test pairs, skipping any already held out; hold out each one AND its swap (a Set of keys); then draw training pairs, skipping held-out ones.
    // BEGIN SOLUTION
    func draw() -> Pair { (range.lowerBound + rng.int(below: range.count), range.lowerBound + rng.int(below: range.count)) }
    var held = Set<[Int]>()
    var test: [Pair] = []
    while test.count < testCount {
        let p = draw()
        guard held.insert([p.x, p.y]).inserted else { continue }
        held.insert([p.y, p.x])
        test.append(p)
    }
    var train: [Pair] = []
    while train.count < trainCount {
        let p = draw()
        if !held.contains([p.x, p.y]) { train.append(p) }
    }
    return (train, test)
    // END SOLUTION
}
