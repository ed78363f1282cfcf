import Grading
import Lesson4
import XCTest

/// Lesson 4 — an LSTM learns to add. `swift test --filter Lesson4`.
final class Lesson4Tests: XCTestCase {
    func test_4_1_splitSums() throws { try check(Lesson4Graders.splitSums) { try Lesson4.splitSums(trainCount: $0, testCount: $1, range: $2, rng: &$3) } }
    func test_4_2_encodeSums() throws { try check(Lesson4Graders.encodeSums) { try Lesson4.encodeSums($0, places: $1) } }
    func test_4_3_lstmStep() throws { try check(Lesson4Graders.lstmStep) { try Lesson4.lstmStep($0, $1, $2, weights: $3) } }
    func test_4_4_unrollAdder() throws { try check(Lesson4Graders.unrollAdder) { try Lesson4.unrollAdder($0, cell: $1, head: $2) } }
    func test_4_5_additionScores() throws { try check(Lesson4Graders.additionScores) { try Lesson4.additionScores(predicted: $0, targets: $1) } }
    func test_4_6_trainStep() throws {
        try check(Lesson4Graders.trainStep) { try Lesson4.trainStep($0, parameters: $1, optimizer: $2, inputs: $3, targets: $4, maxNorm: $5) }
    }
    func test_4_7_greedyDecode() throws { try check(Lesson4Graders.greedyDecode) { try Lesson4.greedyDecode($0, head: $1, state: $2, steps: $3) } }
    func test_4_8_cosineRate() throws { try check(Lesson4Graders.cosineRate) { try Lesson4.cosineRate(step: $0, steps: $1, base: $2, floor: $3) } }
    func test_4_9_teacherForcedLogits() throws {
        try check(Lesson4Graders.teacherForcedLogits) { try Lesson4.teacherForcedLogits(encoder: $0, decoder: $1, head: $2, inputs: $3, targets: $4) }
    }
}
