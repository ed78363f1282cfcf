import Autograd
import Foundation
import Solution6

// The graders of lesson 6, continued: held-out bits per character (6.6). The grader hands
// heldOutBits a probability of its own, which records what it is asked: which tables (how
// many, and how much they counted), which contexts, which characters. So the grader sees
// whether the counts came from the training part alone, whether every held-out character
// was scored from the codes before it, and what was done with a probability of 0.

extension Lesson6Graders {
    // MARK: - 6.6 held-out bits

    public typealias Probability = ([Counts], ArraySlice<Int>, Int) throws -> Double
    public typealias HeldOutBits = ([Int], Int, Int, Probability) throws -> [Double]

    /// The probe's texts: "abcabcabca" then "bcdd" held out (cut 10), orders 0–2; and a
    /// longer text that looks like text, 240 codes counted and 60 held out, orders 0–3.
    static let heldOutCases: [(codes: [Int], cut: Int, maxOrder: Int, vocabulary: Int)] = [
        ([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 3], 10, 2, 4),
        (probeText(300, vocabulary: 6, seed: 661), 240, 3, 6),
    ]

    /// The grader's model: add-1 at the model's own order (tables.count − 1), on the last
    /// N codes of the context. Its answers depend on the counts, so counts of the wrong text
    /// change the bits.
    static func addOne(_ tables: [Counts], _ context: ArraySlice<Int>, _ next: Int, vocabulary: Int) -> Double {
        let n = tables.count - 1
        let row = context.count >= n ? tables[n][Array(context.suffix(n))] ?? [:] : [:]
        return Double(row[next, default: 0] + 1) / Double(row.values.reduce(0, +) + vocabulary)
    }

    /// What heldOutBits asked the grader's probability, per order N.
    final class Questions {
        var calls: [Int: Int] = [:]
        var counted: [Int: [Int]] = [:]
        var asked: [Int: [Float]] = [:]
        func note(_ tables: [Counts], _ context: ArraySlice<Int>, _ next: Int) {
            let n = tables.count - 1
            calls[n, default: 0] += 1
            if counted[n] == nil { counted[n] = tables.map { $0.values.reduce(0) { $0 + $1.values.reduce(0, +) } } }
            asked[n, default: []] += context.map(Float.init) + [-1, Float(next), -2]
        }
    }

    /// For `answer`'s odd cases: the one question it answers oddly, at order 1 of the first
    /// text — the character at 12 (code 3) after the context [2].
    static func isTwelve(_ tables: [Counts], _ context: ArraySlice<Int>, _ next: Int) -> Bool {
        tables.count == 2 && Array(context) == [2] && next == 3
    }

    /// The answers that must make heldOutBits throw (0, NaN, above 1), and 1, which must not.
    static let oddAnswers: [(name: String, p: Double, throws: Bool)] = [
        ("0", 0, true), ("NaN", .nan, true), ("1.5", 1.5, true), ("−0.25", -0.25, true), ("1", 1, false),
    ]

