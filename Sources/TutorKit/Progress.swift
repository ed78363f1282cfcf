import Foundation

// MARK: - What is recorded

/// Where a student stands on one exercise, as of the last check.
public enum ExerciseStatus: String, Codable, Sendable, CaseIterable {
    case notStarted = "not started"
    case failing
    case passing
    case crashed
    case timedOut = "timed out"
}

/// The student's progress: a status and a hint level per exercise.
public struct Progress: Codable, Equatable, Sendable {
    public struct Record: Codable, Equatable, Sendable {
        public var status: ExerciseStatus = .notStarted
        /// The last hint level shown (0: none yet; at most 3).
        public var hintLevel: Int = 0
        /// When it was last graded, and how long grading took.
        public var lastChecked: Date? = nil
        public var seconds: Double? = nil
        public init() {}

        /// Tolerant: a missing field takes its default, so an older file still loads.
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            status = try c.decodeIfPresent(ExerciseStatus.self, forKey: .status) ?? .notStarted
            hintLevel = min(3, max(0, try c.decodeIfPresent(Int.self, forKey: .hintLevel) ?? 0))
            lastChecked = try c.decodeIfPresent(Date.self, forKey: .lastChecked)
            seconds = try c.decodeIfPresent(Double.self, forKey: .seconds)
        }
    }

    public var version: Int = 1
    public var exercises: [String: Record] = [:]
    public var lastCheck: Date? = nil

    public init() {}

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        exercises = try c.decodeIfPresent([String: Record].self, forKey: .exercises) ?? [:]
        lastCheck = try c.decodeIfPresent(Date.self, forKey: .lastCheck)
    }

    public subscript(id: String) -> Record {
        get { exercises[id] ?? Record() }
        set { exercises[id] = newValue }
    }

    /// The first exercise (in course order) that does not pass yet.
    public func current(in catalog: Catalog) -> ExerciseInfo? {
        catalog.exercises.first { self[$0.id].status != .passing }
    }
}

// MARK: - The file (.tutor/progress.json)

/// Reads and writes `.tutor/progress.json`. A missing file is created; a corrupt one is
/// set aside (as progress.json.corrupt), reported in one warning line and rebuilt.
public struct ProgressStore {
    public let url: URL
    /// Where a warning goes (standard error by default).
    var warn: (String) -> Void

    public init(root: URL, warn: @escaping (String) -> Void = Terminal.warn) {
        url = root.appendingPathComponent(".tutor/progress.json")
        self.warn = warn
    }

    public func load() -> Progress {
        let fm = FileManager.default
        guard fm.fileExists(atPath: url.path) else {
            let fresh = Progress()
            try? save(fresh)
            return fresh
        }
        do {
            let data = try Data(contentsOf: url)
            return try Self.decoder.decode(Progress.self, from: data)
        } catch {
            let aside = url.appendingPathExtension("corrupt")
            try? fm.removeItem(at: aside)
            try? fm.moveItem(at: url, to: aside)
            warn(".tutor/progress.json was unreadable (\(Self.reason(error))); starting afresh — the old file is kept as .tutor/progress.json.corrupt")
            let fresh = Progress()
            try? save(fresh)
            return fresh
        }
    }

    /// Writes atomically (a temporary file renamed over the old one).
    public func save(_ progress: Progress) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Self.encoder.encode(progress).write(to: url, options: .atomic)
    }

    /// Loads, changes and saves; a failed save is a warning, never fatal.
    @discardableResult
    public func update(_ change: (inout Progress) -> Void) -> Progress {
        var p = load()
        change(&p)
        do { try save(p) } catch { warn("could not write .tutor/progress.json: \(error.localizedDescription)") }
        return p
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    static func reason(_ error: Error) -> String {
        if let e = error as? DecodingError { return Catalog.describe(e) }
        return error.localizedDescription
    }
}
