import Autograd
import Foundation
@testable import Grading
import Solution9
import XCTest

/// Correct implementations of lesson 9's exercises written differently from the reference
/// (a parser by regular expression, the label from a sort, codes from Unicode scalars and a
/// dictionary, the pooling by matmul with the mask): every grader must pass them. Every known
/// mistake is named, wrong answers written differently are named too, and a wrong answer no
/// mistake fits fails with a message that says what differs.
final class LessonNineAlternativesTests: XCTestCase {
    typealias Fields = Lesson9Graders.TermFields

    func test_graders_are_proven() {
        for exercise in Lesson9Graders.all {
            XCTAssertGreaterThanOrEqual(exercise.mistakeCount, 4, exercise.id)
            for problem in exercise.prove() { XCTFail(problem) }
        }
    }

    // MARK: - 9.1 terms

    /// A parser by regular expression: a term is an optional '-', a number, a letter and a power.
    static func termsByRegex(_ expression: String) throws -> [Fields] {
        let pattern = try NSRegularExpression(pattern: #"(^|(?<= [+-] ))(-?[0-9.]*)([a-z]?)(\^([0-9]+))?"#)
        let ns = expression as NSString
        return pattern.matches(in: expression, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            guard m.range.length > 0 else { return nil }
            let letter = m.range(at: 3).length > 0 ? Character(ns.substring(with: m.range(at: 3))) : nil
            let power = m.range(at: 5).location != NSNotFound ? Int(ns.substring(with: m.range(at: 5))) : nil
            return (ns.substring(with: m.range), letter, power, m.range.location, m.range.location + m.range.length)
        }
    }

    func test_9_1_terms() {
        let exercise = Lesson9Graders.terms
        assertPasses(exercise, { try Self.termsByRegex($0) }, "a regular expression")
        assertPasses(exercise, { e in
            // Split at " + " and " - " (the operators always have spaces around them).
            var out: [Fields] = []
            var start = 0
            let chars = Array(e)
            var i = 0
            while i <= chars.count {
                if i == chars.count || (i + 2 < chars.count && chars[i] == " " && "+-".contains(chars[i + 1]) && chars[i + 2] == " ") {
                    let text = String(chars[start..<i])
                    let body = text.drop { $0 == "-" || $0.isNumber || $0 == "." }
                    let power = body.split(separator: "^").dropFirst().first.flatMap { Int($0) }
                    out.append((text, body.first, power, start, i))
                    start = i + 3
                    i += 3
                } else { i += 1 }
            }
            return out
        }, "split at the spaced operators")
        assertDiagnosed(exercise, { e in
            try Solution9.terms(of: e).map { t in
                var f = Lesson9Graders.fields(t)
                if let p = t.power, p > 9 { f.power = p / 10; f.end -= 1; f.text.removeLast() }
                return f
            }
        }, as: "one-digit-power")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        // Spans one too far: what differs is named.
        assertFails(exercise, { e in try Solution9.terms(of: e).map { t in (t.text, t.variable, t.power, t.start, t.end + 1) } },
                    "ends one too far", saying: ["differs", "expected"])
    }

    // MARK: - 9.2 the label

    func test_9_2_likeTermCount() {
        let exercise = Lesson9Graders.likeTermCount
        assertPasses(exercise, { terms in
            let keys = terms.map { Lesson9Graders.term($0).key }
            return keys.filter { k in keys.filter { $0 == k }.count > 1 }.count
        }, "each term checked against all the others")
        assertPasses(exercise, { terms in
            let keys = terms.map { Lesson9Graders.term($0).key }.sorted()
            var total = 0, run = 1
            for i in keys.indices.dropFirst() {
                if keys[i] == keys[i - 1] { run += 1 } else { if run > 1 { total += run }; run = 1 }
            }
            return keys.isEmpty ? 0 : total + (run > 1 ? run : 0)
        }, "runs of a sorted list")
        assertDiagnosed(exercise, { terms in
            Set(terms.map { Lesson9Graders.term($0).key }).filter { k in terms.filter { Lesson9Graders.term($0).key == k }.count >= 2 }.count
        }, as: "counted-the-groups")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { terms in terms.count > 3 ? 1 : 0 }, "a guess from the length", saying: ["the count for", "expected"])
    }

