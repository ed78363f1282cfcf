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
        /// Mechanical variants of the references the automatic diagnosis can name.
        public var variants = 0
        public var hints = 0
        public var stubFiles = 0

        public var summary: String {
            "verified \(exercises) exercises, \(mistakes) known mistakes, \(variants) variants for the diagnosis, \(hints) hints, \(stubFiles) stub files"
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
        if proveGraders {
            proveEachGrader(&report)
            checkFixtures(&report)
        }
        checkManifest(&report)
        return report
    }

    // MARK: - Recording fixtures (instructor)

    /// Writes every lesson's fixtures (the reference's and each known mistake's outcomes,
    /// run here) and then the digests of the grading files. Returns the paths written.
    public func record() throws -> [String] {
        var written: [String] = []
        for n in Set(graders.map(\.lesson)).sorted() {
            let exercises = try graders.filter { $0.lesson == n }.map { g in (id: g.id, outcomes: try g.recordOutcomes()) }
            let path = LessonFixtures.path(lesson: n)
            try write(LessonFixtures.text(lesson: n, exercises: exercises), to: path)
            written.append(path)
        }
        try write(GradingFiles.manifest(root: root), to: GradingFiles.manifestPath)
        return written + [GradingFiles.manifestPath]
    }

    func write(_ text: String, to path: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url, options: .atomic)
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

    // MARK: - (5) fixtures and digests

    /// The recorded fixtures give the same verdicts as the live graders: the reference's
    /// outcome, run here, passes against them; each known mistake's is diagnosed as itself;
    /// and every recorded array has the live one's name and shape and its values within
    /// 1e-5 + 1e-4·|value| (tighter than any grader; not bit for bit, so that another
    /// machine's last bits do not count as a stale fixture).
    func checkFixtures(_ report: inout Report) {
        let again = "run `swift run tutor verify --record`"
        var loaded: [Int: LessonFixtures] = [:]
        for g in graders {
            if loaded[g.lesson] == nil {
                do { loaded[g.lesson] = try LessonFixtures.load(lesson: g.lesson, root: root) } catch {
                    report.problems.append("\(error)")
                    loaded[g.lesson] = LessonFixtures(lesson: g.lesson, outcomes: [:])
                }
            }
            guard let fixture = loaded[g.lesson]?.exercise(g.id) else {
                report.problems.append("\(g.id): \(LessonFixtures.path(lesson: g.lesson)) has no recorded outcomes for it; \(again)")
                continue
            }
            let live: [(of: String, outcome: Outcome)]
            do { live = try g.recordOutcomes() } catch { continue }  // the reference failing is proveEachGrader's to say
            report.variants += live.filter { $0.of.hasPrefix(AnyExercise.variantPrefix) }.count
            for (of, outcome) in live {
                let recorded = of == "reference" ? fixture.reference : fixture.mistakes[of]
                guard let recorded else {
                    report.problems.append("\(g.id): no recorded outcome of \(of) in \(LessonFixtures.path(lesson: g.lesson)); \(again)")
                    continue
                }
                if let stale = Self.staleness(live: outcome, recorded: recorded) {
                    report.problems.append("\(g.id): the recorded outcome of \(of) is stale (\(stale)); \(again)")
                    continue
                }
                // Probe data is an input, not an outcome to grade: being current is enough.
                if of == LessonFixtures.probeDataKey { continue }
                // A mistake recorded as the error it throws is graded as that error.
                let v = g.verdictOnRecorded(outcome.thrownMessage.map { .threw($0, tensorError: true) } ?? .outcome(outcome), fixture.reference, fixture.mistakes)
                if of == "reference", v.status != .passed {
                    report.problems.append("\(g.id): against the fixtures, the reference does not pass: \(v.summary)")
                } else if of.hasPrefix(AnyExercise.variantPrefix) {
                    let variant = String(of.dropFirst(AnyExercise.variantPrefix.count))
                    if v.status == .passed || (v.mistake == nil && v.variant?.id != variant) {
                        report.problems.append("\(g.id): against the fixtures, the variant \(variant) is \(v.status == .passed ? "accepted" : "diagnosed as \(v.variant?.id ?? "nothing")")")
                    }
                } else if of != "reference", v.status == .passed || v.mistake?.id != of {
                    report.problems.append("\(g.id): against the fixtures, known mistake \(of) is \(v.status == .passed ? "accepted" : "diagnosed as \(v.mistake?.id ?? "nothing")")")
                }
            }
        }
    }

    /// Why a recorded outcome no longer is the live one, or nil.
    static func staleness(live: Outcome, recorded: Outcome) -> String? {
        guard live.entries.map(\.name) == recorded.entries.map(\.name) else { return "its entries are now \(live.entries.map(\.name).prefix(3))…" }
        for (a, b) in zip(live.entries, recorded.entries) {
            guard a.shape == b.shape else { return "\(a.name) now has shape \(a.shape), recorded \(b.shape)" }
            for (x, y) in zip(a.values, b.values) where !(x.isNaN && y.isNaN) && x != y {
                guard x.isFinite, y.isFinite, Swift.abs(x - y) <= 1e-5 + 1e-4 * Swift.abs(y) else { return "\(a.name) now holds \(x) where \(y) was recorded" }
            }
        }
        return nil
    }

    /// The grading files are as recorded in the manifest.
    func checkManifest(_ report: inout Report) {
        do {
            let changed = try GradingFiles.changes(root: root)
            if !changed.isEmpty {
                report.problems.append("the grading files differ from \(GradingFiles.manifestPath): \(changed.joined(separator: ", ")); after changing graders or solutions, run `swift run tutor verify --record`")
            }
        } catch {
            report.problems.append("\(error)")
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
