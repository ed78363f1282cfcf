/// Every graded exercise of the course, by lesson: what `tutor verify` and the
/// reference tests prove.
public enum Course {
    public static let exercises: [AnyExercise] = Lesson0Graders.all + Lesson1Graders.all + Lesson2Graders.all + Lesson3Graders.all
        + Lesson4Graders.all + Lesson5Graders.all + Lesson6Graders.all + Lesson7Graders.all + Lesson8Graders.all
        + Lesson9Graders.all

    /// Whether this build is a student edition (`tutor release`): graders without the
    /// reference or the known mistakes' code, which compare with the fixtures alone.
    public static let isStudentEdition: Bool = {
        #if EDITION
        return true
        #else
        return false
        #endif
    }()

    /// The exercise with this id, if any.
    public static func exercise(_ id: String) -> AnyExercise? { exercises.first { $0.id == id } }
}
