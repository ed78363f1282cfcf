import ArgumentParser
import TutorKit

/// The course's `tutor`: every command a student has, and the instructor's `grade` and `gradebook`.
/// A student edition's `tutor` is `TutorCommand` alone: this module is not part of it.
public struct InstructorTutorCommand: ParsableCommand {
    public static let configuration: CommandConfiguration = {
        var c = TutorCommand.configuration
        c.subcommands += [GradeCommand.self, GradebookCommand.self]
        return c
    }()

    public init() {}
}
