import Grading
import XCTest

/// Runs a grader on the student's implementation and reports its verdict to XCTest:
/// passed, failed (with the grader's whole message), or skipped when not attempted.
func check<I>(_ exercise: Exercise<I>, _ implementation: I, file: StaticString = #filePath, line: UInt = #line) throws {
    let verdict = exercise.grade(implementation)
    switch verdict.status {
    case .passed: return
    case .notAttempted: throw XCTSkip("\(verdict)", file: file, line: line)
    case .failed: XCTFail("\(verdict)", file: file, line: line)
    }
}
