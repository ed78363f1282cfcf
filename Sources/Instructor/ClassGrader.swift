import Foundation
import Grading
import TutorKit

/// Grades a class's submissions to one lesson: one clean grading copy of the course, built
/// once; each submission's lesson files placed in it and rebuilt (a second or two); each
/// exercise run in its own jailed process. Exercises of a built submission run `jobs` at a
/// time while the next submission builds.
public struct ClassGrader {
    public struct Options: Sendable {
        public var lesson: Int
        public var jobs: Int
        public var timeout: Double
        public var memory: UInt64
        public init(lesson: Int, jobs: Int, timeout: Double, memory: UInt64) {
            self.lesson = lesson
            self.jobs = jobs
            self.timeout = timeout
            self.memory = memory
        }
    }

    let course: URL
    let options: Options
    let copy: GradingCopy
    /// Where the lines go as verdicts come in (the terminal, or a test's collector).
    let say: @Sendable (String) -> Void

    public init(course: URL, options: Options, scratch: URL? = nil, say: @escaping @Sendable (String) -> Void) throws {
        self.course = course
        self.options = options
        copy = try GradingCopy(course: course, lesson: options.lesson, root: scratch)
        self.say = say
    }

    /// Grades every submission in `submissions` and writes the report to `out`.
    public func grade(submissions dir: URL, out: URL) throws -> ClassGrades {
        let start = Date()
        let changed = (try? GradingFiles.changes(root: course)) ?? ["\(GradingFiles.manifestPath) (unreadable)"]
        guard changed.isEmpty else {
            throw TutorError.gradingFiles("the course's grading files differ from its recorded digests (\(changed.prefix(3).joined(separator: ", "))): run `swift run tutor verify --record` (or restore them) before grading a class")
        }
        let fixtures: LessonFixtures
        do { fixtures = try LessonFixtures.load(lesson: options.lesson, root: course) } catch { throw TutorError.gradingFiles("\(error)") }
        let catalog = try Catalog.load(root: course)
        guard let lesson = catalog.lesson(options.lesson) else {
            throw TutorError.badOption("the course has no lesson \(options.lesson); its lessons: \(catalog.validLessons)")
        }
        let exercises: [(info: ExerciseInfo, grader: AnyExercise)] = try lesson.exercises.map { info in
            guard let g = Course.exercise(info.id) else { throw TutorError.commandFailed("no grader for \(info.id) in Grading.Course") }
            return (info, g)
        }
        let submissions = try Submission.all(in: dir)
        guard !submissions.isEmpty else { throw TutorError.badOption("\(dir.path) holds no submission folders") }

        say("Grading copy of the course: \(copy.root.path)")
        try copy.refresh()
        try copy.place([:])
        let first = try copy.build()
        guard first.succeeded else {
            throw TutorError.commandFailed("the grading copy with lesson \(options.lesson)'s stubs does not build: \(first.firstError?.line ?? GradingCopyTail.tail(first.output))")
        }
        say(String(format: "Built the grading copy in %.1f s.", first.seconds))
        let jail = Jail(sandbox: copy.sandbox, timeout: options.timeout, memory: options.memory, statusFolder: copy.work)
        let landlock = jail.landlockABI()
        // Without Landlock a write outside the folder is seen only in the watched folders,
        // and only if no other exercise runs meanwhile: one at a time, builds included.
        let jobs = landlock > 0 ? max(1, options.jobs) : 1
        // The course, its grading copy and the submissions: with Landlock, what the next
        // build changes meanwhile (the copy's build and lesson files) is left out.
        let ignoredHere = Submission.skipped.union(["work"])
        let watched = Watched(folders: [
            (course, Submission.skipped),
            (copy.root, landlock > 0 ? ignoredHere.union(["Lessons"]) : ignoredHere.subtracting([".build"])),
            (dir, Submission.skipped),
        ])
        say(landlock > 0
            ? "Each exercise in its own process: \(Isolation.format(options.timeout)) s, \(Jail.gigabytes(options.memory)), writes only in its own folder (Landlock ABI \(landlock)); \(jobs) at a time."
            : "Each exercise in its own process: \(Isolation.format(options.timeout)) s, \(Jail.gigabytes(options.memory)); no Landlock on this system: writes are checked in the course copy and the submissions, one exercise at a time.")
        let editions = EditionCache(course: course, folder: copy.work.appendingPathComponent("editions"), lessons: catalog.lessons.map(\.lesson))
        say("")

        let results = Results(count: submissions.count)
        let slots = DispatchSemaphore(value: jobs)
        let all = DispatchGroup()
        let queue = DispatchQueue(label: "tutor.grade", attributes: .concurrent)
        for (index, submission) in submissions.enumerated() {
            let began = Date()
            let taken = submission.take(for: copy, edition: editions.edition(for: submission.editionLessons))
            try copy.place(taken.files)
            let build = try copy.build()
            var grade = SubmissionGrade(student: submission.student, folder: submission.folder.path, lesson: options.lesson, filesHash: taken.hash,
                                        taken: taken.files.keys.sorted(), missing: taken.missing, ignored: taken.ignored, compiled: build.succeeded,
                                        buildError: build.firstError?.line, buildErrorFile: build.firstError?.file, buildErrorLine: build.firstError?.lineNumber,
                                        buildSeconds: build.seconds, seconds: 0, exercises: [])
            guard build.succeeded else {
                grade.exercises = exercises.map { e in
                    ExerciseGrade(student: submission.student, lesson: options.lesson, exercise: e.info.id, title: e.info.title, result: .notCompiled,
                                  reason: "does not compile: \(build.firstError?.line ?? "see the build")", message: build.firstError?.line ?? "",
                                  seconds: 0, filesHash: taken.hash, worth: e.info.points ?? 1)
                }
                grade.seconds = Date().timeIntervalSince(began)
                results.set(index, grade)
                say(lines(grade))
                continue
            }
            // The bundle is copied so that the next submission's build can go on while this one is graded.
            let bundle = copy.work.appendingPathComponent("bundles/\(index).xctest")
            try? FileManager.default.createDirectory(at: bundle.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? FileManager.default.removeItem(at: bundle)
            try FileManager.default.copyItem(at: copy.bundle, to: bundle)
            let rows = Rows(count: exercises.count)
            let mine = DispatchGroup()
            for (k, e) in exercises.enumerated() {
                slots.wait()
                all.enter()
                mine.enter()
                queue.async {
                    defer { slots.signal(); mine.leave(); all.leave() }
                    let folder = copy.work.appendingPathComponent("run/\(index)-\(e.info.id)")
                    let run = jail.grade(e.grader, test: e.info.testFilter, bundle: bundle, fixtures: fixtures, folder: folder, watched: watched)
                    rows.set(k, ExerciseGrade(student: submission.student, lesson: options.lesson, info: (e.info.id, e.info.title), verdict: run.verdict,
                                              seconds: run.seconds, filesHash: taken.hash, worth: e.info.points ?? 1))
                }
            }
            let finish = { [grade] in
                var done = grade
                done.exercises = rows.all
                done.seconds = Date().timeIntervalSince(began)
                results.set(index, done)
                try? FileManager.default.removeItem(at: bundle)
                say(lines(done))
            }
            if landlock > 0 {
                all.enter()
                mine.notify(queue: queue) { finish(); all.leave() }
            } else {
                mine.wait()
                finish()
            }
        }
        all.wait()
        var grades = ClassGrades(lesson: options.lesson, gradedAt: ISO8601DateFormatter().string(from: start), timeoutSeconds: options.timeout,
                                 memoryLimitBytes: options.memory, jobs: jobs, landlock: landlock, firstBuildSeconds: first.seconds,
                                 totalSeconds: 0, submissions: results.all)
        grades.totalSeconds = Date().timeIntervalSince(start)
        try GradeFiles.write(grades, to: out)
        return grades
    }

    /// A submission's lines: one per exercise, then its total and time.
    func lines(_ s: SubmissionGrade) -> String {
        let width = 16
        let name = s.student.count > width ? String(s.student.prefix(width - 1)) + "…" : s.student.padding(toLength: width, withPad: " ", startingAt: 0)
        var out = s.exercises.map { e in
            let mark: String
            switch e.result {
            case .passed: mark = "✓ passed"
            case .failed: mark = "✗ failed"
            case .notAttempted: mark = "· not attempted"
            case .notCompiled: mark = "✗ not compiled"
            }
            let time = e.result == .notCompiled ? "" : String(format: "%5.1f s  ", e.seconds)
            return "\(name) \(e.exercise.padding(toLength: 5, withPad: " ", startingAt: 0)) \(mark.padding(toLength: 16, withPad: " ", startingAt: 0)) \(time)\(e.reason)"
        }
        var tail = String(format: "%@ %d of %d pass; graded in %.1f s (build %.1f s)", name, s.points, s.exercises.count, s.seconds, s.buildSeconds)
        if !s.ignored.isEmpty {
            tail += "; ignored \(s.ignored.count) file\(s.ignored.count == 1 ? "" : "s"): \(s.ignored.prefix(3).joined(separator: ", "))\(s.ignored.count > 3 ? ", …" : "")"
        }
        if !s.missing.isEmpty { tail += "; missing (graded as stubs): \(s.missing.joined(separator: ", "))" }
        out.append(tail)
        return out.joined(separator: "\n")
    }
}

// MARK: - Pieces

/// Student editions as released, by their lessons: what a submission's other files are compared with.
final class EditionCache: @unchecked Sendable {
    let course: URL
    let folder: URL
    let lessons: [Int]
    private var made: [[Int]: URL?] = [:]

