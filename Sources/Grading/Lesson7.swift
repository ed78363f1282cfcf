import Autograd
import Foundation
import Solution7

/// The graders of lesson 7: online memorisation with an LSTM (notebook 004).
public enum Lesson7Graders {
    /// Codes as capital letters ("A" for 0), for messages: [7, 8] → "HI".
    static func letters(_ codes: [Int]) -> String {
        String(codes.map { (0..<26).contains($0) ? Character(Unicode.Scalar(UInt8(65 + $0))) : "?" })
    }

    /// The codes of a string of capitals ("A" → 0).
    static func codes(_ text: String) -> [Int] { text.map { Int($0.asciiValue ?? 65) - 65 } }

    /// `count` codes below `letters` from `seed`.
    static func randomCodes(_ count: Int, letters: Int, seed: UInt64) -> [Int] {
        var rng = RNG(seed: seed)
        return (0..<count).map { _ in rng.int(below: letters) }
    }

    // MARK: - 7.1 next-letter pairs of a cyclic string

    public typealias CyclicPairs = (String, String) throws -> [(input: Int, target: Int)]

    /// (text, alphabet): a wrap pair that goes back to the same letter; the whole alphabet's
    /// ends; one letter (its own successor); nothing; the notebook's strings; alphabets that
    /// are not "A…Z" in order (a code is a position in the alphabet given, not a letter's
    /// distance from "A"); a random string of letters that repeat.
    static let pairCases: [(text: String, alphabet: String)] = [
        ("ABCA", "ABCD"), ("ZA", capitals), ("Q", capitals), ("", capitals),
        ("ABCDEFGHIJKLMNOPHRSTUVWXYZ", capitals), ("VNMVWKTFFLOZKUNSDYGOEFOBTZTTVU", capitals),
        ("CAB", "CBA"), ("WXXYWZ", "XYZW"),
        (String(randomCodes(17, letters: 5, seed: 701).map { Array("QRSTU")[$0] }), "UTSRQ"),
    ]

