import Grading
import Lesson3
import XCTest

/// Lesson 3 — variable lengths: padding, stop symbols and masks. `swift test --filter Lesson3`.
final class Lesson3Tests: XCTestCase {
    func test_3_1_padWithStops() throws { try check(Lesson3Graders.padWithStops, Lesson3.padWithStops) }
    func test_3_2_realMask() throws { try check(Lesson3Graders.realMask, Lesson3.realMask) }
    func test_3_3_stackedRNN() throws { try check(Lesson3Graders.stackedRNN, Lesson3.stackedRNN) }
    func test_3_4_stateAtOwnLastStep() throws { try check(Lesson3Graders.stateAtOwnLastStep, Lesson3.stateAtOwnLastStep) }
    func test_3_5_maskedCrossEntropy() throws { try check(Lesson3Graders.maskedCrossEntropy, Lesson3.maskedCrossEntropy) }
    func test_3_6_trainEpoch() throws {
        // The grader's strategies are the reference's type: hand the student's function its own.
        try check(Lesson3Graders.trainEpoch) { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
            try Lesson3.trainEpoch(model, optimizer: optimizer, inputs: inputs, targets: targets, lengths: lengths,
                                   strategy: Lesson3.Strategy(rawValue: strategy.rawValue)!, batchSize: batchSize, rng: &rng)
        }
    }
}
