import Grading
import Lesson0
import XCTest

/// Lesson 0 — the autograd core. `swift test --filter Lesson0`.
final class Lesson0Tests: XCTestCase {
    func test_0_1_sigmoid() throws { try check(Lesson0Graders.sigmoid, Lesson0.sigmoid) }
    func test_0_2_numericalGradient() throws { try check(Lesson0Graders.numericalGradient, Lesson0.numericalGradient) }
    func test_0_3_softmax() throws { try check(Lesson0Graders.softmax, Lesson0.softmax) }
    func test_0_4_fitLine() throws {
        // The student's LineFit is Lesson0's own type: convert it for the grader.
        try check(Lesson0Graders.fitLine) { xs, ys, steps, lr in
            let fit = try Lesson0.fitLine(xs: xs, ys: ys, steps: steps, learningRate: lr)
            return .init(w: fit.w, b: fit.b, losses: fit.losses)
        }
    }
}
