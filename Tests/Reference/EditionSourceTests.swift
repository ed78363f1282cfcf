import Foundation
@testable import TutorKit
import XCTest

/// The text transformations a student edition is made with (no build, no files written).
final class EditionSourceTests: XCTestCase {
    func testAMistakeKeepsItsWordsAndLosesItsCode() {
        let text = """
            mistakes: [
                Mistake("a", "title (with, commas)", feedback: "f \\(x) \\"quoted\\", (paren", helper(1, { $0 }) { g in g * 2 }),
                Mistake(
                    "b", "t",
                    feedback:
                        "multi, line"
                ) { p in
                    let s = "}" // a brace in a string and a comment }
                    return Variant("inner", "change", p)
                },
                Mistake("c", "t", feedback: #"raw "quote", too"#),
            ],
            variants: [Variant("v", "a change", { x in x.relu() })]
            """
        let edit = EditionSource.withoutImplementations(text)
        XCTAssertTrue(edit.text.contains(#"Mistake("a", "title (with, commas)", feedback: "f \(x) \"quoted\", (paren"),"#), edit.text)
        XCTAssertTrue(edit.text.contains("Mistake(\"b\", \"t\",\n        feedback:\n            \"multi, line\"),"), edit.text)
        XCTAssertTrue(edit.text.contains(##"Mistake("c", "t", feedback: #"raw "quote", too"#),"##), "an already short mistake stays: \(edit.text)")
        XCTAssertTrue(edit.text.contains(#"variants: [Variant("v", "a change")]"#), edit.text)
        for code in ["helper(1", "g * 2", "let s", "relu", "inner"] {
            XCTAssertFalse(edit.text.contains(code), "\(code) is left in:\n\(edit.text)")
        }
        // The code taken out is reported, the inner Variant with the Mistake it is in.
        XCTAssertEqual(edit.removed.count, 3, "\(edit.removed)")
        XCTAssertTrue(edit.removed.contains { $0.contains("g * 2") && $0.contains("helper(1, { $0 })") })
    }

    func testInstructorRegionsGoAndUnbalancedMarkersAreRefused() throws {
        let text = "a\n    // BEGIN INSTRUCTOR\n    static func helper() {}\n    // END INSTRUCTOR\nb"
        let edit = try EditionSource.withoutInstructorRegions(text, file: "X.swift")
        XCTAssertEqual(edit.text, "a\nb")
        XCTAssertEqual(edit.removed, ["    static func helper() {}"])
        XCTAssertThrowsError(try EditionSource.withoutInstructorRegions("// BEGIN INSTRUCTOR\nx", file: "X.swift"))
        XCTAssertThrowsError(try EditionSource.withoutInstructorRegions("x\n// END INSTRUCTOR", file: "X.swift"))
    }

    func testReferenceModulesBecomeTheLessons() {
        XCTAssertEqual(EditionSource.againstLessons("import Solution1\nreference: Solution12.f, Sources/Solutions/Lesson1, mySolution1"),
                       "import Lesson1\nreference: Lesson12.f, Sources/Solutions/Lesson1, mySolution1")
    }

    func testTheEditionsManifestAndCourseList() throws {
        let root = TutorTests.repositoryRoot
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let edition = try EditionSource.package(manifest, lessons: [0, 2])
        XCTAssertTrue(edition.contains("\nlet edition = true\n"))
        XCTAssertTrue(edition.contains("\nlet lessons = [0, 2]\n"))
        XCTAssertFalse(edition.contains("let edition = false"))
        // The instructor's packages (the gradebook's GRDB and SQLite) are not named at all.
        XCTAssertTrue(manifest.contains("GRDB"), "the course's manifest names the gradebook's package")
        for word in ["GRDB", "groue", "sqlite", "COURSE ONLY"] {
            XCTAssertFalse(edition.lowercased().contains(word.lowercased()), "the edition's Package.swift names \(word):\n\(edition)")
        }
        XCTAssertTrue(edition.contains("\nlet instructorPackages: [Package.Dependency] = []\nlet instructorProducts: [Target.Dependency] = []\n"), edition)
        XCTAssertThrowsError(try EditionSource.package("let edition = false\nlet lessons = [0]\n// BEGIN COURSE ONLY\nlet x: [Int] = [1]\n", lessons: [0]),
                             "a course-only part that does not end")
        // Nor does its Package.resolved: the gradebook's pin is dropped, the others kept.
        let pins = """
            {"originHash": "x", "pins": [
              {"identity": "grdb.swift", "kind": "remoteSourceControl", "location": "https://github.com/groue/GRDB.swift", "state": {"revision": "a", "version": "7.10.0"}},
              {"identity": "swift-argument-parser", "kind": "remoteSourceControl", "location": "https://github.com/apple/swift-argument-parser.git", "state": {"revision": "b", "version": "1.8.2"}}
            ], "version": 3}
            """
        let resolved = String(decoding: EditionSource.resolved(Data(pins.utf8), manifest: manifest), as: UTF8.self)
        XCTAssertFalse(resolved.lowercased().contains("grdb"), resolved)
        XCTAssertTrue(resolved.contains("swift-argument-parser.git"), resolved)
        XCTAssertThrowsError(try EditionSource.package("let lessons = [0]\n", lessons: [0]), "a manifest without the edition switch")
        let course = try String(contentsOf: root.appendingPathComponent("Sources/Grading/Course.swift"), encoding: .utf8)
        let trimmed = try EditionSource.course(course, lessons: [1, 3])
        XCTAssertTrue(trimmed.contains("= Lesson1Graders.all + Lesson3Graders.all\n"), trimmed)
        XCTAssertFalse(trimmed.contains("Lesson0Graders"))
    }

    func testAWithheldSolutionRendersTheSameStubs() throws {
        let files = LessonFiles(root: TutorTests.repositoryRoot)
        for path in files.solutionFiles(lesson: 2) {
            let pieces = try files.pieces(ofSolution: path)
            let withheld = EditionSource.withheld(pieces)
            let again = try Stubs.parse(solution: withheld, file: path)
            XCTAssertEqual(Stubs.render(again), Stubs.render(pieces), path)
            XCTAssertEqual(Stubs.exercises(in: again).map(\.exercise), Stubs.exercises(in: pieces).map(\.exercise), path)
            for body in Stubs.exercises(in: pieces) {
                XCTAssertFalse(EditionSource.squeezed(withheld).contains(EditionSource.squeezed(body.lines.joined(separator: "\n"))), "\(path): \(body.exercise)")
            }
        }
    }

    func testInstructorSectionsLeaveTheReadme() {
        let text = "# A\nkeep\n<!-- BEGIN INSTRUCTOR -->\n## For instructors\nsecret\n<!-- END INSTRUCTOR -->\n## Layout\n"
        XCTAssertEqual(EditionSource.readme(text), "# A\nkeep\n## Layout\n")
    }

    func testLessonListsParse() throws {
        XCTAssertEqual(try ReleaseCommand.parse("0-3", valid: [0, 1, 2, 3]), [0, 1, 2, 3])
        XCTAssertEqual(try ReleaseCommand.parse("2,0", valid: [0, 1, 2, 3]), [0, 2])
        XCTAssertThrowsError(try ReleaseCommand.parse("0-7", valid: [0, 1, 2, 3]))
        XCTAssertThrowsError(try ReleaseCommand.parse("3-1", valid: [0, 1, 2, 3]))
        XCTAssertThrowsError(try ReleaseCommand.parse("x", valid: [0, 1, 2, 3]))
    }
}