    // MARK: - 9.3 character codes

    func test_9_3_characterCodes() {
        let exercise = Lesson9Graders.characterCodes
        let table = Dictionary(uniqueKeysWithValues: characterAlphabet.enumerated().map { ($1, $0 + 1) })
        assertPasses(exercise, { text in
            try text.map { c in
                guard let code = table[c] else { throw ExpressionError("\(c)") }
                return code
            }
        }, "a dictionary")
        assertPasses(exercise, { text in
            try text.unicodeScalars.map { u -> Int in
                switch u {
                case " ": return 1
                case "+": return 2
                case "-": return 3
                case ".": return 4
                case "^": return 5
                case "0"..."9": return 6 + Int(u.value - 48)
                case "a"..."z": return 16 + Int(u.value - 97)
                default: throw ExpressionError("\(u)")
                }
            }
        }, "Unicode scalars by range")
        assertDiagnosed(exercise, { text in text.compactMap { c in table[c] } }, as: "unknown-skipped")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { text in try text.map { c in guard let k = table[c] else { throw ExpressionError("\(c)") }; return k == 1 ? 41 : k } },
                    "the space coded last", saying: ["the codes of", "expected"])
    }

    // MARK: - 9.4 term codes

    func test_9_4_termCodes() {
        let exercise = Lesson9Graders.termCodes
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        assertPasses(exercise, { terms in
            try terms.map { f in
                guard let v = f.variable else { return 105 }
                guard let l = letters.firstIndex(of: v), let p = [nil, 1, 2, 3, 4].firstIndex(of: f.power) else { throw ExpressionError(f.text) }
                return 1 + 4 * l + Swift.max(p - 1, 0)
            }
        }, "the letter's index in a list, the power's in [nil, 1, 2, 3, 4]")
        assertDiagnosed(exercise, { terms in
            try terms.map { f in
                guard let v = f.variable else { return 105 }
                let l = Int(v.asciiValue!) - 97
                guard (0..<26).contains(l), (1...4).contains(f.power ?? 1) else { throw ExpressionError(f.text) }
                return 1 + 4 * l
            }
        }, as: "variable-alone")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { terms in try Solution9.termCodes(terms.map(Lesson9Graders.term)).map { $0 == 105 ? 104 : $0 } },
                    "constants coded 104", saying: ["the codes of", "expected 105"])
    }

    // MARK: - 9.5 pooling

    func test_9_5_pool() {
        let exercise = Lesson9Graders.pool
        assertPasses(exercise, { h, padding, mean in
            // The mask as a [B, 1, T] matrix times h [B, T, E].
            var keep = try (1 - padding).unsqueeze(1)
            if mean { keep = try keep / keep.sum(axis: 2, keepDims: true) }
            return try keep.matmul(h).reshape([h.shape[0], h.shape[2]])
        }, "a matrix product with the mask")
        assertPasses(exercise, { h, padding, mean in
            let filled = try h.maskedFill(padding.unsqueeze(2), 0).sum(axis: 1)
            return mean ? try filled / (Float(padding.shape[1]) - padding.sum(axis: 1, keepDims: true)) : filled
        }, "maskedFill with 0, then T − the padding")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { h, padding, mean in
            let s = try (h * (1 - padding).unsqueeze(2)).sum(axis: 1)
            return mean ? try s / (1 - padding).sum(axis: 1, keepDims: true) : s * 2
        }, "the sum doubled", saying: ["output (sum", "differs"])
    }
}

extension LessonNineAlternativesTests {
    // MARK: - 9.6 like-term attention mass

