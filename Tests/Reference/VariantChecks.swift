import Grading
import XCTest

/// Fails unless every variant the automatic diagnosis tries on `exercise` runs on its probe
/// and is told apart from the reference (a variant equal to it would name a change that
/// changes nothing).
func assertVariantsDiffer<I>(_ exercise: Exercise<I>, file: StaticString = #filePath, line: UInt = #line) {
    guard let reference = try? exercise.probe(exercise.reference) else { return XCTFail("\(exercise.id): the reference fails", file: file, line: line) }
    for variant in exercise.variants {
        guard case .outcome(let outcome) = exercise.report(variant.implementation) else {
            XCTFail("\(exercise.id): variant \(variant.id) gives no outcome", file: file, line: line)
            continue
        }
        XCTAssertFalse(outcome.matches(reference, tolerance: exercise.mistakeTolerance),
                       "\(exercise.id): variant \(variant.id) behaves like the reference", file: file, line: line)
    }
}
