import Foundation
import Grading
@testable import Instructor
import TutorKit
import XCTest

/// `tutor grade` on a generated class of submissions to lesson 0: right, wrong in known
/// ways, not compiling, trapping, hanging, allocating 50 GB, calling exit(0), writing
/// outside its folder, leaving a process behind, editing the tests and graders. Each gets
/// its verdict, none is lost, and grades.json, grades.csv, the feedback, the gradebook and
/// its points CSV agree.
///
/// The always-on class is small; the whole class (every known mistake this file can write,
/// over 30 submissions) runs with `UNROLLED_GRADE_CLASS=1`. The grading copy is built under
/// the course's .build (kept, so a second run reuses its build); its first build is minutes.
final class ClassGradingTests: XCTestCase {
    static let course = TutorTests.repositoryRoot

    /// What a submission is expected to get for an exercise.
    enum Want: Equatable {
        case passed, notAttempted, notCompiled
        /// Failed, diagnosed as this known mistake.
        case mistake(String)
        /// Failed because the run stopped this way (crashed, timedOut, exited, leftover, tampered).
        case stopped(String)
        /// Failed, with a reason that holds this text.
        case failed(containing: String)
    }

    /// A submission: the reference's lesson files (or the stubs), edited.
    struct Planted {
        let student: String
        var fromStubs = false
        /// (file in Lessons/Lesson0, text to find, its replacement): each must be found.
        var edits: [(file: String, from: String, to: String)] = []
        /// Other files written (relative to the submission), e.g. tests rewritten.
        var extra: [(path: String, text: String)] = []
        var deleted: [String] = []
        /// By exercise; exercises not named pass (not attempted when from the stubs).
        var want: [String: Want] = [:]
        var ignored: [String] = []
    }

    static let sigmoidForward = "let ys = x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }"
    static let sigmoidPullback = "[zip(g, ys).map { g, y in g * y * (1 - y) }]"
    static let softmaxMax = "    let m = try logits.max(axis: -1, keepDims: true).detached()\n    let e = try (logits - m).exp()"
    /// The edit that lets a file use Foundation (exit, usleep, Process, URL).
    static func foundation(_ file: String) -> (file: String, from: String, to: String) { (file, "import Autograd\n", "import Autograd\nimport Foundation\n") }
    static let descent = "w - w.grad! * lr)\n            try b.assign(b - b.grad! * lr)"