    static func pairsProbe(_ pairs: CyclicPairs) throws -> Outcome {
        var outcome = Outcome()
        for (text, alphabet) in pairCases {
            let name = "the pairs of \"\(text)\" (alphabet \"\(alphabet)\")"
            try Probes.attempt(name, into: &outcome) { o in
                let made = try pairs(text, alphabet)
                o.record("\(name): inputs", made.map { Float($0.input) })
                o.record("\(name): targets", made.map { Float($0.target) })
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the pairs (7.1's known mistakes).
    enum PairsChange { case noWrap, targetIsTheLetter, firstAppearance, ascii }

    static func pairsWith(_ change: PairsChange) -> CyclicPairs {
        { text, alphabet in
            var codes: [Int]
            switch change {
            case .firstAppearance:
                var seen: [Character: Int] = [:]
                codes = []
                for c in text {
                    if seen[c] == nil { seen[c] = seen.count }
                    codes.append(seen[c]!)
                }
            case .ascii: codes = text.map { Int($0.asciiValue ?? 0) - 65 }
            default: codes = try Solution7.cyclicPairs(text, alphabet: alphabet).map(\.input)
            }
            switch change {
            case .noWrap: return (0..<max(0, codes.count - 1)).map { (codes[$0], codes[$0 + 1]) }
            case .targetIsTheLetter: return codes.map { ($0, $0) }
            default: return codes.indices.map { (codes[$0], codes[($0 + 1) % codes.count]) }
            }
        }
    }
    // END INSTRUCTOR

    public static let cyclicPairs = Exercise<CyclicPairs>(
        id: "7.1", title: "Next-letter pairs of a cyclic string", symbol: "cyclicPairs(_:alphabet:)", file: "Lessons/Lesson7/Pairs.swift",
        reference: { try Solution7.cyclicPairs($0, alphabet: $1) },
        mistakes: [
            Mistake("no-wrap-pair", "n − 1 pairs: the last letter → the first is missing",
                    feedback: "The string is recited round and round (the notebook's get_data pairs letter i with letter (i + 1) % n), so after its last letter comes its first again, and that transition must be taught too — else the network never learns what follows \"Z\", and a recital of the whole cycle fails at its last step. Make n pairs: the target of letter i is letter (i + 1) % n.",
                    pairsWith(.noWrap)),
            Mistake("target-is-the-letter-itself", "each letter is paired with itself, not with the letter after it",
                    feedback: "A network taught A→A, B→B learns to copy its input, which needs no memory at all. The target is the NEXT letter: the code of text[(i + 1) % n].",
                    pairsWith(.targetIsTheLetter)),
            Mistake("codes-by-first-appearance", "codes numbered in the order the letters first appear in the text, not by their place in the alphabet",
                    feedback: "\"VNM…\" would make V code 0 — but the network's 26 inputs and 26 scores mean the letters of the alphabet, A to Z, and the recital reads letters back from codes the same way. A letter's code is its position in `alphabet`.",
                    pairsWith(.firstAppearance)),
            Mistake("ascii-codes", "codes computed as the letter's ASCII value minus 65 (\"A\"), whatever the alphabet",
                    feedback: "That is right only when the alphabet is \"ABC…Z\" in order: with the alphabet \"CBA\", C must be code 0. Look each letter up in the alphabet you are given (a dictionary from letter to position, built once), and throw LetterNotInAlphabet for one that is not there.",
                    pairsWith(.ascii)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        probe: pairsProbe
    )

    // MARK: - 7.2 ambiguous positions

    public typealias AmbiguousPositions = ([Int], Int) throws -> Int

    /// (what, codes, order): the notebook's strings at orders 1 and 2 (0, 2, 10 and 21
    /// positions at order 1; none at 2), a run of eight H's (8, 7, 6, 5 at orders 1…4: it
    /// takes nine letters of context to count them), "ABAB" (A and B repeat but always go
    /// on alike: 0), strings whose ambiguity is only seen across the wrap, and random
    /// strings over three and four letters at orders 1 to 3.
    static let contextCases: [(what: String, codes: [Int], order: Int)] = {
        var cases: [(String, [Int], Int)] = []
        for (name, text) in notebookStrings { for order in [1, 2] { cases.append((name, codes(text), order)) } }
        let run8 = "ABCDEFGHHHHHHHHIJKLMNOPQRSTUVWXYZ"
        for order in 1...4 { cases.append(("A…G, eight H's, I…Z", codes(run8), order)) }
        for text in ["ABAB", "ABAC", "AAB", "ABCA", "BAAC", "A", ""] { for order in [1, 2] { cases.append(("\"\(text)\"", codes(text), order)) } }
        for (k, (count, size)) in [(12, 3), (15, 4), (20, 3), (9, 2)].enumerated() {
            let random = randomCodes(count, letters: size, seed: 711 + UInt64(k))
            for order in 1...3 { cases.append(("\"\(letters(random))\"", random, order)) }
        }
        return cases
    }()

    static func contextsProbe(_ ambiguous: AmbiguousPositions) throws -> Outcome {
        var outcome = Outcome()
        for c in contextCases {
            let name = "ambiguous positions of \(c.what), order \(c.order)"
            try Probes.attempt(name, into: &outcome) { o in o.record(name, Float(try ambiguous(c.codes, c.order))) }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the count (7.2's known mistakes).
    enum ContextChange { case notCyclic, countsContexts, repeatsWhateverFollows }

    static func ambiguousWith(_ change: ContextChange) -> AmbiguousPositions {
        { codes, order in
            let n = codes.count
            let positions = change == .notCyclic ? Array(stride(from: order - 1, to: n - 1, by: 1)) : Array(0..<n)
            func context(_ j: Int) -> [Int] { (0..<order).map { codes[((j - order + 1 + $0) % n + n) % n] } }
            var followers: [[Int]: Set<Int>] = [:], seen: [[Int]: Int] = [:]
            for j in positions {
                followers[context(j), default: []].insert(codes[(j + 1) % n])
                seen[context(j), default: 0] += 1
            }
            switch change {
            case .countsContexts: return followers.values.filter { $0.count > 1 }.count
            case .repeatsWhateverFollows: return positions.filter { seen[context($0)]! > 1 }.count
            case .notCyclic: return positions.filter { followers[context($0)]!.count > 1 }.count
            }
        }
    }
    // END INSTRUCTOR

    public static let ambiguousPositions = Exercise<AmbiguousPositions>(
        id: "7.2", title: "Which letters a short memory cannot predict", symbol: "ambiguousPositions(_:order:)", file: "Lessons/Lesson7/Contexts.swift",
        reference: { try Solution7.ambiguousPositions($0, order: $1) },
        mistakes: [
            Mistake("not-cyclic", "the string is not read cyclically: the first positions' contexts and the last letter → the first are left out",
                    feedback: "The network recites the string round and round and is trained on the wrap pair too, so the context of position 0 at order 2 is (last letter, first letter), and the letter after the last one is the first. Take every index modulo n — ((j − order + 1 + i) % n + n) % n — and count all n positions.",
                    ambiguousWith(.notCyclic)),
            Mistake("counts-contexts", "counts the contexts that are followed by more than one letter, not the positions",
                    feedback: "In \"VNMVWKTFF…\" the context V occurs four times with three different successors: one context, but four positions where a network that sees only V can go wrong. Count positions: for each j, is its context followed by more than one letter anywhere?",
                    ambiguousWith(.countsContexts)),
            Mistake("repeats-whatever-follows", "counts every position whose context occurs more than once, whatever follows it",
                    feedback: "A repeated context is harmless when the same letter follows it every time: in \"ABAB\" A is always followed by B, and a one-letter network recites it perfectly. A position is ambiguous only when its context is followed by DIFFERENT letters: collect, for each context, the set of letters after it.",
                    ambiguousWith(.repeatsWhateverFollows)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        probe: contextsProbe
    )

    // MARK: - 7.6 scoring a recital

    public typealias Score = ([Int], [Int]) throws -> (stepsCorrect: Int, longestCommon: Int)

    /// (target, generated): the research's table, where every wrong reading gives another
    /// pair of numbers (a prefix; the longest run of equal positions; the longest common
    /// substring; the longest common subsequence; the number of equal positions), lengths
    /// that differ, nothing, and random pairs over three letters — some copies with one
    /// letter changed, some rotations.
    static let scoreCases: [(target: [Int], generated: [Int])] = {
        var cases = [("BCDEFGHIJKLMNOPHRSTUVWXYZA", "BCDEFGHRSTUVWXYZABCDEFGHRS"), ("BCDEFGHIJKLMNOPHRSTUVWXYZA", "BCDEFGHIJKLMNOPHIJKLMNOPHI"),
                     ("ABCABC", "CABCAB"), ("ABCDEF", "ABXDEF"), ("ABCDEF", "XBCDEF"), ("ABCDEF", "ABCDEF"), ("ABCDEF", "ABC"),
                     ("ABC", "ABCDEF"), ("ABCD", "DCBA"), ("", "ABC"), ("", "")].map { (codes($0), codes($1)) }
        for k in 0..<9 {
            var rng = RNG(seed: 721 + UInt64(k))
            let n = 4 + rng.int(below: 10)
            let target = (0..<n).map { _ in rng.int(below: 3) }
            var generated: [Int]
            switch k % 3 {
            case 0: generated = (0..<(n - rng.int(below: 3))).map { _ in rng.int(below: 3) }
            case 1:
                generated = target
                generated[rng.int(below: n)] = (generated[0] + 1) % 3
            default:
                let shift = 1 + rng.int(below: n - 1)
                generated = Array(target[shift...] + target[..<shift])
            }
            cases.append((target, generated))
        }
        return cases
    }()

    static func scoreProbe(_ score: Score) throws -> Outcome {
        var outcome = Outcome()
        for c in scoreCases {
            let name = "steps correct and longest common substring of target \"\(letters(c.target))\" and recital \"\(letters(c.generated))\""
            try Probes.attempt(name, into: &outcome) { o in
                let (steps, longest) = try score(c.target, c.generated)
                o.record(name, [Float(steps), Float(longest)])
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the scores (7.6's known mistakes).
    enum ScoreChange { case alignedRun, subsequence, matchesCounted }

    static func scoredWith(_ change: ScoreChange) -> Score {
        { target, generated in
            let right = try Solution7.score(target: target, generated: generated)
            switch change {
            case .matchesCounted: return (zip(target, generated).filter { $0 == $1 }.count, right.longestCommon)
            case .alignedRun:
                var (best, run) = (0, 0)
                for (t, g) in zip(target, generated) {
                    run = t == g ? run + 1 : 0
                    best = max(best, run)
                }
                return (right.stepsCorrect, best)
            case .subsequence:
                var table = [[Int]](repeating: [Int](repeating: 0, count: generated.count + 1), count: target.count + 1)
                for i in 0..<target.count {
                    for j in 0..<generated.count {
                        table[i + 1][j + 1] = target[i] == generated[j] ? table[i][j] + 1 : max(table[i][j + 1], table[i + 1][j])
                    }
                }
                return (right.stepsCorrect, table[target.count][generated.count])
            }
        }
    }
    // END INSTRUCTOR

    public static let score = Exercise<Score>(
        id: "7.6", title: "Two scores for a recital", symbol: "score(target:generated:)", file: "Lessons/Lesson7/Score.swift",
        reference: { try Solution7.score(target: $0, generated: $1) },
        mistakes: [
            Mistake("aligned-run", "the longest run of equal POSITIONS, not the longest common substring",
                    feedback: "A recital that skips ahead (\"…GH\" then \"RSTU…\" where \"IJKL…\" belonged) is still reciting the string, only from the wrong place, and the notebook's difflib measure credits that run wherever it sits in each. Compare every start in the target with every start in the recital: run[i][j] = run[i−1][j−1] + 1 when target[i] == generated[j].",
                    scoredWith(.alignedRun)),
            Mistake("subsequence", "the longest common SUBSEQUENCE (letters in order, gaps allowed), not substring",
                    feedback: "A subsequence may skip letters, so it rewards scattered matches that were never recited in one piece: \"ABCDEF\" and \"ABXDEF\" share the subsequence ABDEF (5) but no substring longer than 3. A substring is contiguous in both: when target[i] ≠ generated[j], the run there is 0, not the best of its neighbours.",
                    scoredWith(.subsequence)),
            Mistake("matches-counted", "steps correct counts every position where the two agree, not those before the first error",
                    feedback: "Once a recital goes wrong, the network is reading a letter it was not taught to follow: what comes after only agrees by luck or by a jump. Steps correct stops at the first difference: count from the start while target[i] == generated[i].",
                    scoredWith(.matchesCounted)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        probe: scoreProbe
    )

    /// Every exercise of lesson 7, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(cyclicPairs), AnyExercise(ambiguousPositions), AnyExercise(trainStep), AnyExercise(trainEpoch),
        AnyExercise(generate), AnyExercise(score),
    ]
}
