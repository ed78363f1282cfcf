import ArgumentParser
import Foundation
import Grading

/// `tutor verify` (instructor): the course is consistent and every grader proves itself.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Instructor: prove the course consistent and every grader right; exit non-zero on any problem.",
        discussion: """
            Checks that every lesson.json decodes, with 3 hints, a stub file and a test per exercise; \
            that each lesson file equals its solution outside the exercise bodies; that lesson.json, \
            the solution files and the graders list the same ids; and that every grader passes the \
            reference and rejects each known mistake with its own diagnosis, live and against the \
            recorded fixtures; and that the grading files match their recorded digests. After \
            changing a grader, a probe or a solution: `swift run tutor verify --record`.
            """
    )

    @Flag(help: "First record the fixtures (every reference's and known mistake's outcomes, run here) and the grading files' digests.")
    var record = false

    func validate() throws {
        if Course.isStudentEdition { throw TutorError.studentEdition(command: "verify") }
        _ = try Catalog.findRoot()
    }

    func run() throws {
        let root = try Catalog.findRoot()
        let style = Style.standard
        print(style.dim("Verifying the course (graders are proven against the reference and every known mistake)…"))
        Terminal.flush()
        let verifier = CourseVerifier(root: root)
        if record {
            for path in try verifier.record() { print(style.dim("wrote \(path)")) }
        }
        let report = verifier.run()
        for problem in report.problems { print(style.red("✗ ") + problem) }
        print(report.problems.isEmpty ? style.green("✓ ") + report.summary : report.summary)
        if !report.problems.isEmpty { throw TutorError.verifyFailed(problems: report.problems.count) }
    }
}
