import Autograd
import Foundation
import Solution6

/// The graders of lesson 6: the Markov baseline.
public enum Lesson6Graders {
    /// The counts of one order: context → next code → count (lesson 6's `Counts`).
    public typealias Counts = [[Int]: [Int: Int]]

    // MARK: - Texts and tables the probes share

    /// A text of `count` codes in 0..<`vocabulary` − `unused` from a fixed seed, each code
    /// following the one before with a preference (code c is followed by c + 1 half the time),
    /// so that contexts repeat and some are seen once: a small text that looks like text.
    static func probeText(_ count: Int, vocabulary: Int, unused: Int = 0, seed: UInt64) -> [Int] {
        var rng = RNG(seed: seed)
        let used = vocabulary - unused
        var codes = [rng.int(below: used)]
        while codes.count < count {
            codes.append(rng.uniform() < 0.5 ? (codes[codes.count - 1] + 1) % used : rng.int(below: used))
        }
        return codes
    }

    /// The counts of one order, as the grader makes its inputs (every window of order + 1
    /// codes, the last included).
    static func tally(_ codes: [Int], order: Int) -> Counts {
        var table: Counts = [:]
        var start = 0
        while start + order < codes.count {
            let window = codes[start...(start + order)]
            table[Array(window.dropLast()), default: [:]][window.last!, default: 0] += 1
            start += 1
        }
        return table
    }

    /// The tables of orders 0…maxOrder of `codes`, as the grader makes its inputs.
    static func tables(_ codes: [Int], maxOrder: Int) -> [Counts] { (0...maxOrder).map { tally(codes, order: $0) } }

    /// A table as numbers: contexts in increasing order, each as its codes, −1, then each
    /// (next, count) in increasing order of next, then −2.
    static func flattened(_ table: Counts) -> [Float] {
        table.keys.sorted { $0.lexicographicallyPrecedes($1) }.flatMap { context -> [Float] in
            let row = table[context]!
            return context.map(Float.init) + [-1] + row.keys.sorted().flatMap { [Float($0), Float(row[$0]!)] } + [-2]
        }
    }

    /// `flattened` read back.
    static func unflattened(_ values: [Float]) -> Counts {
        var table: Counts = [:], context: [Int] = [], row: [Int: Int] = [:], inRow = false, pending: Int?
        for v in values.map({ Int($0) }) {
            if v == -2 {
                table[context] = row
                (context, row, inRow) = ([], [:], false)
            } else if v == -1 {
                inRow = true
            } else if !inRow {
                context.append(v)
            } else if let next = pending {
                row[next] = v
                pending = nil
            } else {
                pending = v
            }
        }
        return table
    }

    /// A row as Swift prints a dictionary, its keys in order: [1: 2, 3: 1].
    static func rowText(_ row: [Int: Int]?) -> String {
        guard let row, !row.isEmpty else { return "nothing" }
        return "[" + row.keys.sorted().map { "\($0): \(row[$0]!)" }.joined(separator: ", ") + "]"
    }

    static func codesText(_ codes: [Int]) -> String { "[" + codes.map(String.init).joined(separator: ", ") + "]" }

    // MARK: - 6.1 counting

    public typealias CountNext = ([Int], Int) throws -> Counts

    /// Texts and orders: "abcab" at every order up to past its length, the empty text, one
    /// code, a run of one code, and two longer texts that look like text.
    static let countingCases: [(codes: [Int], orders: [Int])] = [
        ([0, 1, 2, 0, 1], [0, 1, 2, 3, 4, 5, 7]),
        ([], [0, 1]),
        ([3], [0, 1]),
        ([2, 2, 2, 2], [1, 2]),
        (probeText(120, vocabulary: 4, seed: 611), [0, 1, 2, 3]),
        (probeText(400, vocabulary: 7, unused: 1, seed: 612), [0, 2, 4, 6]),
    ]

    static func countingName(_ k: Int, order: Int) -> String {
        let codes = countingCases[k].codes
        let text = codes.count <= 8 ? codesText(codes) : "(\(codes.count) codes)"
        return "the counts of order \(order) of text #\(k + 1) \(text)"
    }

