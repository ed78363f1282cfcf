import Foundation
import Grading
@testable import TutorKit
import XCTest

/// The tutor's logic: stubs and solutions, ids, progress, reading XCTest's output,
/// running graders in their own process, and the course verifier on the real course.
final class TutorTests: XCTestCase {
    // MARK: - Fixtures

    /// A solution file with what trips a naive brace counter: braces in strings, in
    /// comments and in a multi-line string; nested blocks; a TODO inside a loop.
    static let solution = #"""
        import Autograd

        /// Doubles x.
        public func double(_ x: Int) throws -> Int {
            // TODO(7.1): return twice x.
            // BEGIN SOLUTION
            let s = "}{ not a brace \" } still a string"  // } nor this
            /* } a block comment { */
            let doc = """
                { unbalanced, in a multi-line string
                """
            var total = 0
            for _ in 0..<2 {
                if s.count + doc.count > 0 { total += x }
            }
            return total
            // END SOLUTION
        }

        public struct Box {
            public var items: [Int]

            /// The sum of the items.
            public func sum() throws -> Int {
                var t = 0
                for i in items {
                    // TODO(7.2): add i to t.
                    // BEGIN SOLUTION
                    t += i
                    // END SOLUTION
                }
                return t
            }
        }

        """#

    /// The stub the solution generates.
    static let stub = #"""
        import Autograd

        /// Doubles x.
        public func double(_ x: Int) throws -> Int {
            // TODO(7.1): return twice x.
            throw TODO("7.1")
        }

        public struct Box {
            public var items: [Int]

            /// The sum of the items.
            public func sum() throws -> Int {
                var t = 0
                for i in items {
                    // TODO(7.2): add i to t.
                    throw TODO("7.2")
                }
                return t
            }
        }

