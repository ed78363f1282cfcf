import ArgumentParser
import Foundation

/// `tutor questions N [--answers]`: the questions at the end of a lesson, and their
/// answers once you ask for them.
struct QuestionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "questions",
        abstract: "Show a lesson's questions; with --answers, the answers too."
    )

    @Argument(help: ArgumentHelp("The lesson number.", valueName: "lesson"))
    var lesson: ExerciseID

    @Flag(help: "Show the answers under the questions (think first!).")
    var answers = false

    func validate() throws { _ = try Catalog.current().lesson(for: lesson) }

    func run() throws {
        let session = try Session.open()
        let info = try session.catalog.lesson(for: lesson)
        let s = session.style
        let questions = info.questions ?? []
        print(s.bold("Lesson \(info.lesson) · \(info.title) — questions"))
        guard !questions.isEmpty else {
            print("This lesson has no questions yet.")
            return
        }
        for (i, q) in questions.enumerated() {
            print("\n\(i + 1). \(q.question)")
            if answers { print(s.dim("   ") + q.answer.replacingOccurrences(of: "\n", with: "\n   ")) }
        }
        print("")
        if answers {
            print("\(s.bold("Next:")) `swift run tutor` shows where you stand.")
        } else {
            print("\(s.bold("Next:")) think each one through (the lesson's experiment, `swift run tutor run \(info.lesson)`, helps), then `swift run tutor questions \(info.lesson) --answers`.")
        }
    }
}