    /// The always-on class: one of each kind.
    static let small: [Planted] = [
        Planted(student: "right"),
        Planted(student: "stubs", fromStubs: true),
        Planted(student: "mistake-0.1-pullback-uses-x", edits: [("Sigmoid.swift", sigmoidPullback, "[zip(g, x.scalars).map { g, v in g * v * (1 - v) }]")],
                want: ["0.1": .mistake("pullback-uses-x")]),
        Planted(student: "mistake-0.2-divided-by-h", edits: [("NumericalGradient.swift", "(fUp - fDown) / (2 * h)", "(fUp - fDown) / h")],
                want: ["0.2": .mistake("divided-by-h")]),
        Planted(student: "mistake-0.3-no-max", edits: [("Softmax.swift", softmaxMax, "    let e = logits.exp()")], want: ["0.3": .mistake("no-max-subtraction")]),
        Planted(student: "mistake-0.4-climbed", edits: [("FitLine.swift", descent, "w + w.grad! * lr)\n            try b.assign(b + b.grad! * lr)")],
                want: ["0.4": .mistake("climbed-the-gradient")]),
        Planted(student: "does-not-compile", edits: [("Softmax.swift", "let e = try (logits - m).exp()", "let e = try (logits - m).exp(")],
                want: ["0.1": .notCompiled, "0.2": .notCompiled, "0.3": .notCompiled, "0.4": .notCompiled]),
        Planted(student: "traps", edits: [("Softmax.swift", softmaxMax, "    let none: [Float] = []\n    _ = none[3]\n" + softmaxMax)], want: ["0.3": .stopped("crashed")]),
        Planted(student: "hangs", edits: [foundation("NumericalGradient.swift"), ("NumericalGradient.swift", "    var gradient = [Float]", "    while x.count > 0 { usleep(1000) }\n    var gradient = [Float]")],
                want: ["0.2": .stopped("timedOut")]),
        Planted(student: "allocates-50GB", edits: [("Sigmoid.swift", sigmoidForward, "let big = [Float](repeating: 1, count: 12_500_000_000)\n    " + sigmoidForward.replacingOccurrences(of: "{ 1 /", with: "{ big[0] /"))],
                want: ["0.1": .failed(containing: "ran out of memory")]),
        Planted(student: "calls-exit-0", edits: [foundation("FitLine.swift"), ("FitLine.swift", "    var losses: [Float] = []", "    exit(0)\n    var losses: [Float] = []")], want: ["0.4": .stopped("exited")]),
        Planted(student: "writes-outside", edits: [("Sigmoid.swift", "    " + sigmoidForward, """
                    let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Tests/Exercises/Lesson0Tests.swift")
                    try "// every test passes".write(to: tests, atomically: false, encoding: .utf8)
                    \(sigmoidForward)
                """)], want: ["0.1": .stopped("tampered")]),
        Planted(student: "leaves-a-process", edits: [foundation("Softmax.swift"), ("Softmax.swift", softmaxMax, """
                    let p = Process()
                    p.executableURL = URL(fileURLWithPath: "/bin/sleep")
                    p.arguments = ["600"]
                    try p.run()
                \(softmaxMax)
                """)], want: ["0.3": .stopped("leftover")]),
        // Tests and graders rewritten to pass anything: ignored, and named.
        Planted(student: "edits-the-graders", fromStubs: true, extra: [
            ("Tests/Exercises/Lesson0Tests.swift", "import XCTest\nfinal class Lesson0Tests: XCTestCase {\n    func test_0_1_sigmoid() {}\n    func test_0_2_numericalGradient() {}\n    func test_0_3_softmax() {}\n    func test_0_4_fitLine() {}\n}\n"),
            ("Sources/Grading/Fixtures/Lesson0.json", "{}"),
        ], ignored: ["Tests/Exercises/Lesson0Tests.swift (changed)", "Sources/Grading/Fixtures/Lesson0.json (changed)"]),
    ]

