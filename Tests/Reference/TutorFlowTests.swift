import Foundation
import Grading
@testable import TutorKit
import XCTest

/// The tutor around a broken or missing lesson file, a crashing experiment, and saves
/// made while a check runs (issue 16, items 9, 10, 11, 13).
final class TutorFlowTests: XCTestCase {
    /// The tutor tests' throwaway course (lesson 7: Thing.swift with exercises 7.1 and 7.2).
    func makeCourse() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-flow-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        for (path, text) in [
            ("Package.swift", "// swift-tools-version: 6.0\n"), ("Lessons/Lesson7/lesson.json", TutorTests.lessonJSON),
            ("Lessons/Lesson7/Thing.swift", TutorTests.stub), ("Sources/Solutions/Lesson7/Thing.swift", TutorTests.solution),
        ] {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    func session(_ root: URL) throws -> Session {
        Session(catalog: try Catalog.load(root: root), progress: ProgressStore(root: root), style: .plain)
    }

    /// Item 11: a deleted lesson file is named, with the command that brings it back.
    func testTheExperimentGetsItsOwnOptionsBeforeOrAfterTheTerminator() throws {
        let bare = try RunCommand.parse(["5", "--seed", "2", "--text", "notes.txt", "--resume"])
        XCTAssertEqual(bare.experimentArguments, ["--seed", "2", "--text", "notes.txt", "--resume"])
        let after = try RunCommand.parse(["5", "--full", "--part", "characters", "--", "--text", "notes.txt"])
        XCTAssertEqual(after.experimentArguments, ["--full", "--part", "characters", "--text", "notes.txt"], "the -- itself is not passed on")
    }

    func testAMissingLessonFileIsNamedWithItsReset() throws {
        let root = try makeCourse()
        XCTAssertNoThrow(try session(root).requireLessonFiles())
        try FileManager.default.removeItem(at: root.appendingPathComponent("Lessons/Lesson7/Thing.swift"))
        XCTAssertThrowsError(try session(root).requireLessonFiles()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("Lessons/Lesson7/Thing.swift is missing (it holds exercises 7.1, 7.2)"), text)
            XCTAssertTrue(text.contains("`swift run tutor reset 7.1` brings back its stub"), text)
            XCTAssertFalse(text.contains("please report"), text)
        }
    }

    /// Items 10 and 13: a line of a lesson file is traced to the exercise whose body holds it.
    func testALineIsTracedToItsExercise() throws {
        let root = try makeCourse()
        let s = try session(root)
        let lines = TutorTests.stub.components(separatedBy: "\n")
        let line71 = lines.firstIndex { $0.contains("throw TODO(\"7.1\")") }! + 1
        let line72 = lines.firstIndex { $0.contains("throw TODO(\"7.2\")") }! + 1
        XCTAssertEqual(s.files.exercise(at: "Lessons/Lesson7/Thing.swift", line: line71, catalog: s.catalog)?.id, "7.1")
        XCTAssertEqual(s.files.exercise(at: "Lessons/Lesson7/Thing.swift", line: line72, catalog: s.catalog)?.id, "7.2")
        XCTAssertNil(s.files.exercise(at: "Lessons/Lesson7/Thing.swift", line: 1, catalog: s.catalog), "an import is no exercise")
    }

    /// Item 13: a crashing experiment is one line naming the exercise and the trapping line.
    func testAnExperimentCrashIsOneLineNamingTheExercise() throws {
        let root = try makeCourse()
        let line = TutorTests.stub.components(separatedBy: "\n").firstIndex { $0.contains("throw TODO(\"7.2\")") }! + 1
        let crash = """
            Lesson7/Thing.swift:\(line): Fatal error: Index out of range

            💣 Program crashed: Illegal instruction at 0x00007fb9caaf9361
            Thread 0 crashed:
              0 0x00007fb9caaf9361 _assertionFailure(_:_:file:line:flags:) + 225 in libswiftCore.so
              1 [ra] 0x0000562cb4492aee Box.sum() + 109 in Experiment7 at \(root.path)/Lessons/Lesson7/Thing.swift:\(line):5
            \(String(repeating: "  more frames\n", count: 50))
            """
        let summary = RunCommand.crashSummary(crash, signal: SIGILL, lesson: 7, session: try session(root))
        XCTAssertEqual(summary, "lesson 7's experiment crashed in exercise 7.2 (`Box.sum()`): Fatal error: Index out of range, in Box.sum() at Lessons/Lesson7/Thing.swift:\(line):5. Next: fix it, and `swift run tutor check 7.2` grades it.")
        XCTAssertFalse(summary.contains("\n"))
    }

    /// After a crash, the tutor names the report the experiment wrote so far, if this run wrote one.
    func testACrashedRunNamesItsReportOnlyWhenThisRunWroteOne() throws {
        let root = try makeCourse()
        let page = root.appendingPathComponent(".tutor/reports/lesson7-latest.html")
        try FileManager.default.createDirectory(at: page.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("<!DOCTYPE html>".utf8).write(to: page)
        let written = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: page.path)[.modificationDate] as? Date)
        XCTAssertEqual(RunCommand.report(lesson: 7, since: written.addingTimeInterval(-5), root: root), page.path)
        XCTAssertNil(RunCommand.report(lesson: 7, since: written.addingTimeInterval(5), root: root), "a page from an earlier run")
        XCTAssertNil(RunCommand.report(lesson: 6, since: written.addingTimeInterval(-5), root: root), "another lesson's page")
    }

    /// Item 10: errors only in another lesson's file say which file to fix first, and how.
    func testACompileErrorInAnotherLessonSaysWhatToFixFirst() throws {
        let log = "/r/Lessons/Lesson1/Signals.swift:12:5: error: cannot find 'foo' in scope\n12 |     foo\n"
        let errors = BuildErrors(output: log, root: URL(fileURLWithPath: "/r"))
        XCTAssertEqual(errors.firstLocation?.file, "Lessons/Lesson1/Signals.swift")
        XCTAssertEqual(errors.firstLocation?.line, 12)
        let text = "\(TutorError.otherLessonDoesNotCompile(location: "Lessons/Lesson1/Signals.swift:12", exercise: "1.1", asked: "lesson 0"))"
        XCTAssertEqual(text, "Lessons/Lesson1/Signals.swift:12 does not compile, and every lesson is built together, so lesson 0 cannot be graded until it does: fix it first (the errors are above) or put its stub back with `swift run tutor reset 1.1` (your code is kept under .tutor/backups/), then run the command again")
    }

    /// Item 9: a save made while a check runs is seen by the next poll, so it is checked.
    func testASaveDuringACheckIsCheckedNext() {
        let t0 = Date(timeIntervalSince1970: 0), t1 = Date(timeIntervalSince1970: 1), t2 = Date(timeIntervalSince1970: 2)
        var saves = WatchCommand.Saves(seen: ["Lessons/Lesson0/Sigmoid.swift": t0])
        XCTAssertEqual(saves.poll(["Lessons/Lesson0/Sigmoid.swift": t0]), [])
        XCTAssertEqual(saves.poll(["Lessons/Lesson0/Sigmoid.swift": t1]), ["Lessons/Lesson0/Sigmoid.swift"])
        // … a check runs here, and the student saves a fix meanwhile:
        XCTAssertEqual(saves.poll(["Lessons/Lesson0/Sigmoid.swift": t2]), ["Lessons/Lesson0/Sigmoid.swift"])
        XCTAssertEqual(saves.poll(["Lessons/Lesson0/Sigmoid.swift": t2]), [])
    }
}
