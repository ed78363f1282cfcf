import Autograd
import Foundation
import Solution5

/// The graders of lesson 5: a language model from scratch.
public enum Lesson5Graders {
    // MARK: - 5.1 the numbers in words

    public typealias NumberWords = (Int) throws -> [String]

    /// The numbers the probe spells: every branch (units, teens, round tens, tens with a
    /// unit, a hundred alone, hundreds with and without the rest, thousands with each part
    /// missing in turn) and the ends of the range.
    static let spelledNumbers = [1, 7, 10, 13, 15, 19, 20, 21, 40, 58, 99, 100, 101, 110, 115, 120, 305, 999,
                                 1000, 1001, 1010, 1019, 1100, 1200, 2000, 2121, 3040, 4444, 5000, 6713, 7305, 8001, 9000, 9999]

    /// Where a word list is kept in an outcome: the words joined with "|", as Unicode scalars.
    static func scalars(_ words: [String]) -> [Float] { words.joined(separator: "|").unicodeScalars.map { Float($0.value) } }

    /// A word list back from `scalars`, written the way Swift prints an array of strings.
    static func wordList(_ values: [Float]) -> String {
        let text = String(String.UnicodeScalarView(values.compactMap { Unicode.Scalar(UInt32($0)) }))
        return "[" + text.split(separator: "|", omittingEmptySubsequences: false).map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }

    /// The chapter's words but the dot, in the order the probe counts them.
    static let countedWords = Array(unitWords.dropFirst()) + Array(tenWords.dropFirst(2)) + ["hundred", "thousand"]
    static let countsName = "how often each word occurs in 1…9999 (\(countedWords.joined(separator: ", ")), any other)"
    static let checksumsName = "a checksum of the words of each hundred numbers (1…99, 100…199, …, 9900…9999)"

    /// A checksum of a run of numbers' words that changes with their order (FNV-1a over
    /// the words, a space after each and a dot after each number), 24 bits: a Float holds it
    /// exactly.
    struct WordsChecksum {
        var hash: UInt32 = 2_166_136_261
        mutating func add(_ words: [String]) {
            for w in words {
                for byte in w.utf8 { mix(byte) }
                mix(0x20)
            }
            mix(0x2E)
        }
        mutating func mix(_ byte: UInt8) { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        var value: Float { Float((hash ^ (hash >> 24)) & 0xFF_FFFF) }
    }

    /// The words of each probe number; how often each of the chapter's 30 words (and
    /// anything else) occurs in all of 1…9999; and a checksum of the words of each hundred
    /// numbers. A shortcut that spells only the probe's numbers right still miscounts the
    /// whole text, or, if its words elsewhere are the right ones in another order, changes
    /// a checksum.
    static func wordsProbe(_ spell: NumberWords) throws -> Outcome {
        var outcome = Outcome()
        for n in spelledNumbers { outcome.record("numberWords(\(n))", scalars(try spell(n))) }
        var counts = [Float](repeating: 0, count: countedWords.count + 1)
        let slot = Dictionary(uniqueKeysWithValues: countedWords.enumerated().map { ($1, $0) })
        var checksums = [WordsChecksum](repeating: WordsChecksum(), count: 100)
        for n in 1...9999 {
            let words = try spell(n)
            for w in words { counts[slot[w] ?? countedWords.count] += 1 }
            checksums[n / 100].add(words)
        }
        outcome.record(countsName, counts)
        outcome.record(checksumsName, checksums.map(\.value))
        return outcome
    }

    /// Passes when every probe number is spelled as the reference spells it, the counts
    /// over 1…9999 agree and so do the checksums; else names the first number spelled
    /// otherwise, the first word counted otherwise, or the first hundred numbers whose
    /// words differ.
    static func wordsRule(_ got: Outcome, _ want: Outcome) -> String? {
        for n in spelledNumbers {
            let name = "numberWords(\(n))"
            guard let g = got[name], let w = want[name] else { return "numberWords(\(n)) returned nothing to grade" }
            if g.values != w.values { return "numberWords(\(n)) returned \(wordList(g.values)), where the chapter's text has \(wordList(w.values))" }
        }
        if let g = got[countsName], let w = want[countsName], g.values != w.values {
            let words = countedWords + ["(any other)"]
            let i = g.values.indices.first { g.values[$0] != w.values[$0] } ?? 0
            return "the probe's numbers are right, but over all of 1…9999 \"\(words[i])\" occurs \(Int(g.values[i])) times where the chapter's text has \(Int(w.values[i])): spell every number by the rules, not the probe's numbers alone"
        }
        if let g = got[checksumsName], let w = want[checksumsName], g.values != w.values {
            let block = g.values.indices.first { g.values[$0] != w.values[$0] } ?? 0
            let range = "\(Swift.max(block * 100, 1))…\(block * 100 + 99)"
            return "the probe's numbers are right and every word occurs as often as in the chapter's text, but the words of some number in \(range) are not the chapter's — the right words in another order, or another number's words: print numberWords(n) for each n in \(range) and check it by the rules (thousands, hundreds, then a ten before its unit)"
        }
        return nil
    }

