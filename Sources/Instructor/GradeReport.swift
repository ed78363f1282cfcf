import Foundation
import Grading

// MARK: - Results (one row per submission × exercise: what a gradebook stores)

/// The verdict on one exercise of one submission. Flat and `Codable`, one row of a future
/// gradebook table: who, which exercise, what verdict, which known mistake, how long, and
/// the digest of the graded files (so a re-grade of the same files can be recognised).
public struct ExerciseGrade: Codable, Equatable, Sendable {
    public enum Result: String, Codable, Sendable {
        case passed
        case failed
        case notAttempted = "not attempted"
        /// The submission did not compile: no exercise of it was run.
        case notCompiled = "not compiled"
    }

    public var student: String
    public var lesson: Int
    public var exercise: String
    public var title: String
    public var result: Result
    /// What stopped the code when it gave no outcome: crashed, timedOut, exited, leftover, tampered (else nil).
    public var stopped: String?
    /// The known mistake the code behaves like: its id ("forgot-bias"), title and feedback.
    public var mistake: String?
    public var mistakeTitle: String?
    public var mistakeFeedback: String?
    /// Why, in one line ("" when it passes).
    public var reason: String
    /// The grader's whole message, as `tutor check` prints it.
    public var message: String
    public var seconds: Double
    /// SHA-256 of the submission's graded lesson files.
    public var filesHash: String
    /// What passing is worth: the exercise's `points` in lesson.json, else 1.
    public var worth: Int = 1
    public var points: Int { result == .passed ? worth : 0 }
}

/// One submission: what was taken from it, how its build went, its exercises.
public struct SubmissionGrade: Codable, Equatable, Sendable {
    public var student: String
    public var folder: String
    public var lesson: Int
    public var filesHash: String
    /// The graded files it gave, and those it lacked (graded as the stub).
    public var taken: [String]
    public var missing: [String]
    /// Files it changed or added that were not graded (tests, graders, fixtures, Package.swift…).
    public var ignored: [String]
    public var compiled: Bool
    /// The compiler's first error, "Lessons/Lesson0/Sigmoid.swift:24:16: error: …", with its file and line.
    public var buildError: String?
    public var buildErrorFile: String?
    public var buildErrorLine: Int?
    public var buildSeconds: Double
    /// From the start of its build to its last verdict.
    public var seconds: Double
    public var exercises: [ExerciseGrade]
    public var points: Int { exercises.reduce(0) { $0 + $1.points } }
}

/// A whole grading run: `grades.json`.
public struct ClassGrades: Codable, Sendable {
    public var format = 1
    public var lesson: Int
    public var gradedAt: String
    public var timeoutSeconds: Double
    public var memoryLimitBytes: UInt64
    public var jobs: Int
    /// The Landlock ABI that confined writes (0: none, only watched folders were checked).
    public var landlock: Int
    public var firstBuildSeconds: Double
    public var totalSeconds: Double
    public var submissions: [SubmissionGrade]
}

extension ExerciseGrade {
    /// The row for a verdict.
    init(student: String, lesson: Int, info: (id: String, title: String), verdict: Verdict, seconds: Double, filesHash: String, worth: Int) {
        self.student = student
        self.lesson = lesson
        exercise = info.id
        title = info.title
        switch verdict.status {
        case .passed: result = .passed
        case .failed: result = .failed
        case .notAttempted: result = .notAttempted
        }
        stopped = verdict.stopped?.rawValue
        mistake = verdict.mistake?.id
        mistakeTitle = verdict.mistake?.title
        mistakeFeedback = verdict.mistake?.feedback
        switch verdict.status {
        case .passed: reason = ""
        case .notAttempted: reason = "not attempted (the stub still throws TODO)"
        case .failed:
            let first = verdict.summary.split(separator: "\n").first.map(String.init) ?? verdict.summary
            reason = verdict.mistake.map { "known mistake \($0.id): \($0.title)" } ?? first
        }
        message = "\(verdict)"
        self.seconds = seconds
        self.filesHash = filesHash
        self.worth = worth
    }
}

// MARK: - Writing the report

enum GradeFiles {
    /// grades.json, grades.csv and feedback/STUDENT.md in `dir`.
    static func write(_ grades: ClassGrades, to dir: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: dir.appendingPathComponent("feedback"), withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try (encoder.encode(grades) + Data("\n".utf8)).write(to: dir.appendingPathComponent("grades.json"))
        try Data(csv(grades).utf8).write(to: dir.appendingPathComponent("grades.csv"))
        for s in grades.submissions {
            try Data(feedback(s).utf8).write(to: dir.appendingPathComponent("feedback/\(fileName(s.student)).md"))
        }
    }

    /// A student's name as a file name (what a folder name may hold that a file's should not).
    static func fileName(_ student: String) -> String {
        String(student.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }

    /// One row per submission × exercise.
    static func csv(_ grades: ClassGrades) -> String {
        var rows = ["student,lesson,exercise,result,points,mistake,stopped,seconds,files_hash,reason"]
        for s in grades.submissions {
            for e in s.exercises {
                rows.append([e.student, "\(e.lesson)", e.exercise, e.result.rawValue, "\(e.points)", e.mistake ?? "", e.stopped ?? "",
                             String(format: "%.2f", e.seconds), e.filesHash, e.reason].map(field).joined(separator: ","))
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// A CSV field, quoted when it must be (RFC 4180).
    static func field(_ s: String) -> String {
        s.contains(where: { ",\"\n\r".contains($0) }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    /// The student's feedback: each exercise's verdict, each diagnosed mistake with its
    /// feedback text, the compiler's error, the files that were not graded.
    static func feedback(_ s: SubmissionGrade) -> String {
        var md = ["# Lesson \(s.lesson): feedback for \(s.student)", ""]
        md.append("**\(s.points) of \(s.exercises.count)** exercises pass.")
        md.append("")
        if !s.compiled {
            md += ["## Your code does not compile", "", "The compiler's first error:", "", "```", s.buildError ?? "", "```", "",
                   "No exercise could be graded. Fix that line, then `swift build` (or `swift run tutor check \(s.lesson)`) before you submit.", ""]
        }
        md += ["| exercise | result | why |", "| --- | --- | --- |"]
        for e in s.exercises {
            md.append("| \(e.exercise) \(e.title) | \(e.result.rawValue) | \(e.reason.replacingOccurrences(of: "|", with: "\\|")) |")
        }
        for e in s.exercises where e.result == .failed && s.compiled {
            md += ["", "## \(e.exercise) \(e.title)", ""]
            if let title = e.mistakeTitle {
                md += ["**Known mistake: \(title).** \(e.mistakeFeedback ?? "")", ""]
            }
            md += ["```", e.message, "```"]
        }
        if !s.missing.isEmpty {
            md += ["", "## Files not in your submission", "", "Graded as the unwritten stubs:", ""] + s.missing.map { "- \($0)" }
        }
        if !s.ignored.isEmpty {
            md += ["", "## Files that were not graded", "",
                   "Only the files of `Lessons/Lesson\(s.lesson)` are taken from a submission; the tests, graders, fixtures and the rest come from the course. These files of yours differ from the edition you were given and were ignored:", ""]
            md += s.ignored.map { "- \($0)" }
        }
        md += ["", "<sub>Graded files: SHA-256 \(s.filesHash).</sub>", ""]
        return md.joined(separator: "\n")
    }
}