    func test_9_6_likeTermMass() {
        let exercise = Lesson9Graders.likeTermMass
        assertPasses(exercise, { weights, termOf, keys in
            // A [T, T] mask of (query, like key) pairs, multiplied with the weights by the core.
            let t = weights.shape[0], real = termOf.count
            var like = [Float](repeating: 0, count: t * t), rows = [Float](repeating: 0, count: t)
            for q in 0..<real {
                for s in 0..<real {
                    if let i = termOf[q], let j = termOf[s], i != j, keys[i] == keys[j] { like[q * t + s] = 1 }
                }
                if like[(q * t)..<(q * t + t)].contains(1) { rows[q] = 1 }
            }
            let n = rows.reduce(0, +)
            guard n > 0 else { return (0, 0) }
            let pairs = try Tensor(like, shape: [t, t])
            let mass = try (weights * pairs).sum(axis: 1).scalars
            let chance = try pairs.sum(axis: 1).scalars.map { $0 / Float(real) }
            return (zip(mass, rows).map { $0 * $1 }.reduce(0, +) / n, zip(chance, rows).map { $0 * $1 }.reduce(0, +) / n)
        }, "a mask of like pairs, and the core's sums")
        assertPasses(exercise, { weights, termOf, keys in
            // Group the tokens by key first, then by term.
            let w = weights.scalars, t = weights.shape[1]
            var tokens: [String: [(term: Int, at: Int)]] = [:]
            for (at, term) in termOf.enumerated() { if let term { tokens[keys[term], default: []].append((term, at)) } }
            var sums: (Double, Double, Int) = (0, 0, 0)
            for group in tokens.values where Set(group.map(\.term)).count > 1 {
                for (term, q) in group {
                    let others = group.filter { $0.term != term }
                    sums.0 += others.reduce(0.0) { $0 + Double(w[q * t + $1.at]) }
                    sums.1 += Double(others.count) / Double(termOf.count)
                    sums.2 += 1
                }
            }
            return sums.2 == 0 ? (0, 0) : (Float(sums.0 / Double(sums.2)), Float(sums.1 / Double(sums.2)))
        }, "tokens grouped by key, in Double")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { weights, termOf, keys in
            let r = try Solution9.likeTermMass(weights: weights, termOf: termOf, termKeys: keys)
            return (r.mass / 2, r.chance)
        }, "half the mass", saying: ["the mass and chance of", "differs"])
    }
}

extension LessonNineAlternativesTests {
    // MARK: - 9.7 baselines

    func test_9_7_baselineAccuracies() {
        let exercise = Lesson9Graders.baselineAccuracies
        assertPasses(exercise, { train, test in
            // Counts in a [terms][label] table; the mode by a scan from the smallest label up.
            var table = [[Int]](repeating: [Int](repeating: 0, count: 20), count: 20)
            var all = [Int](repeating: 0, count: 20)
            for p in train { table[p.terms][p.label] += 1; all[p.label] += 1 }
            func mode(_ row: [Int]) -> Int? {
                var best: Int? = nil
                for l in row.indices where row[l] > 0 && row[l] > (best.map { row[$0] } ?? 0) { best = l }
                return best
            }
            let overall = mode(all)!
            var right = (0, 0, 0)
            for p in test {
                if p.label == overall { right.0 += 1 }
                if p.label == p.terms { right.1 += 1 }
                if p.label == (mode(table[p.terms]) ?? overall) { right.2 += 1 }
            }
            let n = Double(test.count)
            return (Double(right.0) / n, Double(right.1) / n, Double(right.2) / n)
        }, "a table of counts and one pass over the test set")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { train, test in
            let r = try Solution9.baselineAccuracies(train: train, test: test)
            return (r.mostFrequent, r.numberOfTerms, r.mostFrequent)
        }, "the third guess left as the first", saying: ["the accuracies", "differs"])
    }
}