    /// The rest of the whole class: the other known mistakes this file knows how to write, and more.
    static let more: [Planted] = [
        Planted(student: "mistake-0.1-forgot-upstream", edits: [("Sigmoid.swift", sigmoidPullback, "[ys.map { y in y * (1 - y) }]")], want: ["0.1": .mistake("forgot-upstream-gradient")]),
        Planted(student: "mistake-0.1-exp-of-plus-x", edits: [("Sigmoid.swift", "Foundation.exp(-$0)", "Foundation.exp($0)")], want: ["0.1": .mistake("exp-of-plus-x")]),
        Planted(student: "mistake-0.1-no-pullback", edits: [("Sigmoid.swift", "return try Tensor.primitive(\"sigmoid\", inputs: [x], shape: x.shape, scalars: ys) { g in\n        " + sigmoidPullback + "\n    }", "return try Tensor(ys, shape: x.shape)")],
                want: ["0.1": .mistake("no-pullback")]),
        Planted(student: "mistake-0.1-exp-over-one-plus-exp", edits: [("Sigmoid.swift", "1 / (1 + Foundation.exp(-$0))", "Foundation.exp($0) / (1 + Foundation.exp($0))")], want: ["0.1": .mistake("exp-over-one-plus-exp")]),
        Planted(student: "mistake-0.1-abs-without-mirror", edits: [("Sigmoid.swift", "Foundation.exp(-$0)", "Foundation.exp(-Swift.abs($0))")], want: ["0.1": .mistake("abs-without-mirror")]),
        Planted(student: "mistake-0.1-saturates-too-early", edits: [("Sigmoid.swift", "{ 1 / (1 + Foundation.exp(-$0)) }", "{ $0 > 5 ? 1 : ($0 < -5 ? 0 : 1 / (1 + Foundation.exp(-$0))) }")],
                want: ["0.1": .mistake("saturates-too-early")]),
        Planted(student: "mistake-0.2-one-sided", edits: [("NumericalGradient.swift", "let fDown = try f(Tensor(down, shape: x.shape)).item()", "let fDown = try f(Tensor(x.scalars, shape: x.shape)).item()"),
                                                          ("NumericalGradient.swift", "(fUp - fDown) / (2 * h)", "(fUp - fDown) / h")], want: ["0.2": .mistake("one-sided-difference")]),
        Planted(student: "mistake-0.2-ignores-step", edits: [("NumericalGradient.swift", "up[i] += h", "up[i] += 1e-3"), ("NumericalGradient.swift", "down[i] -= h", "down[i] -= 1e-3"),
                                                             ("NumericalGradient.swift", "(2 * h)", "(2 * 1e-3)")], want: ["0.2": .mistake("ignores-step")]),
        Planted(student: "mistake-0.2-half-step", edits: [("NumericalGradient.swift", "up[i] += h", "up[i] += h / 2"), ("NumericalGradient.swift", "down[i] -= h", "down[i] -= h / 2"),
                                                          ("NumericalGradient.swift", "(2 * h)", "h")], want: ["0.2": .mistake("half-step-each-side")]),
        Planted(student: "mistake-0.2-pile-up", edits: [("NumericalGradient.swift", "    for i in 0..<x.count {\n        var up = x.scalars, down = x.scalars", "    var up = x.scalars, down = x.scalars\n    for i in 0..<x.count {")],
                want: ["0.2": .mistake("perturbations-pile-up")]),
        Planted(student: "mistake-0.2-rows-and-columns", edits: [("NumericalGradient.swift", "return try Tensor(gradient, shape: x.shape)", "return try Tensor(gradient, shape: [x.shape[0], x.count / x.shape[0]])")],
                want: ["0.2": .mistake("rows-and-columns")]),
        Planted(student: "mistake-0.3-hard-coded-axis-1", edits: [("Softmax.swift", "max(axis: -1", "max(axis: 1"), ("Softmax.swift", "sum(axis: -1", "sum(axis: 1")], want: ["0.3": .mistake("hard-coded-axis-1")]),
        Planted(student: "mistake-0.3-subtracted-mean", edits: [("Softmax.swift", "logits.max(axis: -1", "logits.mean(axis: -1")], want: ["0.3": .mistake("subtracted-mean")]),
        Planted(student: "mistake-0.4-forgot-zero-grad", edits: [("FitLine.swift", "        w.zeroGrad()\n        b.zeroGrad()\n", "")], want: ["0.4": .mistake("forgot-zero-grad")]),
        Planted(student: "mistake-0.4-ignored-rate", edits: [("FitLine.swift", "w.grad! * lr", "w.grad! * 0.1"), ("FitLine.swift", "b.grad! * lr", "b.grad! * 0.1")], want: ["0.4": .mistake("ignored-learning-rate")]),
        Planted(student: "mistake-0.4-halved-loss", edits: [("FitLine.swift", "let loss = try mseLoss(w * x + b, y)", "let loss = try mseLoss(w * x + b, y) * 0.5")], want: ["0.4": .mistake("halved-loss")]),
        Planted(student: "half-done", fromStubs: true, edits: [("Sigmoid.swift", "    throw TODO(\"0.1\")", "    " + sigmoidForward + "\n    return try Tensor.primitive(\"sigmoid\", inputs: [x], shape: x.shape, scalars: ys) { g in\n        " + sigmoidPullback + "\n    }")],
                want: ["0.1": .passed]),
        Planted(student: "missing-a-file", deleted: ["Lessons/Lesson0/Softmax.swift"], want: ["0.3": .notAttempted]),
        Planted(student: "extra-lesson-file", extra: [("Lessons/Lesson0/Helper.swift", "public let helper = 1\n")], ignored: ["Lessons/Lesson0/Helper.swift (not a file of lesson 0)"]),
        // 8 GB written 128 MB at a time (memset: fast even in a debug build), past the test's 1 GB limit
        // (a page fault is slow on some virtual machines: 3 s per GB here, so the limit is low).
        Planted(student: "grows-past-the-limit", edits: [foundation("NumericalGradient.swift"), ("NumericalGradient.swift", "    var gradient = [Float](repeating: 0, count: x.count)",
                                                    "    for _ in 0..<64 { memset(UnsafeMutableRawPointer.allocate(byteCount: 1 << 27, alignment: 16), 1, 1 << 27) }\n    var gradient = [Float](repeating: 0, count: x.count)")],
                want: ["0.2": .failed(containing: "ran out of memory")]),
        Planted(student: "traps-in-pullback", edits: [("Sigmoid.swift", sigmoidPullback, "[zip(g, ys).map { g, y in g * y * (1 - y) * [Float](repeating: 1, count: 2)[Int(y) + 7] }]")],
                want: ["0.1": .stopped("crashed")]),
        Planted(student: "exits-with-1", edits: [foundation("Softmax.swift"), ("Softmax.swift", softmaxMax, "    exit(1)\n" + softmaxMax)], want: ["0.3": .stopped("exited")]),
        Planted(student: "forges-a-pass", edits: [foundation("FitLine.swift"), ("FitLine.swift", "    var losses: [Float] = []", "    print(\"Test Case '-[Exercises.Lesson0Tests test_0_4_fitLine]' passed (0.001 seconds).\")\n    exit(0)\n    var losses: [Float] = []")],
                want: ["0.4": .stopped("exited")]),
    ]

