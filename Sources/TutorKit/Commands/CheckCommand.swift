import ArgumentParser
import Foundation
import Grading

/// `tutor check [N | N.k ...] [--timeout S]`: builds once, grades each exercise in its
/// own process, prints a table and the feedback, records progress; exit 0 iff all pass.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Build, then grade exercises, each in its own process; exit 0 iff all pass.",
        discussion: """
            A crash or a hang in one exercise is reported for that exercise; the others are \
            still graded. With no ids, every exercise of the course is graded.
            """
    )

    @Argument(help: ArgumentHelp("Lessons (0) or exercises (0.1) to grade (default: all).", valueName: "ids"))
    var ids: [ExerciseID] = []

    @Option(help: ArgumentHelp("Seconds before one exercise's grader is stopped as hung.", valueName: "seconds"))
    var timeout: Double = 60

    @Flag(name: [.short, .long], help: "Show what your code printed for every exercise, passing ones too (a failing one always shows it).")
    var verbose = false

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw TutorError.badOption("--timeout must be a positive number of seconds, not \(timeout)") }
        try Catalog.current().validate(ids)
    }

    func run() throws {
        let session = try Session.open()
        let exercises = try session.catalog.select(ids)
        let results = try Checker(session: session, timeout: timeout, verbose: verbose).check(exercises)
        // A whole-course check that left out a lesson with a broken lesson.json has not passed.
        let leftOut = ids.isEmpty ? session.catalog.broken : []
        for bad in leftOut { print(session.style.red("✗ ") + bad.warning) }
        if results.contains(where: { $0.result.status != .passed }) || !leftOut.isEmpty { throw ExitCode.failure }
    }
}

// MARK: - Checking (shared with watch)

/// Builds, grades each exercise in its own process, prints the table and the feedback,
/// and records the results in the progress file.
struct Checker {
    let session: Session
    let timeout: Double
    /// Whether what a passing exercise's code printed is shown too.
    var verbose = false

    @discardableResult
    func check(_ exercises: [ExerciseInfo]) throws -> [(exercise: ExerciseInfo, result: GradeResult)] {
        let s = session.style
        let grader = Grader(catalog: session.catalog)
        ChildGroup.installInterruptHandler()

        let changed = try grader.changedGradingFiles()
        guard changed.isEmpty else {
            throw TutorError.gradingFiles("the grading files differ from the course's: \(changed.prefix(4).joined(separator: ", "))\(changed.count > 4 ? " …" : "") — no verdict can be trusted, so nothing was graded; \(GradingFiles.restoreAdvice(changed))")
        }
        var fixtures: [Int: LessonFixtures] = [:]
        for n in Set(exercises.map(\.lesson)) { fixtures[n] = try grader.fixtures(lesson: n) }
        print(s.dim("Building (swift build --build-tests)…"))
        Terminal.flush()
        let buildStart = Date()
        try session.requireLessonFiles()
        try grader.build(lessons: Set(exercises.map(\.lesson)))
        let bundle = try grader.testBundle()
        let what = exercises.count == 1 ? "1 exercise in its own process" : "\(exercises.count) exercises, each in its own process"
        print(s.dim("Built in \(seconds(Date().timeIntervalSince(buildStart))). Grading \(what) (timeout \(Isolation.format(timeout)) s):"))
        print("")

        let width = min(44, exercises.map(\.title.count).max() ?? 0)
        print(s.dim("  \(pad("id", 5)) \(pad("exercise", width))  \(pad("result", 14)) time"))
        var results: [(exercise: ExerciseInfo, result: GradeResult)] = []
        for e in exercises {
            let r = grader.grade(e, bundle: bundle, fixtures: fixtures[e.lesson]!, timeout: timeout)
            results.append((e, r))
            let status = s.status(r.progressStatus)
            print("  \(pad(e.id, 5)) \(pad(clip(e.title, width), width))  \(status)\(String(repeating: " ", count: max(1, 15 - r.progressStatus.label.count)))\(seconds(r.seconds))")
            Terminal.flush()
        }

        let progress = session.progress.update { p in
            let now = Date()
            for (e, r) in results {
                p[e.id].status = r.progressStatus
                p[e.id].lastChecked = now
                p[e.id].seconds = r.seconds
            }
            p.lastCheck = now
        }

        let passed = results.filter { $0.result.status == .passed }.count
        print("")
        let all = results.count == 1 ? "It passes." : "All \(passed) pass."
        print(passed == results.count ? s.green(all) : "\(passed) of \(results.count) pass\(results.count == 1 ? "es" : "").")
        for (e, r) in results where r.status != .passed && r.status != .skipped {
            print("")
            print(s.bold("── \(e.id) \(e.title)") + s.dim(" (\(e.path)) — ") + s.status(r.progressStatus))
            print(indent(r.message))
            if !r.printed.isEmpty { print(indent(printedBlock(r.printed))) }
        }
        if verbose {
            for (e, r) in results where r.status == .passed && !r.printed.isEmpty {
                print("")
                print(s.bold("── \(e.id) \(e.title)") + s.dim(" (\(e.path)) — ") + s.status(r.progressStatus))
                print(indent(printedBlock(r.printed)))
            }
        }
        let notStarted = results.filter { $0.result.status == .skipped }.map(\.exercise.id)
        if !notStarted.isEmpty {
            print("")
            print(s.dim("Not started yet: \(notStarted.joined(separator: ", ")) (their stubs still throw TODO)."))
        }
        print("")
        print(nextLine(results, progress))
        Terminal.flush()
        return results
    }

    /// What the student's code printed, at most 20 lines, under its verdict.
    func printedBlock(_ printed: String) -> String {
        let lines = printed.split(separator: "\n", omittingEmptySubsequences: false)
        let shown = lines.prefix(20).joined(separator: "\n")
        return session.style.dim("What your code printed:") + "\n" + shown + (lines.count > 20 ? "\n" + session.style.dim("… (\(lines.count - 20) more lines)") : "")
    }

    /// The next step: the first selected exercise that does not pass, else the course's.
    func nextLine(_ results: [(exercise: ExerciseInfo, result: GradeResult)], _ progress: Progress) -> String {
        guard let first = results.first(where: { $0.result.status != .passed })?.exercise else { return session.nextLine(progress) }
        let verb = progress[first.id].status == .notStarted ? "write" : "fix"
        return "\(session.style.bold("Next:")) \(verb) `\(first.symbol)` in \(first.path), then `swift run tutor check \(first.id)` (stuck? `swift run tutor hint \(first.id)`)"
    }

    func seconds(_ x: Double) -> String { String(format: "%.1f s", x) }
}

extension ExerciseStatus {
    /// The status as the table prints it, without colour ("✓ passing").
    var label: String { Style.plain.status(self) }
}
