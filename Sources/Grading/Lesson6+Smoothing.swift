import Autograd
import Foundation
import Solution6

// The graders of lesson 6, continued: probabilities for every code after every context —
// add-α (6.3), back-off (6.4), interpolation (6.5). Each is probed on the tables of a
// training text and the contexts of a held-out text that has a code training never saw, and
// graded first on the rule every model must keep (the probabilities of every context sum to
// 1, none is 0), then value by value against the reference.

extension Lesson6Graders {
    // MARK: - The probe's text, tables and contexts

    /// 300 codes of 0…4 (code 5 of the vocabulary never occurs), and their tables of orders 0–3.
    static let smoothingTraining = probeText(300, vocabulary: 6, unused: 1, seed: 641)
    static let smoothingTables = tables(smoothingTraining, maxOrder: 3)
    static let smoothingVocabulary = 6
    /// A held-out text of 0…5: seen contexts, unseen ones, and unseen ones whose end is seen.
    static let smoothingHeldOut = probeText(40, vocabulary: 6, seed: 642)

    /// The contexts of `length` codes before every position of the held-out text, as slices
    /// of it (a slice's indices do not start at 0: `context[0]` is not its first code).
    static func heldOutContexts(_ length: Int) -> [ArraySlice<Int>] {
        (length..<smoothingHeldOut.count).map { smoothingHeldOut[($0 - length)..<$0] }
    }

    /// The contexts 6.4 and 6.5 are probed on: the held-out text's of 2 and 3 codes, none,
    /// a few of 5 (longer than the model's order, 3: only their end counts), and the training
    /// text's last 3 codes (a context that nothing followed).
    static let modelContexts: [ArraySlice<Int>] = [smoothingHeldOut[0..<0]] + heldOutContexts(2) + heldOutContexts(3)
        + (5..<10).map { smoothingHeldOut[($0 - 5)..<$0] } + [smoothingTraining[297..<300]]

    /// Each context's probabilities for every code, one row per context, and the sum of
    /// each row less 1 (computed in Double, so that the rule sees the error itself).
    static func distributions(_ name: String, _ contexts: [ArraySlice<Int>],
                              _ p: (ArraySlice<Int>, Int) throws -> Double, into outcome: inout Outcome) throws {
        try Probes.attempt(distributionName(name), into: &outcome) { o in
            var rows: [Float] = [], sums: [Float] = []
            for context in contexts {
                let row = try (0..<smoothingVocabulary).map { try p(context, $0) }
                rows += row.map(Float.init)
                sums.append(Float(row.reduce(0, +) - 1))
            }
            o.entries.append(Outcome.Entry(name: distributionName(name), shape: [contexts.count, smoothingVocabulary], values: rows))
            o.record(sumName(name), sums)
        }
    }

    static func distributionName(_ name: String) -> String { "the probabilities of codes 0–5 after each probe context, \(name)" }
    static func sumName(_ name: String) -> String { "Σ p − 1 after each probe context, \(name)" }

