import Autograd
import Solution9

/// The graders of lesson 9: counting like terms (the notebook "Like Terms Reformer", mathy's
/// data). Every probe is built here: hand-made expressions with what the generated data never
/// has (x^12, powers that differ for one letter, a constant, like terms of opposite signs), and
/// the notebook's own kind of expression (negative coefficients, decimals, "- -5184m").
public enum Lesson9Graders {
    /// The hand-made expressions every text probe reads.
    static let expressions = [
        "60 + 2x^3 - 6x + x^3 + 17x",
        "2x^2 + 3x - x",
        "x + 2x + 3x + 4x + y",
        "-4553l^2 - 11.7j + 10j - 8.3g - -5184m",
        "3x^12 + 4x^1 - 2x^12",
        "3x + -2x + y",
    ]

    /// A term as plain values (text, variable, power, start, end): what the graders hand to and
    /// take from the student's code, whose `Term` is the lesson module's own type.
    public typealias TermFields = (text: String, variable: Character?, power: Int?, start: Int, end: Int)

    static func fields(_ t: Term) -> TermFields { (t.text, t.variable, t.power, t.start, t.end) }
    static func term(_ f: TermFields) -> Term { Term(text: f.text, variable: f.variable, power: f.power, start: f.start, end: f.end) }

    /// The terms of an expression, read by the grader itself: every other word of the text
    /// split at its spaces is a term ("- -5184m" has the words "-" and "-5184m").
    static func probeTerms(_ expression: String) -> [TermFields] {
        var out: [TermFields] = []
        var offset = 0
        for (k, word) in expression.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            defer { offset += word.count + 1 }
            guard k % 2 == 0 else { continue }
            let body = word.drop { $0 == "-" || $0.isNumber || $0 == "." }
            let variable = body.first
            let power = body.firstIndex(of: "^").flatMap { Int(body[body.index(after: $0)...]) }
            out.append((String(word), variable, power, offset, offset + word.count))
        }
        return out
    }

    /// Whether `f` throws an error other than `TODO` (1) or returns (0).
    static func throwsFlag(_ f: () throws -> Void) throws -> Float {
        do {
            try f()
            return 0
        } catch let todo as TODO {
            throw todo
        } catch {
            return 1
        }
    }

    // MARK: - 9.1 terms of an expression

    /// expression → its terms.
    public typealias Parse = (String) throws -> [TermFields]

    static func parseProbe(_ parse: Parse) throws -> Outcome {
        var outcome = Outcome()
        for e in expressions {
            try Probes.attempt("the terms of \"\(e)\"", into: &outcome) { o in
                let ts = try parse(e)
                o.record("the number of terms of \"\(e)\"", Float(ts.count))
                o.record("the spans [start, end) of the terms of \"\(e)\"", ts.flatMap { [Float($0.start), Float($0.end)] })
                o.record("the variables (ASCII, −1 for none) of the terms of \"\(e)\"", ts.map { Float($0.variable?.asciiValue ?? 0) - ($0.variable == nil ? 1 : 0) })
                o.record("the powers (−1 for none) of the terms of \"\(e)\"", ts.map { Float($0.power ?? -1) })
                o.record("whether each term's text is the text of its span in \"\(e)\" (1: yes)", ts.map { t in
                    let chars = Array(e)
                    return t.start >= 0 && t.start <= t.end && t.end <= chars.count && String(chars[t.start..<t.end]) == t.text ? 1 : 0
                })
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the parser (9.1's known mistakes).
    enum ParseChange { case everySign, powerNotRead, oneDigitPower, signLeftOut }

    static func parseWith(_ change: ParseChange) -> Parse {
        { expression in
            let chars = Array(expression)
            if change == .everySign {
                // Every '+' and '-' separates, as split(whereSeparator:) with the empty pieces
                // kept: each piece, its spaces trimmed, is a term (an empty one where two signs
                // meet, or before a leading '-').
                var out: [TermFields] = []
                var pieceStart = 0
                for i in 0...chars.count where i == chars.count || chars[i] == "+" || chars[i] == "-" {
                    var (a, b) = (pieceStart, i)
                    while a < b, chars[a] == " " { a += 1 }
                    while b > a, chars[b - 1] == " " { b -= 1 }
                    let text = String(chars[a..<b])
                    let body = text.drop { $0.isNumber || $0 == "." }
                    let power = body.firstIndex(of: "^").flatMap { Int(body[body.index(after: $0)...]) }
                    out.append((text, body.first, power, a, b))
                    pieceStart = i + 1
                }
                return out
            }
            return try Solution9.terms(of: expression).map { t in
                var t = t
                switch change {
                case .powerNotRead:
                    if t.power != nil, let caret = Array(t.text).firstIndex(of: "^") {
                        t.power = nil
                        t.end = t.start + caret
                        t.text = String(Array(t.text)[..<caret])
                    }
                case .oneDigitPower:
                    if let p = t.power, p >= 10 {
                        t.power = Int(String(String(p).first!))
                        t.end -= String(p).count - 1
                        t.text = String(t.text.dropLast(String(p).count - 1))
                    }
                case .signLeftOut:
                    if t.text.hasPrefix("-") {
                        t.text.removeFirst()
                        t.start += 1
                    }
                case .everySign: break
                }
                return fields(t)
            }
        }
    }
    // END INSTRUCTOR

    public static let terms = Exercise<Parse>(
        id: "9.1", title: "The terms of an expression", symbol: "terms(of:)", file: "Lessons/Lesson9/Terms.swift",
        reference: { try Solution9.terms(of: $0).map(fields) },
        mistakes: [
            Mistake("split-at-every-sign", "the text is split at every '+' and '-', so a negative coefficient's '-' makes an empty term",
                    feedback: "In \"- -5184m\" the first '-' is the operator and the second belongs to the coefficient −5184; a leading '-' does too (\"-4553l^2\"). Splitting at every sign finds an empty piece between the two signs (and before a leading one), and drops the coefficient's sign. Read the text in turn: where a TERM may start (at the beginning, and after an operator), a '-' is the coefficient's; where an operator is expected, it is the operator.",
                    parseWith(.everySign)),
            Mistake("power-not-read", "the term stops at its letter: \"^3\" is not read, and x^3 is keyed as x",
                    feedback: "2x^3 and -6x are not like terms: the power is part of what makes terms like, and of the term's span. After the letter, if the next character is '^', read the digits after it as the power and end the term after them.",
                    parseWith(.powerNotRead)),
            Mistake("one-digit-power", "only the first digit of a power is read: x^12 becomes x^1",
                    feedback: "The notebook's powers are 2…4, so one digit is always enough THERE — but x^12 is x to the twelfth, and its '2' is not a new term. After '^', read every digit that follows (while the character is a number), then convert them together.",
                    parseWith(.oneDigitPower)),
            Mistake("sign-left-out", "a negative coefficient's '-' is left out of the term's text and span",
                    feedback: "The term of \"- -5184m\" is \"-5184m\" (−5184·m), and a first term \"-4553l^2\" starts at 0 with its '-'. The sign is the coefficient's, so it is part of the term: start the span at the '-' when a term begins with one.",
                    parseWith(.signLeftOut)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        mistakeTolerance: Tolerance(atol: 0, rtol: 0),
        probe: parseProbe
    )

    // MARK: - 9.2 the label

    /// terms → how many have a like partner.
    public typealias Count = ([TermFields]) throws -> Int

    static func countProbe(_ count: Count) throws -> Outcome {
        var outcome = Outcome()
        for e in expressions {
            try Probes.attempt("the count for \"\(e)\"", into: &outcome) { o in
                o.record("the count for \"\(e)\"", Float(try count(probeTerms(e))))
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the label (9.2's known mistakes).
    enum CountChange { case groups, kinds, everyTerm, powerIgnored, pairs, termsMinusKinds, wholeTerms, signCompared }

    static func countWith(_ change: CountChange) -> Count {
        { given in
            let terms = given.map(term)
            func key(_ t: Term) -> String {
                switch change {
                case .powerIgnored: return t.variable.map { String($0) } ?? ""
                case .wholeTerms: return t.text
                case .signCompared: return (t.text.hasPrefix("-") ? "-" : "+") + t.key
                default: return t.key
                }
            }
            var sizes: [String: Int] = [:]
            for t in terms { sizes[key(t), default: 0] += 1 }
            switch change {
            case .groups: return sizes.values.filter { $0 > 1 }.count
            case .kinds: return sizes.count
            case .everyTerm: return terms.count
            case .pairs: return sizes.values.map { $0 * ($0 - 1) / 2 }.reduce(0, +)
            case .termsMinusKinds: return terms.count - sizes.count
            default: return sizes.values.filter { $0 > 1 }.reduce(0, +)
            }
        }
    }
    // END INSTRUCTOR

    public static let likeTermCount = Exercise<Count>(
        id: "9.2", title: "The label: terms with a like partner", symbol: "likeTermCount(_:)", file: "Lessons/Lesson9/Label.swift",
        reference: { try Solution9.likeTermCount($0.map(term)) },
        mistakes: [
            Mistake("counted-the-groups", "the groups of like terms are counted, not the terms in them",
                    feedback: "60 + 2x^3 - 6x + x^3 + 17x has two groups of like terms ({2x^3, x^3} and {-6x, 17x}) but FOUR like terms: the label counts terms (\"5 total terms but only 4 like terms\", mathy's count_like_terms). Add up the SIZES of the groups with two or more terms.",
                    countWith(.groups)),
            Mistake("counted-the-kinds", "the distinct keys are counted, lone terms included",
                    feedback: "A term alone with its key (the 60, the y) has no like partner and must not count; and a group of three like terms counts three, not one. Count the terms per key, then add the counts that are 2 or more.",
                    countWith(.kinds)),
            Mistake("counted-every-term", "every term is counted, like partner or not",
                    feedback: "The label is how many terms have a like partner: in 2x^2 + 3x - x the 2x^2 is alone (x^2 is not x), so the answer is 2, not 3. Group the terms by key and leave out the groups of one.",
                    countWith(.everyTerm)),
            Mistake("ignored-the-power", "terms are grouped by their variable alone, so x^3 is taken as like x",
                    feedback: "Like terms share the variable AND the power: 2x^2 and 3x cannot be combined. (In the notebook's data this never matters — each letter has one power — which is why a probe with mixed powers is needed.) Group by the term's key, \"x^2\", not by its letter.",
                    countWith(.powerIgnored)),
            Mistake("counted-pairs", "pairs of like terms are counted, n(n − 1)/2 per group",
                    feedback: "A group of four x's holds 6 pairs but 4 like terms; a pair counts 1 where the label wants 2. Count each term once: add the group's size n, not the number of pairs in it.",
                    countWith(.pairs)),
            Mistake("terms-minus-kinds", "the count is the terms that combining removes: terms − kinds",
                    feedback: "Combining x + 2x + 3x + 4x + y leaves 10x + y, three terms fewer than five — but all four x's have like partners, so the label is 4. Count the terms in the groups of two or more, not how many disappear.",
                    countWith(.termsMinusKinds)),
            Mistake("compared-whole-terms", "whole terms are compared, coefficient included",
                    feedback: "2x^3 and x^3 are like terms although their texts differ: what decides is the variable and the power, the term's key, never the coefficient. Group by t.key, not t.text.",
                    countWith(.wholeTerms)),
            Mistake("compared-the-sign", "the coefficient's sign is part of the comparison: 3x and -2x are taken as unlike",
                    feedback: "3x + -2x + y combines to x + y: 3x and -2x are like terms whatever their signs. Leave the coefficient, sign included, out of the comparison: group by the key alone.",
                    countWith(.signCompared)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        mistakeTolerance: Tolerance(atol: 0, rtol: 0),
        probe: countProbe
    )

    /// Every exercise of lesson 9, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(terms), AnyExercise(likeTermCount), AnyExercise(characterCodes), AnyExercise(termCodes), AnyExercise(pool),
        AnyExercise(likeTermMass), AnyExercise(baselineAccuracies),
    ]
}