    init(course: URL, folder: URL, lessons: [Int]) {
        self.course = course
        self.folder = folder
        self.lessons = lessons
    }

    /// The edition with `wanted` lessons (all the course's when nil), written once.
    func edition(for wanted: [Int]?) -> URL? {
        let key = (wanted ?? lessons).filter(lessons.contains).sorted()
        if let url = made[key] { return url }
        let url = folder.appendingPathComponent(key.map(String.init).joined(separator: "-"))
        let ok = (try? Edition.release(course: course, to: url, lessons: key, force: true)) != nil
        made[key] = ok ? url : nil
        return ok ? url : nil
    }
}

/// Slots filled from several threads.
final class Rows: @unchecked Sendable {
    private var rows: [ExerciseGrade?]
    private let lock = NSLock()
    init(count: Int) { rows = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ row: ExerciseGrade) { lock.lock(); rows[i] = row; lock.unlock() }
    var all: [ExerciseGrade] { lock.lock(); defer { lock.unlock() }; return rows.compactMap { $0 } }
}

final class Results: @unchecked Sendable {
    private var grades: [SubmissionGrade?]
    private let lock = NSLock()
    init(count: Int) { grades = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ g: SubmissionGrade) { lock.lock(); grades[i] = g; lock.unlock() }
    var all: [SubmissionGrade] { lock.lock(); defer { lock.unlock() }; return grades.compactMap { $0 } }
}

enum GradingCopyTail {
    static func tail(_ output: String) -> String { output.split(separator: "\n").suffix(5).joined(separator: "\n") }
}
