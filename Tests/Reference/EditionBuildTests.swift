import Foundation
import Grading
@testable import TutorKit
import XCTest

/// The student edition, end to end: written, set up, built and graded on its own. Building a
/// package from scratch takes minutes, so this one test runs only when asked:
/// `.ci/edition` runs it (`UNROLLED_EDITION_BUILD=DIR`, DIR the folder to build in, or 1 for
/// a temporary one) and prints how long it took.
final class EditionBuildTests: XCTestCase {
    func testAnEditionBuildsAndGradesOnItsOwn() throws {
        guard let asked = ProcessInfo.processInfo.environment["UNROLLED_EDITION_BUILD"], !asked.isEmpty else {
            throw XCTSkip("builds a whole edition: run .ci/edition (or set UNROLLED_EDITION_BUILD=DIR)")
        }
        let course = TutorTests.repositoryRoot
        let out = asked == "1" ? FileManager.default.temporaryDirectory.appendingPathComponent("edition-\(UUID().uuidString)") : URL(fileURLWithPath: asked)
        let lessons = Catalog.lessonNumbers(root: course)
        try Edition.release(course: course, to: out, lessons: lessons, force: true)
        let graded = Course.exercises.filter { lessons.contains($0.lesson) }.count

        // Fresh stubs: it sets up, builds, and every grader is skipped.
        try run(["bash", "start.sh", "--setup-only"], in: out)
        let fresh = try run(["swift", "test"], in: out)
        XCTAssertTrue(fresh.contains("Executed \(graded) tests, with \(graded) tests skipped and 0 failures"), Self.summary(fresh))

        // Its Classroom workflow: the build step, then a stub's test fails (a skipped grader earns no points).
        let workflow = try String(contentsOf: out.appendingPathComponent(Classroom.workflowPath), encoding: .utf8)
        let steps = Self.workflowCommands(workflow)
        XCTAssertEqual(steps.graded.count, graded, "one Classroom test per exercise")
        try run(["bash", "-c", try XCTUnwrap(steps.build)], in: out)
        let classroom = try XCTUnwrap(steps.graded.first)
        let unwritten = try Subprocess.run(["bash", "-c", classroom], in: out, timeout: 1800)
        XCTAssertFalse(unwritten.succeeded, "`\(classroom)` passes on a stub: Classroom would give its points:\n\(Self.summary(unwritten.output))")

        // With the solutions published (the instructor's, then the edition's own command): nothing skipped, nothing failing.
        try Edition.publish(course: course, to: out, lessons: lessons)
        try run(["swift", "run", "tutor", "publish", "--all"], in: out)
        let solved = try run(["swift", "test"], in: out)
        XCTAssertTrue(solved.contains("Executed \(graded) tests, with 0 failures"), Self.summary(solved))
        try run(["bash", "-c", classroom], in: out)  // the same Classroom test passes on the solution

        // Known mistakes planted in its lesson files get the course's own diagnosis.
        let planted: [(exercise: String, mistake: String, file: String, from: String, to: String)] = [
            ("0.3", "no-max-subtraction", "Lessons/Lesson0/Softmax.swift",
             "    let m = try logits.max(axis: -1, keepDims: true).detached()\n    let e = try (logits - m).exp()", "    let e = logits.exp()"),
            ("0.4", "climbed-the-gradient", "Lessons/Lesson0/FitLine.swift", "w - w.grad! * lr)\n            try b.assign(b - b.grad! * lr)",
             "w + w.grad! * lr)\n            try b.assign(b + b.grad! * lr)"),
        ]
        for p in planted {
            let text = try String(contentsOf: out.appendingPathComponent(p.file), encoding: .utf8)
            XCTAssertTrue(text.contains(p.from), "\(p.file) holds the reference body")
            try Data(text.replacingOccurrences(of: p.from, with: p.to).utf8).write(to: out.appendingPathComponent(p.file))
        }
        let checked = try run(["swift", "run", "tutor", "check", "0.3", "0.4"], in: out, mayFail: true)
        let lines = Set(checked.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
        for p in planted {
            let verdict = try XCTUnwrap(Self.courseVerdict(p.exercise, mistake: p.mistake))
            XCTAssertEqual(verdict.mistake?.id, p.mistake)
            for line in verdict.description.split(separator: "\n") {
                XCTAssertTrue(lines.contains(line.trimmingCharacters(in: .whitespaces)), "\(p.exercise): the edition does not say «\(line)»:\n\(checked)")
            }
        }
        if asked == "1" { try? FileManager.default.removeItem(at: out) }
    }

    /// The course's verdict, in this process, on exercise `id`'s known mistake `mistake`.
    static func courseVerdict(_ id: String, mistake: String) -> Verdict? {
        switch id {
        case "0.3": return Lesson0Graders.softmax.mistakes.first { $0.id == mistake }.map { Lesson0Graders.softmax.grade($0.implementation) }
        case "0.4": return Lesson0Graders.fitLine.mistakes.first { $0.id == mistake }.map { Lesson0Graders.fitLine.grade($0.implementation) }
        default: return nil
        }
    }

    /// Runs a command in `directory`; its output, after a failure unless `mayFail`.
    @discardableResult
    func run(_ arguments: [String], in directory: URL, mayFail: Bool = false) throws -> String {
        let started = Date()
        let result = try Subprocess.run(arguments, in: directory, timeout: 1800)
        print("edition: `\(arguments.joined(separator: " "))` took \(Int(Date().timeIntervalSince(started))) s")
        if !mayFail, !result.succeeded { XCTFail("`\(arguments.joined(separator: " "))` failed in \(directory.path):\n\(Self.summary(result.output))") }
        return result.output
    }

    /// The Classroom workflow's build step (`run:` after `- name: Build once`) and the
    /// commands of its graded steps, in order.
    static func workflowCommands(_ yaml: String) -> (build: String?, graded: [String]) {
        let lines = yaml.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        func value(_ line: String, _ key: String) -> String? {
            guard line.hasPrefix(key + ": ") else { return nil }
            let v = line.dropFirst(key.count + 2)
            return v.hasPrefix("'") && v.hasSuffix("'") ? String(v.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'") : String(v)
        }
        let build = lines.firstIndex(of: "- name: Build once").flatMap { i in lines.dropFirst(i + 1).lazy.compactMap { value($0, "run") }.first }
        return (build, lines.compactMap { value($0, "command") })
    }

    /// The end of a long log.
    static func summary(_ output: String) -> String { output.split(separator: "\n").suffix(25).joined(separator: "\n") }
}
