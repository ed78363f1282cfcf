import Autograd

// Lesson 6, exercise 6.2: writing from the counts.
//
// To write, look at the last N codes written (the prompt's, at first), find them among the
// contexts, and draw the next code in proportion to how often each followed them:
//
//     context "th" → {"e": 60, "a": 25, "i": 15}   draws "e" 60% of the time
//
// One draw from counts c₀, c₁, … with total T: take u = rng.int(below: T), a whole number
// in 0 ..< T, and walk the codes in increasing order subtracting their counts; the code
// that takes u below 0 is drawn. Each code owns as many of the T values of u as its count.
//
// What if the last N codes were never seen in training? A prompt can hold anything, and
// even the text itself ends somewhere: the context its last N characters make was never
// followed by anything. Then BACK OFF: try the last N − 1 codes in the table of order N − 1,
// then N − 2, … Order 0's one context, [], is always there (the table of every code).

/// `count` codes written after `prompt` from the model `tables` (tables[k] has order k;
/// N = tables.count − 1). At each step, the longest k ≤ N such that the last k codes so far
/// (prompt and written) are a context of tables[k] gives the row to draw from (k = 0 always
/// has one); the draw is in proportion to the counts, from `rng` alone: the same seed writes
/// the same codes. Returns the codes written, not the prompt.
public func generate(_ tables: [Counts], prompt: [Int], count: Int, rng: inout RNG) throws -> [Int] {
    // TODO(6.2): keep history = prompt; count times: for k from min(N, history.count) down to 0 find the first tables[k][Array(history.suffix(k))]; draw u = rng.int(below: total) and walk row.keys.sorted() subtracting counts; append the code to history and to the result.
    // BEGIN SOLUTION
    var history = prompt, written: [Int] = []
    for _ in 0..<count {
        var row: [Int: Int] = [:]
        for k in stride(from: min(tables.count - 1, history.count), through: 0, by: -1) {
            if let seen = tables[k][Array(history.suffix(k))] {
                row = seen
                break
            }
        }
        var u = rng.int(below: row.values.reduce(0, +))
        var code = 0
        for next in row.keys.sorted() {
            u -= row[next]!
            if u < 0 {
                code = next
                break
            }
        }
        history.append(code)
        written.append(code)
    }
    return written
    // END SOLUTION
}
