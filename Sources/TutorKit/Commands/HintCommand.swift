import ArgumentParser
import Foundation

/// `tutor hint [N.k] [--all]`: the next hint level for an exercise, from a nudge (1)
/// to nearly the answer (3).
struct HintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hint",
        abstract: "Show the next hint for an exercise (levels 1 to 3: from a nudge to nearly the answer).",
        discussion: "Each call shows the next level and remembers it in .tutor/progress.json."
    )

    @Argument(help: ArgumentHelp("The exercise, e.g. 0.1 (default: the first one not passing).", valueName: "id"))
    var id: ExerciseID?

    @Flag(help: "Show all three levels at once.")
    var all = false

    func validate() throws {
        if let id { _ = try Catalog.current().exercise(for: id) }
    }

    func run() throws {
        let session = try Session.open()
        let progress = session.progress.load()
        let exercise: ExerciseInfo
        if let id {
            exercise = try session.catalog.exercise(for: id)
        } else if let current = progress.current(in: session.catalog) {
            exercise = current
        } else {
            print("Every exercise passes: no hint needed. Name one to see its hints anyway: `swift run tutor hint 0.1`.")
            return
        }
        let hints = exercise.hints
        guard !hints.isEmpty else {
            print("\(exercise.id) has no hints yet (Lessons/Lesson\(exercise.lesson)/lesson.json). `swift run tutor solution \(exercise.id)` shows the reference.")
            return
        }
        let s = session.style
        print(s.bold("\(exercise.id) \(exercise.title)") + s.dim("  — `\(exercise.symbol)` in \(exercise.path)"))
        let previous = progress[exercise.id].hintLevel
        let level = all ? hints.count : min(previous + 1, hints.count)
        let shown = all ? Array(1...hints.count) : [level]
        for l in shown {
            print("\n" + s.cyan("Hint \(l) of \(hints.count):") + "\n" + indent(hints[l - 1]))
        }
        print("")
        if level < hints.count {
            print("\(s.bold("Next:")) try it, then `swift run tutor check \(exercise.id)`; still stuck? `swift run tutor hint \(exercise.id)` gives hint \(level + 1).")
        } else {
            let again = !all && previous >= hints.count ? "That was already the last hint. " : "That is the last hint. "
            print("\(s.bold("Next:")) \(again)Try it, then `swift run tutor check \(exercise.id)`; to study the reference: `swift run tutor solution \(exercise.id)`.")
        }
        session.progress.update { $0[exercise.id].hintLevel = max($0[exercise.id].hintLevel, level) }
    }
}