    /// The rule of 6.3–6.5: for each setting, in order, every context's probabilities sum to
    /// 1 (within 1e-6: probabilities worked out in Float pass, a wrong formula is off by far
    /// more), none is 0 or below, and each equals the reference's (relative 1e-5);
    /// else the first context where one fails, and by how much.
    static func smoothingRule(settings: [(name: String, contexts: [ArraySlice<Int>])]) -> (Outcome, Outcome) -> String? {
        { got, want in
            for s in settings {
                guard let g = got[distributionName(s.name)], let sums = got[sumName(s.name)], let w = want[distributionName(s.name)] else {
                    return got.difference(from: want, tolerance: Tolerance(atol: 1e-9, rtol: 1e-5)) ?? "\(distributionName(s.name)) is missing"
                }
                let v = smoothingVocabulary
                func context(_ i: Int) -> String { "[" + s.contexts[i].map(String.init).joined(separator: ", ") + "]" }
                if let i = sums.values.indices.first(where: { !(Swift.abs(sums.values[$0]) <= 1e-6) }) {
                    let row = g.values[(i * v)..<((i + 1) * v)].map { format($0) }.joined(separator: ", ")
                    return "after the context \(context(i)) (\(s.name)) the probabilities of the \(v) codes sum to \(format(1 + sums.values[i])), not 1 (they are \(row)): a model must give every context a whole distribution — every code's share of one total"
                }
                if let j = g.values.indices.first(where: { !(g.values[$0] > 0) }) {
                    return "after the context \(context(j / v)) (\(s.name)) code \(j % v) gets probability \(format(g.values[j])): a held-out character there would cost −log₂ 0 = ∞ bits. Every code needs a probability above 0"
                }
                if let j = g.values.indices.first(where: { Swift.abs(g.values[$0] - w.values[$0]) > 1e-9 + 1e-5 * Swift.abs(w.values[$0]) }) {
                    return "after the context \(context(j / v)) (\(s.name)) code \(j % v) gets probability \(format(g.values[j])), expected \(format(w.values[j])) — the sums are right, so the probabilities are shared out differently"
                }
            }
            return nil
        }
    }

    // MARK: - 6.3 add-α

    public typealias AddAlpha = (Counts, ArraySlice<Int>, Int, Double, Int) throws -> Double

    /// Orders 0–2, each at α = 1, 0.1 and 0.001, on every held-out context of its order.
    static let addAlphaSettings: [(order: Int, alpha: Double)] = [0, 1, 2].flatMap { order in [1, 0.1, 0.001].map { (order, $0) } }
    static func addAlphaName(_ s: (order: Int, alpha: Double)) -> String { "order \(s.order), α = \(s.alpha)" }

