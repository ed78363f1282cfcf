import Autograd

// Lesson 6, exercise 6.1: counting what follows what.
//
// Slide a window of N + 1 codes along the text: its first N codes are a context, its last
// the code that followed. Every window adds one to one count.
//
//     codes [0, 1, 2, 0, 1], order 2
//     i = 2: context [0, 1] → 2        i = 3: [1, 2] → 0        i = 4: [2, 0] → 1
//
// A text of n codes has n − N windows: i runs from N to n − 1, the last one included
// (it is the one the last character ends). A text with n ≤ N codes has none.

/// How often each code follows each context of `order` codes in `codes`: one count for
/// (codes[i − order ..< i], codes[i]) for every i in order ..< codes.count. Order 0 counts
/// every code after the one context []. No window (codes.count ≤ order): [:].
public func countNext(_ codes: [Int], order: Int) throws -> Counts {
    // TODO(6.1): for i in order..<codes.count, take context = Array(codes[i - order..<i]) and add 1 to counts[context, default: [:]][codes[i], default: 0].
    // BEGIN SOLUTION
    var counts: Counts = [:]
    guard codes.count > order else { return counts }
    for i in order..<codes.count {
        counts[Array(codes[(i - order)..<i]), default: [:]][codes[i], default: 0] += 1
    }
    return counts
    // END SOLUTION
}
