import ArgumentParser
import Foundation
import Grading
import TutorKit

/// `tutor grade SUBMISSIONS_DIR --lesson N [--jobs J] [--out REPORT_DIR]`: grades a class.
struct GradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade",
        abstract: "Instructor: grade every submission in a folder for one lesson; write grades.json, grades.csv and feedback.",
        discussion: """
            Each folder in SUBMISSIONS_DIR is one student's copy (or git checkout) of the student \
            edition. Only its Lessons/LessonN/*.swift files are graded, in a clean copy of the \
            course (under .tutor/grading); the other files it changed are named in the report and \
            ignored. Each exercise runs in its own process with a time limit, a memory limit and \
            (where Linux has Landlock) writes confined to its own folder; a verdict counts only \
            when the grader reports it. One line per submission and exercise on the terminal; \
            grades.json, grades.csv and feedback/STUDENT.md in the report folder.

            Every run is also recorded in the gradebook (SQLite; default .tutor/gradebook.sqlite \
            in the course): one row per submission and exercise, kept for each version of a \
            student's files. Grading the same files again adds no rows, only that they were \
            graded again. --csv FILE writes each student's points from the gradebook (also: \
            `tutor gradebook --csv FILE`, without grading).
            """
    )

    @Argument(help: ArgumentHelp("The folder of submissions, one folder per student.", valueName: "submissions-dir"))
    var submissions: String

    @Option(help: ArgumentHelp("The lesson to grade.", valueName: "n"))
    var lesson: Int

    @Option(help: ArgumentHelp("Exercises graded at a time (default: the machine's cores).", valueName: "j"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("The report folder (default: grades/lessonN beside the submissions folder).", valueName: "report-dir"))
    var out: String?

    @Option(help: ArgumentHelp("Seconds before one exercise is stopped as hung.", valueName: "seconds"))
    var timeout: Double = 60

    @Option(help: ArgumentHelp("Memory one exercise may use, in GB (its address space).", valueName: "gb"))
    var memory: Double = 4

    @Option(help: ArgumentHelp("The gradebook, an SQLite file (default: .tutor/gradebook.sqlite in the course).", valueName: "file"))
    var gradebook: String?

    @Option(help: ArgumentHelp("After grading, write each student's points in this lesson from the gradebook to this CSV file.", valueName: "file"))
    var csv: String?

    func validate() throws {
        guard jobs >= 1 else { throw TutorError.badOption("--jobs must be at least 1, not \(jobs)") }
        guard timeout > 0, timeout.isFinite else { throw TutorError.badOption("--timeout must be a positive number of seconds, not \(timeout)") }
        guard memory > 0.25, memory.isFinite else { throw TutorError.badOption("--memory must be more than 0.25 GB, not \(memory)") }
        let catalog = try Catalog.current()
        guard catalog.lesson(lesson) != nil else { throw TutorError.badOption("the course has no lesson \(lesson); its lessons: \(catalog.validLessons)") }
        guard Edition.manifest(root: catalog.root) == nil else {
            throw TutorError.badOption("this is a student edition: `tutor grade` runs in the course itself, which has the graders' reference")
        }
    }

    func run() throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: submissions, isDirectory: &isDir), isDir.boolValue else {
            throw TutorError.badOption("\(submissions) is not a folder: give the folder that holds one folder per submission")
        }
        let catalog = try Catalog.current()
        let dir = URL(fileURLWithPath: submissions).standardizedFileURL
        let report = out.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? dir.deletingLastPathComponent().appendingPathComponent("grades/lesson\(lesson)")
        guard !report.path.hasPrefix(dir.path + "/") else {
            throw TutorError.badOption("--out \(report.path) is inside the submissions folder: give a folder outside it")
        }
        ChildGroup.installInterruptHandler()
        let lock = NSLock()
        let grader = try ClassGrader(course: catalog.root, options: .init(lesson: lesson, jobs: jobs, timeout: timeout, memory: UInt64(memory * Double(1 << 30)))) { line in
            lock.lock()
            print(line)
            fflush(stdout)
            lock.unlock()
        }
        let grades = try grader.grade(submissions: dir, out: report)
        let book = try Gradebook(at: GradebookCommand.location(gradebook, course: catalog.root))
        let recorded = try book.record(grades, submissionsFolder: dir.path)
        let n = grades.submissions.count
        let graded = grades.totalSeconds - grades.firstBuildSeconds
        print("")
        print(String(format: "%d submission%@ graded in %.1f s: the grading copy's first build %.1f s, then %.1f s per submission (%d exercise%@ at a time).",
                     n, n == 1 ? "" : "s", grades.totalSeconds, grades.firstBuildSeconds, graded / Double(max(n, 1)), grades.jobs, grades.jobs == 1 ? "" : "s"))
        print("Report: \(report.path)/grades.json, grades.csv, feedback/")
        print(GradebookCommand.summary(recorded, book: book))
        if let csv {
            try GradebookCommand.export(book, lesson: lesson, to: csv)
        }
    }
}
