import Foundation

/// Everything the tutor refuses to do, each with the one line it prints. A message says
/// what is wrong and, where there is one, what to do instead.
public enum TutorError: Error, CustomStringConvertible, Equatable {
    /// No Package.swift with a Lessons/ folder here or above.
    case notInCourse(directory: String)
    /// A lesson.json that is missing or does not decode.
    case badLessonFile(path: String, problem: String)
    /// An id that names no lesson or exercise; `valid` lists the ids that exist.
    case unknownID(String, valid: String)
    /// A lesson number that names no lesson.
    case unknownLesson(String, valid: String)
    /// A lesson id where an exercise id is needed (`hint 0`, `solution 0`).
    case needsExercise(String, valid: String)
    /// An exercise id where a lesson id is needed (`run 0.1`).
    case needsLesson(String, valid: String)
    /// `run N` for a lesson without an experiment target.
    case noExperiment(lesson: Int)
    /// A solution file, lesson file or test file that is not where the metadata says.
    case missingFile(String)
    /// A file that could not be read or written: what was done, the file (relative to
    /// the root), what is wrong and what to do.
    case fileAccess(action: String, path: String, problem: String, advice: String)
    /// A command about lesson N, whose lesson.json is missing or does not decode.
    case brokenLesson(lesson: Int, path: String, problem: String)
    /// A solution file whose markers are broken.
    case badSolutionFile(String)
    /// An exercise whose solution file holds no marked body for it.
    case noSolution(exercise: String, file: String)
    /// The build failed; `where_` names the files with errors.
    case buildFailed(where_: String)
    /// The compiled test bundle is not where `swift build --show-bin-path` says.
    case noTestBundle(String)
    /// A command (swift build, an experiment) that could not start or failed.
    case commandFailed(String)
    /// `reset` with no terminal to ask on and no `--yes`.
    case needsConfirmation(command: String)
    /// The student answered no.
    case cancelled
    /// A bad option value.
    case badOption(String)
    /// `publish` with neither lessons nor `--all`.
    case nothingSelected(String)
    /// A lesson file the student deleted (or moved); `exercises` are the ones it holds.
    case missingLessonFile(path: String, exercises: [String])
    /// The build failed in lesson files of other lessons than the ones asked for.
    case otherLessonDoesNotCompile(location: String, exercise: String?, asked: String)
    /// Grading files (fixtures, graders, tests) that are missing, broken or changed.
    case gradingFiles(String)
    /// `verify` found problems (already printed, one per line).
    case verifyFailed(problems: Int)
    /// `solution` or `publish` in a student edition whose lesson's solutions are not published.
    case notReleased(lesson: Int)
    /// An instructor's command (`verify`, `release`) in a student edition.
    case studentEdition(command: String)

    public var description: String {
        switch self {
        case .notInCourse(let dir):
            return "\(dir) is not inside the Unrolled course: run the tutor from the folder that has Package.swift and Lessons/ (or below it)"
        case .badLessonFile(let path, let problem):
            return "\(path): \(problem)"
        case .unknownID(let id, let valid):
            return "no lesson or exercise '\(id)'; valid ids: \(valid)"
        case .unknownLesson(let id, let valid):
            return "no lesson '\(id)'; valid lessons: \(valid)"
        case .needsExercise(let id, let valid):
            return "'\(id)' is a lesson: this command takes one exercise id N.k; valid ids: \(valid)"
        case .needsLesson(let id, let valid):
            return "'\(id)' is an exercise: this command takes a lesson number; valid lessons: \(valid)"
        case .noExperiment(let n):
            return "lesson \(n) has no experiment yet (no Sources/Experiments/Lesson\(n)); its exercises are graded with `swift run tutor check \(n)`"
        case .missingFile(let path):
            return "\(path) does not exist"
        case .fileAccess(let action, let path, let problem, let advice):
            return "cannot \(action) \(path): \(problem) — \(advice)"
        case .brokenLesson(let n, let path, let problem):
            return "lesson \(n)'s lesson.json is broken: \(path): \(problem); fix that file (`git diff \(path)` shows what changed), then run the command again"
        case .badSolutionFile(let problem):
            return "broken solution file: \(problem)"
        case .noSolution(let id, let file):
            return "\(file) has no `// TODO(\(id)):` line followed by \(Stubs.begin): the reference of \(id) is missing"
        case .buildFailed(let where_):
            return "the build failed in \(where_); fix the errors above, then run the command again"
        case .noTestBundle(let path):
            return "no test bundle at \(path) after the build; try `swift build --build-tests`"
        case .commandFailed(let what):
            return what
        case .needsConfirmation(let command):
            return "no terminal to ask for confirmation: run `swift run tutor \(command) --yes` to overwrite (your code is backed up under .tutor/backups/)"
        case .cancelled:
            return "cancelled: nothing was changed"
        case .badOption(let what):
            return what
        case .nothingSelected(let what):
            return what
        case .missingLessonFile(let path, let ids):
            let reset = ids.first.map { "`swift run tutor reset \($0)` brings back its stub\(ids.count > 1 ? " (and those of \(ids.dropFirst().joined(separator: ", ")))" : "")" } ?? "`git checkout -- \(path)` brings it back"
            return "\(path) is missing\(ids.isEmpty ? "" : " (it holds exercise\(ids.count == 1 ? "" : "s") \(ids.joined(separator: ", ")))"): every lesson file is built together, so nothing can be graded without it; \(reset), or put your copy back if you moved it"
        case .otherLessonDoesNotCompile(let location, let exercise, let asked):
            let stub = exercise.map { " or put its stub back with `swift run tutor reset \($0)` (your code is kept under .tutor/backups/)" } ?? ""
            return "\(location) does not compile, and every lesson is built together, so \(asked) cannot be graded until it does: fix it first (the errors are above)\(stub), then run the command again"
        case .gradingFiles(let what):
            return what
        case .verifyFailed(let n):
            return "\(n) problem\(n == 1 ? "" : "s") found (listed above)"
        case .notReleased(let n):
            return "the solutions of lesson \(n) are not released yet: your instructor publishes them after the deadline (until then, `swift run tutor hint N.k` helps)"
        case .studentEdition(let command):
            return "`tutor \(command)` is the instructor's and needs the reference solutions, which this student edition does not have: run it in the course itself"
        }
    }
}
