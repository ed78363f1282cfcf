import Foundation
import Grading
@testable import TutorKit
import XCTest

/// `tutor release` and `tutor publish --out`, without building the edition (that is
/// `EditionBuildTests`, run by .ci/edition): what it holds, and what it must not.
final class EditionTests: XCTestCase {
    static let course = TutorTests.repositoryRoot

    /// A fresh folder, removed after the test.
    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("edition-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Every file under `root` (relative paths), .build left out.
    static func files(_ root: URL) -> [String] {
        let base = root.standardizedFileURL.path
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        var out: [String] = []
        while let url = walker?.nextObject() as? URL {
            if url.lastPathComponent == ".build" { walker?.skipDescendants(); continue }
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                out.append(String(url.standardizedFileURL.path.dropFirst(base.count + 1)))
            }
        }
        return out.sorted()
    }

    /// What must never ship, taken from the course: every reference body, and the code of
    /// every known mistake and variant and of their helpers.
    static func withheldCode() throws -> (bodies: [String], mistakes: [String]) {
        let files = LessonFiles(root: course)
        var bodies: [String] = []
        for n in Catalog.lessonNumbers(root: course) {
            for path in files.solutionFiles(lesson: n) {
                bodies += Stubs.exercises(in: try files.pieces(ofSolution: path)).map { $0.lines.joined(separator: "\n") }
            }
        }
        var mistakes: [String] = []
        let graders = try Edition.graderFiles(course: course, lessons: Catalog.lessonNumbers(root: course)).filter {
            Edition.lessonOfGrader(($0 as NSString).lastPathComponent) != nil
        }
        let builders = EditionSource.builderNames(try graders.map(files.read))
        for path in graders { mistakes += try EditionSource.grading(try files.read(path), file: path, builders: builders).removed }
        return (bodies, mistakes)
    }

