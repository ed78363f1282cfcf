import Foundation
import GRDB
import TutorKit

/// `tutor grade`'s gradebook: every grading run's results in one SQLite file (through GRDB),
/// by default `.tutor/gradebook.sqlite` in the course.
///
/// A *version* is one student's graded files for one lesson, known by their SHA-256. It
/// has one result row per exercise, written when that version is first graded. Grading the
/// same files again adds no result row: it only records that the version was graded again
/// in that run (and whether the verdicts came out the same). A changed submission is a new
/// version with its own rows; the older versions stay, so a student's history is kept.
/// A student's points are those of the version graded last.
///
/// Tables: `run` (one per `tutor grade`), `version` (student, lesson, files_hash: unique),
/// `result` (version × exercise: unique), `graded` (run × version: each time a version was graded).
public final class Gradebook {
    /// Where the gradebook is when `--gradebook` is not given, relative to the course.
    public static let defaultPath = ".tutor/gradebook.sqlite"

    public let url: URL
    let queue: DatabaseQueue

    /// Opens the gradebook at `url`, creating it (and its folder) when missing.
    public init(at url: URL) throws {
        self.url = url
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        queue = try DatabaseQueue(path: url.path)
        try Self.migrator.migrate(queue)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("lesson", .integer).notNull()
                t.column("gradedAt", .text).notNull()
                t.column("submissionsFolder", .text).notNull()
                t.column("jobs", .integer).notNull()
                t.column("timeoutSeconds", .double).notNull()
                t.column("memoryLimitBytes", .integer).notNull()
                t.column("totalSeconds", .double).notNull()
            }
            try db.create(table: "version") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("student", .text).notNull()
                t.column("lesson", .integer).notNull()
                t.column("filesHash", .text).notNull()
                t.column("compiled", .boolean).notNull()
                t.column("buildError", .text)
                t.column("firstRunId", .integer).notNull().references("run")
                t.uniqueKey(["student", "lesson", "filesHash"])
            }
            try db.create(table: "result") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("versionId", .integer).notNull().references("version")
                t.column("student", .text).notNull()
                t.column("lesson", .integer).notNull()
                t.column("exercise", .text).notNull()
                t.column("title", .text).notNull()
                t.column("result", .text).notNull()
                t.column("points", .integer).notNull()
                t.column("worth", .integer).notNull()
                t.column("mistake", .text)
                t.column("mistakeTitle", .text)
                t.column("mistakeFeedback", .text)
                t.column("stopped", .text)
                t.column("reason", .text).notNull()
                t.column("message", .text).notNull()
                t.column("seconds", .double).notNull()
                t.column("filesHash", .text).notNull()
                t.uniqueKey(["versionId", "exercise"])
            }
            try db.create(table: "graded") { t in
                t.column("runId", .integer).notNull().references("run")
                t.column("versionId", .integer).notNull().references("version")
                /// Whether this run's verdicts were those stored for the version (a re-run of a flaky grader or a changed course says no).
                t.column("sameVerdicts", .boolean).notNull()
                t.column("seconds", .double).notNull()
                t.primaryKey(["runId", "versionId"])
            }
        }
        return m
    }

    // MARK: - Recording a run

    /// What a run added.
    public struct Recorded: Equatable, Sendable {
        public var run: Int64
        /// Students whose files were graded for the first time (a new version each).
        public var newVersions: [String]
        /// Students whose files had been graded before: no new result rows.
        public var regraded: [String]
        /// Of those, the ones whose verdicts came out different this time.
        public var changedVerdicts: [String]
    }

    /// Records a grading run: a new version (and its result rows) for each submission whose
    /// files were not graded before, a `graded` row for every submission.
    @discardableResult
    public func record(_ grades: ClassGrades, submissionsFolder: String) throws -> Recorded {
        try queue.write { db in
            try db.execute(sql: "INSERT INTO run (lesson, gradedAt, submissionsFolder, jobs, timeoutSeconds, memoryLimitBytes, totalSeconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           arguments: [grades.lesson, grades.gradedAt, submissionsFolder, grades.jobs, grades.timeoutSeconds, Int64(clamping: grades.memoryLimitBytes), grades.totalSeconds])
            let run = db.lastInsertedRowID
            var recorded = Recorded(run: run, newVersions: [], regraded: [], changedVerdicts: [])
            for s in grades.submissions {
                let existing = try Int64.fetchOne(db, sql: "SELECT id FROM version WHERE student = ? AND lesson = ? AND filesHash = ?",
                                                  arguments: [s.student, s.lesson, s.filesHash])
                let version: Int64
                var same = true
                if let existing {
                    version = existing
                    recorded.regraded.append(s.student)
                    let stored = try Self.results(db, version: existing)
                    same = stored.map(Self.verdict) == s.exercises.map(Self.verdict)
                    if !same { recorded.changedVerdicts.append(s.student) }
                } else {
                    try db.execute(sql: "INSERT INTO version (student, lesson, filesHash, compiled, buildError, firstRunId) VALUES (?, ?, ?, ?, ?, ?)",
                                   arguments: [s.student, s.lesson, s.filesHash, s.compiled, s.buildError, run])
                    version = db.lastInsertedRowID
                    recorded.newVersions.append(s.student)
                    for e in s.exercises {
                        try db.execute(sql: """
                            INSERT INTO result (versionId, student, lesson, exercise, title, result, points, worth, mistake, mistakeTitle,
                                                mistakeFeedback, stopped, reason, message, seconds, filesHash)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """, arguments: [version, e.student, e.lesson, e.exercise, e.title, e.result.rawValue, e.points, e.worth, e.mistake,
                                             e.mistakeTitle, e.mistakeFeedback, e.stopped, e.reason, e.message, e.seconds, e.filesHash])
                    }
                }
                try db.execute(sql: "INSERT INTO graded (runId, versionId, sameVerdicts, seconds) VALUES (?, ?, ?, ?)",
                               arguments: [run, version, same, s.seconds])
            }
            return recorded
        }
    }

    /// What two gradings of the same files must agree on.
    static func verdict(_ e: ExerciseGrade) -> String {
        [e.exercise, e.result.rawValue, e.mistake ?? "", e.stopped ?? ""].joined(separator: "|")
    }

    // MARK: - Reading it

    /// One graded version of a student's files.
    public struct Version: Equatable, Sendable {
        public var id: Int64
        public var student: String
        public var lesson: Int
        public var filesHash: String
        public var compiled: Bool
        /// The runs that graded it, first to last.
        public var runs: [Int64]
        public var points: Int
    }

    /// A student's versions for a lesson, in the order they were first graded.
    public func versions(student: String, lesson: Int) throws -> [Version] {
        try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT v.id, v.student, v.lesson, v.filesHash, v.compiled,
                       (SELECT group_concat(runId) FROM (SELECT runId FROM graded WHERE versionId = v.id ORDER BY runId)) AS runs,
                       (SELECT COALESCE(SUM(points), 0) FROM result WHERE versionId = v.id) AS points
                FROM version v WHERE v.student = ? AND v.lesson = ? ORDER BY v.id
                """, arguments: [student, lesson]).map { row in
                let runs: String = row["runs"] ?? ""
                return Version(id: row["id"], student: row["student"], lesson: row["lesson"], filesHash: row["filesHash"], compiled: row["compiled"],
                               runs: runs.split(separator: ",").compactMap { Int64($0) }, points: row["points"])
            }
        }
    }

    /// A version's results, in the lesson's order of exercises.
    public func results(version: Int64) throws -> [ExerciseGrade] {
        try queue.read { db in try Self.results(db, version: version) }
    }

    static func results(_ db: Database, version: Int64) throws -> [ExerciseGrade] {
        try Row.fetchAll(db, sql: "SELECT * FROM result WHERE versionId = ? ORDER BY id", arguments: [version]).map { row in
            let result: String = row["result"]
            return ExerciseGrade(student: row["student"], lesson: row["lesson"], exercise: row["exercise"], title: row["title"],
                                 result: ExerciseGrade.Result(rawValue: result) ?? .failed, stopped: row["stopped"], mistake: row["mistake"],
                                 mistakeTitle: row["mistakeTitle"], mistakeFeedback: row["mistakeFeedback"], reason: row["reason"],
                                 message: row["message"], seconds: row["seconds"], filesHash: row["filesHash"], worth: row["worth"])
        }
    }

    /// How many rows each table holds.
    public func counts() throws -> (runs: Int, versions: Int, results: Int, graded: Int) {
        try queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM version") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM result") ?? 0, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM graded") ?? 0)
        }
    }

    // MARK: - Points per student

    /// Each student's points by exercise, from the version of their files graded last in each lesson.
    public struct Points: Equatable, Sendable {
        /// The exercises graded in these lessons, in course order ("0.1", "0.2", …).
        public var exercises: [String]
        /// By student, in name order: points by exercise (absent: that lesson was not graded for them).
        public var students: [(student: String, points: [String: Int])]
        /// What passing each exercise is worth (its `points` in lesson.json when it was graded).
        public var possible: [String: Int] = [:]
        public func total(_ student: String) -> Int? { students.first { $0.student == student }.map { $0.points.values.reduce(0, +) } }

        public static func == (a: Points, b: Points) -> Bool {
            a.exercises == b.exercises && a.students.map(\.student) == b.students.map(\.student) && a.students.map(\.points) == b.students.map(\.points)
                && a.possible == b.possible
        }

        /// `student,0.1,0.2,…,total`, then `Points Possible,…` (what each exercise is worth, the
        /// row a learning platform's gradebook import looks for), then one row per student.
        public var csv: String {
            var rows = [(["student"] + exercises + ["total"]).joined(separator: ",")]
            rows.append((["Points Possible"] + exercises.map { possible[$0].map(String.init) ?? "" } + ["\(exercises.reduce(0) { $0 + (possible[$1] ?? 0) })"])
                .joined(separator: ","))
            for s in students {
                let cells = exercises.map { s.points[$0].map(String.init) ?? "" }
                rows.append(([GradeFiles.field(s.student)] + cells + ["\(s.points.values.reduce(0, +))"]).joined(separator: ","))
            }
            return rows.joined(separator: "\n") + "\n"
        }
    }

    /// Points per student, in `lesson` alone or in every lesson graded.
    public func points(lesson: Int? = nil) throws -> Points {
        try queue.read { db in
            // Each student's version graded last per lesson: the one in the latest run that graded them.
            let latest = try Row.fetchAll(db, sql: """
                SELECT v.student, v.lesson, g.versionId, MAX(g.runId) AS lastRun FROM graded g JOIN version v ON v.id = g.versionId
                WHERE (? IS NULL OR v.lesson = ?) GROUP BY v.student, v.lesson
                """, arguments: [lesson, lesson])
            // (SQLite returns the row's versionId of the MAX(runId) row: its documented bare-column rule for MAX.)
            var byStudent: [String: [String: Int]] = [:]
            var exercises = Set<String>()
            var possible: [String: Int] = [:]
            for row in latest {
                let student: String = row["student"]
                let version: Int64 = row["versionId"]
                var points = byStudent[student] ?? [:]
                for r in try Row.fetchAll(db, sql: "SELECT exercise, points, worth FROM result WHERE versionId = ?", arguments: [version]) {
                    points[r["exercise"]] = r["points"]
                    exercises.insert(r["exercise"])
                    possible[r["exercise"]] = max(possible[r["exercise"]] ?? 0, r["worth"])
                }
                byStudent[student] = points
            }
            let ordered = exercises.sorted { a, b in
                let x = a.split(separator: ".").compactMap { Int($0) }, y = b.split(separator: ".").compactMap { Int($0) }
                return x.lexicographicallyPrecedes(y)
            }
            return Points(exercises: ordered, students: byStudent.keys.sorted().map { ($0, byStudent[$0]!) }, possible: possible)
        }
    }
}