    // BEGIN INSTRUCTOR
    /// One change to how a number is spelled (5.1's known mistakes).
    enum SpellingChange { case hyphens, and, emptyParts, teensAsTens, emptyUnit, oneLeftOut }

    /// The reference's spelling with one `SpellingChange`.
    static func spelledWith(_ change: SpellingChange) -> NumberWords {
        { n in
            var words: [String] = []
            var rest = n
            for (size, name) in [(1000, "thousand"), (100, "hundred")] where rest >= size || change == .emptyParts && n >= size {
                let count = rest / size
                words += change == .oneLeftOut && count == 1 ? [name] : [unitWords[count], name]
                rest %= size
            }
            if change == .and, n >= 100, rest > 0 { words.append("and") }
            if rest >= (change == .teensAsTens ? 10 : 20) {
                let ten = tenWords[rest / 10]
                rest %= 10
                if change == .hyphens, rest > 0 { return words + ["\(ten)-\(unitWords[rest])"] }
                words.append(ten)
                if change == .emptyUnit { return words + [unitWords[rest]] }
            }
            if rest > 0 { words.append(unitWords[rest]) }
            return words
        }
    }
    // END INSTRUCTOR

    public static let numberWords = Exercise<NumberWords>(
        id: "5.1", title: "The numbers in words", symbol: "numberWords(_:)", file: "Lessons/Lesson5/Words.swift",
        reference: { try Solution5.numberWords($0) },
        mistakes: [
            Mistake("hyphens", "the tens and units are joined with a hyphen, \"twenty-one\", as one word",
                    feedback: "\"twenty-one\" is how English prints it, but the chapter's files write \"twenty one\": two words, so that the model sees the same \"one\" after \"twenty\" as after \"thousand\". With hyphens the vocabulary grows from 30 words to 102, and none of the 72 new ones shares anything with the others. Append the ten word and the unit word separately.",
                    spelledWith(.hyphens)),
            Mistake("and-after-hundred", "\"and\" after hundred: \"one hundred and five\"",
                    feedback: "British English says \"one hundred and five\"; the chapter's text does not (2121 is \"two thousand one hundred twenty one\"), and an extra word changes every count the lesson compares with the chapter's (63 095 tokens, 30 words). Leave \"and\" out.",
                    spelledWith(.and)),
            Mistake("zero-parts-written", "a part that is zero is still written, as an empty word: 8001 → \"eight\", \"thousand\", \"\", \"hundred\", \"one\"",
                    feedback: "8001 has no hundreds, and the text says \"eight thousand one\": a part that is zero is not written at all. unitWords[0] is the empty string, and appending it (with \"hundred\") makes tokens no text has. Write the hundreds only when rest ≥ 100, the thousands only when n ≥ 1000.",
                    spelledWith(.emptyParts)),
            Mistake("teens-as-tens", "the teens are spelled as a ten and a unit: 15 → \"\", \"five\" (tenWords[1] is empty)",
                    feedback: "Ten to nineteen have names of their own (\"fifteen\"), which unitWords holds at their values. The tens rule — a ten word, then a unit — only works from 20 up: use tenWords when what is left is at least 20, and unitWords[rest] for anything from 1 to 19.",
                    spelledWith(.teensAsTens)),
            Mistake("empty-unit-after-a-round-ten", "a round ten gets an empty unit after it: 40 → \"forty\", \"\"",
                    feedback: "40 is \"forty\" alone. After the ten word, append the unit only if it is not 0: unitWords[0] is the empty string, and an empty token becomes a 31st word of the vocabulary.",
                    spelledWith(.emptyUnit)),
            Mistake("one-left-out", "one hundred and one thousand lose their \"one\": 100 → \"hundred\", 1000 → \"thousand\"",
                    feedback: "Spoken English often says \"a hundred\", but the chapter's text says \"one hundred\" and \"one thousand\" (1100 is \"one thousand one hundred\"). Write unitWords[count] before \"hundred\" and \"thousand\" whatever the count.",
                    spelledWith(.oneLeftOut)),
        ],
        criterion: .rule(wordsRule),
        probe: wordsProbe
    )

