import Foundation
import Grading

/// Proves the course consistent (what `tutor verify` runs, and a test can call):
/// metadata, stubs against solutions, ids three ways, and every grader against the
/// reference and its known mistakes.
public struct CourseVerifier {
    /// What a verification found and counted.
    public struct Report: Sendable {
        public var problems: [String] = []
        public var exercises = 0
        public var mistakes = 0
        public var hints = 0
        public var stubFiles = 0

        public var summary: String {
            "verified \(exercises) exercises, \(mistakes) known mistakes, \(hints) hints, \(stubFiles) stub files"
        }
    }

    public let root: URL
    /// The graders to prove (the course's, unless a test passes others).
    public let graders: [AnyExercise]
    /// Whether to run each grader's `prove()` (the slow part).
    public var proveGraders = true

    public init(root: URL, graders: [AnyExercise] = Course.exercises) {
        self.root = root
        self.graders = graders
    }

    public func run() -> Report {
        var report = Report()
        let lessons = checkMetadata(&report)
        let markers = checkStubs(lessons: lessons, &report)
        checkIDs(lessons: lessons, markers: markers, &report)
        if proveGraders { proveEachGrader(&report) }
        return report
    }

    // MARK: - (1) lesson.json

    /// Decodes every lesson.json and checks each exercise's hints, file and test.
    func checkMetadata(_ report: inout Report) -> [LessonInfo] {
        var lessons: [LessonInfo] = []
        let numbers = Catalog.lessonNumbers(root: root)
        if numbers.isEmpty { report.problems.append("Lessons/ has no LessonN folders") }
        for n in numbers {
            let info: LessonInfo
            switch Catalog.loadLesson(n, root: root) {
            case .success(let i): info = i
            case .failure(let e): report.problems.append("\(e)"); continue
            }
            lessons.append(info)
            let json = "Lessons/Lesson\(n)/lesson.json"
            if info.exercises.isEmpty { report.problems.append("\(json): lesson \(n) lists no exercises") }
            let testsPath = "Tests/Exercises/Lesson\(n)Tests.swift"
            let tests = FileManager.default.contents(atPath: root.appendingPathComponent(testsPath).path).map { String(decoding: $0, as: UTF8.self) }
            if tests == nil { report.problems.append("\(testsPath) is missing: lesson \(n)'s graders have no XCTest class") }
            if let tests, !tests.contains("class Lesson\(n)Tests") { report.problems.append("\(testsPath) has no class Lesson\(n)Tests") }
            var seen = Set<String>()
            for e in info.exercises {
                report.exercises += 1
                if !seen.insert(e.id).inserted { report.problems.append("\(json): exercise \(e.id) is listed twice") }
                let hints = e.hints.filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
                report.hints += hints.count
                if e.hints.count != 3 || hints.count != 3 {
                    report.problems.append("\(json): \(e.id) has \(hints.count) non-empty hints of \(e.hints.count); it needs exactly 3 (a nudge, a step, nearly the answer)")
                }
                if !FileManager.default.fileExists(atPath: root.appendingPathComponent(e.path).path) {
                    report.problems.append("\(json): \(e.id)'s file \(e.file) is not in Lessons/Lesson\(n)/")
                }
                let prefix = "test_" + e.id.replacingOccurrences(of: ".", with: "_") + "_"
                if !e.test.hasPrefix(prefix) { report.problems.append("\(json): \(e.id)'s test \(e.test) should be named \(prefix)…") }
                if let tests, !tests.contains("func \(e.test)(") {
                    report.problems.append("\(testsPath) has no method \(e.test) (the test of \(e.id) in \(json))")
                }
            }
        }
        return lessons
    }

    // MARK: - (2) stubs against solutions

