/// What an unfinished exercise throws: `throw TODO("3.2")`.
///
/// A stub throws (never traps), so one unfinished exercise never stops the others from
/// being graded: the grader sees `TODO` and marks the exercise "not attempted".
public struct TODO: Error, CustomStringConvertible, Equatable, Sendable {
    /// The exercise id, "N.k".
    public let exercise: String

    public init(_ exercise: String) { self.exercise = exercise }

    public var description: String {
        "exercise \(exercise) is not written yet: fill in its stub (ask `swift run tutor hint \(exercise)`)"
    }
}
