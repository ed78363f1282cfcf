import Foundation
import Grading

/// Builds the course once, then grades each exercise in its own process: a trap, a hang
/// or a NaN in one exercise is that exercise's result, and the others are still graded.
public struct Grader {
    public let catalog: Catalog
    public var root: URL { catalog.root }

    public init(catalog: Catalog) { self.catalog = catalog }

    // MARK: - Building

    /// `swift build --build-tests`. On failure, prints the compiler's errors (filtered
    /// to be readable) and throws an error naming the files that have them.
    /// When every file with errors is a lesson file outside `lessons` (the lessons being
    /// graded), the error says which file to fix first, and how.
    public func build(lessons: Set<Int> = []) throws {
        let result = try Subprocess.run(["swift", "build", "--build-tests", "--package-path", root.path], in: root)
        guard !result.succeeded else { return }
        let report = BuildErrors(output: result.output, root: root)
        print(report.text.isEmpty ? Self.tail(result.output) : report.text)
        let others = report.files.filter { file in
            file.hasPrefix("Lessons/Lesson") && !lessons.contains(Int(file.dropFirst("Lessons/Lesson".count).prefix { $0.isNumber }) ?? -1)
        }
        if !lessons.isEmpty, !others.isEmpty, others.count == report.files.count, let first = report.firstLocation {
            let exercise = LessonFiles(root: root).exercise(at: first.file, line: first.line, catalog: catalog)?.id
            let asked = lessons.count == 1 ? "lesson \(lessons.first!)" : "lessons \(lessons.sorted().map(String.init).joined(separator: ", "))"
            throw TutorError.otherLessonDoesNotCompile(location: "\(first.file):\(first.line)", exercise: exercise, asked: asked)
        }
        throw TutorError.buildFailed(where_: report.files.isEmpty ? "the package (see the output above)" : report.whereText)
    }

    /// The XCTest bundle the build produced (on Linux, an executable).
    public func testBundle() throws -> URL {
        let result = try Subprocess.run(["swift", "build", "--show-bin-path", "--package-path", root.path], in: root)
        let bin = result.output.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard result.succeeded, !bin.isEmpty else { throw TutorError.commandFailed("`swift build --show-bin-path` failed: \(Self.tail(result.output))") }
        let dir = URL(fileURLWithPath: bin)
        let named = dir.appendingPathComponent("UnrolledPackageTests.xctest")
        if FileManager.default.fileExists(atPath: named.path) { return named }
        let any = (try? FileManager.default.contentsOfDirectory(atPath: bin))?.first { $0.hasSuffix("PackageTests.xctest") }
        guard let any else { throw TutorError.noTestBundle(named.path) }
        return dir.appendingPathComponent(any)
    }

    // MARK: - Grading

    /// The grading files that differ from the course's recorded digests (empty when none
    /// do). A student who changed one gets no verdict until it is restored.
    public func changedGradingFiles() throws -> [String] {
        do { return try GradingFiles.changes(root: root) } catch let e as FixtureError { throw TutorError.gradingFiles(e.description) }
    }

    /// Grades one exercise in its own process (the test bundle, running that exercise's
    /// test alone), killed after `timeout` seconds, against lesson `fixtures`.
    public func grade(_ exercise: ExerciseInfo, bundle: URL, fixtures: LessonFixtures, timeout: Double) -> GradeResult {
        guard let graded = Course.exercise(exercise.id) else {
            return GradeResult(status: .crashed, message: "✗ \(exercise.id): no grader for \(exercise.id) in Grading.Course (a bug in the course, not in your code)\n  Next: please report it; `swift run tutor verify` shows the details.", seconds: 0)
        }
        return GradeResult(Isolation.grade(graded, fixtures: fixtures, root: root, executable: bundle.path,
                                           arguments: [exercise.testFilter], timeout: timeout))
    }