        """#

    static let lessonJSON = #"""
        {"lesson": 7, "title": "Fixture", "summary": "A lesson for the tutor's tests.",
         "exercises": [
          {"id": "7.1", "title": "Double", "file": "Thing.swift", "symbol": "double(_:)", "test": "test_7_1_double",
           "hints": ["What is x + x?", "Add x twice.", "return x + x"]},
          {"id": "7.2", "title": "Sum", "file": "Thing.swift", "symbol": "Box.sum()", "test": "test_7_2_sum",
           "hints": ["Where does each item go?", "Add it to t.", "t += i"]}],
         "questions": [{"question": "Why?", "answer": "Because."}]}
        """#

    /// A throwaway course: Package.swift, Lessons/Lesson7 (stubs + lesson.json), its
    /// solution and its test class, in a fresh temporary directory.
    func makeCourse(file: StaticString = #filePath, line: UInt = #line) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-tests-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: root) }
        let files = [
            "Package.swift": "// swift-tools-version: 6.0\n",
            "Lessons/Lesson7/lesson.json": Self.lessonJSON,
            "Lessons/Lesson7/Thing.swift": Self.stub,
            "Sources/Solutions/Lesson7/Thing.swift": Self.solution,
            "Tests/Exercises/Lesson7Tests.swift": "final class Lesson7Tests {\n  func test_7_1_double() {}\n  func test_7_2_sum() {}\n}\n",
        ]
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

    /// The package root of this repository (for the real course).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    // MARK: - Stubs: parse, render, body ranges

    func testParseAndRenderRoundTrip() throws {
        let pieces = try Stubs.parse(solution: Self.solution, file: "Thing.swift")
        XCTAssertEqual(Stubs.exercises(in: pieces).map(\.exercise), ["7.1", "7.2"])
        XCTAssertEqual(Stubs.exercises(in: pieces).map(\.indent), ["    ", "            "])
        XCTAssertEqual(Stubs.render(pieces), Self.stub, "the stub is the solution with each body replaced by its TODO line")
        let withoutMarkers = Self.solution.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(Stubs.begin) && !$0.contains(Stubs.end) }.joined(separator: "\n")
        XCTAssertEqual(Stubs.render(pieces, published: ["7.1", "7.2"]), withoutMarkers)
        // A published file normalised back to its stubs is the stub again.
        let published = Stubs.render(pieces, published: ["7.1"])
        XCTAssertEqual(LessonFiles.normalized(published, pieces: pieces).text, Self.stub)
    }

    func testRealSolutionFilesRoundTrip() throws {
        let files = LessonFiles(root: Self.repositoryRoot)
        let solutions = files.solutionFiles(lesson: 0)
        XCTAssertFalse(solutions.isEmpty)
        for path in solutions {
            let pieces = try files.pieces(ofSolution: path)
            let lesson = try files.read(LessonFiles.lessonPath(forSolution: path))
            XCTAssertEqual(LessonFiles.normalized(lesson, pieces: pieces).text, Stubs.render(pieces), path)
        }
    }

    func testBrokenMarkersAreReportedWithTheirLine() {
        let cases: [(String, String)] = [
            ("func f() {\n    // BEGIN SOLUTION\n    x\n    // END SOLUTION\n}", "must follow"),
            ("func f() {\n    // TODO(1.1): x\n    // BEGIN SOLUTION\n    x\n}", "has no // END SOLUTION"),
            ("func f() {\n    x\n    // END SOLUTION\n}", "without"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try Stubs.parse(solution: text, file: "F.swift")) { error in
                XCTAssertTrue("\(error)".hasPrefix("F.swift:"), "\(error)")
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
        }
    }

    func testBodyRangeSkipsBracesInStringsAndCommentsAndFindsNestedBlocks() throws {
        let solution = Stubs.splitLines(try Stubs.render(Stubs.parse(solution: Self.solution, file: "T"), published: ["7.1", "7.2"]))
        // 7.1's body: from the line after its TODO to the line before the function's closing brace.
        let r1 = try XCTUnwrap(Stubs.bodyRange(of: "7.1", in: solution))
        XCTAssertEqual(solution[r1.lowerBound - 1].trimmingCharacters(in: .whitespaces), "// TODO(7.1): return twice x.")
        XCTAssertEqual(solution[r1.upperBound], "}")
        XCTAssertEqual(solution[r1.upperBound - 1].trimmingCharacters(in: .whitespaces), "return total")
        // 7.2 is inside a loop inside a method inside a struct: its body ends at the loop's brace.
        let r2 = try XCTUnwrap(Stubs.bodyRange(of: "7.2", in: solution))
        XCTAssertEqual(r2.count, 1)
        XCTAssertEqual(solution[r2.lowerBound].trimmingCharacters(in: .whitespaces), "t += i")
        XCTAssertEqual(solution[r2.upperBound].trimmingCharacters(in: .whitespaces), "}")
        XCTAssertEqual(solution[r2.upperBound + 1].trimmingCharacters(in: .whitespaces), "return t")
        XCTAssertNil(Stubs.bodyRange(of: "7.3", in: solution))
    }

    func testBraceScanner() {
        var scanner = BraceScanner()
        XCTAssertEqual(scanner.braces(in: #"if a { b("}") } // {"#), [1, -1])
        XCTAssertEqual(scanner.braces(in: #"let s = "\"{" + "}" /* { */ ; {"#), [1])
        XCTAssertEqual(scanner.braces(in: "/* opens a comment {"), [])
        XCTAssertEqual(scanner.braces(in: "   still in it } */ }"), [-1])
        XCTAssertEqual(scanner.braces(in: #"let m = """"#), [])
        XCTAssertEqual(scanner.braces(in: "  { in a multi-line string"), [])
        XCTAssertEqual(scanner.braces(in: #"  """ + f { }"#), [1, -1])
    }

    // MARK: - Publish, reset, solution

    func testPublishThenResetGivesBackTheExactStub() throws {
        let root = try makeCourse()
        let files = LessonFiles(root: root)
        let (backup1, written1) = try files.apply(try files.published(lesson: 7))
        XCTAssertEqual(written1.map(\.path), ["Lessons/Lesson7/Thing.swift"])
        let published = try read("Lessons/Lesson7/Thing.swift", in: root)
        XCTAssertTrue(published.contains("t += i") && !published.contains("throw TODO") && !published.contains(Stubs.begin))
        XCTAssertEqual(try read("\(try XCTUnwrap(backup1))/Lessons/Lesson7/Thing.swift", in: root), Self.stub, "the backup holds the replaced file")

        let (backup2, _) = try files.apply(try files.stubs(lesson: 7))
        XCTAssertEqual(try read("Lessons/Lesson7/Thing.swift", in: root), Self.stub)
        XCTAssertNotEqual(backup1, backup2)
        XCTAssertEqual(try read("\(try XCTUnwrap(backup2))/Lessons/Lesson7/Thing.swift", in: root), published)
        // Nothing to do the second time: no write, no backup.
        let again = try files.apply(try files.stubs(lesson: 7))
        XCTAssertNil(again.backup)
        XCTAssertTrue(again.written.isEmpty)
    }

    func testResetOneExerciseKeepsTheOthers() throws {
        let root = try makeCourse()
        let files = LessonFiles(root: root)
        let catalog = try Catalog.load(root: root)
        try files.apply(try files.published(lesson: 7))
        try files.apply([try files.stub(of: XCTUnwrap(catalog.exercise("7.1")))])
        let text = try read("Lessons/Lesson7/Thing.swift", in: root)
        XCTAssertTrue(text.contains(#"throw TODO("7.1")"#))
        XCTAssertTrue(text.contains("t += i"), "7.2's code is left alone")
    }

    func testResetWhenTheTodoLineWasDeletedRewritesTheFileKeepingOtherExercises() throws {
        let root = try makeCourse()
        let files = LessonFiles(root: root)
        let student = Self.stub.replacingOccurrences(of: "    // TODO(7.1): return twice x.\n", with: "")
            .replacingOccurrences(of: #"throw TODO("7.2")"#, with: "t += 2 * i")
        try write(student, to: "Lessons/Lesson7/Thing.swift", in: root)
        let change = try files.stub(of: XCTUnwrap(Catalog.load(root: root).exercise("7.1")))
        XCTAssertTrue(change.note?.contains("TODO(7.1) line was gone") == true, change.note ?? "no note")
        XCTAssertTrue(change.note?.contains("7.2") == true)
        XCTAssertEqual(change.text, Self.stub.replacingOccurrences(of: #"throw TODO("7.2")"#, with: "t += 2 * i"))
    }

    func testSolutionShowsDocCommentSignatureAndBody() throws {
        let root = try makeCourse()
        let files = LessonFiles(root: root)
        let catalog = try Catalog.load(root: root)
        let sum = try files.reference(of: XCTUnwrap(catalog.exercise("7.2")))
        XCTAssertEqual(sum.split(separator: "\n").first?.trimmingCharacters(in: .whitespaces), "/// The sum of the items.")
        XCTAssertTrue(sum.contains("public func sum() throws -> Int {") && sum.contains("t += i") && sum.contains("return t"))
        XCTAssertFalse(sum.contains(Stubs.begin) || sum.contains("public struct Box"))
        let double = try files.reference(of: XCTUnwrap(catalog.exercise("7.1")))
        XCTAssertTrue(double.hasPrefix("/// Doubles x.\npublic func double"))
        XCTAssertTrue(double.hasSuffix("    return total\n}"))
    }

    // MARK: - Ids and the catalog

    func testExerciseIDParsing() {
        let good: [(String, Int, Int?)] = [("0", 0, nil), ("3", 3, nil), ("3.2", 3, 2), ("12.10", 12, 10)]
        for (text, lesson, number) in good {
            let id = ExerciseID(text)
            XCTAssertEqual(id?.lesson, lesson, text)
            XCTAssertEqual(id?.number, number, text)
            XCTAssertEqual(id?.description, text)
            XCTAssertEqual(ExerciseID(argument: text), id)
        }
        for bad in ["", "a", "3.", ".2", "3.2.1", "-1", "3.x", " 3", "3 ", "+3", "3.-1", "٣"] {
            XCTAssertNil(ExerciseID(bad), "'\(bad)' should not parse")
        }
        XCTAssertTrue(ExerciseID("3")!.isLesson)
        XCTAssertLessThan(ExerciseID("0.2")!, ExerciseID("0.10")!)
        XCTAssertLessThan(ExerciseID("1")!, ExerciseID("1.1")!)
    }

    func testUnknownIdsAreOneLineErrorsListingTheValidIds() throws {
        let catalog = try Catalog.load(root: Self.repositoryRoot)
        let cases: [(() throws -> Any, String)] = [
            ({ try catalog.select([ExerciseID("9.9")!]) }, "no lesson or exercise '9.9'; valid ids: 0 (0.1–"),
            ({ try catalog.select([ExerciseID("42")!]) }, "no lesson or exercise '42'; valid ids: 0 (0.1–"),
            ({ try catalog.lesson(for: ExerciseID("99")!) }, "no lesson '99'; valid lessons: 0"),
            ({ try catalog.exercise(for: ExerciseID("0")!) }, "'0' is a lesson"),
            ({ try catalog.lesson(for: ExerciseID("0.1")!) }, "'0.1' is an exercise"),
        ]
        for (call, expected) in cases {
            XCTAssertThrowsError(try call()) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix(expected), message)
                XCTAssertFalse(message.contains("\n"), "one line: \(message)")
            }
        }
        XCTAssertEqual(try catalog.select([ExerciseID("0")!]).map(\.id), catalog.lesson(0)?.exercises.map(\.id))
        XCTAssertEqual(try catalog.select([ExerciseID("0.2")!]).map(\.id), ["0.2"])
        XCTAssertEqual(try catalog.select([]).count, catalog.exercises.count)
    }

    func testCompactValidIds() throws {
        let root = try makeCourse()
        XCTAssertEqual(try Catalog.load(root: root).validIDs, "7 (7.1–7.2)")
    }

    func testBrokenLessonJSONIsOneLineNamingTheFile() throws {
        let root = try makeCourse()
        let cases = [
            ("{ not json", "not valid JSON"),
            (#"{"lesson": 7, "title": "T", "summary": "S"}"#, #"missing key "exercises""#),
            (#"{"lesson": 7, "title": "T", "summary": "S", "exercises": [{"id": "7.1", "title": 3}]}"#, "exercises[0].title should be a string"),
            (#"{"lesson": 8, "title": "T", "summary": "S", "exercises": []}"#, "Lesson7/"),
        ]
        for (json, expected) in cases {
            try write(json, to: "Lessons/Lesson7/lesson.json", in: root)
            XCTAssertThrowsError(try Catalog.load(root: root)) { error in
                let message = "\(error)"
                XCTAssertTrue(message.hasPrefix("Lessons/Lesson7/lesson.json: "), message)
                XCTAssertTrue(message.contains(expected), message)
                XCTAssertFalse(message.contains("\n"), message)
            }
        }
        try FileManager.default.removeItem(at: root.appendingPathComponent("Lessons/Lesson7/lesson.json"))
        XCTAssertThrowsError(try Catalog.load(root: root)) { XCTAssertTrue("\($0)".contains("lesson.json: missing")) }
    }

    func testFindRootWalksUp() throws {
        let root = try makeCourse()
        let deep = root.appendingPathComponent("Lessons/Lesson7")
        XCTAssertEqual(try Catalog.findRoot(from: deep).standardizedFileURL.path, root.standardizedFileURL.path)
        XCTAssertThrowsError(try Catalog.findRoot(from: URL(fileURLWithPath: "/"))) { XCTAssertTrue("\($0)".contains("not inside the Unrolled course")) }
    }

    // MARK: - Progress

    func testCorruptProgressIsSetAsideAndRebuilt() throws {
        let root = try makeCourse()
        var warnings: [String] = []
        let store = ProgressStore(root: root) { warnings.append($0) }
        // Missing: created.
        XCTAssertEqual(store.load(), Progress())
        XCTAssertTrue(FileManager.default.fileExists(atPath: store.url.path))
        store.update { $0["7.1"].hintLevel = 2; $0["7.1"].status = .failing }
        XCTAssertEqual(store.load()["7.1"].hintLevel, 2)
        // Corrupt: one warning, the old file kept aside, a fresh one in its place.
        try write("{ \"exercises\": [1, 2", to: ".tutor/progress.json", in: root)
        XCTAssertEqual(store.load(), Progress())
        XCTAssertEqual(warnings.count, 1)
        XCTAssertTrue(warnings[0].contains(".tutor/progress.json was unreadable"), warnings[0])
        XCTAssertFalse(warnings[0].contains("\n"))
        XCTAssertEqual(try read(".tutor/progress.json.corrupt", in: root), "{ \"exercises\": [1, 2")
        XCTAssertNoThrow(try JSONDecoder().decode(Progress.self, from: Data(contentsOf: store.url)))
        // Missing fields take their defaults; unknown statuses are corrupt.
        try write(#"{"exercises": {"7.2": {"hintLevel": 9}}}"#, to: ".tutor/progress.json", in: root)
        XCTAssertEqual(store.load()["7.2"].hintLevel, 3)
        XCTAssertEqual(store.load()["7.2"].status, .notStarted)
    }

    func testCurrentExerciseIsTheFirstNotPassing() throws {
        let catalog = try Catalog.load(root: try makeCourse())
        var p = Progress()
        XCTAssertEqual(p.current(in: catalog)?.id, "7.1")
        p["7.1"].status = .passing
        XCTAssertEqual(p.current(in: catalog)?.id, "7.2")
        p["7.2"].status = .passing
        XCTAssertNil(p.current(in: catalog))
    }

    func testCurrentExerciseFollowsTheOneCheckedLast() throws {
        let catalog = try Catalog.load(root: try makeCourse())
        var p = Progress()
        // 7.1 left failing, 7.2 checked (and failing) since: the student is on 7.2.
        p["7.1"].status = .failing
        p["7.1"].lastChecked = Date(timeIntervalSince1970: 100)
        p["7.2"].status = .failing
        p["7.2"].lastChecked = Date(timeIntervalSince1970: 200)
        XCTAssertEqual(p.current(in: catalog)?.id, "7.2")
        // 7.2 passes now: nothing open after it, so back to the first still open.
        p["7.2"].status = .passing
        XCTAssertEqual(p.current(in: catalog)?.id, "7.1")
        // 7.1 checked last: it is current.
        p["7.1"].lastChecked = Date(timeIntervalSince1970: 300)
        XCTAssertEqual(p.current(in: catalog)?.id, "7.1")
    }

    func testWatchChecksTheExercisesOfTheFileSaved() throws {
        let catalog = try Catalog.load(root: try makeCourse())
        let file = try XCTUnwrap(catalog.exercise("7.1")).path  // 7.1 and 7.2 share it
        var p = Progress()
        p["7.1"].status = .passing
        p["7.1"].lastChecked = Date()
        // A save checks the saved file's exercises that are still open.
        XCTAssertEqual(WatchCommand.exercises(savedIn: [file], catalog: catalog, progress: p).map(\.id), ["7.2"])
        // All of them pass: a save checks them all again (the student is changing working code).
        p["7.2"].status = .passing
        XCTAssertEqual(WatchCommand.exercises(savedIn: [file], catalog: catalog, progress: p).map(\.id), ["7.1", "7.2"])
        // A file with no exercise: the current one (none: everything passes).
        p["7.2"].status = .failing
        XCTAssertEqual(WatchCommand.exercises(savedIn: ["Lessons/Lesson7/Helpers.swift"], catalog: catalog, progress: p).map(\.id), ["7.2"])
        p["7.2"].status = .passing
        XCTAssertEqual(WatchCommand.exercises(savedIn: ["Lessons/Lesson7/Helpers.swift"], catalog: catalog, progress: p).map(\.id), [])
    }

    // MARK: - Build errors

    func testBuildErrorsAreFilteredDedupedAndRelative() {
        let log = """
            [1/9] Compiling Lesson0 Sigmoid.swift
            /work/main/Lessons/Lesson0/Sigmoid.swift:24:5: error: cannot find 'foo' in scope
            22 | public func sigmoid(_ x: Tensor) throws -> Tensor {
            23 |     // TODO(0.1): …
            24 |     foo
               |     `- error: cannot find 'foo' in scope
            25 | }
            /work/main/Lessons/Lesson0/Sigmoid.swift:24:5: error: cannot find 'foo' in scope
            24 |     foo
               |     `- error: cannot find 'foo' in scope
            /work/main/Lessons/Lesson0/Softmax.swift:3:1: warning: unused
            error: emit-module command failed with exit code 1 (use -v to see invocation)
            """
        let errors = BuildErrors(output: log, root: URL(fileURLWithPath: "/work/main"))
        XCTAssertEqual(errors.files, ["Lessons/Lesson0/Sigmoid.swift"])
        XCTAssertEqual(errors.whereText, "Lessons/Lesson0/Sigmoid.swift")
        XCTAssertEqual(errors.text.components(separatedBy: "cannot find 'foo' in scope").count - 1, 2, "once, with its excerpt:\n\(errors.text)")
        XCTAssertTrue(errors.text.hasPrefix("Lessons/Lesson0/Sigmoid.swift:24:5: error: cannot find 'foo' in scope\n22 |"))
        XCTAssertFalse(errors.text.contains("warning"))
        XCTAssertFalse(errors.text.contains("Compiling"))
        XCTAssertFalse(errors.text.contains("emit-module"), "a generic error line adds nothing to located ones")
        let outside = BuildErrors(output: "/work/main/Sources/Autograd/Tensor.swift:1:1: error: x", root: URL(fileURLWithPath: "/work/main"))
        XCTAssertTrue(outside.whereText.hasPrefix("Sources/Autograd/Tensor.swift (outside the lesson files"), outside.whereText)
    }

    // MARK: - Child processes

    func testTimeoutKillsTheWholeProcessGroup() throws {
        let start = Date()
        let r = try Subprocess.run(["/bin/sh", "-c", "sleep 30 & sleep 30; echo never"], timeout: 0.5)
        XCTAssertEqual(r.termination, .timedOut(0.5))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertFalse(r.output.contains("never"))
    }

    func testExitCodesSignalsAndOutput() throws {
        let ok = try Subprocess.run(["/bin/sh", "-c", "echo out; echo err >&2"], timeout: 10)
        XCTAssertEqual(ok.termination, .exited(0))
        XCTAssertEqual(ok.output, "out\nerr\n")
        XCTAssertEqual(try Subprocess.run(["/bin/sh", "-c", "exit 3"]).termination, .exited(3))
        XCTAssertEqual(try Subprocess.run(["/bin/sh", "-c", "kill -ILL $$"], timeout: 10).termination, .signalled(SIGILL))
        let dir = FileManager.default.temporaryDirectory
        XCTAssertEqual(try Subprocess.run(["pwd"], in: dir).output.trimmingCharacters(in: .whitespacesAndNewlines),
                       dir.resolvingSymlinksInPath().path)
    }

    // MARK: - The course verifier

    func testTheRealCourseVerifies() {
        let report = CourseVerifier(root: Self.repositoryRoot).run()
        XCTAssertEqual(report.problems, [])
        XCTAssertEqual(report.exercises, Course.exercises.count)
        XCTAssertGreaterThanOrEqual(report.mistakes, 2 * report.exercises)
        XCTAssertEqual(report.hints, 3 * report.exercises)
        XCTAssertGreaterThan(report.stubFiles, 0)
    }

    func testVerifierFindsDrift() throws {
        let root = try makeCourse()
        var verifier = CourseVerifier(root: root, graders: [])
        verifier.proveGraders = false
        XCTAssertEqual(try verifier.record(), [GradingFiles.manifestPath], "no graders: only the digests")
        XCTAssertEqual(verifier.run().problems, [
            "exercise 7.1 is missing from Grading.Course.exercises",
            "exercise 7.2 is missing from Grading.Course.exercises",
        ])
        // A stub that drifted from its solution outside the bodies, a missing hint, a missing test.
        try write(Self.stub.replacingOccurrences(of: "/// Doubles x.", with: "/// Doubles x!"), to: "Lessons/Lesson7/Thing.swift", in: root)
        try write(Self.lessonJSON.replacingOccurrences(of: #""Add x twice.", "#, with: ""), to: "Lessons/Lesson7/lesson.json", in: root)
        try write("final class Lesson7Tests {\n  func test_7_1_double() {}\n}\n", to: "Tests/Exercises/Lesson7Tests.swift", in: root)
        try write("// an extra lesson file\n", to: "Lessons/Lesson7/Extra.swift", in: root)
        let problems = verifier.run().problems
        XCTAssertTrue(problems.contains { $0.hasPrefix("Lessons/Lesson7/Thing.swift:3 differs from its solution") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("7.1 has 2 non-empty hints") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("has no method test_7_2_sum") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("Lessons/Lesson7/Extra.swift has no solution file") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.contains("the grading files differ from \(GradingFiles.manifestPath): Tests/Exercises/Lesson7Tests.swift") }, "a changed test file: \(problems)")
        // Published, the lesson still verifies outside the bodies.
        try write(Self.stub, to: "Lessons/Lesson7/Thing.swift", in: root)
        let files = LessonFiles(root: root)
        try files.apply(try files.published(lesson: 7))
        XCTAssertFalse(verifier.run().problems.contains { $0.contains("Thing.swift") })
    }
}
