import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// The exercise the student is on: the first that does not pass at or after the one
    /// checked last (so that passing 3.2 points at 3.3, not at an old 1.1 left failing),
    /// else the first that does not pass at all. Nothing checked yet: the first not passing.
    public func current(in catalog: Catalog) -> ExerciseInfo? {
        let open = { (e: ExerciseInfo) in self[e.id].status != .passing }
        let last = catalog.exercises.indices.filter { self[catalog.exercises[$0].id].lastChecked != nil }
            .max { self[catalog.exercises[$0].id].lastChecked! < self[catalog.exercises[$1].id].lastChecked! }
        if let last, let e = catalog.exercises[last...].first(where: open) { return e }
        return catalog.exercises.first(where: open)
    }
}

// MARK: - The file (.tutor/progress.json)

/// Reads and writes `.tutor/progress.json`. A missing file is created; a corrupt one is
/// set aside (as progress.json.corrupt, then .corrupt-2, … so none is overwritten),
/// reported in one warning line and rebuilt. Every read-modify-write holds an advisory
/// lock on `.tutor/progress.lock`, so two tutors running at once (two `tutor hint` in two
/// terminals) never lose each other's updates.
public struct ProgressStore {
    public let root: URL
    public let url: URL
    /// Where a warning goes (standard error by default).
    var warn: (String) -> Void

    static let path = ".tutor/progress.json"
    static let lockPath = ".tutor/progress.lock"

    public init(root: URL, warn: @escaping (String) -> Void = Terminal.warn) {
        self.root = root
        url = root.appendingPathComponent(Self.path)
        self.warn = warn
    }

    /// The progress, creating the file if it is missing and setting it aside if corrupt.
    public func load() -> Progress {
        withLock { loadUnlocked().progress }
    }

    /// Writes atomically (a temporary file renamed over the old one).
    public func save(_ progress: Progress) throws {
        try FileAccess.write(try Self.encoder.encode(progress), to: Self.path, root: root)
    }

    /// Loads, changes and saves under the lock; a failed save is a warning, never fatal.
    @discardableResult
    public func update(_ change: (inout Progress) -> Void) -> Progress {
        withLock {
            var (p, readable) = loadUnlocked()
            change(&p)
            // An unreadable file (permissions) is left alone: writing would lose it.
            guard readable else { return p }
            do { try save(p) } catch { warn("\(error)") }
            return p
        }
    }

    // MARK: - Reading, under the lock

    /// The progress, and whether the file could be read (false: a warning was given and
    /// the file must not be overwritten).
    func loadUnlocked() -> (progress: Progress, readable: Bool) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            let fresh = Progress()
            try? save(fresh)
            return (fresh, true)
        }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            warn("\(FileAccess.error(error, .read, Self.path, root: root)); your progress is not shown or recorded until then")
            return (Progress(), false)
        }
        do {
            return (try Self.decoder.decode(Progress.self, from: data), true)
        } catch {
            let aside = setAside()
            let kept = aside.map { "the old file is kept as \($0)" } ?? "the old file could not be set aside and is overwritten"
            warn("\(Self.path) was unreadable (\(Self.reason(error))); starting afresh — \(kept)")
            let fresh = Progress()
            try? save(fresh)
            return (fresh, true)
        }
    }

    /// Moves the corrupt file to the first free name of progress.json.corrupt,
    /// progress.json.corrupt-2, …; returns that name (relative to the root).
    func setAside() -> String? {
        let fm = FileManager.default
        var name = Self.path + ".corrupt"
        var k = 2
        while fm.fileExists(atPath: root.appendingPathComponent(name).path) {
            name = Self.path + ".corrupt-\(k)"
            k += 1
        }
        do { try fm.moveItem(at: url, to: root.appendingPathComponent(name)) } catch { return nil }
        return name
    }

    // MARK: - The lock

    /// Runs `body` holding an exclusive `flock` on `.tutor/progress.lock` (across
    /// processes). If the lock file cannot be opened (an unwritable .tutor/), runs it
    /// unlocked: the save will fail and say why.
    func withLock<T>(_ body: () -> T) -> T {
        let lock = root.appendingPathComponent(Self.lockPath)
        try? FileManager.default.createDirectory(at: lock.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fd = open(lock.path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return body() }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return body()
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
