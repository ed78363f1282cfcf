import ArgumentParser
import Foundation

/// `tutor publish N... | --all` (instructor): writes the reference solutions into the
/// lesson files, after a backup.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Instructor: write the reference solutions into the lesson files (a backup is kept).",
        discussion: "Afterwards `swift test --filter LessonN` has nothing skipped and nothing failing; `swift run tutor reset N --yes` puts the stubs back."
    )

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
        var changes: [LessonFiles.Change] = []
        for n in numbers { changes += try session.files.published(lesson: n) }
        let (backup, written) = try session.files.apply(changes)
        if written.isEmpty { print("The lesson files already hold the reference solutions: nothing to write.") }
        for change in written { print("Published \(change.path)\(change.note.map { ": \($0)" } ?? "").") }
        if let backup { print("The previous files are in \(backup)/.") }
        let filters = numbers.map { "Lesson\($0)" }
        print("\(session.style.bold("Next:")) `swift test --filter \(filters.count == 1 ? filters[0] : "'" + filters.joined(separator: "|") + "'")` has nothing skipped and nothing failing; `swift run tutor reset N --yes` puts the stubs back.")
    }
}
