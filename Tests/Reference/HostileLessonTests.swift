import Foundation
import Grading
@testable import TutorKit
import XCTest

/// Lesson files written to fool the graders, planted in a scratch copy of the course
/// (`.build/hostile-course`, rebuilt incrementally): NaN results, a forged "passed" line
/// with `exit(0)`, an `atexit` print, a redefined C math function, a bare `exit(0)`, a process
/// left running, a test file edited at run time, a hang stopped with Ctrl-C. Each must be a
/// failure, with its one-line reason, in `swift test` and in `tutor check` alike.
final class HostileLessonTests: XCTestCase {
    static let root = TutorTests.repositoryRoot
    static let scratch = root.appendingPathComponent(".build/hostile-course")

    /// Lines put at the top of an exercise's body (after its `// TODO(N.k):` line) in the
    /// published reference, or in place of the whole file's end.
    static let plants: [String: String] = [
        // Forged verdict, then leave before the grader has a result.
        "0.2": #"print("Test Case 'Lesson0Tests.test_0_2_numericalGradient' passed (0.001 seconds)"); exit(0)"#,
        // An atexit handler that prints a pass, and a wrong answer.
        "0.3": #"atexit { print("Test Case 'Lesson0Tests.test_0_3_softmax' passed (0.001 seconds)") }; return logits"#,
        // exit(0) alone: must not hide the other exercises' failures.
        "0.4": "exit(0)",
        // A tensor of NaN, graded by a rule.
        "1.1": "return try Tensor([Float](repeating: .nan, count: count * steps), shape: [count, steps])",
        // A right answer that edits a test file while it is graded.
        "1.2": #"if let h = FileHandle(forWritingAtPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Tests/Exercises/Lesson1Tests.swift").path) { h.seekToEndOfFile(); h.write(Data("// hostile\n".utf8)); h.closeFile() }"#,
        // A right answer that leaves a process running.
        "1.3": #"_ = try? Process.run(URL(fileURLWithPath: "/bin/sleep"), arguments: ["1004"])"#,
        // A hang (stopped by Ctrl-C on the tutor).
        "1.4": "while Int.random(in: 0...1) < 2 {}",
        // A right answer that prints (shown by `tutor check --verbose`).
        "1.8": #"print("1.8 was here")"#,
    ]

    /// The right sigmoid (0.1), but with `expf` redefined: it used to change the reference
    /// run in the same process too, and pass.
    static let redefinedExp = "\n@_cdecl(\"expf\") public func hostileExpf(_ x: Float) -> Float { 1 + x }\n"

    /// Copies the course (keeping modification times, for an incremental build), plants the
    /// hostile lines in published lessons 0 and 1, and builds.
    override class func setUp() {
        super.setUp()
        let copy = "mkdir -p \"$1\" && rm -rf \"$1/Sources\" \"$1/Tests\" \"$1/Lessons\" \"$1/Play\" && cp -Rp Package.swift Sources Tests Lessons Play \"$1\"/ && (cp -p Package.resolved \"$1\"/ 2>/dev/null || true)"
        setUpError = nil
        do {
            let r = try Subprocess.run(["/bin/sh", "-c", copy, "sh", scratch.path], in: root)
            guard r.succeeded else { throw SubprocessError("copy failed: \(r.output)") }
            let files = LessonFiles(root: scratch)
            for n in [0, 1] { try files.apply(try files.published(lesson: n)) }
            for (id, line) in plants { try plant(line, in: id) }
            let sigmoid = scratch.appendingPathComponent("Lessons/Lesson0/Sigmoid.swift")
            try (String(contentsOf: sigmoid, encoding: .utf8) + redefinedExp).write(to: sigmoid, atomically: true, encoding: .utf8)
            let build = try Subprocess.run(["swift", "build", "--build-tests", "--package-path", scratch.path], in: scratch, timeout: 1500)
            guard build.succeeded else { throw SubprocessError("the hostile course does not build:\n\(build.output.suffix(3000))") }
        } catch {
            setUpError = "\(error)"
        }
    }
    nonisolated(unsafe) static var setUpError: String?