    static func addAlphaProbe(_ add: AddAlpha) throws -> Outcome {
        var outcome = Outcome()
        for s in addAlphaSettings {
            let table = smoothingTables[s.order]
            try distributions(addAlphaName(s), heldOutContexts(s.order), { try add(table, $0, $1, s.alpha, smoothingVocabulary) }, into: &outcome)
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to add-α (6.3's known mistakes).
    enum AddAlphaChange { case followersAsVocabulary, seenCodesAsVocabulary, alphaOnceBelow, unseenGivesZero, alphaOnlyBelow }

    static func addedWith(_ change: AddAlphaChange) -> AddAlpha {
        { counts, context, next, alpha, vocabulary in
            guard let row = counts[Array(context)] else {
                if change == .unseenGivesZero { return 0 }
                if change == .followersAsVocabulary { return alpha / 0 }
                if change == .seenCodesAsVocabulary { return 1 / Double(Set(counts.values.flatMap(\.keys)).count) }
                return change == .alphaOnceBelow ? 1 : change == .alphaOnlyBelow ? 0 : 1 / Double(vocabulary)
            }
            let c = Double(row[next] ?? 0), total = Double(row.values.reduce(0, +))
            switch change {
            case .followersAsVocabulary: return (c + alpha) / (total + alpha * Double(row.count))
            case .seenCodesAsVocabulary: return (c + alpha) / (total + alpha * Double(Set(counts.values.flatMap(\.keys)).count))
            case .alphaOnceBelow: return (c + alpha) / (total + alpha)
            case .alphaOnlyBelow: return c / (total + alpha * Double(vocabulary))
            case .unseenGivesZero: return (c + alpha) / (total + alpha * Double(vocabulary))
            }
        }
    }
    // END INSTRUCTOR

    public static let addAlpha = Exercise<AddAlpha>(
        id: "6.3", title: "Add-α smoothing", symbol: "addAlpha(_:context:next:alpha:vocabulary:)", file: "Lessons/Lesson6/Smoothing.swift",
        reference: { try Solution6.addAlpha($0, context: $1, next: $2, alpha: $3, vocabulary: $4) },
        mistakes: [
            Mistake("vocabulary-of-the-row", "α is added for the codes that followed this context only: the denominator is c + α · (the row's size)",
                    feedback: "Every one of the V codes gets α on top, so the total grows by α · V — V being `vocabulary`, every code the text can have, including those that never followed this context (they are exactly the ones smoothing is for). With the row's size the probabilities sum to more than 1, and an unseen context divides by 0.",
                    addedWith(.followersAsVocabulary)),
            Mistake("vocabulary-seen-in-training", "V is the number of codes seen in the training counts, not `vocabulary`",
                    feedback: "A character can occur in held-out text and never in training (a rare symbol, a new name): it still needs a probability, and α of the total. Counting only the codes the table has makes the probabilities of all V codes sum to more than 1. Use the `vocabulary` you are given.",
                    addedWith(.seenCodesAsVocabulary)),
            Mistake("alpha-once-below", "the denominator is c(context) + α, not c(context) + α · V",
                    feedback: "Adding α to every one of V counts adds α · V to their total. With α once, the tops (which got α each) add up to c + α · V while the bottom is c + α: the probabilities sum to more than 1. Multiply α by the vocabulary below.",
                    addedWith(.alphaOnceBelow)),
            Mistake("alpha-only-below", "α · V is added below but no α above: an unseen code still gets 0",
                    feedback: "The made-up counts must be added where they are counted: α on top for this code, α · V below for all of them. With α below only, a code never seen after this context still gets 0 — infinitely many bits — and the probabilities sum to less than 1.",
                    addedWith(.alphaOnlyBelow)),
            Mistake("unseen-context-gives-zero", "a context never seen gives 0 for every code",
                    feedback: "An unseen context has no counts at all, and add-α still works: 0 + α over 0 + α · V is 1/V for every code — the honest answer of a model that knows nothing here. Returning 0 makes the next character infinitely unlikely. Treat a missing row as an empty one: counts[key] ?? [:].",
                    addedWith(.unseenGivesZero)),
        ],
        criterion: .rule(smoothingRule(settings: addAlphaSettings.map { (addAlphaName($0), heldOutContexts($0.order)) })),
        mistakeTolerance: Tolerance(atol: 1e-9, rtol: 1e-5),
        probe: addAlphaProbe
    )

    // MARK: - 6.4 back-off

    public typealias Smoothed = ([Counts], ArraySlice<Int>, Int, Double, Int) throws -> Double

    /// The model of order 3 (and of order 1, whose contexts are mostly longer than it) at two
    /// settings of α or β.
    static func modelSettings(_ parameter: String, _ values: [Double]) -> [(name: String, order: Int, value: Double)] {
        [(3, values[0]), (3, values[1]), (1, values[0])].map { (order, value) in ("the model of order \(order), \(parameter) = \(value)", order, value) }
    }

    static func modelProbe(_ settings: [(name: String, order: Int, value: Double)], _ p: Smoothed) throws -> Outcome {
        var outcome = Outcome()
        for s in settings {
            let model = Array(smoothingTables[0...s.order])
            try distributions(s.name, modelContexts, { try p(model, $0, $1, s.value, smoothingVocabulary) }, into: &outcome)
        }
        return outcome
    }

    static let backoffSettings = modelSettings("α", [0.5, 0.01])

    // BEGIN INSTRUCTOR
    /// One change to back-off (6.4's known mistakes).
    enum BackoffChange { case perCharacter, stupid, firstCodes, shortestFirst, none }

    static func backedOffWith(_ change: BackoffChange) -> Smoothed {
        { tables, context, next, alpha, vocabulary in
            let n = Swift.min(tables.count - 1, context.count)
            func add(_ k: Int, _ end: ArraySlice<Int>) throws -> Double { try Solution6.addAlpha(tables[k], context: end, next: next, alpha: alpha, vocabulary: vocabulary) }
            switch change {
            case .perCharacter, .stupid:
                var factor = 1.0
                for k in stride(from: n, through: 1, by: -1) {
                    let end = context.suffix(k)
                    if let row = tables[k][Array(end)], row[next] != nil { return factor * (try add(k, end)) }
                    if change == .stupid { factor *= 0.4 }
                }
                return factor * (try add(0, context.suffix(0)))
            case .firstCodes:
                let end = context.suffix(tables.count - 1)
                for k in stride(from: Swift.min(tables.count - 1, end.count), through: 0, by: -1) where tables[k][Array(end.prefix(k))] != nil {
                    return try add(k, end.prefix(k))
                }
            case .shortestFirst:
                for k in 0...n where tables[k][Array(context.suffix(k))] != nil { return try add(k, context.suffix(k)) }
            case .none:
                return try add(n, context.suffix(n))
            }
            return 1 / Double(vocabulary)
        }
    }
    // END INSTRUCTOR

    public static let backoff = Exercise<Smoothed>(
        id: "6.4", title: "Backing off to shorter contexts", symbol: "backoff(_:context:next:alpha:vocabulary:)", file: "Lessons/Lesson6/Backoff.swift",
        reference: { try Solution6.backoff($0, context: $1, next: $2, alpha: $3, vocabulary: $4) },
        mistakes: [
            Mistake("backs-off-per-character", "the order is chosen per code: the longest context where THIS code was seen, so each code is scored from another row",
                    feedback: "Scored from the longest row that has it, every code gets the share of a row where it is likely: after \"th\", \"e\" from \"th\", \"z\" from \"h\", \"q\" from the frequencies. Added up over all codes, that is not 1 — with raw shares of the longer rows, 1.5 to 3.9 on real text — and the bits per character look far better than the model is (1.76 against an honest 3.0 on the lessons). Choose the order from the context alone: the longest end of it that tables[k] has, whatever the code.",
                    backedOffWith(.perCharacter)),
            Mistake("stupid-backoff", "each step back multiplies by 0.4 (\"stupid back-off\"), and the row is chosen per code",
                    feedback: "Stupid back-off is a fast SCORE for ranking (it was made for search engines); its numbers are not probabilities: they do not sum to 1 over the codes, so bits per character computed from them mean nothing. Choose the longest seen end of the context once, for every code, and use add-α there: no factor.",
                    backedOffWith(.stupid)),
            Mistake("backs-off-to-the-first-codes", "the shorter context kept is the FIRST k codes of the context, not the last k",
                    feedback: "The codes that say most about the next one are the nearest: after an unseen \"xqth\", \"th\" (the end) still knows \"e\" is likely; \"xq\" (the start) knows nothing useful. Take context.suffix(k), the last k codes.",
                    backedOffWith(.firstCodes)),
            Mistake("shortest-context-first", "the search starts at order 0, which is always seen: every code is scored by the characters' frequencies",
                    feedback: "The first seen context from k = 0 up is [], every time: the model of order N becomes the model of order 0. Search from the longest, k = min(N, context.count), down, and stop at the first one tables[k] has.",
                    backedOffWith(.shortestFirst)),
            Mistake("no-backoff", "add-α at order N whether or not the context was seen: an unseen context gives 1/V",
                    feedback: "That is add-α itself (6.3): right, but a new context of order N throws away everything the shorter ones know, and gives every character 1/V. Back off: try the last N codes, then the last N − 1, … and use the first that was seen.",
                    backedOffWith(.none)),
        ],
        criterion: .rule(smoothingRule(settings: backoffSettings.map { ($0.name, modelContexts) })),
        mistakeTolerance: Tolerance(atol: 1e-9, rtol: 1e-5),
        probe: { try modelProbe(backoffSettings, $0) }
    )

    // MARK: - 6.5 interpolation

    static let interpolationSettings = modelSettings("β", [2, 32])

    // BEGIN INSTRUCTOR
    /// One change to interpolation (6.5's known mistakes).
    enum InterpolationChange { case betaTimesVocabulary, unseenGivesZero, longestFirst, uniformBelow, orderZeroSkipped }

    static func interpolatedWith(_ change: InterpolationChange) -> Smoothed {
        { tables, context, next, beta, vocabulary in
            let n = Swift.min(tables.count - 1, context.count), v = Double(vocabulary)
            var p = 1 / v
            let orders = change == .longestFirst ? Array((0...n).reversed()) : Array((change == .orderZeroSkipped ? 1 : 0)...Swift.max(n, change == .orderZeroSkipped ? 1 : 0))
            for k in orders where k <= n {
                guard let row = tables[k][Array(context.suffix(k))] else {
                    if change == .unseenGivesZero { return 0 }
                    if change == .longestFirst { continue }
                    break
                }
                let c = Double(row[next] ?? 0), total = Double(row.values.reduce(0, +))
                switch change {
                case .betaTimesVocabulary: p = (c + beta * p) / (total + beta * v)
                case .uniformBelow: p = (c + beta / v) / (total + beta)
                default: p = (c + beta * p) / (total + beta)
                }
            }
            return p
        }
    }
    // END INSTRUCTOR

    public static let interpolated = Exercise<Smoothed>(
        id: "6.5", title: "Interpolating the orders", symbol: "interpolated(_:context:next:beta:vocabulary:)", file: "Lessons/Lesson6/Interpolation.swift",
        reference: { try Solution6.interpolated($0, context: $1, next: $2, beta: $3, vocabulary: $4) },
        mistakes: [
            Mistake("beta-times-vocabulary-below", "the denominator is c + β · V (add-α's), not c + β",
                    feedback: "In add-α every code gets α of made-up count, V of them. Here the β made-up counts are shared out by the shorter order's probabilities, which already sum to 1: they add β · 1 to the total, not β · V. With β · V below, every context's probabilities sum to less than 1. Divide by total + β.",
                    interpolatedWith(.betaTimesVocabulary)),
            Mistake("unseen-order-gives-zero", "a context that was never seen gives 0, instead of the shorter order's probability",
                    feedback: "When the last k codes were never seen there is nothing to add: p_k is p_{k−1}, the shorter order's answer, and the loop stops there (no longer context can have been seen). Returning 0 makes every character after a new context infinitely unlikely — and a held-out text is full of new contexts. Break out of the loop and return the last p.",
                    interpolatedWith(.unseenGivesZero)),
            Mistake("longest-order-first", "the orders are blended from the longest down: the shortest has the last word",
                    feedback: "Each order is smoothed towards the one BELOW it, so the shorter order's p must be known first: start at 1/V, then order 0, 1, … up to the longest seen. Run from the longest down and the counts of the long context get smoothed away by the frequencies at the end, and the model of order N sounds like the model of order 0.",
                    interpolatedWith(.longestFirst)),
            Mistake("blended-with-uniform", "each order is blended with 1/V, not with the shorter order's probability: add-α at the longest seen context",
                    feedback: "(c + β/V) / (c + β) is add-α with α = β/V: it sums to 1, but a context seen once still gives its one follower nearly everything and every other code the same crumbs. Blending with p_{k−1} gives the others what the shorter context knows about them. Carry p from one order to the next.",
                    interpolatedWith(.uniformBelow)),
            Mistake("order-zero-skipped", "the blend starts at order 1: the characters' frequencies (order 0) are left out",
                    feedback: "Order 0 is the first order to blend: the table of how often each character occurs, with the context []. Starting at order 1 blends the first seen context with 1/V instead of with the frequencies. Start the loop at k = 0.",
                    interpolatedWith(.orderZeroSkipped)),
        ],
        criterion: .rule(smoothingRule(settings: interpolationSettings.map { ($0.name, modelContexts) })),
        mistakeTolerance: Tolerance(atol: 1e-9, rtol: 1e-5),
        probe: { try modelProbe(interpolationSettings, $0) }
    )
}
