import Foundation
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Lesson metadata (Lessons/LessonN/lesson.json)

/// One lesson's metadata, as written in `Lessons/LessonN/lesson.json`.
public struct LessonInfo: Codable, Equatable, Sendable {
    public var lesson: Int
    public var title: String
    public var summary: String
    public var exercises: [ExerciseInfo]
    public var questions: [Question]?

    public struct Question: Codable, Equatable, Sendable {
        public var question: String
        public var answer: String
    }
}

/// One exercise's metadata: where its stub is, which test grades it, and its hints.
public struct ExerciseInfo: Codable, Equatable, Sendable {
    /// "N.k".
    public var id: String
    public var title: String
    /// The lesson file that holds the stub, relative to `Lessons/LessonN/`.
    public var file: String
    /// The function or member the student writes ("sigmoid(_:)").
    public var symbol: String
    /// The XCTest method in `LessonNTests` ("test_0_1_sigmoid").
    public var test: String
    /// From a nudge (level 1, a question) to nearly the answer (level 3).
    public var hints: [String]
    /// What passing it is worth in `tutor grade`'s gradebook (1 when not given).
    public var points: Int?

    /// The lesson number ("3" of "3.2").
    public var lesson: Int { ExerciseID(id)?.lesson ?? -1 }
    /// The stub's file relative to the package root.
    public var path: String { "Lessons/Lesson\(lesson)/\(file)" }
    /// The reference's file relative to the package root.
    public var solutionPath: String { "Sources/Solutions/Lesson\(lesson)/\(file)" }
    /// What XCTest is given to run this exercise alone.
    public var testFilter: String { "Exercises.Lesson\(lesson)Tests/\(test)" }
}

// MARK: - The course on disk

/// The course as the tutor sees it: the package root and every lesson's metadata, in
/// order. The course's lessons are the `Lessons/LessonN` folders that exist; those whose
/// lesson.json is missing or broken are listed in `broken`, so one bad file stops only
/// the commands about its own lesson.
public struct Catalog: Sendable {
    public let root: URL
    public let lessons: [LessonInfo]
    /// The lessons whose lesson.json did not load, and why.
    public let broken: [BrokenLesson]

    /// A lesson whose lesson.json is missing or does not decode.
    public struct BrokenLesson: Equatable, Sendable {
        public var lesson: Int
        /// "Lessons/LessonN/lesson.json".
        public var path: String
        /// What is wrong with it, in one line.
        public var problem: String

        /// The error for a command about this lesson.
        public var error: TutorError { .brokenLesson(lesson: lesson, path: path, problem: problem) }
        /// The warning for a command about another lesson.
        public var warning: String { "\(path) is broken (\(problem)); lesson \(lesson) is left out until that file is fixed" }
    }

    public init(root: URL, lessons: [LessonInfo], broken: [BrokenLesson] = []) {
        self.root = root
        self.lessons = lessons.sorted { $0.lesson < $1.lesson }
        self.broken = broken.sorted { $0.lesson < $1.lesson }
    }

    /// Loads every lesson.json under `root`. With `skippingBroken`, a missing or broken
    /// one is remembered in `broken`; without, the first one is the error.
    public static func load(root: URL, skippingBroken: Bool = false) throws -> Catalog {
        var lessons: [LessonInfo] = []
        var broken: [BrokenLesson] = []
        for n in lessonNumbers(root: root) {
            switch loadLesson(n, root: root) {
            case .success(let info): lessons.append(info)
            case .failure(let error):
                guard skippingBroken, case .badLessonFile(let path, let problem) = error else { throw error }
                broken.append(BrokenLesson(lesson: n, path: path, problem: problem))
            }
        }
        return Catalog(root: root, lessons: lessons, broken: broken)
    }

    /// Finds the course from the current directory and loads it; a broken lesson.json
    /// stops only the commands about its lesson (see `broken`).
    public static func current() throws -> Catalog {
        try load(root: try findRoot(), skippingBroken: true)
    }

    /// The current directory, or the nearest parent, that has Package.swift and Lessons/.
    public static func findRoot(from start: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) throws -> URL {
        var dir = start.standardizedFileURL
        while true {
            let fm = FileManager.default
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: dir.appendingPathComponent("Package.swift").path),
               fm.fileExists(atPath: dir.appendingPathComponent("Lessons").path, isDirectory: &isDir), isDir.boolValue {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { throw TutorError.notInCourse(directory: start.path) }
            dir = parent
        }
    }

