import ArgumentParser
import Foundation
import Grading

/// `tutor publish N... | --all` (instructor): writes the reference solutions into the
/// lesson files, after a backup. With `--out DIR`: adds them to the student edition in DIR
/// instead (see `Edition.publish`), whose own `tutor publish N` then writes them.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Instructor: write the reference solutions into the lesson files (a backup is kept), or add them to a student edition (--out).",
        discussion: """
            Afterwards `swift test --filter LessonN` has nothing skipped and nothing failing; `swift run tutor reset N --yes` puts the stubs back.             With --out DIR, the solutions go into the student edition in DIR (written by `tutor release`): there `tutor solution` shows them and `tutor publish N` writes them.
            """
    )

    @Option(help: ArgumentHelp("A student edition (written by `tutor release`) to add the solutions to.", valueName: "dir"))
    var out: String?

    @Argument(help: ArgumentHelp("The lessons to publish, e.g. 0 1.", valueName: "lesson"))
    var lessons: [ExerciseID] = []

    @Flag(help: "Publish every lesson.")
    var all = false

    func validate() throws {
        let catalog = try Catalog.current()
        if all && !lessons.isEmpty { throw TutorError.nothingSelected("give lesson numbers or --all, not both") }
        if !all && lessons.isEmpty { throw TutorError.nothingSelected("which lessons? `swift run tutor publish 0 1`, or --all; valid lessons: \(catalog.validLessons)") }
        for l in lessons { _ = try catalog.lesson(for: l) }
    }

    func run() throws {
        let session = try Session.open()
        let numbers = all ? session.catalog.lessons.map(\.lesson) : lessons.map(\.lesson)
        if let out { return try publish(numbers, to: out, session: session) }
        for n in numbers { try Edition.requireSolutions(lesson: n, root: session.root) }
        var changes: [LessonFiles.Change] = []
        for n in numbers { changes += try session.files.published(lesson: n) }
        let (backup, written) = try session.files.apply(changes)
        if written.isEmpty { print("The lesson files already hold the reference solutions: nothing to write.") }
        for change in written { print("Published \(change.path)\(change.note.map { ": \($0)" } ?? "").") }
        if let backup { print("The previous files are in \(backup)/.") }
        let filters = numbers.map { "Lesson\($0)" }
        print("\(session.style.bold("Next:")) `swift test --filter \(filters.count == 1 ? filters[0] : "'" + filters.joined(separator: "|") + "'")` has nothing skipped and nothing failing; `swift run tutor reset N --yes` puts the stubs back.")
    }

    /// `--out DIR`: the solutions of `numbers` into the edition in `dir`.
    func publish(_ numbers: [Int], to dir: String, session: Session) throws {
        if Course.isStudentEdition { throw TutorError.studentEdition(command: "publish --out") }
        let out = URL(fileURLWithPath: dir, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let written = try Edition.publish(course: session.root, to: out, lessons: numbers)
        let which = numbers.map(String.init).joined(separator: " ")
        print("Added the solutions of lesson\(numbers.count == 1 ? "" : "s") \(which) to the edition in \(out.path) (\(written.count) files).")
        print("\(session.style.bold("Next:")) there, `swift run tutor solution N.k` shows them, and `swift run tutor publish \(which)` writes them into the lesson files.")
    }
}
