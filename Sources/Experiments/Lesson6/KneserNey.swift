import Foundation
import Lesson6

// Interpolated Kneser–Ney: GIVEN here, not an exercise — the smoothing the lesson's methods
// are measured against (Chen & Goodman's "interpolated Kneser–Ney", with one absolute
// discount per order). Two changes to interpolation (6.5):
//
// 1. Absolute discounting. Every count c(context, x) > 0 gives up D (0 < D < 1), and what
//    the T distinct followers gave up, D·T, goes to the shorter order:
//        p_k(x) = (max(c(context_k, x) − D, 0) + D·T·p_{k−1}(x)) / c(context_k)
//    D = n₁ / (n₁ + 2n₂) per order, from how many (context, x) pairs were seen once and twice.
// 2. The shorter orders count CONTEXTS, not occurrences: N₁₊(• context x), how many
//    distinct characters came before (context, x). "Francisco" is frequent, but only after
//    "San": a shorter order is consulted when the longer context is new, and there a
//    character that follows many different contexts is the better guess.
//
// The top order N uses the raw counts, the orders below it the continuation counts; a
// context never seen leaves the shorter order's probability as it is.

/// One corpus's Kneser–Ney model, up to the order of its highest table.
struct KneserNey {
    /// A context's followers with their total and how many distinct followers there are.
    struct Row {
        let counts: [Int: Int]
        let total: Int
        var distinct: Int { counts.count }
        init(_ counts: [Int: Int]) {
            self.counts = counts
            total = counts.values.reduce(0, +)
        }
    }

    /// raw[k]: order k's counts; continuation[k]: N₁₊(• context x) for the contexts of order k < K.
    let raw: [[[Int]: Row]]
    let continuation: [[[Int]: Row]]
    /// The absolute discount of each order, for raw and for continuation counts.
    let discount: [Double]
    let continuationDiscount: [Double]
    let vocabulary: Int

    /// From the counts of orders 0…K (countNext's tables).
    init(_ tables: [Counts], vocabulary: Int) {
        self.vocabulary = vocabulary
        raw = tables.map { $0.mapValues(Row.init) }
        // Each (w·context, x) seen at order k + 1 adds one to (context, x) at order k.
        var continuation: [Counts] = []
        for k in 0..<(tables.count - 1) {
            var counts: Counts = [:]
            for (longer, followers) in tables[k + 1] {
                let context = Array(longer.dropFirst())
                for x in followers.keys { counts[context, default: [:]][x, default: 0] += 1 }
            }
            continuation.append(counts)
        }
        self.continuation = continuation.map { $0.mapValues(Row.init) }
        discount = tables.map(KneserNey.discount)
        continuationDiscount = continuation.map(KneserNey.discount)
    }

    /// D = n₁ / (n₁ + 2n₂) over the (context, x) pairs of one order, kept within [0.05, 0.95] (0.5 with none).
    static func discount(_ counts: Counts) -> Double {
        var once = 0, twice = 0
        for row in counts.values {
            for c in row.values {
                if c == 1 { once += 1 } else if c == 2 { twice += 1 }
            }
        }
        return once + twice == 0 ? 0.5 : min(0.95, max(0.05, Double(once) / Double(once + 2 * twice)))
    }

    /// p(next | context) at order N = `order`: the continuation counts of orders 0…N − 1 from
    /// p₋₁ = 1/V up, then the raw counts of order N.
    func probability(_ context: ArraySlice<Int>, next: Int, order: Int) -> Double {
        var p = 1 / Double(vocabulary)
        for k in 0..<min(order, context.count) {
            guard let row = continuation[k][Array(context.suffix(k))], row.total > 0 else { break }
            p = step(row, next, continuationDiscount[k], lower: p)
        }
        guard order <= context.count, let row = raw[order][Array(context.suffix(order))] else { return p }
        return step(row, next, discount[order], lower: p)
    }

    /// (max(c(x) − D, 0) + D·T·lower) / c.
    private func step(_ row: Row, _ x: Int, _ d: Double, lower: Double) -> Double {
        (max(Double(row.counts[x] ?? 0) - d, 0) + d * Double(row.distinct) * lower) / Double(row.total)
    }
}
