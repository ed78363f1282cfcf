import Foundation
import Grading

/// A student edition of the course: what `tutor release --out DIR` writes and `tutor
/// publish --out DIR N` adds solutions to. It builds and grades on its own, and holds no
/// reference solution and no known mistake's code (see `EditionSource`): its graders
/// compare with the recorded fixtures alone.
public enum Edition {
    /// `edition.json` at an edition's root: which lessons it has, and which of them have
    /// their solutions published.
    public struct Manifest: Codable, Equatable, Sendable {
        public var format = 1
        public var lessons: [Int]
        public var solutions: [Int]
        public var about = "A student edition of the Unrolled course, written by `swift run tutor release`; `swift run tutor publish --out DIR N` adds lesson N's solutions."
    }

    public static let manifestPath = "edition.json"

    /// The edition manifest at `root`, or nil when `root` is the course itself.
    public static func manifest(root: URL) -> Manifest? {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(manifestPath).path) else { return nil }
        return try? JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Throws unless lesson `n`'s solutions may be shown here: always in the course, in an
    /// edition once they are published.
    public static func requireSolutions(lesson n: Int, root: URL) throws {
        guard let m = manifest(root: root), !m.solutions.contains(n) else { return }
        throw TutorError.notReleased(lesson: n)
    }

    /// What a release wrote: the files, and the code kept out of them (for the leak check).
    public struct Release {
        public var files: [String] = []
        public var withheld: [String] = []
    }

    // MARK: - Release

