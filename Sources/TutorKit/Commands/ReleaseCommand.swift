import ArgumentParser
import Foundation

/// `tutor release --out DIR [--lessons 0-3] [--force]` (instructor): writes a student
/// edition — stubs, graders on recorded fixtures, no solution and no known mistake's code.
struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Instructor: write a student edition (no solutions, no known mistakes' code) into a new folder.",
        discussion: """
            The edition builds and grades on its own: its graders compare with the recorded fixtures. \
            In it, `bash start.sh --setup-only && swift test` passes with every grader skipped. After the \
            deadline, `swift run tutor publish --out DIR N` adds lesson N's solutions to it.
            """
    )

    @Option(help: ArgumentHelp("The folder to write the edition into (new or empty).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("The lessons to release: a range or a list, e.g. 0-3 or 0,1 (default: all).", valueName: "lessons"))
    var lessons: String?

    @Flag(help: "Replace what is in the folder (its .build and .git are kept).")
    var force = false

    func validate() throws {
        let catalog = try Catalog.current()
        if let lessons { _ = try Self.parse(lessons, valid: catalog.lessons.map(\.lesson)) }
    }

    /// "0-3", "0,2" or "1" as lesson numbers, each one the course has.
    static func parse(_ text: String, valid: [Int]) throws -> [Int] {
        var numbers: [Int] = []
        for part in text.split(separator: ",") {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(ends.count), let low = ends.first!, let high = ends.last!, low <= high else {
                throw TutorError.badOption("--lessons \(text): give a range or a list of lessons, e.g. 0-3 or 0,1; valid lessons: \(valid.map(String.init).joined(separator: ", "))")
            }
            numbers += Array(low...high)
        }
        if let bad = numbers.first(where: { !valid.contains($0) }) {
            throw TutorError.unknownLesson("\(bad)", valid: valid.map(String.init).joined(separator: ", "))
        }
        guard !numbers.isEmpty else { throw TutorError.badOption("--lessons \(text): no lessons given") }
        return Array(Set(numbers)).sorted()
    }

    func run() throws {
        let session = try Session.open()
        let all = session.catalog.lessons.map(\.lesson)
        let chosen = try lessons.map { try Self.parse($0, valid: all) } ?? all
        let out = URL(fileURLWithPath: out, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL
        let release = try Edition.release(course: session.root, to: out, lessons: chosen, force: force)
        let s = session.style
        print("Wrote the student edition of lesson\(chosen.count == 1 ? "" : "s") \(chosen.map(String.init).joined(separator: ", ")) to \(out.path): \(release.files.count) files, no solution and no known mistake's code (\(release.withheld.count) pieces withheld).")
        print("It grades itself on GitHub Classroom: \(Classroom.workflowPath), one test per exercise (README, instructors: Classroom).")
        print("\(s.bold("Next:")) in it, `bash start.sh --setup-only && swift test` (every grader skipped); after the deadline, `swift run tutor publish --out \(out.path) N` adds lesson N's solutions.")
    }
}