    /// Parses every solution file and checks its lesson file equals it outside the
    /// exercise bodies. Returns every TODO marker found: id → solution file.
    func checkStubs(lessons: [LessonInfo], _ report: inout Report) -> [String: String] {
        let files = LessonFiles(root: root)
        var markers: [String: String] = [:]
        let numbers = Set(lessons.map(\.lesson)).union(Catalog.lessonNumbers(root: root))
        for n in numbers.sorted() {
            let solutions = files.solutionFiles(lesson: n)
            let lessonFiles = Set(files.lessonFiles(lesson: n))
            if solutions.isEmpty { report.problems.append("Sources/Solutions/Lesson\(n)/ has no solution files") }
            for path in lessonFiles.subtracting(solutions.map(LessonFiles.lessonPath(forSolution:))).sorted() {
                report.problems.append("\(path) has no solution file Sources/Solutions/\(path.dropFirst("Lessons/".count))")
            }
            for solution in solutions {
                let lessonPath = LessonFiles.lessonPath(forSolution: solution)
                let pieces: [Stubs.Piece]
                do { pieces = try files.pieces(ofSolution: solution) } catch { report.problems.append("\(error)"); continue }
                for body in Stubs.exercises(in: pieces) {
                    if let other = markers[body.exercise] {
                        report.problems.append("\(solution): TODO(\(body.exercise)) is marked here and in \(other)")
                    }
                    markers[body.exercise] = solution
                }
                guard lessonFiles.contains(lessonPath), let text = try? files.read(lessonPath) else {
                    report.problems.append("\(solution) has no lesson file \(lessonPath) (`swift run tutor reset \(n) --yes` writes it)")
                    continue
                }
                report.stubFiles += 1
                let (normal, missing) = LessonFiles.normalized(text, pieces: pieces)
                for id in missing { report.problems.append("\(lessonPath) has no `// TODO(\(id)):` line: the stub of \(id) is gone") }
                if missing.isEmpty, let diff = Self.firstDifference(Stubs.splitLines(normal), Stubs.splitLines(Stubs.render(pieces))) {
                    report.problems.append("\(lessonPath):\(diff.line) differs from its solution outside the exercise bodies: stub `\(diff.stub)`, solution `\(diff.solution)`")
                }
            }
        }
        return markers
    }

    /// The first line where the stub file and the rendered solution differ (1-based).
    static func firstDifference(_ stub: [String], _ solution: [String]) -> (line: Int, stub: String, solution: String)? {
        for i in 0..<max(stub.count, solution.count) {
            let a = i < stub.count ? stub[i] : "<end of file>", b = i < solution.count ? solution[i] : "<end of file>"
            if a != b { return (i + 1, clip(a.trimmingCharacters(in: .whitespaces), 70), clip(b.trimmingCharacters(in: .whitespaces), 70)) }
        }
        return nil
    }

    // MARK: - (3) ids three ways

    /// lesson.json, the TODO markers of the solutions, and the graders list the same ids,
    /// and agree on each exercise's file and symbol.
    func checkIDs(lessons: [LessonInfo], markers: [String: String], _ report: inout Report) {
        let meta = Dictionary(lessons.flatMap(\.exercises).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let graded = Dictionary(graders.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let all = Set(meta.keys).union(markers.keys).union(graded.keys).sorted(by: Self.idOrder)
        for id in all {
            var missing: [String] = []
            if meta[id] == nil { missing.append("lesson.json") }
            if markers[id] == nil { missing.append("the solution files (no TODO(\(id)) with \(Stubs.begin))") }
            if graded[id] == nil { missing.append("Grading.Course.exercises") }
            if !missing.isEmpty {
                report.problems.append("exercise \(id) is missing from \(missing.joined(separator: " and "))")
                continue
            }
            let e = meta[id]!, g = graded[id]!
            if markers[id] != e.solutionPath { report.problems.append("\(id): lesson.json says \(e.file), but its TODO marker is in \(markers[id]!)") }
            if g.file != e.path { report.problems.append("\(id): its grader says \(g.file), lesson.json says \(e.path)") }
            if g.symbol != e.symbol { report.problems.append("\(id): its grader says symbol \(g.symbol), lesson.json says \(e.symbol)") }
        }
    }

    /// Course order for ids ("0.2" before "0.10"); ids that do not parse go last.
    static func idOrder(_ a: String, _ b: String) -> Bool {
        switch (ExerciseID(a), ExerciseID(b)) {
        case let (x?, y?): return x < y
        case (nil, nil): return a < b
        case (nil, _): return false
        case (_, nil): return true
        }
    }

    // MARK: - (4) graders prove themselves

    /// Each grader passes its reference, rejects each known mistake with that mistake's
    /// diagnosis, and has at least two known mistakes.
    func proveEachGrader(_ report: inout Report) {
        for g in graders {
            report.mistakes += g.mistakeCount
            if g.mistakeCount < 2 { report.problems.append("\(g.id): only \(g.mistakeCount) known mistake\(g.mistakeCount == 1 ? "" : "s"); each exercise needs at least 2") }
            report.problems += g.prove().map { $0.replacingOccurrences(of: "\n", with: " ") }
        }
    }
}