    // MARK: - 5.2 batches that continue each other

    public typealias GroupChunks = ([Int], Int) throws -> [Int]

    /// The probe's sizes: samples and batch size, divisible or not (the leftovers must be
    /// dropped), one row, one batch, fewer samples than a batch (nothing to return), and the
    /// lesson's proportions (329 samples of the number sequences' 3 943 train split, 64 rows
    /// scaled to 8).
    static let chunkCases: [(count: Int, batch: Int)] = [(12, 3), (14, 3), (10, 2), (7, 1), (6, 6), (4, 5), (329, 8)]

    // BEGIN INSTRUCTOR
    /// One change to the grouping (5.2's known mistakes).
    enum GroupingChange { case unchanged, loopsSwapped, leftoversKept, roundedUp }

    static func groupedWith(_ change: GroupingChange) -> GroupChunks {
        { samples, batch in
            let m = change == .roundedUp ? (samples.count + batch - 1) / batch : samples.count / batch
            var grouped: [Int] = []
            switch change {
            case .unchanged: return samples
            case .loopsSwapped:
                for j in 0..<batch { for i in 0..<m { grouped.append(samples[j * m + i]) } }
            case .leftoversKept, .roundedUp:
                for i in 0..<m { for j in 0..<batch where j * m + i < samples.count { grouped.append(samples[j * m + i]) } }
                if change == .leftoversKept { grouped += samples[(m * batch)...] }
            }
            return grouped
        }
    }
    // END INSTRUCTOR

    public static let groupChunks = Exercise<GroupChunks>(
        id: "5.2", title: "Batches that continue each other", symbol: "groupChunks(_:batchSize:)", file: "Lessons/Lesson5/Chunks.swift",
        reference: { try Solution5.groupChunks($0, batchSize: $1) },
        mistakes: [
            Mistake("not-reordered", "the samples come back in their own order",
                    feedback: "Cut in order, batch k + 1's row j is the sample that follows batch k's LAST row, not its row j: row j's state would carry on into text that is batchSize samples further on. Deal the samples into batchSize streams of m = count / batchSize, and make batch i of sample i of every stream: samples[j · m + i].",
                    groupedWith(.unchanged)),
            Mistake("loops-swapped", "the streams come out one after the other (for j { for i { … } }): the order barely changes",
                    feedback: "With the row loop outside, you append stream 0 whole, then stream 1…: the samples in their own order again, and cut into batches each batch holds consecutive samples of ONE stream. The batch loop goes outside: for i in 0..<m { for j in 0..<batchSize { samples[j · m + i] } }.",
                    groupedWith(.loopsSwapped)),
            Mistake("leftovers-kept", "the samples past m · batchSize are appended at the end",
                    feedback: "The last count % batchSize samples cannot start a stream of their own: put at the end, they make a last, short batch whose rows continue nothing (and a batch of another size, which the state of shape [batchSize, H] cannot start). Drop them: return m · batchSize samples.",
                    groupedWith(.leftoversKept)),
            Mistake("streams-rounded-up", "m is rounded up, so the last stream is short and the batches come out uneven",
                    feedback: "With m = ⌈count / batchSize⌉ the streams do not all have m samples: the last batches lack rows, and cut into batches of batchSize everything after the first short one is shifted. Round m down (count / batchSize with Ints) and drop what is left.",
                    groupedWith(.roundedUp)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0))
    ) { group in
        var outcome = Outcome()
        for c in chunkCases {
            try Probes.attempt("the order of \(c.count) samples, batchSize \(c.batch)", into: &outcome) { o in
                o.record("the order of \(c.count) samples, batchSize \(c.batch)", try group(Array(0..<c.count), c.batch).map(Float.init))
            }
        }
        return outcome
    }

    /// Every exercise of lesson 5, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(numberWords), AnyExercise(groupChunks),
        AnyExercise(threeWords), AnyExercise(wordLoop), AnyExercise(everyWord),
        AnyExercise(lstmWords), AnyExercise(tie), AnyExercise(activationPenalty),
        AnyExercise(characterCodes), AnyExercise(bitsPerCharacter), AnyExercise(sampleCode), AnyExercise(generate),
    ]
}
