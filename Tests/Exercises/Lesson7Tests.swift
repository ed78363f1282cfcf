import Autograd
import Grading
import Lesson7
import XCTest

/// Lesson 7 — online memorisation with an LSTM. `swift test --filter Lesson7`.
final class Lesson7Tests: XCTestCase {
    func test_7_1_cyclicPairs() throws { try check(Lesson7Graders.cyclicPairs) { try Lesson7.cyclicPairs($0, alphabet: $1) } }
    func test_7_2_ambiguousPositions() throws { try check(Lesson7Graders.ambiguousPositions) { try Lesson7.ambiguousPositions($0, order: $1) } }
    func test_7_3_trainStep() throws {
        try check(Lesson7Graders.trainStep) { try Lesson7.trainStep(Memoriser(cell: $0, head: $1), optimizer: $2, input: $3, target: $4, state: $5) }
    }
    func test_7_4_trainEpoch() throws {
        try check(Lesson7Graders.trainEpoch) { try Lesson7.trainEpoch(Memoriser(cell: $0, head: $1), optimizer: $2, pairs: $3, oneStep: $4) }
    }
    func test_7_5_generate() throws {
        try check(Lesson7Graders.generate) { try Lesson7.generate(Memoriser(cell: $0, head: $1), from: $2, count: $3, oneStep: $4) }
    }
    func test_7_6_score() throws { try check(Lesson7Graders.score) { try Lesson7.score(target: $0, generated: $1) } }
}
