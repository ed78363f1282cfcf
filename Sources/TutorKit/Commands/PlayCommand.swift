import ArgumentParser
import Foundation

/// `tutor play N`: builds and runs lesson N's scratch pad, `Play/LessonN/main.swift`,
/// with the student's lesson code — a place to poke a tensor without a grader.
struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Run your scratch pad for lesson N (Play/LessonN/main.swift) with your lesson code.",
        discussion: "Edit Play/LessonN/main.swift freely: it imports lesson N's module and the core, and nothing in it is graded. `git checkout Play/LessonN/main.swift` brings the starter back."
    )

    @Argument(help: ArgumentHelp("The lesson number.", valueName: "lesson"))
    var lesson: ExerciseID

    @Argument(parsing: .postTerminator, help: ArgumentHelp("Arguments for your scratch pad (CommandLine.arguments), after --.", valueName: "args"))
    var extra: [String] = []

    func validate() throws {
        let catalog = try Catalog.current()
        let n = try catalog.lesson(for: lesson).lesson
        let path = Self.path(lesson: n)
        guard FileManager.default.fileExists(atPath: catalog.root.appendingPathComponent(path).path) else {
            throw TutorError.missingFile("\(path) (lesson \(n)'s scratch pad; `git checkout \(path)` brings it back)")
        }
    }

    static func path(lesson n: Int) -> String { "Play/Lesson\(n)/main.swift" }

    func run() throws {
        let session = try Session.open()
        let n = try session.catalog.lesson(for: lesson).lesson
        try RunCommand.buildAndRun(product: "Play\(n)", arguments: extra, what: "scratch pad (\(Self.path(lesson: n)))", lesson: n, session: session)
    }
}