    static func heldOutProbe(_ bits: HeldOutBits) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in heldOutCases.enumerated() {
            let name = "bits per character of text #\(k + 1), N = 0…\(c.maxOrder)"
            try Probes.attempt(name, into: &outcome) { o in
                let questions = Questions()
                let result = try bits(c.codes, c.cut, c.maxOrder) { tables, context, next in
                    questions.note(tables, context, next)
                    return addOne(tables, context, next, vocabulary: c.vocabulary)
                }
                o.record(name, result.map(Float.init))
                for n in 0...c.maxOrder {
                    o.record("how many characters were scored by the model of order \(n), text #\(k + 1)", Float(questions.calls[n, default: 0]))
                    o.record("what each table handed to the model of order \(n) counted (pairs), text #\(k + 1)", (questions.counted[n] ?? []).map(Float.init))
                    if k == 0 { o.record("the contexts and characters asked about at order \(n), text #1", questions.asked[n] ?? []) }
                }
            }
        }
        let c = heldOutCases[0]
        for odd in oddAnswers {
            let name = "text #1 with a model that gives the character at 12 probability \(odd.name)"
            try Probes.attempt(name, into: &outcome) { o in
                do {
                    let result = try bits(c.codes, c.cut, c.maxOrder) { tables, context, next in
                        isTwelve(tables, context, next) ? odd.p : addOne(tables, context, next, vocabulary: c.vocabulary)
                    }
                    o.record("\(name): threw (1: yes)", 0)
                    o.record("\(name): bits", result.map { $0.isFinite ? Float($0) : -1 })
                } catch let todo as TODO {
                    throw todo
                } catch {
                    o.record("\(name): threw (1: yes)", 1)
                    o.record("\(name): the error names the character, 12 (1: yes)", "\(error)".contains("12") ? 1 : 0)
                }
            }
        }
        return outcome
    }

    /// Names what differs, in the order that explains most: the tables' counts (the
    /// training part alone, with 6.1), how many characters were scored, the contexts asked
    /// about, what happened to a probability outside (0, 1], and only then the bits.
    static func heldOutRule(_ got: Outcome, _ want: Outcome) -> String? {
        for (k, c) in heldOutCases.enumerated() {
            let text = "text #\(k + 1) (\(c.codes.count) codes, cut \(c.cut))"
            for n in 0...c.maxOrder {
                let counted = "what each table handed to the model of order \(n) counted (pairs), text #\(k + 1)"
                if let g = got[counted], let w = want[counted], g.values != w.values {
                    let mine = g.values.map { Int($0) }, right = w.values.map { Int($0) }
                    if mine.count != right.count {
                        return "on \(text) the model of order \(n) was handed \(mine.count) tables, where it needs \(n + 1): orders 0…\(n), tables[0...\(n)]"
                    }
                    let j = mine.indices.first { mine[$0] != right[$0] }!
                    if mine[j] == c.codes.count - j {
                        return "on \(text) the table of order \(j) counted \(mine[j]) pairs: the whole text, held-out part included — a model that has counted the text it is scored on has seen the answers. Count codes[..<cut] only"
                    }
                    if mine[j] == right[j] - 1 {
                        return "on \(text) the table of order \(j) counted \(mine[j]) pairs, one fewer than codes[..<cut] has (\(right[j])): does countNext count the last pair? Check 6.1 (`swift run tutor check 6.1`)"
                    }
                    return "on \(text) the table of order \(j) handed to the model counted \(mine[j]) pairs, where countNext(codes[..<cut], order: \(j)) counts \(right[j])"
                }
                let scored = "how many characters were scored by the model of order \(n), text #\(k + 1)"
                if let g = got[scored], let w = want[scored], g.values != w.values {
                    return "on \(text) the model of order \(n) scored \(Int(g.values[0])) characters, where the held-out part has \(Int(w.values[0])) (t in cut..<codes.count, every one — the first N too, whose contexts reach back into the training part)"
                }
                let asked = "the contexts and characters asked about at order \(n), text #1"
                if k == 0, let g = got[asked], let w = want[asked], g.values != w.values {
                    return "on \(text) the model of order \(n) was asked about \(questionsText(g.values)), where the held-out characters and the \(n) codes before each are \(questionsText(w.values)): the context of t is codes[t − N ..< t], the codes BEFORE it"
                }
            }
        }
        for odd in oddAnswers {
            let name = "text #1 with a model that gives the character at 12 probability \(odd.name)"
            guard let g = got["\(name): threw (1: yes)"] else { continue }
            if odd.throws && g.values != [1] {
                return "with a model that gives the character at 12 probability \(odd.name), heldOutBits returned without throwing: a probability of 0 costs ∞ bits, and NaN, a negative number or one above 1 is no probability at all — check p > 0 && p <= 1 (which NaN fails too) and throw ProbabilityError(target: t, order: N, probability: p)"
            }
            if !odd.throws && g.values != [0] {
                return "with a model that gives the character at 12 probability 1, heldOutBits threw: a certain character costs −log₂ 1 = 0 bits, which is fine — throw only when p is not in (0, 1]"
            }
            if odd.throws, let named = got["\(name): the error names the character, 12 (1: yes)"], named.values != [1] {
                return "with a model that gives the character at 12 probability \(odd.name), heldOutBits threw an error that does not say which character: name it (ProbabilityError(target: t, order: N, probability: p) does)"
            }
        }
        return got.difference(from: want, tolerance: Tolerance(atol: 1e-5, rtol: 1e-5))
    }

    /// Recorded questions as text: [1, 2] → 0, [2] → 3, ….
    static func questionsText(_ values: [Float]) -> String {
        var parts: [String] = [], context: [Int] = [], next: Int?, afterMark = false
        for v in values.map({ Int($0) }) {
            switch v {
            case -1: afterMark = true
            case -2:
                parts.append("\(codesText(context)) → \(next.map(String.init) ?? "?")")
                (context, next, afterMark) = ([], nil, false)
            default: if afterMark { next = v } else { context.append(v) }
            }
        }
        return parts.count > 5 ? parts.prefix(5).joined(separator: ", ") + ", …" : parts.joined(separator: ", ")
    }

    // BEGIN INSTRUCTOR
    /// One change to heldOutBits (6.6's known mistakes).
    enum HeldOutChange { case countsEverything, naturalLog, contextHoldsTarget, firstSkipped, lastPairDropped, noGuard, summed }

    static func heldOutWith(_ change: HeldOutChange) -> HeldOutBits {
        { codes, cut, maxOrder, probability in
            let counted = change == .countsEverything ? codes : Array(codes[..<cut])
            let tables = try (0...maxOrder).map { order -> Counts in
                change == .lastPairDropped ? try Solution6.countNext(Array(counted.dropLast()), order: order) : try Solution6.countNext(counted, order: order)
            }
            return try (0...maxOrder).map { n in
                let model = Array(tables[0...n])
                let targets = change == .firstSkipped ? (cut + n)..<codes.count : cut..<codes.count
                var total = 0.0
                for t in targets {
                    let context = change == .contextHoldsTarget ? (n == 0 ? codes[t..<t] : codes[Swift.max(0, t - n + 1)...t]) : codes[Swift.max(0, t - n)..<t]
                    let p = try probability(model, context, codes[t])
                    if change != .noGuard, !(p > 0 && p <= 1) { throw Solution6.ProbabilityError(target: t, order: n, probability: p) }
                    total += change == .naturalLog ? -Foundation.log(p) : -log2(p)
                }
                return change == .summed ? total : total / Double(targets.count)
            }
        }
    }
    // END INSTRUCTOR

    public static let heldOutBits = Exercise<HeldOutBits>(
        id: "6.6", title: "Held-out bits per character", symbol: "heldOutBits(_:cut:maxOrder:probability:)", file: "Lessons/Lesson6/HeldOut.swift",
        reference: { try Solution6.heldOutBits($0, cut: $1, maxOrder: $2, probability: $3) },
        mistakes: [
            Mistake("held-out-text-counted", "the counts are made from the whole text, the held-out part included",
                    feedback: "A model that has counted the text it is scored on has been told the answers: at order 10 nearly every held-out context occurs once, followed by exactly the character that follows it, and the bits fall towards 0 (on the lessons, 1.0 bits per character — \"better\" than the LSTM, and meaningless). Count codes[..<cut] only; the held-out part is only for scoring.",
                    heldOutWith(.countsEverything)),
            Mistake("natural-log", "−ln p is averaged, not −log₂ p: nats per character",
                    feedback: "The natural logarithm measures in nats; one bit is ln 2 ≈ 0.693 nats, so the figure is 0.69 of the bits and not comparable with lesson 5's bits per character. Use log2(p), or divide the nats by log(2).",
                    heldOutWith(.naturalLog)),
            Mistake("context-holds-the-target", "the context handed over is codes[t − N + 1 … t]: it ends with the character being scored",
                    feedback: "The model must guess codes[t] from what comes BEFORE it: codes[t − N ..< t], half-open, ending at t − 1. A context that holds the answer is scored on the wrong pairs altogether.",
                    heldOutWith(.contextHoldsTarget)),
            Mistake("first-characters-skipped", "the first N held-out characters are not scored: t starts at cut + N",
                    feedback: "The context of the first held-out characters reaches back into the training part — that is fine: those codes are known when the character is guessed; only the COUNTS must come from codes[..<cut]. Skipping them makes each N score a different set of characters, and the figures of two orders cannot be compared. Score every t in cut..<codes.count (the context from max(0, t − N)).",
                    heldOutWith(.firstSkipped)),
            Mistake("last-pair-dropped", "the tables lose the last pair of the training part (countNext's loop stops one early)",
                    feedback: "The tables handed to the model hold one pair fewer than codes[..<cut] has. heldOutBits counts with your countNext: make 6.1 pass first (`swift run tutor check 6.1`), then this one.",
                    heldOutWith(.lastPairDropped)),
            Mistake("no-probability-check", "a probability of 0 (or NaN, or above 1) is used as it is: the bits come out ∞ or NaN",
                    feedback: "−log₂ 0 is ∞, and one ∞ makes the mean ∞: a figure that says nothing about the model except that one character got 0. Check every p — guard p > 0, p <= 1 (NaN fails both) — and throw ProbabilityError(target: t, order: N, probability: p), which names the character and the order, so the smoothing can be fixed.",
                    heldOutWith(.noGuard)),
            Mistake("bits-summed", "the bits of every held-out character are added up, not averaged",
                    feedback: "Bits PER CHARACTER is a mean: a sum grows with the length of the held-out part, and cannot be compared with lesson 5's 2.5 or with another text. Divide the total by the number of characters scored, codes.count − cut.",
                    heldOutWith(.summed)),
        ],
        criterion: .rule(heldOutRule),
        mistakeTolerance: Tolerance(atol: 1e-5, rtol: 1e-5),
        probe: heldOutProbe
    )
}
