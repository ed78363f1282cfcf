import Foundation
import Grading
import TutorKit

/// A clean instructor copy of the course, trimmed to what grading one lesson needs: the
/// core, the graders with the reference solutions and fixtures, lesson N's stubs, and a test
/// bundle holding `Support.swift` and `LessonNTests.swift` alone. A submission's lesson files
/// are written over the stubs, and the copy is rebuilt: only lesson N's module and the small
/// test bundle recompile, so each submission after the first costs a second or two of build.
///
/// The copy lives under the course's `.tutor/grading/lessonN` (git-ignored). Each run makes
/// it equal to the course again (every file but `.build` rewritten where it differs, strays
/// removed), so its build is reused across runs as well.
struct GradingCopy {
    let course: URL
    let lesson: Int
    let root: URL
    /// The lesson's files, relative to the root ("Lessons/Lesson0/Sigmoid.swift"), sorted:
    /// the only files a submission gives.
    let lessonFiles: [String]
    /// Their stubs, by path, as a student edition has them.
    let stubs: [String: Data]

    init(course: URL, lesson: Int, root: URL? = nil) throws {
        self.course = course
        self.lesson = lesson
        self.root = root ?? course.appendingPathComponent(".tutor/grading/lesson\(lesson)")
        let files = LessonFiles(root: course)
        var stubs: [String: Data] = [:]
        for solution in files.solutionFiles(lesson: lesson) {
            stubs[LessonFiles.lessonPath(forSolution: solution)] = Data(Stubs.render(try files.pieces(ofSolution: solution)).utf8)
        }
        guard !stubs.isEmpty else { throw TutorError.badOption("the course has no solution files for lesson \(lesson) (Sources/Solutions/Lesson\(lesson))") }
        self.stubs = stubs
        lessonFiles = stubs.keys.sorted()
    }

    var bin: URL { root.appendingPathComponent(".build/debug") }
    var bundle: URL { bin.appendingPathComponent("UnrolledPackageTests.xctest") }
    var sandbox: URL { bin.appendingPathComponent("GradeSandbox") }
    /// Where a run keeps its bundles, exercise folders and status files.
    var work: URL { root.appendingPathComponent("work") }

    // MARK: - Making the copy

    /// The folders and files of the course the copy holds.
    var copied: [String] {
        ["Sources/Autograd", "Sources/CBLAS", "Sources/CIsolation", "Sources/Grading", "Sources/Solutions", "Sources/GradeSandbox",
         "Tests/Exercises/Support.swift", "Tests/Exercises/Lesson\(lesson)Tests.swift", "Lessons/Lesson\(lesson)/lesson.json"]
    }

