import ArgumentParser
import Foundation

/// `swift run tutor`: where the student stands and what to do next; hints, grading,
/// experiments; and the instructor's publish and verify.
public struct TutorCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "tutor",
        abstract: "The Unrolled course tutor: where you stand, hints, grading, experiments.",
        discussion: """
            Start with `swift run tutor` (where you stand), read Lessons/LessonN/README.md, \
            fill in the stubs, and run `swift run tutor check N` until every exercise passes.
            """,
        subcommands: [
            ListCommand.self, HintCommand.self, CheckCommand.self, WatchCommand.self, RunCommand.self, PlayCommand.self,
            ResetCommand.self, SolutionCommand.self, QuestionsCommand.self, PublishCommand.self, VerifyCommand.self, ReleaseCommand.self,
        ],
        defaultSubcommand: ListCommand.self
    )

    public init() {}

    // MARK: - Entry point

    /// Parses the command line and runs the command. Every error is one line on standard
    /// error (with the valid ids when an id was wrong) and a non-zero exit.
    public static func main() { main(root: TutorCommand.self) }

    /// The same with another root command: the course's `tutor` adds the instructor's
    /// commands (Sources/Instructor), which a student edition does not have.
    public static func main<Root: ParsableCommand>(root: Root.Type) {
        do {
            var command = try Root.parseAsRoot()
            try command.run()
            Foundation.exit(0)
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as TutorError {
            fail("error: \(error)", code: 1)
        } catch {
            let code = Root.exitCode(for: error)
            if code == .success { Root.exit(withError: error) }  // --help, --version
            fail("error: \(oneLine(error, root: Root.self))", code: code.rawValue)
        }
    }

    /// An argument-parsing error in one line: the message, the valid ids when an id did not
    /// parse, and where to read more.
    static func oneLine<Root: ParsableCommand>(_ error: Error, root: Root.Type = TutorCommand.self) -> String {
        let names = Root.configuration.subcommands.map { $0.configuration.commandName ?? "" }
        if let first = CommandLine.arguments.dropFirst().first, !first.hasPrefix("-"), ExerciseID(first) == nil,
           !names.contains(first), first != "help" {
            return "unknown command '\(first)'; the commands are \(names.joined(separator: ", ")). See 'tutor --help'."
        }
        var text = Root.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
        text = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        if text.contains("is invalid for '<id") || text.contains("is invalid for '<lesson"),
           let catalog = try? Catalog.current() {
            text += "; valid ids: \(catalog.validIDs)"
        }
        let full = Root.fullMessage(for: error)
        if let see = full.split(separator: "\n").last(where: { $0.contains("See '") }) {
            text += ". \(see.trimmingCharacters(in: .whitespaces))"
        }
        return text
    }

    static func fail(_ line: String, code: Int32) -> Never {
        Terminal.flush()
        FileHandle.standardError.write(Data((line + "\n").utf8))
        Foundation.exit(code)
    }
}

// MARK: - What every command starts from

/// The course, the progress file and the output style, found from the current directory.
struct Session {
    let catalog: Catalog
    let progress: ProgressStore
    let style: Style

    var root: URL { catalog.root }
    var files: LessonFiles { LessonFiles(root: root) }

    /// The session of the current directory's course. Each lesson whose lesson.json is
    /// broken is one warning line (unless `warnBroken` is false: `list` shows them itself).
    static func open(warnBroken: Bool = true, warn: (String) -> Void = Terminal.warn) throws -> Session {
        let catalog = try Catalog.current()
        if warnBroken { for bad in catalog.broken { warn(bad.warning) } }
        return Session(catalog: catalog, progress: ProgressStore(root: catalog.root), style: .standard)
    }

    /// "Next: …": the first exercise not passing, where it is, and the command to run.
    func nextLine(_ progress: Progress) -> String {
        guard let e = progress.current(in: catalog) else {
            return "\(style.bold("Next:")) every exercise passes. Try the questions at the end of each Lessons/LessonN/README.md."
        }
        let status = progress[e.id].status
        let verb = status == .notStarted ? "write" : "fix"
        return "\(style.bold("Next:")) \(e.id) \(e.title) — \(verb) `\(e.symbol)` in \(e.path), then `swift run tutor check \(e.id)` (stuck? `swift run tutor hint \(e.id)`)"
    }
}
