import Foundation

/// The recorded outcomes a grader compares against: for each exercise, the reference's
/// outcome on the probe and each known mistake's ("fingerprints"), the outputs of the
/// variants the diagnosis names, and the probe data the reference's code made. Graders in `swift test`
/// and `tutor check` read them instead of running the reference next to the student's
/// code, where a lesson file that redefines a C function (`@_cdecl("expf")`) would change
/// the reference too.
///
/// One JSON file per lesson, `Sources/Grading/Fixtures/LessonN.json`, one line per
/// recorded array (see `OutcomeJSON`), written by `swift run tutor verify --record` and
/// checked by `tutor verify`: they must agree with the reference run on this machine.
public struct LessonFixtures: Sendable {
    public let lesson: Int
    /// Exercise id → ("reference" or a mistake id) → outcome.
    public let outcomes: [String: [String: Outcome]]

    public init(lesson: Int, outcomes: [String: [String: Outcome]]) {
        self.lesson = lesson
        self.outcomes = outcomes
    }

    public static let folder = "Sources/Grading/Fixtures"
    /// The outcome that holds an exercise's probe data (see `Probes.recorded`).
    public static let probeDataKey = "probe data"
    public static func path(lesson n: Int) -> String { "\(folder)/Lesson\(n).json" }

    /// Exercise `id`'s reference outcome and its known mistakes' outcomes (with the outputs
    /// of its variants, keyed `AnyExercise.variantPrefix` + id).
    public func exercise(_ id: String) -> (reference: Outcome, mistakes: [String: Outcome])? {
        guard var all = outcomes[id], let reference = all.removeValue(forKey: "reference") else { return nil }
        return (reference, all)
    }

    // MARK: - Reading

    struct File: Decodable {
        let format: Int
        let lesson: Int
        let exercises: [Exercise]
        struct Exercise: Decodable {
            let id: String
            let outcomes: [Recorded]
        }
        /// `{"of": …, "entries": […]}`: the entries are read as an outcome, which checks them.
        struct Recorded: Decodable {
            let of: String
            let outcome: Outcome
            enum CodingKeys: String, CodingKey { case of }
            init(from decoder: Decoder) throws {
                of = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .of)
                outcome = try Outcome(from: decoder)
            }
        }
    }

    /// Reads lesson `n`'s fixtures; a missing or broken file is a one-line error.
    public static func load(lesson n: Int, root: URL) throws -> LessonFixtures {
        let path = path(lesson: n)
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(path).path) else {
            throw FixtureError("\(path) is missing: the graders of lesson \(n) have nothing to compare with (restore it with `git checkout -- \(path)`; an instructor writes it with `swift run tutor verify --record`)")
        }
        return try parse(data, lesson: n, path: path)
    }

    public static func parse(_ data: Data, lesson n: Int, path: String) throws -> LessonFixtures {
        let file: File
        do { file = try OutcomeJSON.decode(File.self, from: data) } catch {
            throw FixtureError("\(path) is not a readable fixture file (\(Self.reason(error))): restore it with `git checkout -- \(path)`")
        }
        guard file.format == 1, file.lesson == n else {
            throw FixtureError("\(path) says format \(file.format), lesson \(file.lesson); expected format 1, lesson \(n)")
        }
        var outcomes: [String: [String: Outcome]] = [:]
        for e in file.exercises {
            var byName: [String: Outcome] = [:]
            for r in e.outcomes { byName[r.of] = r.outcome }
            outcomes[e.id] = byName
            if let data = byName[probeDataKey] { ProbeData.shared.install(data) }
        }
        return LessonFixtures(lesson: n, outcomes: outcomes)
    }

    static func reason(_ error: Error) -> String {
        guard let e = error as? DecodingError else { return "\(error)" }
        switch e {
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not valid JSON: \(c.debugDescription)" : c.debugDescription
        case .keyNotFound(let k, _): return "missing key \"\(k.stringValue)\""
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "wrong type at \(c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined())"
        @unknown default: return "\(e)"
        }
    }

    // MARK: - Writing

    /// The fixture file of one lesson, from the outcomes recorded for its exercises.
    public static func text(lesson n: Int, exercises: [(id: String, outcomes: [(of: String, outcome: Outcome)])]) -> String {
        var out = "{\n  \"format\": 1,\n  \"lesson\": \(n),\n"
        out += "  \"about\": \"What the graders of lesson \(n) compare with: the reference's outcome and each known mistake's on the probes. Written by `swift run tutor verify --record`; do not edit.\",\n"
        out += "  \"exercises\": [\n"
        out += exercises.map { e in
            "    {\"id\": \(OutcomeJSON.string(e.id)), \"outcomes\": [\n"
                + e.outcomes.map { r in
                    "      {\"of\": \(OutcomeJSON.string(r.of)), \"entries\": \(OutcomeJSON.entries(r.outcome, indent: "      "))}"
                }.joined(separator: ",\n")
                + "\n    ]}"
        }.joined(separator: ",\n")
        return out + "\n  ]\n}\n"
    }
}

