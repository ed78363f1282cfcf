import Autograd
import Solution9

// The graders of lesson 9, continued: the like-term attention measure.

extension Lesson9Graders {
    // MARK: - 9.6 like-term attention mass

    /// (weights [T, T], termOf, termKeys) → (mass, chance).
    public typealias Mass = (Tensor, [Int?], [String]) throws -> (mass: Float, chance: Float)

    /// (what, expression, by characters or by terms, T): characters with spaces and operators
    /// that belong to no term, a term without a partner (the 7y, the z), padding after the
    /// real tokens, and an expression where no term has a partner.
    static let massCases: [(what: String, expression: String, characters: Bool, length: Int)] = [
        ("by character", "2x^2 + 3x - x + 5x^2 + 7y", true, 30),
        ("by term", "3x + 2y^2 - 5x + 7z + y^2 - 4x", false, 8),
        ("by term, no like terms", "3x + 2y + 7z", false, 4),
    ]

    static func massProbe(_ mass: Mass) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in massCases.enumerated() {
            let name = "the mass and chance of \"\(c.expression)\" \(c.what), padded to \(c.length)"
            try Probes.attempt(name, into: &outcome) { o in
                let ts = probeTerms(c.expression)
                var termOf: [Int?]
                if c.characters {
                    termOf = [Int?](repeating: nil, count: c.expression.count)
                    for (i, t) in ts.enumerated() { for p in t.start..<t.end { termOf[p] = i } }
                } else {
                    termOf = ts.indices.map { $0 }
                }
                let keys = ts.map { term($0).key }
                // Random weights: a softmax of scores 2·N(0, 1), the padding keys masked.
                var rng = RNG(seed: 951 + UInt64(k))
                let scores = Tensor.randn([c.length, c.length], std: 2, rng: &rng)
                let hidden = try Tensor((0..<c.length).map { $0 < termOf.count ? 0 : 1 }, shape: [1, c.length])
                let weights = try scores.maskedFill(hidden, -.infinity).softmax(axis: -1)
                let (m, chance) = try mass(weights, termOf, keys)
                o.record(name, [m, chance])
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the measure (9.6's known mistakes).
    enum MassChange { case ownTermCounted, chanceOverPadding, everyTermToken, ownTermOnly, noGuard }

    static func massWith(_ change: MassChange) -> Mass {
        { weights, termOf, keys in
            let t = weights.shape[1], w = weights.scalars
            var total: Float = 0, chance: Float = 0, n = 0
            for q in termOf.indices {
                guard let i = termOf[q] else { continue }
                let hasPartner = keys.indices.contains { $0 != i && keys[$0] == keys[i] }
                if !hasPartner && change != .everyTermToken { continue }
                let like = termOf.indices.filter { s in
                    guard let j = termOf[s] else { return false }
                    switch change {
                    case .ownTermCounted: return keys[j] == keys[i]
                    case .ownTermOnly: return j == i && s != q
                    default: return j != i && keys[j] == keys[i]
                    }
                }
                n += 1
                total += like.reduce(0) { $0 + w[q * t + $1] }
                chance += Float(like.count) / Float(change == .chanceOverPadding ? t : termOf.count)
            }
            if n == 0 && change != .noGuard { return (0, 0) }
            return (total / Float(n), chance / Float(n))
        }
    }
    // END INSTRUCTOR

    public static let likeTermMass = Exercise<Mass>(
        id: "9.6", title: "Like-term attention mass", symbol: "likeTermMass(weights:termOf:termKeys:)", file: "Lessons/Lesson9/LikeAttention.swift",
        reference: { try Solution9.likeTermMass(weights: $0, termOf: $1, termKeys: $2) },
        mistakes: [
            Mistake("own-term-counted", "the query's own term counts among its like terms",
                    feedback: "Every term is like itself, so a head that only looks at its own token would score high: the measure would reward \"look at yourself\", not \"find your twin\". Count only the tokens of OTHER terms (j ≠ i) with the same key.",
                    massWith(.ownTermCounted)),
            Mistake("chance-over-padding", "chance divides by every position, padding included",
                    feedback: "The padding gets no attention (its keys are masked), so a head spreading its attention evenly spreads it over the REAL tokens: chance is the number of like tokens over termOf.count, not over T.",
                    massWith(.chanceOverPadding)),
            Mistake("every-term-token", "the mean runs over every token of a term, partner or not",
                    feedback: "A term without a like partner (the 7y) has nothing to look at: its mass is 0 whatever the head does, and averaging it in pulls every head towards 0. Leave out the queries whose term has no other term with its key.",
                    massWith(.everyTermToken)),
            Mistake("own-term-only", "the weight on the query's own term's other characters is measured, not on like terms",
                    feedback: "A term's other characters are its neighbours, not its like partners: 3x's '3' looking at its 'x' says nothing about like terms. Sum the weights on the tokens of the other terms whose key equals this term's key.",
                    massWith(.ownTermOnly)),
            Mistake("no-like-terms-nan", "with no like terms the answer is 0/0, NaN",
                    feedback: "In 3x + 2y + 7z no term has a partner: there is no query to average over, and 0/0 is NaN — one such expression makes a whole average over many NaN. Return (0, 0) when no query counted.",
                    massWith(.noGuard)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4)),
        probe: massProbe
    )
}
