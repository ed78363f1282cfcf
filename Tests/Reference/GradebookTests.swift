import Foundation
@testable import Instructor
import TutorKit
import XCTest

/// The gradebook (SQLite through GRDB) on made-up grading runs: one row per submission ×
/// exercise; the same files graded again add no result row, only a record of the run;
/// changed files add a version and keep the older ones; the points CSV says what the
/// gradebook holds. (ClassGradingTests records a real class's run too.)
final class GradebookTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gradebook-\(UUID().uuidString)")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    /// A submission to lesson 0 with these results for 0.1…0.4 ("p" passed, "f" failed as mistake "m", "n" not attempted).
    static func submission(_ student: String, _ verdicts: String, hash: String, worth: [String: Int] = [:]) -> SubmissionGrade {
        let exercises = zip(["0.1", "0.2", "0.3", "0.4"], verdicts).map { id, v in
            ExerciseGrade(student: student, lesson: 0, exercise: id, title: "exercise \(id)",
                          result: v == "p" ? .passed : v == "f" ? .failed : .notAttempted, stopped: nil,
                          mistake: v == "f" ? "m-\(id)" : nil, mistakeTitle: v == "f" ? "mistake \(id)" : nil, mistakeFeedback: v == "f" ? "think again" : nil,
                          reason: v == "p" ? "" : "why \(id)", message: "message \(id)", seconds: 0.5, filesHash: hash, worth: worth[id] ?? 1)
        }
        return SubmissionGrade(student: student, folder: "/class/\(student)", lesson: 0, filesHash: hash, taken: [], missing: [], ignored: [],
                               compiled: true, buildError: nil, buildErrorFile: nil, buildErrorLine: nil, buildSeconds: 1, seconds: 2, exercises: exercises)
    }

    static func run(_ submissions: [SubmissionGrade], at time: String = "2026-01-01T00:00:00Z") -> ClassGrades {
        ClassGrades(lesson: 0, gradedAt: time, timeoutSeconds: 60, memoryLimitBytes: 1 << 32, jobs: 2, landlock: 0,
                    firstBuildSeconds: 10, totalSeconds: 20, submissions: submissions)
    }

    /// The points CSV as student → (exercise → points), and each row's total.
    static func parse(_ csv: String, file: StaticString = #filePath, line: UInt = #line) -> [String: [String: Int]] {
        let rows = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = rows.first, header.first == "student", header.last == "total" else {
            XCTFail("no header `student,…,total`: \(csv)", file: file, line: line)
            return [:]
        }
        // The second row is what each exercise is worth, as learning platforms import it.
        guard rows.count > 1, rows[1].first == "Points Possible", rows[1].count == header.count,
              rows[1].dropFirst().allSatisfy({ Int($0) != nil }),
              Int(rows[1].last!) == rows[1].dropFirst().dropLast().compactMap({ Int($0) }).reduce(0, +) else {
            XCTFail("no row `Points Possible,…,total` after the header: \(csv)", file: file, line: line)
            return [:]
        }
        var out: [String: [String: Int]] = [:]
        for row in rows.dropFirst(2) {
            XCTAssertEqual(row.count, header.count, "\(row)", file: file, line: line)
            var points: [String: Int] = [:]
            for (k, id) in header.enumerated().dropFirst().dropLast() where !row[k].isEmpty { points[id] = Int(row[k]) }
            XCTAssertEqual(Int(row.last!), points.values.reduce(0, +), "\(row[0])'s total", file: file, line: line)
            out[row[0]] = points
        }
        return out
    }

    func testOneRowPerSubmissionAndExercise() throws {
        let book = try Gradebook(at: folder.appendingPathComponent("g.sqlite"))
        let ann = Self.submission("ann", "pfpn", hash: "a1"), bob = Self.submission("bob", "pppp", hash: "b1")
        let r = try book.record(Self.run([ann, bob]), submissionsFolder: "/class")
        XCTAssertEqual(r.newVersions, ["ann", "bob"])
        XCTAssertEqual(r.regraded, [])
        let c = try book.counts()
        XCTAssertEqual([c.runs, c.versions, c.results, c.graded], [1, 2, 8, 2])
        let versions = try book.versions(student: "ann", lesson: 0)
        XCTAssertEqual(versions.count, 1)
        XCTAssertEqual(versions.first?.filesHash, "a1")
        // What was graded is what is stored: verdict, mistake and its feedback, time, hash.
        XCTAssertEqual(try book.results(version: versions[0].id), ann.exercises)
    }

    func testTheSameFilesGradedAgainAddNoRows() throws {
        let url = folder.appendingPathComponent("g.sqlite")
        let ann = Self.submission("ann", "pfpn", hash: "a1"), bob = Self.submission("bob", "pppp", hash: "b1")
        try Gradebook(at: url).record(Self.run([ann, bob]), submissionsFolder: "/class")
        // A new process opens the same file: the run is recorded, no result row is added.
        let book = try Gradebook(at: url)
        let again = try book.record(Self.run([ann, bob], at: "2026-01-02T00:00:00Z"), submissionsFolder: "/class")
        XCTAssertEqual(again.newVersions, [])
        XCTAssertEqual(again.regraded, ["ann", "bob"])
        XCTAssertEqual(again.changedVerdicts, [])
        let c = try book.counts()
        XCTAssertEqual([c.runs, c.versions, c.results, c.graded], [2, 2, 8, 4])
        XCTAssertEqual(try book.versions(student: "ann", lesson: 0).map(\.runs), [[1, 2]])

        // Different verdicts for the same files (a changed course, a flaky grader): said, and the first kept.
        let flaky = Self.submission("ann", "pppp", hash: "a1")
        let third = try book.record(Self.run([flaky]), submissionsFolder: "/class")
        XCTAssertEqual(third.changedVerdicts, ["ann"])
        XCTAssertEqual(try book.counts().results, 8)
        XCTAssertEqual(try book.results(version: try book.versions(student: "ann", lesson: 0)[0].id), ann.exercises)
    }

    func testAChangedSubmissionIsANewVersionAndTheOldStays() throws {
        let book = try Gradebook(at: folder.appendingPathComponent("g.sqlite"))
        let first = Self.submission("ann", "fnnn", hash: "a1"), second = Self.submission("ann", "pppf", hash: "a2")
        try book.record(Self.run([first, Self.submission("bob", "pppp", hash: "b1")]), submissionsFolder: "/class")
        let r = try book.record(Self.run([second]), submissionsFolder: "/class")
        XCTAssertEqual(r.newVersions, ["ann"])
        XCTAssertEqual(try book.counts().results, 12)
        let versions = try book.versions(student: "ann", lesson: 0)
        XCTAssertEqual(versions.map(\.filesHash), ["a1", "a2"])
        XCTAssertEqual(versions.map(\.points), [0, 3])
        XCTAssertEqual(try book.results(version: versions[0].id), first.exercises, "the older version stays queryable")
        XCTAssertEqual(try book.results(version: versions[1].id), second.exercises)
        // Points come from the version graded last; bob, not graded again, keeps his.
        XCTAssertEqual(try book.points(lesson: 0).total("ann"), 3)
        XCTAssertEqual(try book.points(lesson: 0).total("bob"), 4)
        // Going back to the first files: no new rows, and they count again.
        try book.record(Self.run([first]), submissionsFolder: "/class")
        XCTAssertEqual(try book.counts().results, 12)
        XCTAssertEqual(try book.points(lesson: 0).total("ann"), 0)
        XCTAssertEqual(try book.versions(student: "ann", lesson: 0).map(\.runs), [[1, 3], [2]])
    }

    func testThePointsCSVAgreesWithTheGradebook() throws {
        let book = try Gradebook(at: folder.appendingPathComponent("g.sqlite"))
        // 0.4 is worth 3 (as a lesson.json "points" would say); a name that needs quoting… has none here, commas are not in folder names we make.
        let class_ = [Self.submission("ann", "pfpn", hash: "a1", worth: ["0.4": 3]), Self.submission("bob", "pppp", hash: "b1", worth: ["0.4": 3]),
                      Self.submission("cy", "nnnn", hash: "c1", worth: ["0.4": 3])]
        try book.record(Self.run(class_), submissionsFolder: "/class")
        let csvFile = folder.appendingPathComponent("points.csv")
        try GradebookCommand.export(book, lesson: 0, to: csvFile.path)
        let text = try String(contentsOf: csvFile, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("student,0.1,0.2,0.3,0.4,total\nPoints Possible,1,1,1,3,6\n"), text)
        let csv = Self.parse(text)
        XCTAssertEqual(Set(csv.keys), ["ann", "bob", "cy"])
        for s in class_ {
            XCTAssertEqual(csv[s.student], Dictionary(uniqueKeysWithValues: s.exercises.map { ($0.exercise, $0.points) }), s.student)
            XCTAssertEqual(csv[s.student]?.values.reduce(0, +), s.points, s.student)
            // …and with what the gradebook stores, row by row.
            let version = try XCTUnwrap(book.versions(student: s.student, lesson: 0).last)
            XCTAssertEqual(try book.results(version: version.id).reduce(0) { $0 + $1.points }, csv[s.student]?.values.reduce(0, +))
        }
        XCTAssertEqual(csv["bob"]?["0.4"], 3)
        XCTAssertEqual(csv["ann"]?["0.4"], 0)
    }

    func testTheGradebookCommandChecksItsOptions() {
        XCTAssertThrowsError(try InstructorTutorCommand.parseAsRoot(["gradebook", "--history", "ann"]), "--history without --lesson")
        XCTAssertNoThrow(try InstructorTutorCommand.parseAsRoot(["gradebook", "--lesson", "0", "--history", "ann"]))
        XCTAssertNoThrow(try InstructorTutorCommand.parseAsRoot(["grade", "class", "--lesson", "0", "--csv", "points.csv", "--gradebook", "g.sqlite"]))
    }
}
