import Autograd
import ExperimentKit
import Foundation
import Lesson6

// The texts of `tutor run 6`: lesson 5's two corpora, made exactly as lesson 5's Part B makes
// them (so that the vocabulary is its checkpoint's), or a file of the user's; and lesson 5's
// split: the first 90 % of the characters are counted (or trained on), the rest held out.

/// One text as codes, split as lesson 5 splits it.
struct Corpus {
    /// "lessons", "numbers", or the file's name: for the printout and the cached model's file.
    let name: String
    /// What it is, in words: "the READMEs of lessons 0–4".
    let about: String
    let vocabulary: [Character]
    let codes: [Int]
    /// Lesson 5's cut, `Int(Double(count) * 0.9)`: codes[..<cut] are counted, the rest held out.
    let cut: Int
    /// The text a lesson 5 checkpoint of this corpus was trained on (lesson 5's `--corpus`), or nil for a file.
    let lessonFiveCorpus: String?

    /// Lesson 5 validates on at most this many characters after the cut (20 batches of 32 × 64).
    static let heldOutLimit = 40_960

    init(name: String, about: String, text: String, lessonFiveCorpus: String?) {
        self.name = name
        self.about = about
        self.lessonFiveCorpus = lessonFiveCorpus
        (vocabulary, codes) = characterCodes(text)
        cut = Int(Double(codes.count) * 0.9)
    }

    /// V: every character of the text, seen in training or not.
    var v: Int { vocabulary.count }
    /// The held-out targets the Markov models are scored on: the first 40 960 after the cut (all of them, on lesson 5's corpora).
    var targets: Range<Int> { cut..<min(codes.count, cut + Corpus.heldOutLimit) }
    /// The codes up to the last held-out target: what `heldOutBits` is handed.
    var codesThroughTargets: [Int] { Array(codes[..<targets.upperBound]) }
    /// The training codes.
    var training: [Int] { Array(codes[..<cut]) }

    /// The codes of `text`'s characters; a character the text does not have is dropped.
    func encode(_ text: String) -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
        return text.compactMap { index[$0] }
    }

    /// Codes back to text, blanks shown as lesson 5 shows them in a sample (as they are).
    func decode(_ codes: [Int]) -> String { String(codes.map { vocabulary[$0] }) }

    /// The prompt samples start from: lesson 5's, or the first 16 held-out characters of a file.
    var prompt: String {
        switch lessonFiveCorpus {
        case "lessons": return "A language model "
        case "numbers": return "one thousand "
        default: return decode(Array(codes[cut..<min(codes.count, cut + 16)]))
        }
    }
}

// MARK: - Lesson 5's corpora

/// Lessons/Lesson0…4/README.md joined by a blank line: lesson 5's text, to the character.
func lessonsCorpus(root: URL) throws -> Corpus {
    let (about, text) = try CourseText.lessonReadmes(root: root)
    return Corpus(name: "lessons", about: about, text: text, lessonFiveCorpus: "lessons")
}

/// The numbers 1…7999 and 8001…9999 in words, "." between them, as one text with spaces
/// (lesson 5's 5.1, written again here: lessons never import each other).
func numbersCorpus() -> Corpus {
    let units = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
    let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    func words(_ n: Int) -> [String] {
        var words: [String] = [], rest = n
        if rest >= 1000 { words += [units[rest / 1000], "thousand"]; rest %= 1000 }
        if rest >= 100 { words += [units[rest / 100], "hundred"]; rest %= 100 }
        if rest >= 20 { words.append(tens[rest / 10]); rest %= 10 }
        if rest > 0 { words.append(units[rest]) }
        return words
    }
    var tokens: [String] = []
    for (i, n) in (Array(1...7999) + Array(8001...9999)).enumerated() {
        if i > 0 { tokens.append(".") }
        tokens += words(n)
    }
    return Corpus(name: "numbers", about: "the numbers 1…9999 in words", text: tokens.joined(separator: " "), lessonFiveCorpus: "numbers")
}

// MARK: - A file of the user's

/// Lesson 5's Part B needs this many characters (a tenth that holds two batches of 32 × 65), and so does its LSTM here.
let shortestText = 20 * 32 * 65

/// `--text FILE`, checked as lesson 5 checks it: missing, a folder, empty, not UTF-8 text, or
/// too short stops the run with one line, before anything runs.
func fileCorpus(_ path: String) -> Corpus {
    let text: String
    do { text = try CourseText.readTextFile(path) } catch { Experiment.fail("\(error)") }
    guard text.count >= shortestText else { Experiment.fail("--text \(path) has \(text.count) characters; lesson 6 needs at least \(grouped(shortestText)) (lesson 5 trains its LSTM on it): give a longer text") }
    let name = URL(fileURLWithPath: path).lastPathComponent
    return Corpus(name: name, about: path, text: text, lessonFiveCorpus: nil)
}
