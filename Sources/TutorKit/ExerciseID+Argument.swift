import ArgumentParser

// MARK: - Ids on the command line

/// "3" or "3.2" on the command line. Whether the id exists is checked against the
/// course in each command's `validate()`, which lists the valid ids when it does not.
extension ExerciseID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }

    /// Whether this names a whole lesson ("3") rather than one exercise ("3.2").
    public var isLesson: Bool { number == nil }
}
