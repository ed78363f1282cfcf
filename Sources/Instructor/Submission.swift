import Foundation
import Grading
import TutorKit

/// One student's submission: a folder (or a git checkout) of the student edition. Only its
/// lesson files are graded; every other file it changed is named, and ignored.
struct Submission: Sendable {
    /// The folder's name: the student, as the report names them.
    let student: String
    let folder: URL

    /// Every folder in `dir` but hidden ones, by name.
    static func all(in dir: URL) throws -> [Submission] {
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        return names.compactMap { name in
            var isDir: ObjCBool = false
            let url = dir.appendingPathComponent(name)
            guard !name.hasPrefix("."), FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else { return nil }
            return Submission(student: name, folder: url)
        }
    }

    /// Folders never read: builds, version control, the tutor's own state.
    static let skipped: Set<String> = [".build", ".git", ".swiftpm", ".tutor", ".build-grade"]

    /// What is taken from a submission, and what is not.
    struct Taken {
        /// The lesson files it gives, by path ("Lessons/Lesson0/Sigmoid.swift").
        var files: [String: Data] = [:]
        /// Lesson files it does not have: graded as the stub.
        var missing: [String] = []
        /// Files it changed or added that are not graded, each with why ("changed", "added", "not a lesson file").
        var ignored: [String] = []
        /// SHA-256 of the graded files (path and text of each), for the gradebook.
        var hash = ""
    }

    /// Takes the lesson files of `copy` from this submission; names the other files that
    /// differ from `edition` (the student edition as released, nil when unknown).
    func take(for copy: GradingCopy, edition: URL?) -> Taken {
        var taken = Taken()
        for path in copy.lessonFiles {
            if let data = FileManager.default.contents(atPath: folder.appendingPathComponent(path).path) {
                taken.files[path] = data
            } else {
                taken.missing.append(path)
            }
        }
        var digest = Data()
        for path in copy.lessonFiles {
            digest += Data("\(path)\n".utf8) + (taken.files[path] ?? copy.stubs[path]!) + Data("\n".utf8)
        }
        taken.hash = SHA256.hex(digest)
        let lessonDir = "Lessons/Lesson\(copy.lesson)/"
        for path in GradingCopy.files(under: folder, skipping: Self.skipped) where taken.files[path] == nil {
            if path.hasPrefix(lessonDir), path.hasSuffix(".swift"), !path.dropFirst(lessonDir.count).contains("/") {
                taken.ignored.append("\(path) (not a file of lesson \(copy.lesson))")
                continue
            }
            guard let edition else { continue }
            let mine = FileManager.default.contents(atPath: folder.appendingPathComponent(path).path)
            guard let released = FileManager.default.contents(atPath: edition.appendingPathComponent(path).path) else {
                taken.ignored.append("\(path) (added)")
                continue
            }
            if mine != released { taken.ignored.append("\(path) (changed)") }
        }
        // The course's files first: a student's other lessons are their own business.
        let lessons = taken.ignored.filter { $0.hasPrefix("Lessons/") || $0.hasPrefix("Play/") }
        taken.ignored = taken.ignored.filter { !($0.hasPrefix("Lessons/") || $0.hasPrefix("Play/")) } + lessons
        return taken
    }

    /// The lessons of the edition this submission was made from (its edition.json), if it says.
    var editionLessons: [Int]? { Edition.manifest(root: folder)?.lessons }
}
