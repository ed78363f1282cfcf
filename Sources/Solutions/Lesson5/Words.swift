import Autograd

// Lesson 5, exercise 5.1: a text whose grammar we know — the numbers, in words.
//
// A language model reads a text and, at every word, guesses the next. To see what it
// learns we start with a text whose rules we know exactly: the numbers from one to
// nine thousand nine hundred ninety nine, written out, a dot after each:
//
//     one . two . three . … . twenty one . twenty two . … . nine thousand nine hundred ninety nine
//
// After "twenty" comes a unit or a dot; after "hundred", a ten, a unit or a dot; after
// "thousand", almost anything. How much of that can a network learn from the text alone?
//
// The words are spelled as the fastai chapter's files spell them: no hyphens and no
// "and" — 2121 is "two thousand one hundred twenty one", 100 is "one hundred", 8001 is
// "eight thousand one". Thirty words in all: nineteen units and teens, eight tens,
// "hundred", "thousand" and the dot.

/// The units and teens by value (index 0 unused: zero is never written).
public let unitWords = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
/// The tens by their digit (indices 0 and 1 unused: ten to nineteen are units above).
public let tenWords = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

/// `n` (1 ≤ n ≤ 9999) in words, one word per element, the chapter's way:
///
///     7    → ["seven"]                       40   → ["forty"]
///     15   → ["fifteen"]                     100  → ["one", "hundred"]
///     21   → ["twenty", "one"]               2121 → ["two", "thousand", "one", "hundred", "twenty", "one"]
///     8001 → ["eight", "thousand", "one"]    9000 → ["nine", "thousand"]
///
/// Thousands, then hundreds, then the rest below a hundred; a part that is zero is not
/// written at all (no "zero", no "and"); below twenty the word is in `unitWords`, from
/// twenty up a ten from `tenWords` followed by its unit unless the unit is 0.
public func numberWords(_ n: Int) throws -> [String] {
    // TODO(5.1): thousands ("<unit> thousand"), hundreds ("<unit> hundred"), then what is left below 100: a unit word under 20, else a ten word and its unit unless 0.
    // BEGIN SOLUTION
    var words: [String] = []
    var rest = n
    if rest >= 1000 {
        words += [unitWords[rest / 1000], "thousand"]
        rest %= 1000
    }
    if rest >= 100 {
        words += [unitWords[rest / 100], "hundred"]
        rest %= 100
    }
    if rest >= 20 {
        words.append(tenWords[rest / 10])
        rest %= 10
    }
    if rest > 0 { words.append(unitWords[rest]) }
    return words
    // END SOLUTION
}

/// The numbers the chapter's two files hold, in order: 1…7999 (train.txt) and 8001…9999
/// (valid.txt). 8000 is in neither file: 9998 lines.
public let numberLines = Array(1...7999) + Array(8001...9999)

/// The whole text as tokens: the words of each line, with a "." between lines (the chapter
/// joins its lines with " . ": no dot after the last). 63 095 tokens.
public func numberTokens() throws -> [String] {
    var tokens: [String] = []
    for (i, n) in numberLines.enumerated() {
        if i > 0 { tokens.append(".") }
        tokens += try numberWords(n)
    }
    return tokens
}

/// The words of a text in the order they first appear, and each word's code (its index).
/// The numbers' vocabulary starts "one . two three four …" and has 30 words.
public struct Vocabulary: Sendable {
    /// The words, by code.
    public let words: [String]
    private let index: [String: Int]

    public init(_ tokens: [String]) {
        var words: [String] = [], index: [String: Int] = [:]
        for t in tokens where index[t] == nil {
            index[t] = words.count
            words.append(t)
        }
        self.words = words
        self.index = index
    }

    public var count: Int { words.count }

    /// The code of each token (a token not in the vocabulary is a programming error).
    public func codes(_ tokens: [String]) -> [Int] { tokens.map { index[$0]! } }

    /// The code of one word, if it is in the vocabulary.
    public func code(_ word: String) -> Int? { index[word] }
}