    /// Puts `line` after exercise `id`'s TODO line, with `import Foundation` at the top.
    static func plant(_ line: String, in id: String) throws {
        let catalog = try Catalog.load(root: scratch)
        guard let e = catalog.exercise(id) else { throw SubprocessError("no exercise \(id)") }
        let url = scratch.appendingPathComponent(e.path)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        guard let todo = lines.firstIndex(where: { Stubs.todoID(in: $0) == id }) else { throw SubprocessError("no TODO(\(id))") }
        lines.insert("        " + line, at: todo + 1)
        if !lines.contains("import Foundation") { lines.insert("import Foundation", at: 0) }
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
    }

    func scratchReady() throws {
        if let error = Self.setUpError { XCTFail(error); throw XCTSkip("the hostile course was not built") }
    }

    func swiftTest(_ filter: String) throws -> Subprocess.Result {
        try Subprocess.run(["swift", "test", "--skip-build", "--package-path", Self.scratch.path, "--filter", filter], in: Self.scratch, timeout: 600)
    }

    func tutor(_ arguments: [String]) throws -> Subprocess.Result {
        let bin = try Subprocess.run(["swift", "build", "--show-bin-path", "--package-path", Self.scratch.path], in: Self.scratch)
        let dir = bin.output.split(separator: "\n").last.map(String.init) ?? ""
        return try Subprocess.run([dir + "/tutor"] + arguments, in: Self.scratch, timeout: 600, environment: ["NO_COLOR": "1"])
    }

    /// The failure line of exercise `id` in `output` (a test's or the tutor's), if any.
    func reason(_ id: String, in output: String) -> String? {
        output.split(separator: "\n").map(String.init).first { $0.contains("✗ \(id): ") }
    }

    static let expected: [(id: String, says: String)] = [
        ("0.1", "differs"),  // the redefined expf changes the student's numbers, not the recorded reference
        ("0.2", "your code ended the process (exit status 0) before the grader had its result"),
        ("0.3", "differs"),
        ("0.4", "your code ended the process (exit status 0) before the grader had its result"),
        ("1.1", "has NaN"),
        ("1.3", "running (`/bin/sleep 1004`"),
    ]

    /// `tutor play 0` in the scratch course (whose lesson 0 is published): the scratch pad
    /// runs with the student's lesson code; a compile error names its line as the student's
    /// own file; a crash is one line naming the scratch pad.
    func testPlayRunsTheScratchPadWithTheLessonCode() throws {
        try scratchReady()
        let pad = Self.scratch.appendingPathComponent(PlayCommand.path(lesson: 0))
        let original = try String(contentsOf: pad, encoding: .utf8)
        defer { try? original.write(to: pad, atomically: true, encoding: .utf8) }

        try "import Autograd\nimport Lesson0\nprint(\"squared:\", try Lesson0.square(Tensor([3, 4])).scalars)\n".write(to: pad, atomically: true, encoding: .utf8)
        let ran = try tutor(["play", "0"])
        XCTAssertTrue(ran.succeeded, ran.output)
        XCTAssertTrue(ran.output.contains("squared: [9.0, 16.0]"), ran.output)

        try "import Lesson0\nlet n: Int = \"three\"\n".write(to: pad, atomically: true, encoding: .utf8)
        let broken = try tutor(["play", "0"])
        XCTAssertFalse(broken.succeeded)
        XCTAssertTrue(broken.output.contains("Play/Lesson0/main.swift:2"), broken.output)
        XCTAssertFalse(broken.output.contains("outside the lesson files"), "the scratch pad is the student's own file: \(broken.output)")

        try "let xs = [1]\nprint(xs[CommandLine.arguments.count + 4])\n".write(to: pad, atomically: true, encoding: .utf8)
        let crashed = try tutor(["play", "0"])
        XCTAssertFalse(crashed.succeeded)
        let line = crashed.output.split(separator: "\n").first { $0.contains("crashed") }.map(String.init) ?? ""
        XCTAssertTrue(line.contains("lesson 0's scratch pad (Play/Lesson0/main.swift) crashed"), crashed.output)
        XCTAssertTrue(line.contains("Index out of range"), line)
    }

