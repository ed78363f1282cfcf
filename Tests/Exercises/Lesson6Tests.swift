import Autograd
import Grading
import Lesson6
import XCTest

/// Lesson 6 — the Markov baseline. `swift test --filter Lesson6`.
final class Lesson6Tests: XCTestCase {
    func test_6_1_countNext() throws { try check(Lesson6Graders.countNext) { try Lesson6.countNext($0, order: $1) } }
    func test_6_2_generate() throws { try check(Lesson6Graders.generate) { try Lesson6.generate($0, prompt: $1, count: $2, rng: &$3) } }
    func test_6_3_addAlpha() throws {
        try check(Lesson6Graders.addAlpha) { try Lesson6.addAlpha($0, context: $1, next: $2, alpha: $3, vocabulary: $4) }
    }
    func test_6_4_backoff() throws {
        try check(Lesson6Graders.backoff) { try Lesson6.backoff($0, context: $1, next: $2, alpha: $3, vocabulary: $4) }
    }
    func test_6_5_interpolated() throws {
        try check(Lesson6Graders.interpolated) { try Lesson6.interpolated($0, context: $1, next: $2, beta: $3, vocabulary: $4) }
    }
    func test_6_6_heldOutBits() throws {
        try check(Lesson6Graders.heldOutBits) { try Lesson6.heldOutBits($0, cut: $1, maxOrder: $2, probability: $3) }
    }
}
