import Foundation
@testable import TutorKit
import XCTest

/// The tutor never loses a student's state (issue 16): concurrent progress updates, every
/// corrupt progress file kept, one broken lesson.json stopping only its own lesson, file
/// errors that say which file and what to do, and a reset that keeps the student's code.
final class TutorStateTests: XCTestCase {
    // MARK: - Fixtures (as in TutorTests)

    /// The tutor tests' own solution and the stub it generates.
    static let solution = TutorTests.solution
    static let stub = TutorTests.stub

    /// Lesson 7's lesson.json, with `count` exercises (7.1 and 7.2 are in Thing.swift).
    static func lessonJSON(exercises count: Int = 2) -> String {
        let exercises = (1...count).map { k in
            #"{"id": "7.\#(k)", "title": "Ex \#(k)", "file": "Thing.swift", "symbol": "\#(k == 1 ? "double(_:)" : "Box.sum()")", "test": "test_7_\#(k)_x", "hints": ["a", "b", "c"]}"#
        }
        return #"{"lesson": 7, "title": "Fixture", "summary": "S", "exercises": [\#(exercises.joined(separator: ", "))]}"#
    }

    /// A throwaway course with lesson 7 (and, with `brokenLesson8`, a lesson 8 whose
    /// lesson.json is not JSON), in a fresh temporary directory.
    func makeCourse(exercises: Int = 2, brokenLesson8: Bool = false) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-state-tests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        var files = [
            "Package.swift": "// swift-tools-version: 6.0\n",
            "Lessons/Lesson7/lesson.json": Self.lessonJSON(exercises: exercises),
            "Lessons/Lesson7/Thing.swift": Self.stub,
            "Sources/Solutions/Lesson7/Thing.swift": Self.solution,
            "Tests/Exercises/Lesson7Tests.swift": "final class Lesson7Tests {\n  func test_7_1_x() {}\n  func test_7_2_x() {}\n}\n",
        ]
        if brokenLesson8 { files["Lessons/Lesson8/lesson.json"] = "{ \"lesson\": 8, oops" }
        for (path, text) in files { try write(text, to: path, in: root) }
        return root
    }

    func write(_ text: String, to path: String, in root: URL) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func read(_ path: String, in root: URL) throws -> String {
        String(decoding: try Data(contentsOf: root.appendingPathComponent(path)), as: UTF8.self)
    }

    /// The `tutor` executable built beside the test bundle; skips the test if absent.
    func tutorExecutable() throws -> URL {
        let candidates = [Bundle.main.executableURL, URL(fileURLWithPath: CommandLine.arguments[0])].compactMap { $0 }
            .map { $0.deletingLastPathComponent().appendingPathComponent("tutor") }
        guard let tutor = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw XCTSkip("no tutor executable beside the test bundle (run `swift build --build-tests` first)")
        }
        return tutor
    }

    /// Starts `tutor args…` in `root`; call `finish` on the result to wait for it.
    func startTutor(_ args: [String], in root: URL) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = try tutorExecutable()
        p.arguments = args
        p.currentDirectoryURL = root
        p.environment = ["NO_COLOR": "1", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return (p, out, err)
    }

    func finish(_ run: (Process, Pipe, Pipe)) -> (status: Int32, out: String, err: String) {
        let out = run.1.fileHandleForReading.readDataToEndOfFile()
        let err = run.2.fileHandleForReading.readDataToEndOfFile()
        run.0.waitUntilExit()
        return (run.0.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    func tutor(_ args: [String], in root: URL) throws -> (status: Int32, out: String, err: String) {
        finish(try startTutor(args, in: root))
    }

    // MARK: - (7) concurrent updates all land

    func testConcurrentUpdatesFromManyStoresAllLand() throws {
        let root = try makeCourse()
        let n = 48
        let group = DispatchGroup()
        for i in 0..<n {
            group.enter()
            Thread {
                ProgressStore(root: root) { _ in }.update { $0["7.\(i + 1)"].hintLevel = 1 }
                group.leave()
            }.start()
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "the updates should finish")
        let p = ProgressStore(root: root) { XCTFail("no warning expected: \($0)") }.load()
        XCTAssertEqual(p.exercises.count, n, "every one of \(n) concurrent updates must land; lost: \((1...n).filter { p.exercises["7.\($0)"] == nil })")
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent(".tutor/progress.lock").path))
    }

    func testConcurrentTutorHintProcessesAllLand() throws {
        let n = 24
        let root = try makeCourse(exercises: n)
        let runs = try (1...n).map { try startTutor(["hint", "7.\($0)"], in: root) }
        let results = runs.map(finish)
        for (k, r) in results.enumerated() { XCTAssertEqual(r.status, 0, "tutor hint 7.\(k + 1): \(r.err)") }
        let p = ProgressStore(root: root).load()
        let lost = (1...n).filter { p["7.\($0)"].hintLevel != 1 }
        XCTAssertEqual(lost, [], "every `tutor hint` of \(n) run at once must record its hint level")
    }

    // MARK: - (8) every corrupt copy is kept

    func testEachCorruptProgressFileIsKeptUnderItsOwnName() throws {
        let root = try makeCourse()
        var warnings: [String] = []
        let store = ProgressStore(root: root) { warnings.append($0) }
        try write("first {", to: ".tutor/progress.json", in: root)
        _ = store.load()
        try write("second [", to: ".tutor/progress.json", in: root)
        _ = store.load()
        try write("third", to: ".tutor/progress.json", in: root)
        store.update { $0["7.1"].hintLevel = 1 }
        XCTAssertEqual(try read(".tutor/progress.json.corrupt", in: root), "first {")
        XCTAssertEqual(try read(".tutor/progress.json.corrupt-2", in: root), "second [")
        XCTAssertEqual(try read(".tutor/progress.json.corrupt-3", in: root), "third")
        XCTAssertEqual(warnings.count, 3)
        for (w, name) in zip(warnings, ["progress.json.corrupt", "progress.json.corrupt-2", "progress.json.corrupt-3"]) {
            XCTAssertTrue(w.hasSuffix("the old file is kept as .tutor/\(name)"), w)
            XCTAssertFalse(w.contains("\n"), w)
        }
        XCTAssertEqual(store.load()["7.1"].hintLevel, 1, "the update after the third corruption is recorded")
    }

    // MARK: - (12) a broken lesson.json stops only its own lesson

    func testBrokenLessonJSONStopsOnlyItsOwnLesson() throws {
        let root = try makeCourse(brokenLesson8: true)
        XCTAssertThrowsError(try Catalog.load(root: root), "strict loading still refuses")
        let catalog = try Catalog.load(root: root, skippingBroken: true)
        XCTAssertEqual(catalog.lessons.map(\.lesson), [7])
        XCTAssertEqual(catalog.broken.map(\.lesson), [8])
        XCTAssertEqual(catalog.broken.first?.path, "Lessons/Lesson8/lesson.json")
        XCTAssertEqual(try catalog.exercise(for: ExerciseID("7.2")!).id, "7.2")
        XCTAssertEqual(try catalog.select([]).map(\.id), ["7.1", "7.2"])
        let cases: [(String, () throws -> Any)] = [
            ("8.1", { try catalog.exercise(for: ExerciseID("8.1")!) }),
            ("8", { try catalog.select([ExerciseID("8")!]) }),
            ("8 as a lesson", { try catalog.lesson(for: ExerciseID("8")!) }),
            ("8.3 among others", { try catalog.select([ExerciseID("7.1")!, ExerciseID("8.3")!]) }),
        ]
        for (what, call) in cases {
            XCTAssertThrowsError(try call(), what) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("lesson 8's lesson.json is broken: Lessons/Lesson8/lesson.json: not valid JSON"), "\(what): \(message)")
                XCTAssertFalse(message.contains("no lesson or exercise"), "\(what): not an unknown id: \(message)")
                XCTAssertFalse(message.contains("\n"), "\(what): one line: \(message)")
            }
        }
        XCTAssertTrue(catalog.broken[0].warning.hasPrefix("Lessons/Lesson8/lesson.json is broken (not valid JSON"), catalog.broken[0].warning)
        let listing = ListCommand.render(catalog, Progress(), style: .plain)
        XCTAssertTrue(listing.contains("Lesson 8 ✗ lesson 8's lesson.json is broken"), listing)
        XCTAssertTrue(listing.contains("7.2"), listing)
    }

    func testVerifyStillReportsTheBrokenLessonJSON() throws {
        let root = try makeCourse(brokenLesson8: true)
        var verifier = CourseVerifier(root: root, graders: [])
        verifier.proveGraders = false
        let problems = verifier.run().problems
        XCTAssertTrue(problems.contains { $0.hasPrefix("Lessons/Lesson8/lesson.json: not valid JSON") }, "\(problems)")
    }

    func testTutorCommandsAroundABrokenLesson() throws {
        let root = try makeCourse(brokenLesson8: true)
        let good = try tutor(["hint", "7.1"], in: root)
        XCTAssertEqual(good.status, 0, good.err)
        XCTAssertTrue(good.out.contains("Hint 1 of 3"), good.out)
        let warnings = good.err.split(separator: "\n")
        XCTAssertEqual(warnings.count, 1, good.err)
        XCTAssertTrue(good.err.hasPrefix("warning: Lessons/Lesson8/lesson.json is broken"), good.err)
        XCTAssertEqual(ProgressStore(root: root).load()["7.1"].hintLevel, 1)

        for args in [["hint", "8.1"], ["reset", "8", "--yes"], ["run", "8"], ["check", "8.2"]] {
            let bad = try tutor(args, in: root)
            XCTAssertNotEqual(bad.status, 0, "\(args)")
            XCTAssertTrue(bad.err.hasPrefix("error: lesson 8's lesson.json is broken: Lessons/Lesson8/lesson.json: not valid JSON"), "\(args): \(bad.err)")
            XCTAssertEqual(bad.err.split(separator: "\n").count, 1, "\(args): one line: \(bad.err)")
        }
        let list = try tutor(["list"], in: root)
        XCTAssertEqual(list.status, 0, list.err)
        XCTAssertTrue(list.out.contains("Lesson 8 ✗ lesson 8's lesson.json is broken"), list.out)
    }

    // MARK: - (15) file errors say which file and what to do

    func testAFileInThePlaceOfAFolderIsNamed() throws {
        let root = try makeCourse()
        try write("not a folder", to: ".tutor", in: root)
        var warnings: [String] = []
        ProgressStore(root: root) { warnings.append($0) }.update { $0["7.1"].hintLevel = 1 }
        XCTAssertEqual(warnings, ["cannot write .tutor/progress.json: .tutor is a file, not a folder — move or rename .tutor, then run the command again"])

        let files = LessonFiles(root: root)
        let change = LessonFiles.Change(path: "Lessons/Lesson7/Thing.swift", text: "changed", note: nil)
        XCTAssertThrowsError(try files.apply([change])) { error in
            let message = "\(error)"
            XCTAssertTrue(message.hasPrefix("cannot write .tutor/backups/"), message)
            XCTAssertTrue(message.hasSuffix(".tutor is a file, not a folder — move or rename .tutor, then run the command again"), message)
            XCTAssertFalse(message.contains("NSCocoaErrorDomain") || message.contains("\n"), message)
        }
        XCTAssertEqual(try read("Lessons/Lesson7/Thing.swift", in: root), Self.stub, "no backup, no write")

        try write("a file", to: "Lessons/Lesson7/Sub", in: root)
        XCTAssertThrowsError(try files.read("Lessons/Lesson7/Sub/X.swift")) {
            XCTAssertEqual("\($0)", "cannot read Lessons/Lesson7/Sub/X.swift: Lessons/Lesson7/Sub is a file, not a folder — move or rename Lessons/Lesson7/Sub, then run the command again")
        }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Lessons/Lesson7/Dir.swift"), withIntermediateDirectories: true)
        XCTAssertThrowsError(try files.read("Lessons/Lesson7/Dir.swift")) {
            XCTAssertTrue("\($0)".hasPrefix("cannot read Lessons/Lesson7/Dir.swift: it is a folder, not a file — "), "\($0)")
        }
        XCTAssertThrowsError(try files.read("Lessons/Lesson7/Gone.swift")) { XCTAssertEqual($0 as? TutorError, .missingFile("Lessons/Lesson7/Gone.swift")) }
    }

    func testPermissionErrorsSayWhatToDo() throws {
        let denied = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteNoPermission.rawValue,
                             userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))])
        let message = "\(FileAccess.error(denied, .write, "Lessons/Lesson0/Sigmoid.swift", root: URL(fileURLWithPath: "/nonexistent")))"
        XCTAssertEqual(message, "cannot write Lessons/Lesson0/Sigmoid.swift: permission denied — check the permissions of the file and its folder (ls -l Lessons/Lesson0), e.g. `chmod u+rw Lessons/Lesson0/Sigmoid.swift`, then run the command again")
        let full = NSError(domain: NSCocoaErrorDomain, code: CocoaError.fileWriteOutOfSpace.rawValue)
        XCTAssertTrue("\(FileAccess.error(full, .write, "x", root: URL(fileURLWithPath: "/nonexistent")))".contains("the disk is full"))

        guard geteuid() != 0 else { throw XCTSkip("running as root, which ignores permission bits: the real read-only case is not testable here") }
        let root = try makeCourse()
        let lesson = root.appendingPathComponent("Lessons/Lesson7")
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: lesson.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: lesson.path) }
        let change = LessonFiles.Change(path: "Lessons/Lesson7/Thing.swift", text: "changed", note: nil)
        XCTAssertThrowsError(try LessonFiles(root: root).apply([change])) {
            XCTAssertTrue("\($0)".hasPrefix("cannot write Lessons/Lesson7/Thing.swift: permission denied — "), "\($0)")
        }
    }

    func testLessonJSONThatCannotBeReadIsNotCalledMissing() throws {
        let root = try makeCourse()
        try FileManager.default.removeItem(at: root.appendingPathComponent("Lessons/Lesson7/lesson.json"))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Lessons/Lesson7/lesson.json"), withIntermediateDirectories: true)
        guard case .failure(let error) = Catalog.loadLesson(7, root: root) else { return XCTFail("a folder is not a lesson.json") }
        XCTAssertTrue("\(error)".hasPrefix("Lessons/Lesson7/lesson.json: cannot be read: it is a folder, not a file"), "\(error)")
    }

    // MARK: - (16) reset without the TODO line keeps the student's code

    func testResetWithoutTheTodoLineKeepsHelpersAndOtherExercises() throws {
        let root = try makeCourse()
        let helper = "\n/// Mine.\nfunc triple(_ x: Int) -> Int {\n    3 * x\n}\n"
        let student = Self.stub
            .replacingOccurrences(of: "    // TODO(7.1): return twice x.\n    throw TODO(\"7.1\")\n", with: "    return triple(x) - x\n")
            .replacingOccurrences(of: #"throw TODO("7.2")"#, with: "t += 2 * i") + helper
        try write(student, to: "Lessons/Lesson7/Thing.swift", in: root)
        let change = try LessonFiles(root: root).stub(of: XCTUnwrap(Catalog.load(root: root).exercise("7.1")))
        XCTAssertEqual(change.text, Self.stub.replacingOccurrences(of: #"throw TODO("7.2")"#, with: "t += 2 * i") + helper,
                       "only double(_:) goes back to its stub; the helper and 7.2 stay")
        let note = try XCTUnwrap(change.note)
        XCTAssertTrue(note.contains("TODO(7.1) line was gone") && note.contains("the rest of the file is as you left it") && note.contains("7.2"), note)
    }

    func testResetWithoutTheSignatureCarriesOverTheStudentsDeclarations() throws {
        let root = try makeCourse()
        // The student renamed 7.1's parameter (so its signature is not found) and wrote
        // a helper struct and an import.
        let student = Self.stub
            .replacingOccurrences(of: "public func double(_ x: Int) throws -> Int {\n    // TODO(7.1): return twice x.\n    throw TODO(\"7.1\")",
                                  with: "public func double(_ y: Int) throws -> Int {\n    return Helper().twice(y)")
            .replacingOccurrences(of: "import Autograd\n", with: "import Autograd\nimport Foundation\n")
            .replacingOccurrences(of: #"throw TODO("7.2")"#, with: "t += 2 * i") + "\nstruct Helper {\n    func twice(_ y: Int) -> Int { y + y }\n}\n"
        try write(student, to: "Lessons/Lesson7/Thing.swift", in: root)
        let change = try LessonFiles(root: root).stub(of: XCTUnwrap(Catalog.load(root: root).exercise("7.1")))
        XCTAssertTrue(change.text.contains(#"throw TODO("7.1")"#) && change.text.contains("// TODO(7.1): return twice x."), change.text)
        XCTAssertTrue(change.text.contains("t += 2 * i"), "7.2's code is kept")
        XCTAssertTrue(change.text.contains("struct Helper {\n    func twice(_ y: Int) -> Int { y + y }\n}"), "the student's own declaration is kept:\n\(change.text)")
        XCTAssertTrue(change.text.hasPrefix("import Autograd\nimport Foundation\n"), change.text)
        XCTAssertFalse(change.text.contains("_ y: Int) throws"), "the renamed exercise itself is reset")
        let note = try XCTUnwrap(change.note)
        XCTAssertTrue(note.contains("kept your code for 7.2 and your own `Foundation`, `Helper`"), note)
        XCTAssertTrue(note.contains("2 other lines of yours") && note.contains("only in the backup"), note)

        // Through apply: the backup holds the student's whole file.
        let (backup, _) = try LessonFiles(root: root).apply([change])
        XCTAssertEqual(try read("\(try XCTUnwrap(backup))/Lessons/Lesson7/Thing.swift", in: root), student)
    }
}