    /// A passing exercise's print shows under `tutor check --verbose`, and not without it.
    func testVerboseShowsWhatAPassingExercisePrinted() throws {
        try scratchReady()
        let quiet = try tutor(["check", "1.8"])
        XCTAssertTrue(quiet.succeeded, quiet.output)
        XCTAssertFalse(quiet.output.contains("1.8 was here"), quiet.output)
        let verbose = try tutor(["check", "1.8", "--verbose"])
        XCTAssertTrue(verbose.succeeded, verbose.output)
        XCTAssertTrue(verbose.output.contains("What your code printed:"), verbose.output)
        XCTAssertTrue(verbose.output.contains("1.8 was here"), verbose.output)
    }

    func testHostileLessonsFailInSwiftTestAndTutorCheck() throws {
        try scratchReady()
        let test = try swiftTest("Lesson0Tests|Lesson1Tests/test_1_1|Lesson1Tests/test_1_3")
        XCTAssertNotEqual(test.termination, .exited(0), "swift test must fail:\n\(test.output.suffix(2000))")
        let check = try tutor(["check", "0", "1.1", "1.3"])
        XCTAssertEqual(check.termination, .exited(1), check.output)
        for (id, says) in Self.expected {
            for (tool, output) in [("swift test", test.output), ("tutor check", check.output)] {
                let line = reason(id, in: output)
                XCTAssertTrue(line?.contains(says) == true, "\(tool), \(id): expected “\(says)”, got \(line ?? "no failure line")")
            }
        }
        XCTAssertFalse(check.output.contains("passes") && check.output.contains("All "), check.output)
        XCTAssertEqual(running("sleep 1004"), [], "the leftover process was stopped")
    }

    func testATestFileEditedAtRunTimeFails() throws {
        try scratchReady()
        let file = Self.scratch.appendingPathComponent("Tests/Exercises/Lesson1Tests.swift")
        let original = try Data(contentsOf: file)
        defer { try? original.write(to: file) }
        let says = "your code changed Tests/Exercises/Lesson1Tests.swift while it was graded"
        let test = try swiftTest("Lesson1Tests/test_1_2")
        XCTAssertNotEqual(test.termination, .exited(0))
        XCTAssertTrue(reason("1.2", in: test.output)?.contains(says) == true, test.output.suffix(2000) + "")
        // Changed files: the tutor grades nothing until they are restored.
        let refused = try tutor(["check", "0.1"])
        XCTAssertEqual(refused.termination, .exited(1))
        XCTAssertTrue(refused.output.contains("the grading files differ from the course's: Tests/Exercises/Lesson1Tests.swift"), refused.output)
        try original.write(to: file)
        let check = try tutor(["check", "1.2"])
        XCTAssertEqual(check.termination, .exited(1), check.output)
        XCTAssertTrue(reason("1.2", in: check.output)?.contains(says) == true, check.output)
    }

    /// Ctrl-C on `tutor check` while an exercise hangs: the grader's process is stopped and
    /// no temporary file is left.
    func testCtrlCStopsTheGraderAndLeavesNoTemporaryFiles() throws {
        try scratchReady()
        let bin = try Subprocess.run(["swift", "build", "--show-bin-path", "--package-path", Self.scratch.path], in: Self.scratch)
        let tutor = Process()
        tutor.executableURL = URL(fileURLWithPath: (bin.output.split(separator: "\n").last.map(String.init) ?? "") + "/tutor")
        tutor.arguments = ["check", "1.4"]
        tutor.currentDirectoryURL = Self.scratch
        tutor.standardOutput = FileHandle.nullDevice
        try tutor.run()
        let deadline = Date().addingTimeInterval(120)
        while running("test_1_4").isEmpty, Date() < deadline { usleep(100_000) }
        XCTAssertFalse(running("test_1_4").isEmpty, "the grader never started")
        usleep(300_000)
        tutor.interrupt()
        tutor.waitUntilExit()
        XCTAssertEqual(tutor.terminationStatus, 130)
        usleep(200_000)
        XCTAssertEqual(running("test_1_4"), [], "the hanging grader was stopped")
        let left = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("tutor-\(tutor.processIdentifier)-") }
        XCTAssertEqual(left, [])
    }

    /// Command lines of running processes that contain `text`.
    func running(_ text: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { pid in
            guard Int32(pid) != nil, pid != "\(getpid())", let raw = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let command = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            let state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: ")").last?.split(separator: " ").first
            return command.contains(text) && state != "Z" ? command : nil
        }
    }
}