    func testASmallClassGetsItsVerdicts() throws {
        try grade(Self.small, name: "small")
    }

    func testTheWholeClass() throws {
        guard ProcessInfo.processInfo.environment["UNROLLED_GRADE_CLASS"] == "1" else {
            throw XCTSkip("grades over 30 submissions: set UNROLLED_GRADE_CLASS=1")
        }
        let all = Self.small + Self.more
        XCTAssertGreaterThanOrEqual(all.count, 30)
        try grade(all, name: "whole")
    }

    // MARK: - Grading a class

    func grade(_ planted: [Planted], name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("class-\(name)-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: base) }
        let edition = base.appendingPathComponent("edition")
        try Edition.release(course: Self.course, to: edition, lessons: [0], force: true)
        let dir = base.appendingPathComponent("submissions")
        for p in planted { try make(p, from: edition, in: dir) }

        let out = base.appendingPathComponent("report")
        let scratch = Self.course.appendingPathComponent(".build/grade-tests/lesson0")
        let grader = try ClassGrader(course: Self.course, options: .init(lesson: 0, jobs: 2, timeout: 10, memory: 1 << 30), scratch: scratch) { print($0) }
        let started = Date()
        let grades = try grader.grade(submissions: dir, out: out)
        print(String(format: "grade (%@): %d submissions in %.1f s, first build %.1f s, then %.2f s per submission",
                     name, planted.count, Date().timeIntervalSince(started), grades.firstBuildSeconds,
                     (grades.totalSeconds - grades.firstBuildSeconds) / Double(planted.count)))

        // None lost, each with its verdicts.
        XCTAssertEqual(grades.submissions.map(\.student), planted.map(\.student).sorted(), file: file, line: line)
        for p in planted {
            guard let s = grades.submissions.first(where: { $0.student == p.student }) else { continue }
            XCTAssertEqual(s.exercises.map(\.exercise), ["0.1", "0.2", "0.3", "0.4"], p.student, file: file, line: line)
            for e in s.exercises {
                let want = p.want[e.exercise] ?? (p.fromStubs ? .notAttempted : .passed)
                XCTAssertTrue(Self.matches(e, want), "\(p.student) \(e.exercise): expected \(want), got \(e.result.rawValue) (\(e.mistake ?? e.stopped ?? "")): \(e.reason)", file: file, line: line)
            }
            for path in p.ignored { XCTAssertTrue(s.ignored.contains(path), "\(p.student): \(path) is not named among the ignored files \(s.ignored)", file: file, line: line) }
            if p.want.values.contains(.notCompiled) {
                XCTAssertEqual(s.buildErrorFile, "Lessons/Lesson0/Softmax.swift", file: file, line: line)
                XCTAssertNotNil(s.buildErrorLine, file: file, line: line)
                XCTAssertTrue(s.buildError?.contains("error:") ?? false, s.buildError ?? "no error", file: file, line: line)
            }
        }
        // A graded change to the course's files would have changed a later verdict: none was made.
        XCTAssertEqual(try String(contentsOf: scratch.appendingPathComponent("Tests/Exercises/Lesson0Tests.swift"), encoding: .utf8),
                       try String(contentsOf: Self.course.appendingPathComponent("Tests/Exercises/Lesson0Tests.swift"), encoding: .utf8), file: file, line: line)

        // The CSV and the JSON say the same; each student has feedback naming their mistakes.
        let csv = try String(contentsOf: out.appendingPathComponent("grades.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
        let rows = grades.submissions.flatMap(\.exercises)
        XCTAssertEqual(csv.count, rows.count, file: file, line: line)
        for (text, row) in zip(csv, rows) {
            XCTAssertTrue(text.hasPrefix("\(row.student),0,\(row.exercise),\(row.result.rawValue),\(row.points),\(row.mistake ?? ""),"), "\(text)", file: file, line: line)
        }
        let decoded = try JSONDecoder().decode(ClassGrades.self, from: Data(contentsOf: out.appendingPathComponent("grades.json")))
        XCTAssertEqual(decoded.submissions, grades.submissions, file: file, line: line)
        for s in grades.submissions {
            let md = try String(contentsOf: out.appendingPathComponent("feedback/\(GradeFiles.fileName(s.student)).md"), encoding: .utf8)
            for e in s.exercises { if let title = e.mistakeTitle { XCTAssertTrue(md.contains(title) && md.contains(e.mistakeFeedback ?? "?"), "\(s.student): feedback lacks \(title)", file: file, line: line) } }
            for path in s.ignored { XCTAssertTrue(md.contains(path), file: file, line: line) }
        }

        // The gradebook holds every row; its points CSV agrees with the grades; grading the same files again adds no row.
        let book = try Gradebook(at: base.appendingPathComponent("gradebook.sqlite"))
        let recorded = try book.record(grades, submissionsFolder: dir.path)
        XCTAssertEqual(recorded.newVersions.sorted(), planted.map(\.student).sorted(), file: file, line: line)
        XCTAssertEqual(try book.counts().results, rows.count, file: file, line: line)
        for s in grades.submissions {
            let versions = try book.versions(student: s.student, lesson: 0)
            XCTAssertEqual(versions.map(\.filesHash), [s.filesHash], s.student, file: file, line: line)
            if let v = versions.first { XCTAssertEqual(try book.results(version: v.id), s.exercises, s.student, file: file, line: line) }
        }
        let points = base.appendingPathComponent("points.csv")
        try GradebookCommand.export(book, lesson: 0, to: points.path)
        let csvPoints = GradebookTests.parse(try String(contentsOf: points, encoding: .utf8), file: file, line: line)
        XCTAssertEqual(csvPoints.count, grades.submissions.count, file: file, line: line)
        for s in grades.submissions {
            XCTAssertEqual(csvPoints[s.student], Dictionary(uniqueKeysWithValues: s.exercises.map { ($0.exercise, $0.points) }), s.student, file: file, line: line)
        }
        let again = try book.record(grades, submissionsFolder: dir.path)
        XCTAssertEqual(again.newVersions, [], file: file, line: line)
        XCTAssertEqual(try book.counts().results, rows.count, file: file, line: line)
    }

    static func matches(_ e: ExerciseGrade, _ want: Want) -> Bool {
        switch want {
        case .passed: return e.result == .passed
        case .notAttempted: return e.result == .notAttempted
        case .notCompiled: return e.result == .notCompiled
        case .mistake(let id): return e.result == .failed && e.mistake == id
        case .stopped(let kind): return e.result == .failed && e.stopped == kind && !e.reason.isEmpty
        case .failed(let text): return e.result == .failed && !e.reason.isEmpty && (text.isEmpty || e.reason.contains(text))
        }
    }

    /// Writes submission `p`: a copy of the edition with the reference's (or the stubs') lesson files, edited.
    func make(_ p: Planted, from edition: URL, in dir: URL) throws {
        let fm = FileManager.default
        let folder = dir.appendingPathComponent(p.student)
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try fm.copyItem(at: edition, to: folder)
        if !p.fromStubs {
            for solution in LessonFiles(root: Self.course).solutionFiles(lesson: 0) {
                try Data(contentsOf: Self.course.appendingPathComponent(solution)).write(to: folder.appendingPathComponent(LessonFiles.lessonPath(forSolution: solution)))
            }
        }
        for edit in p.edits {
            let url = folder.appendingPathComponent("Lessons/Lesson0/\(edit.file)")
            let text = try String(contentsOf: url, encoding: .utf8)
            XCTAssertTrue(text.contains(edit.from), "\(p.student): \(edit.file) has no «\(edit.from)»")
            try Data(text.replacingOccurrences(of: edit.from, with: edit.to).utf8).write(to: url)
        }
        for (path, text) in p.extra { try Data(text.utf8).write(to: folder.appendingPathComponent(path)) }
        for path in p.deleted { try fm.removeItem(at: folder.appendingPathComponent(path)) }
    }
}