    /// Writes the student edition of the course at `course` into `out`, with `lessons`.
    /// `out` must be missing or empty unless `force` (then everything in it but `.build`
    /// and `.git` is replaced).
    @discardableResult
    public static func release(course: URL, to out: URL, lessons: [Int], force: Bool) throws -> Release {
        guard manifest(root: course) == nil else { throw TutorError.studentEdition(command: "release") }
        try prepare(out, course: course, force: force)
        var release = Release()
        let fm = FileManager.default
        func write(_ path: String, _ text: String) throws {
            try FileAccess.write(Data(text.utf8), to: path, root: out)
            release.files.append(path)
        }
        func copy(_ path: String) throws {
            let from = course.appendingPathComponent(path)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: from.path, isDirectory: &isDir) else { return }
            if isDir.boolValue {
                for name in try fm.contentsOfDirectory(atPath: from.path).sorted() { try copy("\(path)/\(name)") }
            } else {
                try FileAccess.write(try Data(contentsOf: from), to: path, root: out)
                release.files.append(path)
            }
        }
        let files = LessonFiles(root: course)
        if let pins = fm.contents(atPath: course.appendingPathComponent("Package.resolved").path) {
            try write("Package.resolved", String(decoding: EditionSource.resolved(pins, manifest: try files.read("Package.swift")), as: UTF8.self))
        }
        for path in ["start.sh", ".gitignore", ".swift-format", "Sources/Autograd", "Sources/CBLAS", "Sources/CIsolation",
                     "Sources/Plots", "Sources/TutorKit", "Sources/Tutor", "Sources/Experiments/Kit", "Tests/Exercises/Support.swift"] {
            try copy(path)
        }
        for n in lessons {
            for path in ["Sources/Experiments/Lesson\(n)", "Play/Lesson\(n)", "Tests/Exercises/Lesson\(n)Tests.swift", LessonFixtures.path(lesson: n)] {
                try copy(path)
            }
            for name in try fm.contentsOfDirectory(atPath: course.appendingPathComponent("Lessons/Lesson\(n)").path).sorted() where !name.hasSuffix(".swift") {
                try copy("Lessons/Lesson\(n)/\(name)")
            }
            // The lesson files are generated from the solutions: the course's own may hold published bodies.
            for solution in files.solutionFiles(lesson: n) {
                let pieces = try files.pieces(ofSolution: solution)
                try write(LessonFiles.lessonPath(forSolution: solution), Stubs.render(pieces))
                try write(solution, EditionSource.withheld(pieces))
                release.withheld += Stubs.exercises(in: pieces).map { $0.lines.joined(separator: "\n") }
            }
        }
        let graders = try graderFiles(course: course, lessons: lessons)
        let builders = EditionSource.builderNames(try graders.map(files.read))
        for path in graders {
            let text = try files.read(path)
            let name = (path as NSString).lastPathComponent
            if name == "Course.swift" {
                try write(path, try EditionSource.course(text, lessons: lessons))
            } else if lessonOfGrader(name) != nil {
                let edit = try EditionSource.grading(text, file: path, builders: builders)
                try write(path, edit.text)
                release.withheld += edit.removed
            } else {
                try write(path, text)
            }
        }
        try write("Package.swift", try EditionSource.package(try files.read("Package.swift"), lessons: lessons))
        try write("README.md", EditionSource.readme(try files.read("README.md")))
        let catalog = try Catalog.load(root: course)
        try write(Classroom.workflowPath, Classroom.workflow(catalog.lessons.filter { lessons.contains($0.lesson) }))
        try writeManifest(Manifest(lessons: lessons, solutions: []), to: out)
        release.files.append(manifestPath)
        try recordDigests(out)
        release.files.append(GradingFiles.manifestPath)
        let leaked = leaks(in: out, of: release.withheld)
        if let first = leaked.first {
            throw TutorError.commandFailed("the edition in \(out.path) would give code away: \(first.file) holds `\(first.piece)…`\(leaked.count > 1 ? " (and \(leaked.count - 1) more)" : ""); mark the code `\(EditionSource.beginInstructor)` … `\(EditionSource.endInstructor)` in the course, or move it, then release again")
        }
        return release
    }

    /// The grader sources an edition with `lessons` has: every file of Sources/Grading but
    /// the graders of other lessons.
    static func graderFiles(course: URL, lessons: [Int]) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: course.appendingPathComponent("Sources/Grading").path)
        return names.filter { $0.hasSuffix(".swift") && lessonOfGrader($0).map(lessons.contains) ?? true }.sorted().map { "Sources/Grading/\($0)" }
    }

    /// 3 for "Lesson3.swift" or "Lesson3+Training.swift"; nil for other files.
    static func lessonOfGrader(_ name: String) -> Int? {
        guard name.hasPrefix("Lesson") else { return nil }
        let digits = name.dropFirst("Lesson".count).prefix { $0.isNumber }
        let rest = name.dropFirst("Lesson".count + digits.count)
        return rest.hasPrefix(".") || rest.hasPrefix("+") ? Int(digits) : nil
    }

    /// Makes `out` ready to write: created, or emptied (but for `.build` and `.git`) when
    /// `force`; refuses a folder with files in it, and the course itself or a folder above it.
    static func prepare(_ out: URL, course: URL, force: Bool) throws {
        let fm = FileManager.default
        if let refusal = holdsCourse(out, course: course) { throw TutorError.badOption(refusal) }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: out.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw TutorError.badOption("--out \(out.path) is a file: give a new folder for the edition") }
            let present = try fm.contentsOfDirectory(atPath: out.path)
            if !present.isEmpty && !force {
                throw TutorError.badOption("\(out.path) is not empty: give a new folder, or --force to replace what is in it (its .build and .git are kept)")
            }
            for name in present where ![".build", ".git"].contains(name) {
                try fm.removeItem(at: out.appendingPathComponent(name))
            }
        }
        try fm.createDirectory(at: out, withIntermediateDirectories: true)
    }

    /// Why `out` cannot take an edition when it is the course or a folder above it; else nil.
    static func holdsCourse(_ out: URL, course: URL) -> String? {
        let target = out.standardizedFileURL.resolvingSymlinksInPath().path, home = course.standardizedFileURL.resolvingSymlinksInPath().path
        guard target == home || home.hasPrefix(target.hasSuffix("/") ? target : target + "/") else { return nil }
        return "--out \(out.path) is the course or a folder above it: give a new folder for the edition"
    }

    static func writeManifest(_ m: Manifest, to out: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileAccess.write(try encoder.encode(m) + Data("\n".utf8), to: manifestPath, root: out)
    }

    /// The edition's own digests of its grading files.
    static func recordDigests(_ out: URL) throws {
        try FileAccess.write(Data(GradingFiles.manifest(root: out).utf8), to: GradingFiles.manifestPath, root: out)
    }

    // MARK: - Publish

    /// Copies the course's solution files of `lessons` into the edition at `out` (so that
    /// its `tutor solution` shows them and its `tutor publish` writes them into the lesson
    /// files), and records the edition's new digests. Returns the files written.
    @discardableResult
    public static func publish(course: URL, to out: URL, lessons: [Int]) throws -> [String] {
        guard var m = manifest(root: out) else {
            throw TutorError.badOption("\(out.path) is not a student edition (it has no \(manifestPath)): write one with `swift run tutor release --out \(out.path)`")
        }
        if let missing = lessons.first(where: { !m.lessons.contains($0) }) {
            throw TutorError.badOption("the edition at \(out.path) has no lesson \(missing); its lessons: \(m.lessons.map(String.init).joined(separator: ", "))")
        }
        let files = LessonFiles(root: course)
        var written: [String] = []
        for n in lessons {
            for path in files.solutionFiles(lesson: n) {
                try FileAccess.write(Data(try files.read(path).utf8), to: path, root: out)
                written.append(path)
            }
        }
        m.solutions = Array(Set(m.solutions).union(lessons)).sorted()
        try writeManifest(m, to: out)
        try recordDigests(out)
        return written + [manifestPath, GradingFiles.manifestPath]
    }
}
