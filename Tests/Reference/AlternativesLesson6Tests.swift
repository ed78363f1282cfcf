import Autograd
import Foundation
@testable import Grading
import XCTest

/// Correct implementations of lesson 6's exercises written differently from the reference
/// (windows counted from their start, rows merged, draws by a Float or from a list of every
/// count, back-off by trimming the context from the front or by recursion, interpolation
/// recursive or carrying on past an unseen context, probabilities in Float or through logs,
/// the held-out loop with t outside and N inside): every grader must pass them. Wrong ones
/// written differently are still named, and wrong ones no known mistake fits fail saying where.
final class LessonSixAlternativesTests: XCTestCase {
    typealias Counts = Lesson6Graders.Counts

    // MARK: - 6.1 counting

    func test_6_1_countNext() {
        let exercise = Lesson6Graders.countNext
        assertPasses(exercise, { codes, order in
            var counts: Counts = [:]
            for start in stride(from: 0, to: codes.count - order, by: 1) {
                counts[Array(codes[start..<(start + order)]), default: [:]][codes[start + order], default: 0] += 1
            }
            return counts
        }, "windows counted from their start, with a stride that is empty when the text is short")
        assertPasses(exercise, { codes, order in
            guard codes.count > order else { return [:] }
            return (order..<codes.count).reduce(into: Counts()) { counts, i in
                let context = Array(codes[(i - order)..<i])
                counts[context] = (counts[context] ?? [:]).merging([codes[i]: 1], uniquingKeysWith: +)
            }
        }, "rows merged with a count of one, by reduce(into:)")
        assertPasses(exercise, { codes, order in
            var counts: Counts = [:]
            var context: [Int] = []
            for code in codes {
                if context.count == order { counts[context, default: [:]][code, default: 0] += 1 }
                context.append(code)
                if context.count > order { context.removeFirst() }
            }
            return counts
        }, "a sliding context kept as the text is read")
        assertDiagnosed(exercise, { codes, order in
            var counts: Counts = [:]
            for start in stride(from: 0, to: codes.count - order - 1, by: 1) {
                counts[Array(codes[start..<(start + order)]), default: [:]][codes[start + order], default: 0] += 1
            }
            return counts
        }, as: "last-pair-dropped")
        assertDiagnosed(exercise, { codes, order in
            guard codes.count > order else { return [:] }
            var counts: Counts = [:]
            for i in order..<codes.count { counts[Array(codes[(i - order)..<i]), default: [:]][codes[i]] = 1 }
            return counts
        }, as: "counts-set-to-one")
        // The chapter's text hard-coded: right on "abcab", wrong on the others.
        assertFails(exercise, { codes, order in
            codes == [0, 1, 2, 0, 1] && order == 1 ? [[0]: [1: 2], [1]: [2: 1], [2]: [0: 1]] : [[]: [codes.first ?? 0: codes.count]]
        }, "a table made up", saying: ["your table has"])
    }

    // MARK: - 6.2 writing

    /// The longest seen end of `history` and its row, found by trimming the history from the front.
    static func longestRow(_ tables: [Counts], _ history: [Int]) -> [Int: Int] {
        var end = ArraySlice(history.suffix(tables.count - 1))
        while tables[end.count][Array(end)] == nil { end = end.dropFirst() }
        return tables[end.count][Array(end)]!
    }

