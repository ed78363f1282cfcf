import ArgumentParser
import Foundation

/// `tutor reset N.k | N [--yes]`: puts the stub back, keeping a backup of the student's code.
struct ResetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset",
        abstract: "Put an exercise's stub back (or a whole lesson's), keeping a backup of your code.",
        discussion: "What it replaces is copied to .tutor/backups/<time>/ first. Without --yes it asks on the terminal."
    )

    @Argument(help: ArgumentHelp("An exercise (0.1) or a whole lesson (0).", valueName: "id"))
    var id: ExerciseID

    @Flag(name: [.customShort("y"), .long], help: "Don't ask for confirmation.")
    var yes = false

    func validate() throws { try Catalog.current().validate([id]) }

    func run() throws {
        let session = try Session.open()
        let files = session.files
        let changes: [LessonFiles.Change]
        let reset: [String]
        if id.isLesson {
            changes = try files.stubs(lesson: id.lesson)
            reset = session.catalog.lesson(id.lesson)?.exercises.map(\.id) ?? []
        } else {
            let exercise = try session.catalog.exercise(for: id)
            changes = [try files.stub(of: exercise)]
            reset = [exercise.id]
        }
        let pending = changes.filter { (try? files.read($0.path)) != $0.text }
        guard !pending.isEmpty else {
            print("Nothing to reset: \(changes.map(\.path).joined(separator: ", ")) already hold\(changes.count == 1 ? "s" : "") the stub\(reset.count == 1 ? "" : "s") of \(reset.joined(separator: ", ")).")
            return
        }
        if !yes {
            guard Terminal.canAsk else { throw TutorError.needsConfirmation(command: "reset \(id)") }
            let what = id.isLesson ? "every exercise of lesson \(id.lesson)" : "exercise \(id)"
            guard Terminal.confirm("Put back the stub of \(what), replacing your code in \(pending.map(\.path).joined(separator: ", "))? (A backup is kept.)") else {
                throw TutorError.cancelled
            }
        }
        let (backup, written) = try files.apply(pending)
        for change in written {
            print("Reset \(change.path)\(change.note.map { ": \($0)" } ?? "").")
        }
        if let backup { print("Your previous code is in \(backup)/.") }
        let progress = session.progress.update { p in for e in reset { p[e].status = .notStarted } }
        print(session.nextLine(progress))
    }
}