    func testAnEditionHoldsTheStudentsFilesAndNoSolutionOrMistake() throws {
        let out = try temporaryFolder()
        try Edition.release(course: Self.course, to: out, lessons: [0, 1, 2, 3], force: false)
        let files = Self.files(out)
        for needed in ["Package.swift", "start.sh", "README.md", "edition.json", "Tests/Exercises/Support.swift", "Tests/Exercises/Lesson3Tests.swift",
                       "Lessons/Lesson0/lesson.json", "Lessons/Lesson0/Sigmoid.swift", "Sources/Solutions/Lesson0/Sigmoid.swift", "Sources/Grading/Lesson3.swift",
                       "Sources/Grading/Fixtures/Lesson2.json", "Sources/Grading/Fixtures/grading.sha256", "Sources/TutorKit/Commands/CheckCommand.swift",
                       "Sources/Experiments/Lesson1/main.swift", "Play/Lesson0/main.swift"] {
            XCTAssertTrue(files.contains(needed), "the edition has no \(needed)")
        }
        for path in files {
            for gone in ["Tests/Reference/", "Sources/AutogradBench/", "Benchmarks/", ".ci/"] {
                XCTAssertFalse(path.hasPrefix(gone), "the edition has \(path)")
            }
        }
        // Nothing of the instructor's tools: the gradebook's package is named in no file that builds the edition.
        for path in ["Package.swift", "Package.resolved"] where files.contains(path) {
            let text = try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8)
            XCTAssertFalse(text.lowercased().contains("grdb"), "the edition's \(path) names GRDB")
        }
        XCTAssertFalse(files.contains { $0.hasPrefix("Sources/Instructor/") || $0.hasPrefix("Sources/GradeSandbox/") }, "the edition has the instructor's sources")
        // Nothing that computes an answer, wherever it is.
        let (bodies, mistakes) = try Self.withheldCode()
        XCTAssertEqual(bodies.count, Course.exercises.count, "every exercise has a reference body")
        XCTAssertGreaterThan(mistakes.count, 200, "the known mistakes' code is found in the course")
        // Pieces too short to look for only name code kept out elsewhere (`make(f)`): no operator, no literal.
        let short = (bodies + mistakes).map(EditionSource.squeezed).filter { $0.count < Edition.shortestTelling }
        XCTAssertEqual(short.filter { $0.range(of: #"^[\w.${}() ]*$"#, options: .regularExpression) == nil }, [], "short pieces that compute")
        XCTAssertTrue(bodies.allSatisfy { EditionSource.squeezed($0).count >= Edition.shortestTelling }, "every reference body is looked for")
        let leaks = Edition.leaks(in: out, of: bodies + mistakes)
        XCTAssertTrue(leaks.isEmpty, "code that computes an answer is in the edition: \(leaks.prefix(5))")
        for path in files where path.hasSuffix(".swift") && (path.hasPrefix("Sources/Grading/") || path.hasPrefix("Tests/")) {
            let text = try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8)
            XCTAssertNil(text.range(of: #"\bSolution\d+\b"#, options: .regularExpression), "\(path) names a reference module")
            XCTAssertFalse(text.contains(EditionSource.beginInstructor), "\(path) has an instructor region")
        }
        // The check itself can fail: a reference body planted in the edition is found.
        try FileAccess.write(Data(("// notes\n" + bodies[5]).utf8), to: "Play/Lesson0/notes.swift", root: out)
        XCTAssertEqual(Edition.leaks(in: out, of: bodies + mistakes).map(\.file), ["Play/Lesson0/notes.swift"])
    }

    func testAnEditionsGradingFilesMatchItsOwnDigestsAndItsLessonsAreStubs() throws {
        let out = try temporaryFolder()
        try Edition.release(course: Self.course, to: out, lessons: [0, 2], force: false)
        XCTAssertEqual(try GradingFiles.changes(root: out), [], "the edition records its own digests")
        XCTAssertEqual(Edition.manifest(root: out), Edition.Manifest(lessons: [0, 2], solutions: []))
        XCTAssertEqual(Catalog.lessonNumbers(root: out), [0, 2])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("Sources/Grading/Lesson1.swift").path))
        let course = try String(contentsOf: out.appendingPathComponent("Sources/Grading/Course.swift"), encoding: .utf8)
        XCTAssertTrue(course.contains("Lesson0Graders.all + Lesson2Graders.all\n"))
        // The lesson files are the stubs, whatever the course's own lesson files hold.
        let files = LessonFiles(root: Self.course)
        for path in files.solutionFiles(lesson: 2) {
            let stub = Stubs.render(try files.pieces(ofSolution: path))
            XCTAssertEqual(try String(contentsOf: out.appendingPathComponent(LessonFiles.lessonPath(forSolution: path)), encoding: .utf8), stub)
        }
        // The probe data of the training graders is in the fixtures the edition reads.
        let fixtures = try LessonFixtures.load(lesson: 2, root: out)
        let data = try XCTUnwrap(fixtures.outcomes["2.8"]?[LessonFixtures.probeDataKey], "2.8's probe data")
        XCTAssertEqual(data["2.8 long run: inputs"]?.shape, [500, 6, 3])
        XCTAssertNotNil(ProbeData.shared["2.8 traced run: targets"], "reading the fixtures makes the probe data available")
        // The solutions are not released: the tutor says so.
        XCTAssertThrowsError(try Edition.requireSolutions(lesson: 2, root: out)) { error in
            XCTAssertEqual(error as? TutorError, .notReleased(lesson: 2))
        }
        XCTAssertNoThrow(try Edition.requireSolutions(lesson: 2, root: Self.course), "the course shows its solutions")
    }

    func testPublishingALessonAddsItsSolutionsOnly() throws {
        let out = try temporaryFolder()
        try Edition.release(course: Self.course, to: out, lessons: [0, 1], force: false)
        try Edition.publish(course: Self.course, to: out, lessons: [1])
        XCTAssertEqual(Edition.manifest(root: out)?.solutions, [1])
        XCTAssertEqual(try GradingFiles.changes(root: out), [], "publishing records the new digests")
        XCTAssertNoThrow(try Edition.requireSolutions(lesson: 1, root: out))
        XCTAssertThrowsError(try Edition.requireSolutions(lesson: 0, root: out))
        // The edition's `tutor publish 1` writes the reference bodies into its lesson files.
        let course = LessonFiles(root: Self.course), edition = LessonFiles(root: out)
        let changes = try edition.published(lesson: 1)
        XCTAssertEqual(changes.map(\.path), course.solutionFiles(lesson: 1).map(LessonFiles.lessonPath(forSolution:)))
        for (change, solution) in zip(changes, course.solutionFiles(lesson: 1)) {
            for body in Stubs.exercises(in: try course.pieces(ofSolution: solution)) {
                XCTAssertTrue(change.text.contains(body.lines.joined(separator: "\n")), "\(change.path) gets the reference of \(body.exercise)")
            }
        }
        let (bodies, _) = try Self.withheldCode()
        let leaked = Set(Edition.leaks(in: out, of: bodies).map(\.file))
        XCTAssertEqual(leaked, Set(course.solutionFiles(lesson: 1)), "lesson 1's solutions, and nothing of lesson 0's")
        XCTAssertThrowsError(try Edition.publish(course: Self.course, to: out, lessons: [2]), "a lesson the edition does not have")
        XCTAssertThrowsError(try Edition.publish(course: Self.course, to: Self.course, lessons: [1]), "the course is not an edition")
    }

    func testReleaseRefusesAFolderInUseAndTheCourseItself() throws {
        let out = try temporaryFolder()
        try FileManager.default.createDirectory(at: out.appendingPathComponent(".build"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: out.appendingPathComponent("notes.txt"))
        XCTAssertThrowsError(try Edition.release(course: Self.course, to: out, lessons: [0], force: false)) { error in
            XCTAssertTrue("\(error)".contains("not empty"), "\(error)")
        }
        try Edition.release(course: Self.course, to: out, lessons: [0], force: true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.appendingPathComponent("notes.txt").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(".build").path), "--force keeps the build")
        // Asked, not tried: a folder that holds the course is never emptied.
        XCTAssertNotNil(Edition.holdsCourse(Self.course, course: Self.course))
        XCTAssertNotNil(Edition.holdsCourse(Self.course.deletingLastPathComponent(), course: Self.course))
        XCTAssertNil(Edition.holdsCourse(out, course: Self.course))
        XCTAssertThrowsError(try Edition.release(course: out, to: try temporaryFolder(), lessons: [0], force: false), "an edition is not released again") { error in
            XCTAssertEqual(error as? TutorError, .studentEdition(command: "release"))
        }
    }

    /// The Classroom workflow lists one graded step per released exercise (and no other),
    /// each running `tutor check N.k` for the points lesson.json gives, and reports them all.
    func testTheClassroomWorkflowGradesEachReleasedExerciseForItsPoints() throws {
        let out = try temporaryFolder()
        try Edition.release(course: Self.course, to: out, lessons: [0, 1], force: false)
        let yaml = try String(contentsOf: out.appendingPathComponent(Classroom.workflowPath), encoding: .utf8)
        let released = try Catalog.load(root: Self.course).lessons.filter { [0, 1].contains($0.lesson) }.flatMap(\.exercises)
        XCTAssertFalse(released.isEmpty)
        XCTAssertFalse(yaml.contains("\t"), "YAML takes no tabs")

        // The steps: items of the list under `steps:`, each a map of `key: value` lines.
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let stepsAt = try XCTUnwrap(lines.firstIndex(of: "    steps:"))
        var steps: [[String: String]] = []
        for line in lines[(stepsAt + 1)...] where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            guard line.hasPrefix("    ") else { XCTFail("a line outside the job after its steps: \(line)"); break }
            var body = Substring(line)
            if line.hasPrefix("    - ") { steps.append([:]); body = body.dropFirst(6) }
            guard let colon = body.firstIndex(of: ":") else { XCTFail("not a `key: value` line: \(line)"); continue }
            let key = body[..<colon].trimmingCharacters(in: .whitespaces)
            var value = body[body.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("'"), value.hasSuffix("'") {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "''", with: "'")
            } else if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            steps[steps.count - 1][key] = value
        }
        let graded = steps.filter { $0["uses"] == "classroom-resources/autograding-command-grader@v1" }
        XCTAssertEqual(graded.map { $0["id"] ?? "" }, released.map(Classroom.stepID), "one step per released exercise, in order")
        XCTAssertEqual(Set(graded.compactMap { $0["id"] }).count, graded.count, "step ids are unique")
        for (step, e) in zip(graded, released) {
            XCTAssertEqual(step["command"], "swift run tutor check \(e.id)")
            XCTAssertEqual(step["max-score"], "\(e.points ?? 1)", e.id)
            XCTAssertEqual(step["test-name"], "\(e.id) \(e.title)")
            XCTAssertEqual(step["timeout"].flatMap(Int.init).map { $0 > 0 && $0 <= 60 }, true, "\(e.id): a timeout in minutes, 1 to 60")
        }
        // Built once, before the graded steps.
        let build = try XCTUnwrap(steps.firstIndex { $0["run"] == "swift build --build-tests" })
        XCTAssertLessThan(build, try XCTUnwrap(steps.firstIndex { $0["uses"] == "classroom-resources/autograding-command-grader@v1" }))
        XCTAssertTrue(steps.contains { $0["run"] == "bash start.sh --setup-only" }, "OpenBLAS is set up")

        // The reporter, last, reads every step's result.
        let reporter = try XCTUnwrap(steps.last)
        XCTAssertEqual(reporter["uses"], "classroom-resources/autograding-grading-reporter@v1")
        XCTAssertEqual(reporter["runners"], released.map(Classroom.stepID).joined(separator: ","))
        for id in released.map(Classroom.stepID) {
            XCTAssertEqual(reporter["\(id.uppercased())_RESULTS"], "${{steps.\(id).outputs.result}}")
        }
    }
}