    /// The N of every `Lessons/LessonN` folder, ascending.
    public static func lessonNumbers(root: URL) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Lessons").path)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix("Lesson"), let n = Int(name.dropFirst(6)), "Lesson\(n)" == name else { return nil }
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: root.appendingPathComponent("Lessons/\(name)").path, isDirectory: &isDir)
            return exists && isDir.boolValue ? n : nil
        }.sorted()
    }

    /// Decodes `Lessons/LessonN/lesson.json`, or says in one line what is wrong with it.
    public static func loadLesson(_ n: Int, root: URL) -> Result<LessonInfo, TutorError> {
        let path = "Lessons/Lesson\(n)/lesson.json"
        let data: Data
        do {
            data = try Data(contentsOf: root.appendingPathComponent(path))
        } catch where FileAccess.posixCode(error) == ENOENT {
            return .failure(.badLessonFile(path: path, problem: "missing: every lesson folder needs its metadata (title, exercises, hints)"))
        } catch {
            guard case .fileAccess(_, _, let problem, let advice) = FileAccess.error(error, .read, path, root: root) else {
                return .failure(.badLessonFile(path: path, problem: "\(error)"))
            }
            return .failure(.badLessonFile(path: path, problem: "cannot be read: \(problem) — \(advice)"))
        }
        do {
            let info = try JSONDecoder().decode(LessonInfo.self, from: data)
            guard info.lesson == n else {
                return .failure(.badLessonFile(path: path, problem: "says \"lesson\": \(info.lesson), but it is in Lesson\(n)/"))
            }
            if let bad = info.exercises.first(where: { ExerciseID($0.id)?.lesson != n || ExerciseID($0.id)?.isLesson != false }) {
                return .failure(.badLessonFile(path: path, problem: "exercise id \"\(bad.id)\" is not of the form \(n).k"))
            }
            return .success(info)
        } catch let error as DecodingError {
            return .failure(.badLessonFile(path: path, problem: describe(error)))
        } catch {
            return .failure(.badLessonFile(path: path, problem: "\(error)"))
        }
    }

    /// A decoding error as one line: where in the file, and what was expected.
    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [CodingKey]) -> String {
            let parts = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return parts.isEmpty ? "the top level" : String(parts.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(at(context.codingPath))"
            return "missing key \"\(key.stringValue)\"\(parent)"
        case .typeMismatch(let type, let context):
            return "\(at(context.codingPath)) should be \(jsonName(type))"
        case .valueNotFound(let type, let context):
            return "\(at(context.codingPath)) is null; it should be \(jsonName(type))"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return "not valid JSON\(context.codingPath.isEmpty ? "" : " at \(at(context.codingPath))"): \(underlying ?? context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type: return "a whole number"
        case is [Any].Type: return "an array"
        default: return String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }

    // MARK: - Looking up ids

    /// Every exercise of the course, lesson by lesson, in order.
    public var exercises: [ExerciseInfo] { lessons.flatMap(\.exercises) }

    /// The valid ids, compactly: "0 (0.1–0.4), 1 (1.1–1.5)".
    public var validIDs: String {
        guard !lessons.isEmpty else { return "none (no Lessons/LessonN folders)" }
        return lessons.map { l in
            let ids = l.exercises.map(\.id)
            guard let first = ids.first, let last = ids.last else { return "\(l.lesson)" }
            let numbers = l.exercises.compactMap { ExerciseID($0.id)?.number }
            let contiguous = numbers == Array((numbers.first ?? 0)..<((numbers.first ?? 0) + numbers.count))
            if ids.count == 1 { return "\(l.lesson) (\(first))" }
            return contiguous ? "\(l.lesson) (\(first)–\(last))" : "\(l.lesson) (\(ids.joined(separator: ", ")))"
        }.joined(separator: ", ")
    }

    /// The valid lesson numbers: "0, 1, 2".
    public var validLessons: String { lessons.map { "\($0.lesson)" }.joined(separator: ", ") }

    public func lesson(_ n: Int) -> LessonInfo? { lessons.first { $0.lesson == n } }

    public func exercise(_ id: String) -> ExerciseInfo? { exercises.first { $0.id == id } }

    /// The broken lesson an id belongs to, if any.
    public func brokenLesson(_ n: Int) -> BrokenLesson? { broken.first { $0.lesson == n } }

    /// Checks that every id exists (a lesson or an exercise); an id of a lesson whose
    /// lesson.json is broken is that file's error.
    public func validate(_ ids: [ExerciseID]) throws {
        for id in ids {
            if let bad = brokenLesson(id.lesson) { throw bad.error }
            if id.isLesson ? lesson(id.lesson) == nil : exercise(id.description) == nil {
                throw TutorError.unknownID(id.description, valid: validIDs)
            }
        }
    }

    /// The exercises the ids select, in course order: none → all, "N" → the lesson, "N.k" → one.
    public func select(_ ids: [ExerciseID]) throws -> [ExerciseInfo] {
        try validate(ids)
        if ids.isEmpty { return exercises }
        return exercises.filter { e in
            ids.contains { $0.isLesson ? $0.lesson == e.lesson : $0.description == e.id }
        }
    }

    /// The one exercise an id names; a lesson id or an unknown id is an error.
    public func exercise(for id: ExerciseID) throws -> ExerciseInfo {
        try validate([id])
        guard !id.isLesson, let e = exercise(id.description) else { throw TutorError.needsExercise(id.description, valid: validIDs) }
        return e
    }

    /// The lesson an id names; an exercise id or an unknown lesson is an error.
    public func lesson(for id: ExerciseID) throws -> LessonInfo {
        if let bad = brokenLesson(id.lesson) { throw bad.error }
        guard id.isLesson else { throw TutorError.needsLesson(id.description, valid: validLessons) }
        guard let l = lesson(id.lesson) else { throw TutorError.unknownLesson(id.description, valid: validLessons) }
        return l
    }

    /// `path` (relative to the root) as a file URL.
    public func url(_ path: String) -> URL { root.appendingPathComponent(path) }
}