    func test_6_2_generate() {
        let exercise = Lesson6Graders.generate
        assertPasses(exercise, { tables, prompt, count, rng in
            var history = prompt
            return (0..<count).map { _ in
                let row = Self.longestRow(tables, history)
                var u = rng.uniform() * Float(row.values.reduce(0, +))
                let keys = row.keys.sorted()
                var code = keys.last!
                for k in keys {
                    u -= Float(row[k]!)
                    if u < 0 { code = k; break }
                }
                history.append(code)
                return code
            }
        }, "a Float drawn in [0, total), the history trimmed from the front")
        assertPasses(exercise, { tables, prompt, count, rng in
            var history = prompt, written: [Int] = []
            while written.count < count {
                let row = Self.longestRow(tables, history)
                let bag = row.flatMap { Array(repeating: $0.key, count: $0.value) }
                let code = bag[rng.int(below: bag.count)]
                history.append(code)
                written.append(code)
            }
            return written
        }, "a bag holding each code as many times as its count, in the dictionary's order")
        assertDiagnosed(exercise, { tables, prompt, count, rng in
            var history = prompt
            return (0..<count).map { _ in
                let code = Self.longestRow(tables, history).keys.sorted().randomElement(using: &rng)!
                history.append(code)
                return code
            }
        }, as: "followers-drawn-alike")
        var system = SystemRandomNumberGenerator()
        let writer = { (tables: [Counts], prompt: [Int], count: Int, rng: inout RNG) -> [Int] in
            var history = prompt
            return (0..<count).map { _ in
                let row = Self.longestRow(tables, history)
                var u = Int.random(in: 0..<row.values.reduce(0, +), using: &system)
                let code = row.keys.sorted().first { u -= row[$0]!; return u < 0 }!
                history.append(code)
                return code
            }
        }
        assertFails(exercise, writer, "a generator of its own, not the rng", saying: ["same seed"])
        assertFails(exercise, { tables, prompt, count, rng in
            var history = prompt
            return (0..<count).map { _ in
                let row = Self.longestRow(tables, history)
                let code = row.keys.max { row[$0]! < row[$1]! || row[$0]! == row[$1]! && $0 > $1 }!
                history.append(code)
                return code
            }
        }, "the most frequent follower, always", saying: ["the first code written", "% of the time"])
    }

    // MARK: - 6.3 add-α

    func test_6_3_addAlpha() {
        let exercise = Lesson6Graders.addAlpha
        assertPasses(exercise, { counts, context, next, alpha, vocabulary in
            var total = 0, seen = 0
            for (code, n) in counts[Array(context)] ?? [:] {
                total += n
                if code == next { seen = n }
            }
            return (Double(seen) + alpha) / (Double(total) + alpha * Double(vocabulary))
        }, "the total and the count in one loop")
        assertPasses(exercise, { counts, context, next, alpha, vocabulary in
            let row = counts[Array(context)] ?? [:]
            let top = Float(row[next] ?? 0) + Float(alpha), bottom = Float(row.values.reduce(0, +)) + Float(alpha) * Float(vocabulary)
            return Double(top / bottom)
        }, "worked out in Float")
        assertPasses(exercise, { counts, context, next, alpha, vocabulary in
            guard let row = counts[Array(context)] else { return 1 / Double(vocabulary) }
            return Foundation.exp(Foundation.log(Double(row[next] ?? 0) + alpha) - Foundation.log(Double(row.values.reduce(0, +)) + alpha * Double(vocabulary)))
        }, "through logs, an unseen context as its own case")
        assertDiagnosed(exercise, { counts, context, next, alpha, vocabulary in
            let row = counts[Array(context)] ?? [:]
            return (Double(row[next] ?? 0) + alpha) / (Double(row.values.reduce(0, +)) + alpha)
        }, as: "alpha-once-below")
        // The context less its oldest code: a key of the wrong order, which no row has.
        assertFails(exercise, { counts, context, next, alpha, vocabulary in
            let row = counts[Array(context.dropFirst())] ?? [:]
            return (Double(row[next] ?? 0) + alpha) / (Double(row.values.reduce(0, +)) + alpha * Double(vocabulary))
        }, "the context one code short", saying: ["expected"])
    }

    // MARK: - 6.4 back-off

