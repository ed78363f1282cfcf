import Foundation
import Instructor
@testable import TutorKit
import XCTest

/// Every `swift run tutor …` a README or a hint tells the student to type is a command the
/// tutor accepts: parsed (and validated) by the tutor's own argument parser.
final class ReadmeCommandsTests: XCTestCase {
    static let root = TutorTests.repositoryRoot

    /// The documents a student reads, relative to the root.
    static func documents() throws -> [String] {
        var paths = ["README.md"]
        for lesson in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Lessons").path).sorted() {
            paths += ["Lessons/\(lesson)/README.md", "Lessons/\(lesson)/lesson.json"]
        }
        return paths
    }

    /// `swift run tutor …` inside backticks, with the documentation's placeholders made real:
    /// `[optional]` parts dropped, the first of `a \| b`, N.k → 1.2, N → 1.
    static func commands(in text: String) -> [String] {
        let pattern = try! NSRegularExpression(pattern: "`swift run tutor([^`]*)`")
        return pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
            var c = String(text[Range(m.range(at: 1), in: text)!])
            c = c.replacingOccurrences(of: #"\[[^\]]*\]"#, with: "", options: .regularExpression)
            if let bar = c.range(of: #"\|"#) { c = String(c[..<bar.lowerBound]) }
            c = c.replacingOccurrences(of: "N.k", with: "1.2").replacingOccurrences(of: "N...", with: "1")
            c = c.replacingOccurrences(of: #"\bN\b"#, with: "1", options: .regularExpression)
            return c.trimmingCharacters(in: .whitespaces)
        }
    }

    func testEveryTutorCommandInTheDocumentsParses() throws {
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(Self.root.path)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }
        var count = 0
        for path in try Self.documents() {
            let text = try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
            for command in Self.commands(in: text) {
                // What follows `--` goes to the experiment, not to the tutor.
                let mine = command.components(separatedBy: " -- ").first!
                let arguments = mine.split(separator: " ").map(String.init)
                count += 1
                do {
                    // The course's tutor: the student's commands and the instructor's (grade).
                    _ = try InstructorTutorCommand.parseAsRoot(arguments)
                } catch {
                    XCTFail("\(path): `swift run tutor \(command)` is not a command the tutor accepts: \(TutorCommand.message(for: error))")
                }
            }
        }
        XCTAssertGreaterThan(count, 20, "the documents quote tutor commands")
    }

    func testAWrongCommandIsCaught() {
        // The check itself can fail: a command that does not exist is refused.
        XCTAssertThrowsError(try TutorCommand.parseAsRoot(["answers", "1"]))
        XCTAssertThrowsError(try TutorCommand.parseAsRoot(["questions", "1", "--solutions"]))
    }
}
