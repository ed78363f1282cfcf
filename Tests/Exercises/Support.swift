import Foundation
import Grading
import XCTest

/// Grades the student's implementation of one exercise and reports the verdict to XCTest:
/// passed, failed (with the grader's whole message), or skipped when not attempted.
///
/// The student's code runs in a child process (this test bundle again, running this test
/// alone), and the verdict is made here against the recorded fixtures: see
/// `Grading.Isolation`. A crash, a hang, an `exit(0)` or a forged "passed" line in the
/// student's code fails this exercise only, and the other tests still run.
extension XCTestCase {
    func check<I>(_ exercise: Exercise<I>, _ implementation: I, function: String = #function,
                  file: StaticString = #filePath, line: UInt = #line) throws {
        Isolation.probeIfRequested(exercise, implementation)  // in the child: does not return
        let verdict: Verdict
        #if os(Linux)
        let test = "\(String(reflecting: type(of: self)))/\(function.prefix { $0 != "(" })"
        verdict = GradingRun.shared.grade(AnyExercise(exercise), test: test)
        #else
        // Elsewhere the test bundle cannot be restarted for one test: the code runs in this
        // process, and the verdict compares with the fixtures all the same.
        verdict = GradingRun.shared.gradeHere(AnyExercise(exercise)) { exercise.report(implementation) }
        #endif
        switch verdict.status {
        case .passed: return
        case .notAttempted: throw XCTSkip("\(verdict)", file: file, line: line)
        case .failed: XCTFail("\(verdict)", file: file, line: line)
        }
    }
}

/// What every graded test of this process shares: the package root, the check that the
/// grading files are the course's, and the fixtures, each read once.
final class GradingRun: @unchecked Sendable {
    static let shared = GradingRun()

    /// Tests/Exercises/Support.swift → the package root.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    lazy var changed: Result<[String], FixtureError> = Result { try GradingFiles.changes(root: root) }.mapError { $0 as? FixtureError ?? FixtureError("\($0)") }
    var fixtures: [Int: Result<LessonFixtures, Error>] = [:]

    /// This test bundle (on Linux, an executable).
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]

    /// Seconds a child may run: $UNROLLED_TIMEOUT, or 120.
    let timeout = ProcessInfo.processInfo.environment["UNROLLED_TIMEOUT"].flatMap(Double.init) ?? 120

    /// The lesson's fixtures when the grading files are the course's; else the verdict that refuses.
    func fixtures(for exercise: AnyExercise) -> (fixtures: LessonFixtures?, refusal: Verdict?) {
        let refuse = { (summary: String, next: String) in
            (nil as LessonFixtures?, exercise.verdictOnRecorded(.stopped(summary: summary, next: next, kind: .tampered), Outcome(), [:]) as Verdict?)
        }
        switch changed {
        case .failure(let e): return refuse("\(e)", "then run the tests again.")
        case .success(let files) where !files.isEmpty:
            return refuse("the grading files differ from the course's: \(files.prefix(3).joined(separator: ", "))\(files.count > 3 ? " …" : "") — no verdict can be trusted",
                          GradingFiles.restoreAdvice(files) + ".")
        default: break
        }
        let loaded = fixtures[exercise.lesson] ?? Result { try LessonFixtures.load(lesson: exercise.lesson, root: root) }
        fixtures[exercise.lesson] = loaded
        switch loaded {
        case .success(let f): return (f, nil)
        case .failure(let e): return refuse("\(e)", "then run the tests again.")
        }
    }

    /// Grades `exercise` in a child process (see `Isolation`).
    func grade(_ exercise: AnyExercise, test: String) -> Verdict {
        let (loaded, refusal) = fixtures(for: exercise)
        guard let lessonFixtures = loaded else { return refusal! }
        let graded = Isolation.grade(exercise, fixtures: lessonFixtures, root: root, executable: executable,
                                     arguments: [test], timeout: timeout)
        if !graded.printed.isEmpty {
            print("── what \(exercise.id) printed:\n\(graded.printed)")
        }
        return graded.verdict
    }

    /// Grades `exercise` on what `run` reports, run in this process, against the fixtures
    /// (loaded first: a student edition's probes read their data from them).
    func gradeHere(_ exercise: AnyExercise, run: () -> ProbeReport) -> Verdict {
        let (loaded, refusal) = fixtures(for: exercise)
        guard let lessonFixtures = loaded else { return refusal! }
        guard let fixture = lessonFixtures.exercise(exercise.id) else {
            return exercise.verdictOnRecorded(.stopped(summary: "no recorded outcomes for \(exercise.id): a bug in the course, not in your code", next: "please report it.", kind: .exited), Outcome(), [:])
        }
        return exercise.verdictOnRecorded(run(), fixture.reference, fixture.mistakes)
    }
}
