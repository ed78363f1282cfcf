import Autograd
import Grading
import Lesson2
import XCTest

/// Lesson 2 — copy and reverse with an encoder–decoder. `swift test --filter Lesson2`.
final class Lesson2Tests: XCTestCase {
    func test_2_1_integerCodes() throws { try check(Lesson2Graders.integerCodes, Lesson2.integerCodes) }
    func test_2_2_oneHotEncode() throws { try check(Lesson2Graders.oneHotEncode) { try Lesson2.oneHotEncode($0, alphabetSize: $1) } }
    func test_2_3_encoderFinalState() throws {
        try check(Lesson2Graders.encoderFinalState) { try Lesson2.encoderFinalState($0, inputToHidden: $1, hiddenToHidden: $2, initialState: $3) }
    }
    func test_2_4_decoderOutputs() throws {
        try check(Lesson2Graders.decoderOutputs) { try Lesson2.decoderOutputs(from: $0, steps: $1, hiddenToHidden: $2, hiddenToOutput: $3) }
    }
    func test_2_5_encoderDecoder() throws {
        // The grader's model is the reference's type: wrap the same parameters in yours.
        try check(Lesson2Graders.encoderDecoder) { model, x in
            let yours = Lesson2.EncoderDecoder(encoderInput: model.encoderInput, encoderHidden: model.encoderHidden, initialState: model.initialState,
                                               decoderHidden: model.decoderHidden, decoderOutput: model.decoderOutput)
            return try yours(x)
        }
    }
    func test_2_6_sequenceCrossEntropy() throws { try check(Lesson2Graders.sequenceCrossEntropy, Lesson2.sequenceCrossEntropy) }
    func test_2_7_copyTaskData() throws {
        try check(Lesson2Graders.copyTaskData) { try Lesson2.copyTaskData(codes: $0, alphabetSize: $1, reverse: $2) }
    }
    func test_2_8_trainEpoch() throws {
        // Your trainEpoch trains your model class, made of the grader's parameters.
        try check(Lesson2Graders.trainEpoch) { model, optimizer, x, y, batchSize, rng in
            let yours = Lesson2.EncoderDecoder(encoderInput: model.encoderInput, encoderHidden: model.encoderHidden, initialState: model.initialState,
                                               decoderHidden: model.decoderHidden, decoderOutput: model.decoderOutput)
            return try Lesson2.trainEpoch(yours, optimizer: optimizer, inputs: x, targets: y, batchSize: batchSize, rng: &rng)
        }
    }
}
