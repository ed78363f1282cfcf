import Foundation
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

    /// `swift test --filter Lesson1` must select the student's graders only: no reference
    /// test class may have "LessonN" in its name (the filter matches the class name).
    func testNoReferenceClassIsPickedByALessonFilter() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let pattern = try NSRegularExpression(pattern: #"(?m)^\s*(?:final\s+)?class\s+(\w*Lesson\d\w*)\s*:\s*XCTestCase"#)
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            checked += 1
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                XCTFail("\(file): class \(text[Range(m.range(at: 1), in: text)!]) would run under `swift test --filter LessonN`; name it without “Lesson” and a digit")
            }
        }
        XCTAssertGreaterThan(checked, 10)
    }

    func testExerciseIdsAreUniqueAndOrdered() {
        let ids = Course.exercises.map(\.id)
        XCTAssertEqual(Set(ids).count, ids.count, "duplicate exercise ids: \(ids)")
    }
}