/// A fixture or manifest that is missing, unreadable or out of date, in one line.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

// MARK: - The grading files and their digests

/// The files a verdict depends on — graders, fixtures, reference solutions, the XCTest
/// cases, the package manifest — and their SHA-256 digests as recorded by the course
/// (`Sources/Grading/Fixtures/grading.sha256`, in `sha256sum`'s format, so
/// `sha256sum -c` checks it too). A student's code has no business changing any of them;
/// `tutor check` and the graders refuse to report a pass when one differs.
public enum GradingFiles {
    public static let manifestPath = "\(LessonFixtures.folder)/grading.sha256"

    /// The guarded files, relative to the root, sorted.
    public static func list(root: URL) -> [String] {
        var files: [String] = ["Package.swift"]
        for dir in ["Sources/Grading", "Sources/Solutions", "Tests/Exercises"] {
            let base = root.appendingPathComponent(dir)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where ["swift", "json"].contains(url.pathExtension) {
                files.append(dir + "/" + url.standardizedFileURL.path.dropFirst(base.standardizedFileURL.path.count + 1))
            }
        }
        return files.sorted()
    }

    /// The manifest as it should read now: one "digest  path" line per guarded file.
    public static func manifest(root: URL) -> String {
        list(root: root).map { "\(digest(of: $0, root: root) ?? "missing")  \($0)" }.joined(separator: "\n") + "\n"
    }

    static func digest(of path: String, root: URL) -> String? {
        FileManager.default.contents(atPath: root.appendingPathComponent(path).path).map { SHA256.hex($0) }
    }

    /// The recorded digests, by path.
    public static func recorded(root: URL) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(manifestPath).path) else {
            throw FixtureError("\(manifestPath) is missing (restore it with `git checkout -- \(manifestPath)`)")
        }
        var digests: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            guard parts.count == 2 else { throw FixtureError("\(manifestPath): unreadable line \"\(line)\"") }
            digests[parts[1].trimmingCharacters(in: .whitespaces)] = String(parts[0])
        }
        return digests
    }

    /// The guarded files that differ from the recorded digests: changed, missing, or new.
    /// Empty when every file is as the course recorded it.
    public static func changes(root: URL) throws -> [String] {
        let recorded = try recorded(root: root)
        let now = list(root: root)
        var changed: [String] = []
        for path in now {
            guard let want = recorded[path] else { changed.append("\(path) (not part of the course)"); continue }
            if digest(of: path, root: root) != want { changed.append(path) }
        }
        for path in recorded.keys.sorted() where !now.contains(path) { changed.append("\(path) (missing)") }
        return changed
    }

    /// Size and modification time of every guarded file: a cheap snapshot to tell whether
    /// code that just ran changed one.
    public static func stamps(root: URL) -> [String: String] {
        var out: [String: String] = [:]
        for path in list(root: root) {
            let attributes = try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
            let date = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            out[path] = "\(size) \(date)"
        }
        return out
    }

    /// What differs between two snapshots, by path.
    public static func differences(_ before: [String: String], _ after: [String: String]) -> [String] {
        Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
    }

    /// One line telling a student what to do about changed grading files.
    public static func restoreAdvice(_ changed: [String]) -> String {
        let paths = changed.map { $0.split(separator: " ").first.map(String.init) ?? $0 }
        return "restore \(paths.count == 1 ? "it" : "them") with `git checkout -- \(paths.prefix(4).joined(separator: " "))\(paths.count > 4 ? " …" : "")` (and delete files that are not part of the course), then grade again (an instructor who changed them on purpose runs `swift run tutor verify --record`)"
    }
}