    /// Lesson `n`'s fixtures, or a one-line error.
    public func fixtures(lesson n: Int) throws -> LessonFixtures {
        do { return try LessonFixtures.load(lesson: n, root: root) } catch let e as FixtureError { throw TutorError.gradingFiles(e.description) }
    }

    static func tail(_ output: String, lines n: Int = 15) -> String {
        output.split(separator: "\n").suffix(n).joined(separator: "\n")
    }
}

// MARK: - Compiler errors, readable

/// The `error:` diagnostics of a build log with their source excerpts, each once, with
/// paths relative to the package root; and the files they are in.
public struct BuildErrors {
    public private(set) var text = ""
    /// The files with errors, relative to the root, in order of appearance.
    public private(set) var files: [String] = []

    public init(output: String, root: URL) {
        let prefix = root.standardizedFileURL.path + "/"
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [String] = []
        var seen = Set<String>()
        var i = 0
        while i < lines.count {
            let line = lines[i]
            guard let diagnostic = Self.located(line, kind: "error") else {
                // An error without a location (a linker error, a missing module).
                if line.hasPrefix("error: ") && !line.contains("fatalError") && seen.insert(line).inserted { blocks.append(line) }
                i += 1
                continue
            }
            var block = [line.replacingOccurrences(of: prefix, with: "")]
            i += 1
            // Swift prints the source around the error: "12 |   code" and "   |   `- error: …".
            while i < lines.count, Self.isExcerpt(lines[i]) {
                block.append(lines[i])
                i += 1
            }
            let key = diagnostic.file + ":" + diagnostic.message
            guard seen.insert(key).inserted else { continue }
            let file = diagnostic.file.replacingOccurrences(of: prefix, with: "")
            if !files.contains(file) { files.append(file) }
            if firstLocation == nil { firstLocation = (file, diagnostic.line) }
            blocks.append(block.joined(separator: "\n"))
        }
        // "error: emit-module command failed" and the like only repeat what the located errors say.
        if !files.isEmpty { blocks.removeAll { $0.hasPrefix("error: ") } }
        text = blocks.joined(separator: "\n\n")
    }

    /// The first error's file (relative to the root) and line.
    public private(set) var firstLocation: (file: String, line: Int)?

    /// "Lessons/Lesson0/Sigmoid.swift" or "Lessons/Lesson0/Sigmoid.swift and Sources/…".
    public var whereText: String {
        // The student's own files: the lessons and the scratch pads.
        let lessonFiles = files.filter { $0.hasPrefix("Lessons/") || $0.hasPrefix("Play/") }
        let others = files.filter { !$0.hasPrefix("Lessons/") && !$0.hasPrefix("Play/") }
        var parts: [String] = []
        if !lessonFiles.isEmpty { parts.append(lessonFiles.joined(separator: ", ")) }
        if !others.isEmpty { parts.append("\(others.joined(separator: ", "))\(lessonFiles.isEmpty ? " (outside the lesson files: if you did not change it, please report it)" : "")") }
        return parts.joined(separator: " and ")
    }

    /// (file, line, message) of "/path/File.swift:12:5: error: message".
    static func located(_ line: String, kind: String) -> (file: String, line: Int, message: String)? {
        guard let r = line.range(of: ": \(kind): ") else { return nil }
        let location = line[..<r.lowerBound]
        let parts = location.split(separator: ":")
        guard parts.count >= 2, parts[0].hasSuffix(".swift"), parts.dropFirst().allSatisfy({ $0.allSatisfy(\.isNumber) }),
              let number = Int(parts[1]) else { return nil }
        return (String(parts[0]), number, String(line[r.upperBound...]))
    }

    /// Whether a line is part of Swift's source excerpt under a diagnostic.
    static func isExcerpt(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard let bar = t.firstIndex(of: "|") else { return false }
        let head = t[..<bar].trimmingCharacters(in: .whitespaces)
        return head.isEmpty || head.allSatisfy(\.isNumber)
    }
}
