import Autograd
import Solution8

/// The graders of lesson 8: attention, and a transformer that reverses (notebook 005).
/// Every probe builds its inputs and layers here, from fixed seeds: queries that are not as
/// many as the keys, values of another size than the keys, scores large enough to overflow
/// an exponential, padding in a different place in every sequence.
public enum Lesson8Graders {
    /// A padding mask [B, S] from its rows (1: a padding key).
    static func padding(_ rows: [[Float]]) throws -> Tensor {
        try Tensor(rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
    }

    /// Sets every value of `t` (a parameter a layer starts as ones or zeros) to a fixed
    /// random one in `range`, so that a parameter left out or used in the wrong place shows.
    static func randomize(_ t: Tensor?, seed: UInt64, _ range: ClosedRange<Float>) throws {
        guard let t else { return }
        try t.assign(Probes.input(t.shape, seed: seed, range).scalars)
    }

    // MARK: - 8.1 scaled dot-product attention

    /// (query, key, value) → (output, weights).
    public typealias Attend = (Tensor, Tensor, Tensor) throws -> (output: Tensor, weights: Tensor)

    /// (what, query, key and value shapes, the range of the queries' and the keys' values,
    /// whether the gradients of the query and the key are recorded). Fewer queries than keys
    /// and values of another size than the keys (a transpose or a √ of the wrong size shows);
    /// a square case, where K·Qᵀ runs; four axes, as the heads of 8.4 have them; and scores
    /// in the hundreds, where an exponential without the maximum subtracted overflows (only
    /// the values' gradient is recorded there: the softmax is saturated, the others ≈ 0).
    static let attentionCases: [(what: String, query: [Int], key: [Int], value: [Int], range: ClosedRange<Float>, keyRange: ClosedRange<Float>, allGradients: Bool)] = [
        ("3 queries over 5 keys, values of size 6", [2, 3, 4], [2, 5, 4], [2, 5, 6], -2...2, -2...2, true),
        ("4 queries over 4 keys, all of size 4", [2, 4, 4], [2, 4, 4], [2, 4, 4], -2...2, -2...2, true),
        ("four axes [2, 2, 3, 4] over 5 keys, values of size 3", [2, 2, 3, 4], [2, 2, 5, 4], [2, 2, 5, 3], -2...2, -2...2, true),
        ("scores in the hundreds", [1, 3, 4], [1, 6, 4], [1, 6, 2], -30...30, -10...10, false),
    ]

    static func attentionProbe(_ attend: Attend) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in attentionCases.enumerated() {
            let suffix = " (\(c.what))"
            try Probes.attempt("output\(suffix)", into: &outcome) { o in
                let seed = 801 + 10 * UInt64(k)
                let q = Probes.input(c.query, seed: seed, c.range), key = Probes.input(c.key, seed: seed + 1, c.keyRange)
                let v = Probes.input(c.value, seed: seed + 2)
                Probes.expose([("query", q), ("key", key), ("value", v)])
                let (output, weights) = try attend(q, key, v)
                let wrt = (c.allGradients ? [("query\(suffix)", q), ("key\(suffix)", key)] : []) + [("value\(suffix)", v)]
                try Probes.record(output, as: "output\(suffix)", gradientsOf: wrt, into: &o)
                o.record("weights\(suffix)", weights.detached())
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to attention (8.1's known mistakes).
    enum AttentionChange { case queriesAxis, noScale, dividedByD, scaledAfterSoftmax, noMaxSubtracted, keyTimesQuery, valueSize, axesOneAndTwo, scoresReturned }

    static func attentionWith(_ change: AttentionChange) -> Attend {
        { q, k, v in
            let d = Float(q.shape[q.rank - 1]), dv = Float(v.shape[v.rank - 1])
            var scores = change == .keyTimesQuery ? try k.matmul(q.transpose(-2, -1))
                : try q.matmul(change == .axesOneAndTwo ? k.transpose(1, 2) : k.transpose(-2, -1))
            switch change {
            case .noScale, .scaledAfterSoftmax: break
            case .dividedByD: scores = scores / d
            case .valueSize: scores = scores / dv.squareRoot()
            default: scores = scores / d.squareRoot()
            }
            var weights: Tensor
            switch change {
            case .queriesAxis: weights = try scores.softmax(axis: -2)
            case .noMaxSubtracted:
                let e = scores.exp()
                weights = try e / e.sum(axis: -1, keepDims: true)
            default: weights = try scores.softmax(axis: -1)
            }
            if change == .scaledAfterSoftmax { weights = weights / d.squareRoot() }
            return (try weights.matmul(v), change == .scoresReturned ? scores : weights)
        }
    }
    // END INSTRUCTOR

    public static let attention = Exercise<Attend>(
        id: "8.1", title: "Scaled dot-product attention", symbol: "attention(query:key:value:)", file: "Lessons/Lesson8/Attention.swift",
        reference: { try Solution8.attention(query: $0, key: $1, value: $2) },
        mistakes: [
            Mistake("softmax-over-queries", "the softmax runs over the queries' axis (−2), not over the keys",
                    feedback: "Each query shares out its attention among the keys: row t of the weights, over s, must sum to 1. A softmax along axis −2 makes each KEY's column sum to 1 instead, so a query's weights can add up to anything and its output is no average. Take the softmax over the last axis (−1), the keys'.",
                    attentionWith(.queriesAxis)),
            Mistake("no-scale", "the scores are not divided by √d",
                    feedback: "q·k sums d products, so its spread grows like √d: without the division the softmax of wide vectors is nearly one-hot and its gradient nearly zero. Divide the scores by √d, d the size of a query (the last axis of query), before the softmax.",
                    attentionWith(.noScale)),
            Mistake("divided-by-d", "the scores are divided by d, not by √d",
                    feedback: "The dot product of two random d-vectors has variance d, so its standard deviation is √d: dividing by d shrinks the scores too much and flattens every softmax towards uniform as d grows. Divide by d.squareRoot().",
                    attentionWith(.dividedByD)),
            Mistake("scaled-after-softmax", "the weights are divided by √d after the softmax, not the scores before it",
                    feedback: "The scale belongs inside the softmax: softmax(QKᵀ/√d). Dividing the weights afterwards leaves rows that sum to 1/√d, so the output is a shrunken average, and the softmax is as sharp as without any scale. Divide the scores, then take the softmax.",
                    attentionWith(.scaledAfterSoftmax)),
            Mistake("max-not-subtracted", "a softmax written by hand as exp(s) / Σ exp(s), which overflows for scores in the hundreds",
                    feedback: "e^89 is already more than a Float holds: with large scores exp gives ∞ and ∞/∞ is NaN, although the right weights are perfectly ordinary (nearly one-hot). Subtract each row's maximum before exp — softmax(s) = softmax(s − max s), and then every exponent is ≤ 0 — or use the core's scores.softmax(axis: -1), which does.",
                    attentionWith(.noMaxSubtracted)),
            Mistake("key-times-query", "the scores are K·Qᵀ: keys down the rows, queries across",
                    feedback: "scores[t, s] pairs query t with key s, so the queries must run down the rows: Q·Kᵀ, [T, d] × [d, S] = [T, S]. K·Qᵀ is its transpose, [S, T]: it only runs when there are as many queries as keys, and then every query gets a key's weights. Multiply query by key transposed.",
                    attentionWith(.keyTimesQuery)),
            Mistake("scaled-by-value-size", "the scores are divided by √dv, the size of the values, not √d",
                    feedback: "The scale undoes the spread of q·k, a sum over the d entries of a query and a key; the values' size dv has nothing to do with it (here dv = 6 while d = 4). Take d from query's last axis.",
                    attentionWith(.valueSize)),
            Mistake("axes-one-and-two", "the key is transposed with transpose(1, 2), right for three axes only",
                    feedback: "With three axes [B, S, d], axes 1 and 2 are the last two; with four, [B, H, S, d], transpose(1, 2) swaps the heads with the keys. Count the axes from the end: key.transpose(-2, -1) swaps the last two whatever comes before them, as the lesson's [..., T, d] asks.",
                    attentionWith(.axesOneAndTwo)),
            Mistake("scores-returned-as-weights", "the output is right, but the scores are returned where the weights belong",
                    feedback: "The second value returned is what the pictures of lesson 8 draw and what 8.2's rows-sum-to-1 promise is about: the softmax of the scores, not the scores themselves. Return the tensor you multiplied value by.",
                    attentionWith(.scoresReturned)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-3)),
        probe: attentionProbe
    )

    // MARK: - 8.2 padding keys masked out

    /// (query, key, value, keyPadding) → (output, weights).
    public typealias MaskedAttend = (Tensor, Tensor, Tensor, Tensor) throws -> (output: Tensor, weights: Tensor)

    /// (what, B, T, S, d, dv, the padding rows, the range of the queries' and the keys'
    /// values): padding at the end, at the start and in between, in one batch; as many
    /// queries as keys (where the mask can be put on the wrong axis and still run); and scores
    /// in the tens, where a penalty of −10 is not enough (and none too large for an
    /// exponential: every real key keeps a weight a Float can hold). Every sequence has a
    /// real key and a padding key, so that no row of weights is all masked, whichever way a
    /// mistake masks (−∞ then softmax gives NaN there, `softmax(masking:)` zeros).
    static let maskCases: [(what: String, batch: Int, queries: Int, keys: Int, d: Int, dv: Int, padding: [[Float]], range: ClosedRange<Float>, keyRange: ClosedRange<Float>)] = [
        ("4 queries over 5 keys, padding at the end, at the start and in between", 4, 4, 5, 3, 2,
         [[0, 0, 0, 1, 1], [0, 0, 0, 0, 1], [1, 1, 0, 0, 0], [0, 1, 0, 0, 1]], -2...2, -2...2),
        ("4 queries over 4 keys", 2, 4, 4, 4, 3, [[0, 0, 1, 1], [0, 0, 0, 1]], -2...2, -2...2),
        ("scores in the tens", 2, 3, 4, 4, 2, [[0, 1, 0, 0], [0, 0, 1, 1]], -8...8, -4...4),
    ]

    static func maskProbe(_ attend: MaskedAttend) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in maskCases.enumerated() {
            let suffix = " (\(c.what))"
            try Probes.attempt("output\(suffix)", into: &outcome) { o in
                let seed = 851 + 10 * UInt64(k)
                let q = Probes.input([c.batch, c.queries, c.d], seed: seed, c.range), key = Probes.input([c.batch, c.keys, c.d], seed: seed + 1, c.keyRange)
                let v = Probes.input([c.batch, c.keys, c.dv], seed: seed + 2)
                let mask = try padding(c.padding)
                Probes.expose([("query", q), ("key", key), ("value", v), ("keyPadding", mask)])
                let (output, weights) = try attend(q, key, v, mask)
                try Probes.record(output, as: "output\(suffix)", gradientsOf: [("query\(suffix)", q), ("key\(suffix)", key), ("value\(suffix)", v)], into: &o)
                o.record("weights\(suffix)", weights.detached())
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the masking (8.2's known mistakes).
    enum MaskChange { case zeroedAfterSoftmax, queriesMasked, inverted, smallPenalty, ignored, filledWithZero, infinityTimesMask }

    static func maskedWith(_ change: MaskChange) -> MaskedAttend {
        { q, k, v, keyPadding in
            let scores = try q.matmul(k.transpose(1, 2)) / Float(q.shape[2]).squareRoot()
            let keys = try keyPadding.unsqueeze(1)
            let weights: Tensor
            switch change {
            case .zeroedAfterSoftmax: weights = try scores.softmax(axis: -1) * (1 - keys)
            case .queriesMasked: weights = try scores.maskedFill(keyPadding.unsqueeze(2), -.infinity).softmax(axis: -1)
            case .inverted: weights = try scores.maskedFill(1 - keys, -.infinity).softmax(axis: -1)
            case .smallPenalty: weights = try (scores + keys * -10).softmax(axis: -1)
            case .ignored: weights = try scores.softmax(axis: -1)
            case .filledWithZero: weights = try scores.maskedFill(keys, 0).softmax(axis: -1)
            case .infinityTimesMask: weights = try (scores + keys * -Float.infinity).softmax(axis: -1)
            }
            return (try weights.matmul(v), weights)
        }
    }
    // END INSTRUCTOR

    public static let maskedAttention = Exercise<MaskedAttend>(
        id: "8.2", title: "Padding keys masked out", symbol: "maskedAttention(query:key:value:keyPadding:)", file: "Lessons/Lesson8/Masking.swift",
        reference: { try Solution8.maskedAttention(query: $0, key: $1, value: $2, keyPadding: $3) },
        mistakes: [
            Mistake("zeroed-after-softmax", "the padding keys' weights are set to 0 after the softmax, and the rest not renormalised",
                    feedback: "The softmax has already shared 1 among ALL the keys, padding included: zeroing the padding's share afterwards leaves rows that sum to less than 1, and a sequence with more padding gets a smaller output. Mask BEFORE the softmax (the padding's scores to −∞), so that the real keys share the whole 1 — or divide each row by its new sum.",
                    maskedWith(.zeroedAfterSoftmax)),
            Mistake("queries-masked", "the mask hides the padding QUERIES (rows), not the padding keys (columns)",
                    feedback: "keyPadding [B, S] says which KEYS are padding: every query must ignore them, so the mask runs along the last axis of the scores [B, T, S]. Reshaped to [B, S, 1] it lies down the rows instead and hides whole queries (a row of −∞ is NaN). Unsqueeze at axis 1: [B, 1, S] broadcasts over the queries.",
                    maskedWith(.queriesMasked)),
            Mistake("mask-inverted", "the real keys are masked and the padding kept",
                    feedback: "As PyTorch's key_padding_mask, a NONZERO entry marks padding, the key to hide; 0 is a real token. Fill the scores where keyPadding is nonzero (maskedFill hides where the mask is nonzero), not where it is 0.",
                    maskedWith(.inverted)),
            Mistake("penalty-too-small", "a finite penalty (−10) is added to the padding's scores, too small to hide them",
                    feedback: "e^−10 is small but not 0: when the scores are in the tens, a padding key's score minus 10 can still beat the real keys' scores, and the output depends on the padding. Use −∞ (maskedFill(mask, -.infinity)), or a penalty so large no score can make up for it (−1e9).",
                    maskedWith(.smallPenalty)),
            Mistake("mask-ignored", "keyPadding is not used: the padding keys get weight like the others",
                    feedback: "The weights equal 8.1's: the queries attend to the padding too. Hide the keys whose keyPadding entry is nonzero: their scores become −∞ before the softmax (keyPadding.unsqueeze(1) broadcasts [B, S] over the queries).",
                    maskedWith(.ignored)),
            Mistake("filled-with-zero", "the padding's scores are set to 0, not to −∞",
                    feedback: "A score of 0 is an ordinary score (e^0 = 1): a padding key filled with 0 gets as much weight as a real key with score 0, often more than the real keys with negative scores. The padding must get e^score = 0 exactly: fill with −∞.",
                    maskedWith(.filledWithZero)),
            Mistake("infinity-times-mask", "−∞ is multiplied by the mask and added: 0 · −∞ is NaN",
                    feedback: "keyPadding · (−∞) is −∞ at the padding but 0 · (−∞) = NaN at every real key, and a single NaN in a row makes its whole softmax NaN. Select instead of multiplying: scores.maskedFill(mask, -.infinity) puts −∞ exactly where the mask is nonzero and leaves the rest alone.",
                    maskedWith(.infinityTimesMask)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-3)),
        probe: maskProbe
    )

    /// Every exercise of lesson 8, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(attention), AnyExercise(maskedAttention), AnyExercise(positions), AnyExercise(multiHeadSelfAttention),
        AnyExercise(encoderLayer), AnyExercise(withWeights),
    ]
}
