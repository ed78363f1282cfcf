import Autograd
import Solution9

// The graders of lesson 9, continued: the two tokenisers and the pooling.

extension Lesson9Graders {
    // MARK: - 9.3 character codes

    /// expression → a code per character.
    public typealias CharacterCodes = (String) throws -> [Int]

    /// Texts the alphabet covers, and texts with characters outside it (a capital, '*', a
    /// tab), where the codes must not be made up: the tokeniser must throw.
    static let characterTexts = ["-3x^2 + 5.1y", "-4553l^2 - 11.7j + 10j - 8.3g - -5184m", "0.0h + 9z^4"]
    static let foreignTexts = ["2X + y", "3x * 2y", "x\t+ y"]

    static func characterProbe(_ codes: CharacterCodes) throws -> Outcome {
        var outcome = Outcome()
        for e in characterTexts {
            try Probes.attempt("the codes of \"\(e)\"", into: &outcome) { o in o.record("the codes of \"\(e)\"", try codes(e).map(Float.init)) }
        }
        for e in foreignTexts {
            outcome.record("whether characterCodes(\"\(e)\") throws (1: yes)", try throwsFlag { _ = try codes(e) })
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the character tokeniser (9.3's known mistakes).
    enum CharacterChange { case fromZero, spacesDropped, ascii, unknownSkipped }

    static func charactersWith(_ change: CharacterChange) -> CharacterCodes {
        { text in
            var out: [Int] = []
            for c in text {
                if change == .spacesDropped, c == " " { continue }
                if change == .ascii { out.append(Int(c.asciiValue ?? 0)); continue }
                let k = characterAlphabet.firstIndex(of: c)
                switch change {
                case .fromZero: out.append(k ?? -1)
                case .unknownSkipped: if let k { out.append(k + 1) }
                default:
                    guard let k else { throw ExpressionError("'\(c)'") }
                    out.append(k + 1)
                }
            }
            return out
        }
    }
    // END INSTRUCTOR

    public static let characterCodes = Exercise<CharacterCodes>(
        id: "9.3", title: "The character tokeniser", symbol: "characterCodes(_:)", file: "Lessons/Lesson9/Tokenizers.swift",
        reference: { try Solution9.characterCodes($0) },
        mistakes: [
            Mistake("codes-from-zero", "the codes start at 0, so the space gets the padding's code",
                    feedback: "Code 0 is padding: a batch fills its short rows with it, and the model is told to ignore it. A space coded 0 looks like padding. Add 1 to the character's index in characterAlphabet.",
                    charactersWith(.fromZero)),
            Mistake("spaces-dropped", "the spaces are left out",
                    feedback: "The character model reads the text as the notebook's did, every character, spaces included: \"- -5184m\" and \"--5184m\" are different texts, and 9.6's measure needs one code per character of the text. Code the spaces too (the space is the first character of the alphabet).",
                    charactersWith(.spacesDropped)),
            Mistake("ascii-codes", "each character's ASCII value is its code",
                    feedback: "The embedding has characterVocabulary rows (42): codes must run from 1 to 41, and 'x' is 120 in ASCII. Use the character's index in characterAlphabet, plus 1.",
                    charactersWith(.ascii)),
            Mistake("unknown-skipped", "a character outside the alphabet is skipped instead of refused",
                    feedback: "\"2X + y\" is not an expression of this data: coding it as \"2 + y\" hands the model a different problem and hides the bug. When firstIndex(of:) finds nothing, throw an ExpressionError that names the character.",
                    charactersWith(.unknownSkipped)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        mistakeTolerance: Tolerance(atol: 0, rtol: 0),
        probe: characterProbe
    )

    // MARK: - 9.4 term codes

    /// terms → a code per term.
    public typealias TermCodes = ([TermFields]) throws -> [Int]

    /// The grader's terms for the expressions, and terms the codes cannot hold (a power of 12,
    /// a capital letter), where the tokeniser must throw.
    static let termTexts = ["60 + 2x^3 - 6x + x^3 + 17x", "2x^2 + 3x - x", "a + 3z^4 - 2a^2 + 1b", "-4553l^2 - 11.7j + 10j - 8.3g - -5184m", "4x^1 + x"]
    static let unfitTexts = ["3x^12 + 4x", "2X + y", "5x^0"]

    static func termProbe(_ codes: TermCodes) throws -> Outcome {
        var outcome = Outcome()
        for e in termTexts {
            try Probes.attempt("the codes of \"\(e)\"", into: &outcome) { o in o.record("the codes of \"\(e)\"", try codes(probeTerms(e)).map(Float.init)) }
        }
        for e in unfitTexts {
            outcome.record("whether termCodes throws for \"\(e)\" (1: yes)", try throwsFlag { _ = try codes(probeTerms(e)) })
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the term tokeniser (9.4's known mistakes).
    enum TermChange { case powerOffByOne, fromZero, variableAlone, constantZero, noCheck }

    static func termsWith(_ change: TermChange) -> TermCodes {
        { given in
            try given.map(term).map { t in
                guard let v = t.variable else { return change == .constantZero ? 0 : 105 }
                let letter = Int(v.asciiValue ?? 0) - 97
                let p = t.power ?? 1
                if change != .noCheck {
                    guard (0..<26).contains(letter), (1...4).contains(p) else { throw ExpressionError("\(t.text)") }
                }
                switch change {
                case .powerOffByOne: return 1 + 4 * letter + Swift.max(p - 2, 0)
                case .fromZero: return 4 * letter + p - 1
                case .variableAlone: return 1 + 4 * letter
                default: return 1 + 4 * letter + p - 1
                }
            }
        }
    }
    // END INSTRUCTOR

    public static let termCodes = Exercise<TermCodes>(
        id: "9.4", title: "The term tokeniser", symbol: "termCodes(_:)", file: "Lessons/Lesson9/Tokenizers.swift",
        reference: { try Solution9.termCodes($0.map(term)) },
        mistakes: [
            Mistake("power-off-by-one", "the power's index is off by one: x^2 gets x's code",
                    feedback: "No power means power 1, at index 0: x → 93, x^2 → 94, x^3 → 95, x^4 → 96. With (power − 2) x and x^2 share a code, and the model can no longer tell them apart. Use (t.power ?? 1) − 1.",
                    termsWith(.powerOffByOne)),
            Mistake("codes-from-zero", "the +1 is missing: 'a' gets code 0, the padding's",
                    feedback: "Code 0 is padding, which the pooling and the attention mask ignore: a term 'a' coded 0 disappears from the model's view. Start at 1: 1 + 4·letter + power index.",
                    termsWith(.fromZero)),
            Mistake("variable-alone", "the code holds the letter only, not the power",
                    feedback: "x^3 and x are not like terms, but they get one code: the model cannot tell them apart, whatever it learns. Add the power's index, (power ?? 1) − 1, to 1 + 4·letter.",
                    termsWith(.variableAlone)),
            Mistake("constant-as-padding", "a constant (a term without a variable) gets code 0",
                    feedback: "Code 0 is padding: a constant coded 0 is hidden from the model as if it were not there. Constants have their own code, the last one: 105 (termVocabulary − 1).",
                    termsWith(.constantZero)),
            Mistake("no-range-check", "a power outside 1…4 or a capital letter gets a code anyway",
                    feedback: "x^12 as 1 + 4·23 + 11 = 104 is the code of z^4 — another term. A code that means something else is worse than an error: throw an ExpressionError when the letter is not a…z or the power not in 1...4.",
                    termsWith(.noCheck)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        mistakeTolerance: Tolerance(atol: 0, rtol: 0),
        probe: termProbe
    )

    // MARK: - 9.5 pooling over the real positions

    /// (h, padding, mean) → [B, E].
    public typealias Pool = (Tensor, Tensor, Bool) throws -> Tensor

    /// (what, B, T, E, padding rows): rows padded by different amounts and a row with none, as
    /// a batch has them; a row of one real token; padding only at the end, as paddedBatch makes it.
    static let poolCases: [(what: String, batch: Int, length: Int, width: Int, padding: [[Float]])] = [
        ("3 rows, 2 and 4 padding positions and none", 3, 6, 4, [[0, 0, 0, 0, 1, 1], [0, 0, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0]]),
        ("2 rows, one real token in the first", 2, 3, 5, [[0, 1, 1], [0, 0, 1]]),
    ]

    static func poolProbe(_ pool: Pool) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in poolCases.enumerated() {
            for mean in [false, true] {
                let suffix = " (\(mean ? "mean" : "sum"), \(c.what))"
                try Probes.attempt("output\(suffix)", into: &outcome) { o in
                    let h = Probes.input([c.batch, c.length, c.width], seed: 901 + 10 * UInt64(k))
                    let padding = try Tensor(c.padding.flatMap { $0 }, shape: [c.batch, c.length])
                    Probes.expose([("h", h), ("padding", padding)])
                    try Probes.record(try pool(h, padding, mean), as: "output\(suffix)", gradientsOf: [("h\(suffix)", h)], into: &o)
                }
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the pooling (9.5's known mistakes).
    enum PoolChange { case paddingIncluded, dividedByT, meanAlways, sumAlways, keptPadding, firstOnly }

    static func poolWith(_ change: PoolChange) -> Pool {
        { h, padding, mean in
            let keep = try (change == .keptPadding ? padding : 1 - padding).unsqueeze(2)
            switch change {
            case .paddingIncluded: return mean ? try h.mean(axes: [1]) : try h.sum(axis: 1)
            case .firstOnly: return try h.narrow(axis: 1, start: 0, length: 1).reshape([h.shape[0], h.shape[2]])
            default: break
            }
            let total = try (h * keep).sum(axis: 1)
            switch change {
            case .dividedByT: return mean ? total / Float(h.shape[1]) : total
            case .meanAlways: return try total / keep.sum(axis: 1)
            case .sumAlways: return total
            default: return mean ? try total / keep.sum(axis: 1) : total
            }
        }
    }
    // END INSTRUCTOR

    public static let pool = Exercise<Pool>(
        id: "9.5", title: "Pooling over the real positions", symbol: "pool(_:padding:mean:)", file: "Lessons/Lesson9/Pooling.swift",
        reference: { try Solution9.pool($0, padding: $1, mean: $2) },
        mistakes: [
            Mistake("padding-included", "every position is pooled, padding too",
                    feedback: "A padded row's last vectors are not part of its expression: summing them adds whatever the encoder wrote there, and the answer then depends on how long the batch's longest row happened to be. Multiply h by (1 − padding) — unsqueezed to [B, T, 1] — before the sum, and for the mean divide by the real positions only.",
                    poolWith(.paddingIncluded)),
            Mistake("mean-divided-by-T", "the mean divides the masked sum by T, every row alike",
                    feedback: "The sum is right, but a row with 2 real tokens out of 6 is divided by 6: its mean is a third of what it should be. Divide each row by ITS number of real positions, (1 − padding) summed over axis 1.",
                    poolWith(.dividedByT)),
            Mistake("always-mean", "the mean is returned whatever `mean` says",
                    feedback: "mean: false asks for the sum, which keeps how many terms there are (the label is a count: a mean of four x's and of two x's is the same vector). Return the masked sum when mean is false, and divide it only when mean is true.",
                    poolWith(.meanAlways)),
            Mistake("always-sum", "the sum is returned whatever `mean` says",
                    feedback: "mean: true asks for the average over the real positions: divide the masked sum of each row by that row's number of real positions ((1 − padding) summed over axis 1, [B, 1], which broadcasts over E).",
                    poolWith(.sumAlways)),
            Mistake("padding-kept", "the mask is the wrong way round: the padding positions are pooled and the real ones left out",
                    feedback: "padding is 1 at the PADDING (as the encoder's keyPaddingMask) and 0 at a real token: the weights to keep are 1 − padding. A row with no padding then pools nothing at all.",
                    poolWith(.keptPadding)),
            Mistake("first-position-only", "only the first position's vector is taken",
                    feedback: "Position 0 is a [CLS] token only if the model is trained to put the answer there (the notebook's was: its answer was written at position 0). This head reads the pool of every real position: sum (or average) them, weighted by 1 − padding.",
                    poolWith(.firstOnly)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4)),
        probe: poolProbe
    )
}
