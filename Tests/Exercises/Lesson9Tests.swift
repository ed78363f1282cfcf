import Autograd
import Grading
import Lesson9
import XCTest

/// Lesson 9 — counting like terms, and looking inside. `swift test --filter Lesson9`.
final class Lesson9Tests: XCTestCase {
    /// The grader's plain values as the lesson's `Term`.
    static func term(_ f: Lesson9Graders.TermFields) -> Term { Term(text: f.text, variable: f.variable, power: f.power, start: f.start, end: f.end) }

    func test_9_1_terms() throws { try check(Lesson9Graders.terms) { try Lesson9.terms(of: $0).map { ($0.text, $0.variable, $0.power, $0.start, $0.end) } } }
    func test_9_2_likeTermCount() throws { try check(Lesson9Graders.likeTermCount) { try Lesson9.likeTermCount($0.map(Self.term)) } }
    func test_9_3_characterCodes() throws { try check(Lesson9Graders.characterCodes) { try Lesson9.characterCodes($0) } }
    func test_9_4_termCodes() throws { try check(Lesson9Graders.termCodes) { try Lesson9.termCodes($0.map(Self.term)) } }
    func test_9_5_pool() throws { try check(Lesson9Graders.pool) { try Lesson9.pool($0, padding: $1, mean: $2) } }
    func test_9_6_likeTermMass() throws {
        try check(Lesson9Graders.likeTermMass) { try Lesson9.likeTermMass(weights: $0, termOf: $1, termKeys: $2) }
    }
    func test_9_7_baselineAccuracies() throws {
        try check(Lesson9Graders.baselineAccuracies) { try Lesson9.baselineAccuracies(train: $0, test: $1) }
    }
}