    func test_6_4_backoff() {
        let exercise = Lesson6Graders.backoff
        func add(_ row: [Int: Int], _ next: Int, _ alpha: Double, _ v: Int) -> Double {
            (Double(row[next] ?? 0) + alpha) / (Double(row.values.reduce(0, +)) + alpha * Double(v))
        }
        assertPasses(exercise, { tables, context, next, alpha, vocabulary in
            add(Self.longestRow(tables, Array(context)), next, alpha, vocabulary)
        }, "the context trimmed from the front until it is seen")
        func recursive(_ tables: [Counts], _ end: ArraySlice<Int>, _ next: Int, _ alpha: Double, _ v: Int) -> Double {
            if end.count < tables.count, let row = tables[end.count][Array(end)] { return add(row, next, alpha, v) }
            return recursive(tables, end.dropFirst(), next, alpha, v)
        }
        assertPasses(exercise, { tables, context, next, alpha, vocabulary in
            recursive(tables, context, next, alpha, vocabulary)
        }, "by recursion on the context less its first code")
        assertDiagnosed(exercise, { tables, context, next, alpha, vocabulary in
            var end = ArraySlice(context.suffix(tables.count - 1))
            while !end.isEmpty, tables[end.count][Array(end)]?[next] == nil { end = end.dropFirst() }
            return add(tables[end.count][Array(end)]!, next, alpha, vocabulary)
        }, as: "backs-off-per-character")
        assertDiagnosed(exercise, { tables, context, next, alpha, vocabulary in
            add(tables[0][[]]!, next, alpha, vocabulary)
        }, as: "shortest-context-first")
        // Backing off one order only, then uniform.
        assertFails(exercise, { tables, context, next, alpha, vocabulary in
            let n = min(tables.count - 1, context.count)
            for k in [n, max(n - 1, 0)] {
                if let row = tables[k][Array(context.suffix(k))] { return add(row, next, alpha, vocabulary) }
            }
            return 1 / Double(vocabulary)
        }, "one order back, then 1/V", saying: ["expected"])
    }

    // MARK: - 6.5 interpolation

    func test_6_5_interpolated() {
        let exercise = Lesson6Graders.interpolated
        func recursive(_ tables: [Counts], _ context: ArraySlice<Int>, _ k: Int, _ next: Int, _ beta: Double, _ v: Int) -> Double {
            let shorter = k == 0 ? 1 / Double(v) : recursive(tables, context, k - 1, next, beta, v)
            guard k <= context.count, let row = tables[k][Array(context.suffix(k))] else { return shorter }
            return (Double(row[next] ?? 0) + beta * shorter) / (Double(row.values.reduce(0, +)) + beta)
        }
        assertPasses(exercise, { tables, context, next, beta, vocabulary in
            recursive(tables, context, tables.count - 1, next, beta, vocabulary)
        }, "recursive, an unseen order handing on the shorter one's p")
        assertPasses(exercise, { tables, context, next, beta, vocabulary in
            var p = 1 / Double(vocabulary)
            for k in 0..<tables.count where k <= context.count {
                guard let row = tables[k][Array(context.suffix(k))] else { continue }
                let c = Double(row[next] ?? 0), total = Double(row.values.reduce(0, +))
                let weight = total / (total + beta)
                p = weight * (c / total) + (1 - weight) * p
            }
            return p
        }, "as a weighted mean of the counts' share and p, carrying on past an unseen order")
        assertDiagnosed(exercise, { tables, context, next, beta, vocabulary in
            var p = 1 / Double(vocabulary)
            for k in 0..<tables.count where k <= context.count {
                guard let row = tables[k][Array(context.suffix(k))] else { return 0 }
                p = (Double(row[next] ?? 0) + beta * p) / (Double(row.values.reduce(0, +)) + beta)
            }
            return p
        }, as: "unseen-order-gives-zero")
        // Fixed weights (Jelinek–Mercer, λ = ½): a distribution, but not this one.
        assertFails(exercise, { tables, context, next, beta, vocabulary in
            var p = 1 / Double(vocabulary)
            for k in 0..<tables.count where k <= context.count {
                guard let row = tables[k][Array(context.suffix(k))] else { break }
                p = 0.5 * Double(row[next] ?? 0) / Double(row.values.reduce(0, +)) + 0.5 * p
            }
            return p
        }, "fixed weights of ½", saying: ["expected", "shared out differently"])
    }