    static func countingProbe(_ count: CountNext) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in countingCases.enumerated() {
            for order in c.orders {
                let name = countingName(k, order: order)
                try Probes.attempt(name, into: &outcome) { o in
                    let table = try count(c.codes, order)
                    o.record(name, flattened(table))
                    o.record("how many pairs were counted, order \(order) of text #\(k + 1)", Float(table.values.reduce(0) { $0 + $1.values.reduce(0, +) }))
                }
            }
        }
        return outcome
    }

    /// Names the first table that differs, and how: how many pairs it counted against the
    /// text's windows, a context of the wrong length, or the first context whose row differs.
    static func countingRule(_ got: Outcome, _ want: Outcome) -> String? {
        for (k, c) in countingCases.enumerated() {
            for order in c.orders {
                let name = countingName(k, order: order)
                guard let w = want[name] else { continue }
                guard let g = got[name] else { return got.difference(from: want, tolerance: Tolerance(atol: 0, rtol: 0)) ?? "\(name) is missing" }
                if g.values == w.values { continue }
                let mine = unflattened(g.values), right = unflattened(w.values)
                let windows = Swift.max(c.codes.count - order, 0)
                let pairs = mine.values.reduce(0) { $0 + $1.values.reduce(0, +) }
                let what = "\(name): "
                if pairs != windows {
                    return what + "\(pairs) pairs were counted, where a text of \(c.codes.count) codes has \(windows) windows of order + 1 codes (one pair for each i in order..<codes.count, the last one included)"
                }
                if let wrong = mine.keys.first(where: { $0.count != order }) {
                    return what + "the context \(codesText(wrong)) has \(wrong.count) codes, where a context of order \(order) holds the \(order) codes before the one that follows"
                }
                let contexts = Set(mine.keys).union(right.keys).sorted { $0.lexicographicallyPrecedes($1) }
                if let context = contexts.first(where: { mine[$0] != right[$0] }) {
                    return what + "after the context \(codesText(context)) your table has \(rowText(mine[context])), where the text has \(rowText(right[context]))"
                }
                return what + "the table differs"
            }
        }
        return nil
    }

    // BEGIN INSTRUCTOR
    /// One change to the counting (6.1's known mistakes).
    enum CountingChange { case lastPairDropped, contextHoldsNext, contextOneShort, noEmptyContext, distinctOnly }

    static func countedWith(_ change: CountingChange) -> CountNext {
        { codes, order in
            if change == .noEmptyContext, order == 0 { return [:] }
            var counts: Counts = [:]
            let end = change == .lastPairDropped ? codes.count - 1 : codes.count
            guard end > order else { return counts }
            for i in order..<end {
                let context: [Int]
                switch change {
                case .contextHoldsNext where order > 0: context = Array(codes[(i - order + 1)...i])
                case .contextOneShort where order > 0: context = Array(codes[(i - order + 1)..<i])
                default: context = Array(codes[(i - order)..<i])
                }
                if change == .distinctOnly {
                    counts[context, default: [:]][codes[i]] = 1
                } else {
                    counts[context, default: [:]][codes[i], default: 0] += 1
                }
            }
            return counts
        }
    }
    // END INSTRUCTOR

    public static let countNext = Exercise<CountNext>(
        id: "6.1", title: "Counting what follows what", symbol: "countNext(_:order:)", file: "Lessons/Lesson6/Counting.swift",
        reference: { try Solution6.countNext($0, order: $1) },
        mistakes: [
            Mistake("last-pair-dropped", "the last pair is not counted: i stops at codes.count − 2 (the source notebook's loop)",
                    feedback: "A text of n codes has n − N windows, and the last one — the context that ends one code before the text does, followed by the last code — is as real as the others. Dropping it loses a count, and when that context occurs nowhere else (the text's last words are often unique), the context itself: writing from the counts then meets a context it cannot continue. Let i run through codes.count − 1: for i in order..<codes.count.",
                    countedWith(.lastPairDropped)),
            Mistake("context-holds-the-next-code", "the context is codes[i − order + 1 … i]: it ends with the code it should predict",
                    feedback: "A context must be what comes BEFORE the code: codes[i − order ..< i], half-open, ending at i − 1. With a closed range ending at i, every context holds its own next code, and every row has one follower — the model would be perfect on the text and useless on anything else. Use codes[(i − order)..<i].",
                    countedWith(.contextHoldsNext)),
            Mistake("context-one-short", "the context has order − 1 codes: codes[i − order + 1 ..< i]",
                    feedback: "For order N the context is the N codes before i: from i − N up to i − 1, which codes[(i − N)..<i] gives. Starting at i − N + 1 leaves N − 1 codes, so the table of order N holds the counts of order N − 1.",
                    countedWith(.contextOneShort)),
            Mistake("order-zero-empty", "order 0 gives an empty table: the context [] is missing",
                    feedback: "Order 0 has one context, the empty one, and every code of the text follows it: its row is how often each character occurs. The same loop gives it — for order 0, codes[i..<i] is empty — so no special case is needed; back-off and interpolation end there, and need it.",
                    countedWith(.noEmptyContext)),
            Mistake("counts-set-to-one", "each pair is set to 1, not incremented: the table says which codes followed, not how often",
                    feedback: "counts[context, default: [:]][next] = 1 records that the pair occurred, once, however often it did. The counts are the model: \"e\" after \"th\" sixty times and \"a\" once must not weigh the same. Add one: [next, default: 0] += 1.",
                    countedWith(.distinctOnly)),
        ],
        criterion: .rule(countingRule),
        mistakeTolerance: Tolerance(atol: 0, rtol: 0),
        probe: countingProbe
    )

    // MARK: - 6.2 writing from the counts

    public typealias Generate = ([Counts], [Int], Int, inout RNG) throws -> [Int]

    /// The probe's model, orders 0–2 over 5 codes (code 4 never seen): rows with unequal
    /// counts, and a dead end, as a text's last characters are: after [1] → 3, neither
    /// [1, 3] nor [3] was ever followed by anything, and only [] is left. Every seen
    /// context's end is seen too, as in tables counted from a text.
    static let writingTables: [Counts] = [
        [[]: [0: 6, 1: 3, 2: 2, 3: 1]],
        [[0]: [1: 3, 2: 1], [1]: [0: 2, 2: 1, 3: 1], [2]: [0: 2]],
        [[0, 1]: [2: 3, 0: 1], [1, 0]: [1: 1], [2, 0]: [1: 3, 2: 1], [1, 2]: [0: 1], [0, 2]: [0: 1]],
    ]

    /// Prompts and what decides their first code: a seen context of order 2; a prompt longer
    /// than the order; order 2 unseen but its last code seen; nothing seen but []; no prompt;
    /// a prompt shorter than the order.
    static let writingPrompts: [(prompt: [Int], row: String)] = [
        ([2, 0], "the context [2, 0]"), ([3, 0, 1], "its last two codes, [0, 1]"), ([4, 0], "[0] ([4, 0] was never seen)"),
        ([0, 4], "[] (neither [0, 4] nor [4] was seen)"), ([], "[]"), ([1], "[1]"),
    ]
    static let firstDraws = 8000

    /// Which row the model draws from after `history`: the longest seen suffix (the probe's
    /// own search, from the shortest up).
    static func rowInUse(_ tables: [Counts], after history: [Int]) -> [Int: Int] {
        var row = tables[0][[]]!
        for k in 1..<tables.count where k <= history.count {
            guard let longer = tables[k][Array(history[(history.count - k)...])] else { break }
            row = longer
        }
        return row
    }

    static func writingProbe(_ generate: Generate) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in writingPrompts.enumerated() {
            let name = "how often each code is written first after the prompt \(codesText(c.prompt)) (drawn from \(c.row)), over \(firstDraws) seeds"
            try Probes.attempt(name, into: &outcome) { o in
                var shares = [Float](repeating: 0, count: 6)
                for seed in 0..<firstDraws {
                    var rng = RNG(seed: 6200 + UInt64(k * firstDraws + seed))
                    let codes = try generate(writingTables, c.prompt, 1, &rng)
                    guard codes.count == 1 else { throw ProbeFailure("generate(count: 1) returned \(codes.count) codes, \(codesText(Array(codes.prefix(8))))") }
                    shares[(0..<5).contains(codes[0]) ? codes[0] : 5] += 1
                }
                o.record(name, shares.map { $0 / Float(firstDraws) })
            }
        }
        let long = "3 000 codes written after [0]"
        try Probes.attempt(long, into: &outcome) { o in
            var rng = RNG(seed: 6290)
            let codes = try generate(writingTables, [0], 3000, &rng)
            o.record("how many codes were returned, \(long)", Float(codes.count))
            var history = [0], strays = 0
            for code in codes {
                if rowInUse(writingTables, after: history)[code, default: 0] == 0 { strays += 1 }
                history.append(code)
            }
            o.record("codes that never followed the longest seen end of what came before, \(long)", Float(strays))
            var again = RNG(seed: 6290), other = RNG(seed: 6291)
            o.record("the same seed writes the same codes (1: yes)", try generate(writingTables, [0], 3000, &again) == codes ? 1 : 0)
            o.record("another seed writes other codes (1: yes)", try generate(writingTables, [0], 3000, &other) != codes ? 1 : 0)
            var none = RNG(seed: 6292)
            o.record("codes returned for count 0", Float(try generate(writingTables, [1, 2], 0, &none).count))
        }
        return outcome
    }

    /// Every first-code share within 0.03 of the reference's (8 000 draws: at most 0.0056 of
    /// noise), the written codes counted, none of them a code that never followed the row in
    /// use, and the seed deciding the draws.
    static func writingRule(_ got: Outcome, _ want: Outcome) -> String? {
        for w in want.entries {
            guard let g = got[w.name] else { return got.difference(from: want, tolerance: Tolerance(atol: 0.03, rtol: 0)) ?? "\(w.name) is missing" }
            if w.name.hasPrefix("how often") {
                if g.values[5] > 0 { return "some codes written are not codes of the model (below 0 or past its vocabulary) — \(w.name)" }
                if let i = (0..<5).first(where: { Swift.abs(g.values[$0] - w.values[$0]) > 0.03 }) {
                    let shares = { (v: [Float]) in (0..<5).map { "\($0): \(Int(($0 < v.count ? v[$0] : 0) * 100 + 0.5))%" }.joined(separator: ", ") }
                    return "\(w.name.replacingOccurrences(of: "how often each code is written first", with: "the first code written")): code \(i) came \(format(g.values[i] * 100))% of the time, where the counts give it \(format(w.values[i] * 100))% (yours: \(shares(g.values)); the counts': \(shares(w.values)))"
                }
            } else if g.values != w.values {
                if w.name.hasPrefix("how many") || w.name.hasPrefix("codes returned") {
                    return "\(w.name): \(Int(g.values[0])), expected \(Int(w.values[0])) — return the codes written, exactly `count` of them, without the prompt"
                }
                if w.name.hasPrefix("codes that never") {
                    return "\(Int(g.values[0])) of 3 000 codes written never followed the longest end of the history that the model has seen: draw from the row of the LONGEST seen suffix (the last k codes), and only among the codes in it"
                }
                return w.name.contains("same seed") ? "two runs from the same seed wrote different codes: draw from the rng you are given, nothing else" : "two different seeds wrote the same codes: draw from the rng you are given"
            }
        }
        return nil
    }

    // BEGIN INSTRUCTOR
    /// One change to the writer (6.2's known mistakes).
    enum WritingChange { case uniform, firstCodes, straightToZero, shortestFirst, promptReturned }

    static func writtenWith(_ change: WritingChange) -> Generate {
        { tables, prompt, count, rng in
            var history = prompt, written: [Int] = change == .promptReturned ? prompt : []
            let n = tables.count - 1
            for _ in 0..<count {
                var row: [Int: Int]?
                switch change {
                case .firstCodes:
                    let end = Array(history.suffix(n))
                    for k in stride(from: end.count, through: 0, by: -1) where row == nil { row = tables[k][Array(end.prefix(k))] }
                case .straightToZero:
                    row = tables[min(n, history.count)][Array(history.suffix(min(n, history.count)))] ?? tables[0][[]]
                case .shortestFirst:
                    for k in 0...min(n, history.count) where row == nil { row = tables[k][Array(history.suffix(k))] }
                default:
                    for k in stride(from: min(n, history.count), through: 0, by: -1) where row == nil { row = tables[k][Array(history.suffix(k))] }
                }
                let keys = row!.keys.sorted()
                let code: Int
                if change == .uniform {
                    code = keys[rng.int(below: keys.count)]
                } else {
                    var u = rng.int(below: row!.values.reduce(0, +))
                    code = keys.first { u -= row![$0]!; return u < 0 }!
                }
                history.append(code)
                written.append(code)
            }
            return written
        }
    }
    // END INSTRUCTOR

    public static let generate = Exercise<Generate>(
        id: "6.2", title: "Writing from the counts", symbol: "generate(_:prompt:count:rng:)", file: "Lessons/Lesson6/Writing.swift",
        reference: { try Solution6.generate($0, prompt: $1, count: $2, rng: &$3) },
        mistakes: [
            Mistake("followers-drawn-alike", "every code that followed the context is drawn as often: the counts are ignored",
                    feedback: "The row says how often each code followed: after \"th\", \"e\" sixty times and \"a\" once. Drawing among the keys alike gives \"a\" as often as \"e\", and the text reads like random letters that happen to be allowed. Draw in proportion to the counts: u = rng.int(below: total), then walk the codes subtracting their counts.",
                    writtenWith(.uniform)),
            Mistake("backs-off-to-the-first-codes", "backing off keeps the FIRST k of the last N codes, not the last k",
                    feedback: "When the last N codes were never seen, the shorter context to try is their END: the codes nearest to what comes next (after \"xqth\", \"th\", not \"xq\"). history.suffix(N).prefix(k) keeps the oldest ones. Look up history.suffix(k) in tables[k].",
                    writtenWith(.firstCodes)),
            Mistake("backs-off-straight-to-order-zero", "an unseen context of order N falls back to order 0 at once, never trying N − 1, N − 2, …",
                    feedback: "Order 0 only knows how often each character occurs; the orders between know far more (after an unseen \"xqth\", \"th\" still says \"e\"). Try k = N, N − 1, … down to 0, and draw from the first tables[k] that has history.suffix(k).",
                    writtenWith(.straightToZero)),
            Mistake("shortest-context-first", "the search starts at order 0, which is always seen: every code is drawn from the characters' frequencies",
                    feedback: "Searching from k = 0 upwards stops at once, since [] is always there: the model of order N writes like a model of order 0, letters in their frequencies and no words. Search from the longest, k = min(N, history.count), down.",
                    writtenWith(.shortestFirst)),
            Mistake("prompt-returned", "the prompt is returned before the codes written",
                    feedback: "generate returns only what it wrote, `count` codes; the caller has the prompt and prints it first. Keep the history (prompt and written) for the lookups, and a separate list of the written codes to return.",
                    writtenWith(.promptReturned)),
        ],
        criterion: .rule(writingRule),
        mistakeTolerance: Tolerance(atol: 0.03, rtol: 0),
        probe: writingProbe
    )

    /// Every exercise of lesson 6, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(countNext), AnyExercise(generate),
        AnyExercise(addAlpha), AnyExercise(backoff), AnyExercise(interpolated),
        AnyExercise(heldOutBits),
    ]
}

/// A probe case the implementation answered in a way that cannot be graded further (a
/// wrong number of codes): recorded as the case's error.
struct ProbeFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
