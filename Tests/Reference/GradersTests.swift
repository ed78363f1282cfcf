import Grading
import XCTest

/// Every grader is proven: it passes the reference solution and fails every known
/// mistake with that mistake's own diagnosis.
final class GradersTests: XCTestCase {
    func testEveryGraderPassesTheReferenceAndDiagnosesEveryKnownMistake() {
        XCTAssertFalse(Course.exercises.isEmpty, "the course has no graded exercises")
        for exercise in Course.exercises {
            XCTAssertGreaterThanOrEqual(exercise.mistakeCount, 2, "\(exercise.id) needs at least 2 known mistakes")
            for problem in exercise.prove() { XCTFail(problem) }
        }
    }

    func testExerciseIdsAreUniqueAndOrdered() {
        let ids = Course.exercises.map(\.id)
        XCTAssertEqual(Set(ids).count, ids.count, "duplicate exercise ids: \(ids)")
    }
}
