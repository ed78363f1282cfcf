import ArgumentParser
import Foundation

/// `tutor solution N.k`: the reference solution, with its signature and doc comment.
struct SolutionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solution",
        abstract: "Show the reference solution of an exercise, for self-study."
    )

    @Argument(help: ArgumentHelp("The exercise, e.g. 0.1.", valueName: "id"))
    var id: ExerciseID

    func validate() throws { _ = try Catalog.current().exercise(for: id) }

    func run() throws {
        let session = try Session.open()
        let exercise = try session.catalog.exercise(for: id)
        try Edition.requireSolutions(lesson: id.lesson, root: session.root)
        let code = try session.files.reference(of: exercise)
        let s = session.style
        print(s.bold("Reference solution of \(exercise.id) \(exercise.title)") + s.dim("  (\(exercise.solutionPath))"))
        print("")
        print(code)
        print("")
        print("\(s.bold("Next:")) write it in your own words in \(exercise.path), then `swift run tutor check \(exercise.id)`.")
    }
}
