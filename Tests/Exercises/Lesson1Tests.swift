import Autograd
import Grading
import Lesson1
import XCTest

/// Lesson 1 — a linear RNN models sinusoids. `swift test --filter Lesson1`.
final class Lesson1Tests: XCTestCase {
    func test_1_1_sinusoids() throws { try check(Lesson1Graders.sinusoids, Lesson1.sinusoids) }
    func test_1_2_nextStepPairs() throws { try check(Lesson1Graders.nextStepPairs, Lesson1.nextStepPairs) }
    func test_1_3_step() throws { try check(Lesson1Graders.step) { p, x, h in try model(p).step(x, h) } }
    func test_1_4_unroll() throws { try check(Lesson1Graders.unroll) { p, x in try model(p)(x) } }
    func test_1_5_trainEpoch() throws { try check(Lesson1Graders.trainEpoch, Lesson1.trainEpoch) }
    func test_1_6_generate() throws {
        try check(Lesson1Graders.generate) { p, prefix, n in try model(p).generate(prefix: prefix, steps: n) }
    }
    func test_1_7_closedLoop() throws { try check(Lesson1Graders.closedLoop) { p in try Lesson1.closedLoop(of: model(p)) } }
    func test_1_8_eigenvalues2x2() throws {
        // The student's Eigenvalue is Lesson1's own type: the grader reads (re, im).
        try check(Lesson1Graders.eigenvalues2x2) { a in try Lesson1.eigenvalues2x2(a).map { ($0.re, $0.im) } }
    }
}

/// The student's LinearRNN on the grader's weights (shared, not copied).
private func model(_ p: LinearRNNParts) -> Lesson1.LinearRNN {
    Lesson1.LinearRNN(
        inputToHidden: p.inputToHidden, hiddenToHidden: p.hiddenToHidden, hiddenToOutput: p.hiddenToOutput, initialHidden: p.initialHidden)
}