    /// Makes the copy equal to the course (with lesson N's stubs), keeping its build.
    func refresh() throws {
        var want: [String: Data] = stubs
        let fm = FileManager.default
        for path in copied {
            let from = course.appendingPathComponent(path)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: from.path, isDirectory: &isDir) else {
                throw TutorError.commandFailed("the course has no \(path): `tutor grade` needs it")
            }
            if isDir.boolValue {
                for file in Self.files(under: from) { want["\(path)/\(file)"] = try Data(contentsOf: from.appendingPathComponent(file)) }
            } else {
                want[path] = try Data(contentsOf: from)
            }
        }
        want["Package.swift"] = Data(try manifest().utf8)
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
        for stray in Self.files(under: root, skipping: [".build", "work"]) where want[stray] == nil {
            try fm.removeItem(at: root.appendingPathComponent(stray))
        }
        for (path, data) in want { try Self.write(data, to: root.appendingPathComponent(path)) }
        try? fm.removeItem(at: work)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
    }

    /// The copy's Package.swift: the course's settings (everything before its targets: the
    /// lessons, the optimization flags) and a package of the graders and lesson N alone.
    func manifest() throws -> String {
        let text = try String(contentsOf: course.appendingPathComponent("Package.swift"), encoding: .utf8)
        guard let targets = text.range(of: "\nlet lessonTargets"), text[..<targets.lowerBound].contains("let optimized") else {
            throw TutorError.commandFailed("Package.swift: expected `let optimized` before `let lessonTargets` (tutor grade reuses the course's settings)")
        }
        return String(text[..<targets.lowerBound]) + """

            // `tutor grade`: the graders, the reference solutions and lesson \(lesson)'s submitted files.
            let graded = \(lesson)
            let package = Package(
                name: "Unrolled",
                targets: [
                    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas"),
                    .target(name: "Autograd", dependencies: ["CBLAS"], swiftSettings: optimized),
                    .target(name: "CIsolation"),
                    .target(name: "Grading", dependencies: ["Autograd", "CIsolation"] + lessons.map { .target(name: "Solution\\($0)") },
                            exclude: ["Fixtures"]),
                    .target(name: "Lesson\\(graded)", dependencies: ["Autograd"], path: "Lessons/Lesson\\(graded)", exclude: ["lesson.json"]),
                    .executableTarget(name: "GradeSandbox"),
                    .testTarget(name: "Exercises", dependencies: ["Grading", "Autograd", .target(name: "Lesson\\(graded)")],
                                path: "Tests/Exercises", sources: ["Support.swift", "Lesson\\(graded)Tests.swift"]),
                ] + lessons.map { .target(name: "Solution\\($0)", dependencies: ["Autograd"], path: "Sources/Solutions/Lesson\\($0)") },
                swiftLanguageModes: [.v5]
            )

            """
    }

    // MARK: - A submission's files

    /// Writes lesson N's files: the submission's where given, else the stubs. A file is
    /// rewritten only when its text changes, so the build recompiles what changed alone.
    func place(_ files: [String: Data]) throws {
        for path in lessonFiles { try Self.write(files[path] ?? stubs[path]!, to: root.appendingPathComponent(path)) }
    }

    // MARK: - Building

    struct Build {
        let succeeded: Bool
        let seconds: Double
        /// The first error: "Lessons/Lesson0/Sigmoid.swift:24:16: error: …", its file and line.
        let firstError: (line: String, file: String, lineNumber: Int)?
        let output: String
    }

    /// `swift build --build-tests` of the copy (its own temporary folder: a build leaves
    /// nothing in /tmp that a grader would see).
    func build() throws -> Build {
        let tmp = work.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        // The lesson's module is compiled afresh for every submission: a CI run once graded a
        // stub as the code of the submission before it (whose build had failed), its objects
        // linked in place of the new files'. A second or so per submission buys certainty.
        let objects = bin.appendingPathComponent("Lesson\(lesson).build")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: objects.path)) ?? []
        where [".o", ".swiftdeps", ".priors", ".d", ".dia"].contains(where: { name.hasSuffix($0) }) {
            try? FileManager.default.removeItem(at: objects.appendingPathComponent(name))
        }
        let start = Date()
        let r = try Subprocess.run(["swift", "build", "--build-tests", "--package-path", root.path], in: root, environment: ["TMPDIR": tmp.path])
        let seconds = Date().timeIntervalSince(start)
        guard !r.succeeded else { return Build(succeeded: true, seconds: seconds, firstError: nil, output: r.output) }
        let errors = BuildErrors(output: r.output, root: root)
        let first = errors.text.split(separator: "\n").first.map(String.init) ?? r.output.split(separator: "\n").last(where: { $0.contains("error") }).map(String.init) ?? "the build failed"
        let located = errors.firstLocation.map { (line: first, file: $0.file, lineNumber: $0.line) } ?? (line: first, file: "", lineNumber: 0)
        return Build(succeeded: false, seconds: seconds, firstError: located, output: r.output)
    }

    // MARK: - Files

    /// Regular files under `dir`, relative to it, sorted; folders named in `skipping`
    /// (at any depth) are not entered.
    static func files(under dir: URL, skipping: Set<String> = []) -> [String] {
        let fm = FileManager.default
        var out: [String] = []
        func walk(_ relative: String) {
            let url = relative.isEmpty ? dir : dir.appendingPathComponent(relative)
            for name in ((try? fm.contentsOfDirectory(atPath: url.path)) ?? []).sorted() {
                let path = relative.isEmpty ? name : "\(relative)/\(name)"
                var isDir: ObjCBool = false
                // A symbolic link is listed, never followed.
                let link = (try? fm.destinationOfSymbolicLink(atPath: dir.appendingPathComponent(path).path)) != nil
                guard fm.fileExists(atPath: dir.appendingPathComponent(path).path, isDirectory: &isDir) || link else { continue }
                if isDir.boolValue && !link {
                    if !skipping.contains(name) { walk(path) }
                } else {
                    out.append(path)
                }
            }
        }
        walk("")
        return out
    }

    /// Writes `data` at `url` unless it holds that already (creating folders).
    static func write(_ data: Data, to url: URL) throws {
        if let old = FileManager.default.contents(atPath: url.path), old == data { return }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }
}
