import ArgumentParser
import Foundation
import TutorKit

/// `tutor gradebook [--lesson N] [--csv FILE] [--history STUDENT]`: what the gradebook holds,
/// without grading anything.
struct GradebookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradebook",
        abstract: "Instructor: each student's points from the gradebook that `tutor grade` keeps; --csv writes them to a file.",
        discussion: """
            Points come from the version of each student's files graded last in each lesson (an \\
            exercise passed is worth 1, or its "points" in lesson.json). --history STUDENT lists \\
            every graded version of that student's files, oldest first, with the runs that graded it.
            """
    )

    @Option(help: ArgumentHelp("The gradebook, an SQLite file (default: .tutor/gradebook.sqlite in the course).", valueName: "file"))
    var gradebook: String?

    @Option(help: ArgumentHelp("Only this lesson (default: every lesson graded).", valueName: "n"))
    var lesson: Int?

    @Option(help: ArgumentHelp("Write the points to this CSV file: student, one column per exercise, total.", valueName: "file"))
    var csv: String?

    @Option(help: ArgumentHelp("Every graded version of this student's files (needs --lesson).", valueName: "student"))
    var history: String?

    func validate() throws {
        if history != nil, lesson == nil { throw TutorError.badOption("--history needs --lesson N: a version is a student's files for one lesson") }
    }

    func run() throws {
        let catalog = try Catalog.current()
        let url = Self.location(gradebook, course: catalog.root)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TutorError.badOption("no gradebook at \(url.path): `swift run tutor grade SUBMISSIONS_DIR --lesson N` makes it (or give --gradebook FILE)")
        }
        let book = try Gradebook(at: url)
        if let student = history, let lesson {
            let versions = try book.versions(student: student, lesson: lesson)
            guard !versions.isEmpty else { throw TutorError.badOption("the gradebook has no lesson \(lesson) files of \(student)") }
            for (k, v) in versions.enumerated() {
                print("version \(k + 1): \(v.points) points, \(v.compiled ? "compiled" : "did not compile"), graded in run\(v.runs.count == 1 ? "" : "s") \(v.runs.map(String.init).joined(separator: ", ")); files SHA-256 \(v.filesHash)")
                for e in try book.results(version: v.id) {
                    print("  \(e.exercise.padding(toLength: 5, withPad: " ", startingAt: 0)) \(e.result.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(e.reason)")
                }
            }
            return
        }
        let points = try book.points(lesson: lesson)
        if let csv {
            try Self.export(book, lesson: lesson, to: csv)
        } else {
            print(points.csv, terminator: "")
        }
    }

    // MARK: - Shared with `tutor grade`

    /// The gradebook's file: the one given, else the default in the course.
    static func location(_ given: String?, course: URL) -> URL {
        given.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? course.appendingPathComponent(Gradebook.defaultPath)
    }

    /// Writes the points per student to `path` and says so.
    static func export(_ book: Gradebook, lesson: Int?, to path: String) throws {
        let points = try book.points(lesson: lesson)
        let url = URL(fileURLWithPath: path).standardizedFileURL
        try Data(points.csv.utf8).write(to: url)
        print("Points of \(points.students.count) student\(points.students.count == 1 ? "" : "s") in \(url.path) (from the gradebook \(book.url.path)).")
    }

    /// One line on what a run added to the gradebook.
    static func summary(_ r: Gradebook.Recorded, book: Gradebook) -> String {
        var line = "Gradebook \(book.url.path): run \(r.run); \(r.newVersions.count) new version\(r.newVersions.count == 1 ? "" : "s") graded"
        if !r.regraded.isEmpty { line += ", \(r.regraded.count) unchanged (graded again, no new rows)" }
        if !r.changedVerdicts.isEmpty { line += "; different verdicts this time for the same files: \(r.changedVerdicts.joined(separator: ", ")) (the first are kept)" }
        return line + "."
    }
}
