import Grading
import XCTest

// What the tests of answers written differently (Alternatives*Tests) ask of a grader.

/// Fails unless `exercise`'s grader passes `implementation`, a right answer written another way.
func assertPasses<I>(_ exercise: Exercise<I>, _ implementation: I, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    let verdict = exercise.grade(implementation)
    XCTAssertEqual(verdict.status, .passed, "\(exercise.id), \(what): \(verdict)", file: file, line: line)
}

/// Fails unless `exercise`'s grader fails `implementation` and names it as the known `mistake`.
func assertDiagnosed<I>(_ exercise: Exercise<I>, _ implementation: I, as mistake: String, file: StaticString = #filePath, line: UInt = #line) {
    let verdict = exercise.grade(implementation)
    XCTAssertEqual(verdict.status, .failed, "\(exercise.id): \(verdict)", file: file, line: line)
    XCTAssertEqual(verdict.mistake?.id, mistake, "\(exercise.id): \(verdict)", file: file, line: line)
}

/// Fails unless `exercise`'s grader fails `implementation`, a wrong answer no known mistake
/// fits, with a message that says each of `words`.
func assertFails<I>(_ exercise: Exercise<I>, _ implementation: I, _ what: String, saying words: [String],
                    file: StaticString = #filePath, line: UInt = #line) {
    let verdict = exercise.grade(implementation)
    XCTAssertEqual(verdict.status, .failed, "\(exercise.id), \(what): \(verdict)", file: file, line: line)
    for w in words {
        XCTAssertTrue(verdict.description.contains(w), "\(exercise.id), \(what): the message does not say \"\(w)\": \(verdict)", file: file, line: line)
    }
}