    // MARK: - 6.6 held-out bits

    static func count(_ codes: [Int], _ order: Int) -> Counts {
        var counts: Counts = [:]
        if codes.count > order { for i in order..<codes.count { counts[Array(codes[(i - order)..<i]), default: [:]][codes[i], default: 0] += 1 } }
        return counts
    }

    func test_6_6_heldOutBits() {
        let exercise = Lesson6Graders.heldOutBits
        assertPasses(exercise, { codes, cut, maxOrder, probability in
            let tables = (0...maxOrder).map { Self.count(Array(codes[..<cut]), $0) }
            var nats = [Double](repeating: 0, count: maxOrder + 1)
            for t in cut..<codes.count {
                for n in 0...maxOrder {
                    let p = try probability(Array(tables.prefix(n + 1)), codes[max(0, t - n)..<t], codes[t])
                    if p.isNaN || p <= 0 || p > 1 { throw AlternativeProbabilityError(t: t) }
                    nats[n] -= Foundation.log(p)
                }
            }
            return nats.map { $0 / Foundation.log(2) / Double(codes.count - cut) }
        }, "t outside and N inside, in nats divided by ln 2")
        assertPasses(exercise, { codes, cut, maxOrder, probability in
            try (0...maxOrder).map { n in
                let model = (0...n).map { Self.count(Array(codes.prefix(cut)), $0) }
                let bits = try (cut..<codes.count).map { t -> Double in
                    let p = try probability(model, ArraySlice(Array(codes[max(0, t - n)..<t])), codes[t])
                    guard p > 0, p <= 1 else { throw AlternativeProbabilityError(t: t) }
                    return -log2(p)
                }
                return bits.reduce(0, +) / Double(bits.count)
            }
        }, "the tables counted afresh for each N, the context as a new array")
        assertDiagnosed(exercise, { codes, cut, maxOrder, probability in
            let tables = (0...maxOrder).map { Self.count(codes, $0) }
            return try (0...maxOrder).map { n in
                try (cut..<codes.count).map { t -> Double in
                    let p = try probability(Array(tables[0...n]), codes[max(0, t - n)..<t], codes[t])
                    guard p > 0, p <= 1 else { throw AlternativeProbabilityError(t: t) }
                    return -log2(p)
                }.reduce(0, +) / Double(codes.count - cut)
            }
        }, as: "held-out-text-counted")
        // A check on 0 alone: NaN and 1.5 go through.
        assertFails(exercise, { codes, cut, maxOrder, probability in
            let tables = (0...maxOrder).map { Self.count(Array(codes[..<cut]), $0) }
            return try (0...maxOrder).map { n in
                try (cut..<codes.count).map { t -> Double in
                    let p = try probability(Array(tables[0...n]), codes[max(0, t - n)..<t], codes[t])
                    if p == 0 { throw AlternativeProbabilityError(t: t) }
                    return -log2(p)
                }.reduce(0, +) / Double(codes.count - cut)
            }
        }, "only 0 is refused", saying: ["returned without throwing", "NaN"])
        // Zeros clamped to a tiny probability instead of refused.
        assertFails(exercise, { codes, cut, maxOrder, probability in
            let tables = (0...maxOrder).map { Self.count(Array(codes[..<cut]), $0) }
            return try (0...maxOrder).map { n in
                try (cut..<codes.count).map { t -> Double in
                    let p = try probability(Array(tables[0...n]), codes[max(0, t - n)..<t], codes[t])
                    return -log2(min(max(p.isNaN ? 1e-12 : p, 1e-12), 1))
                }.reduce(0, +) / Double(codes.count - cut)
            }
        }, "zeros clamped to 1e-12", saying: ["returned without throwing"])
    }
}

/// An error of the alternatives' own that names the character, as ProbabilityError does.
struct AlternativeProbabilityError: Error, CustomStringConvertible {
    let t: Int
    var description: String { "character \(t) has no probability" }
}
