import Foundation

/// The lesson files and their solution files: publishing the reference into a lesson,
/// putting stubs back, showing one reference, always with a backup of what is replaced.
public struct LessonFiles {
    public let root: URL

    public init(root: URL) { self.root = root }

    // MARK: - Reading

    /// The solution files of lesson `n`, relative to the root, sorted.
    public func solutionFiles(lesson n: Int) -> [String] {
        swiftFiles(in: "Sources/Solutions/Lesson\(n)")
    }

    /// The Swift files of `Lessons/LessonN`, relative to the root, sorted.
    public func lessonFiles(lesson n: Int) -> [String] {
        swiftFiles(in: "Lessons/Lesson\(n)")
    }

    func swiftFiles(in dir: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir).path)) ?? []
        return names.filter { $0.hasSuffix(".swift") }.sorted().map { "\(dir)/\($0)" }
    }

    /// The lesson file generated from solution file `path` (Sources/Solutions/LessonN/X.swift → Lessons/LessonN/X.swift).
    public static func lessonPath(forSolution path: String) -> String {
        "Lessons/" + path.dropFirst("Sources/Solutions/".count)
    }

    /// The text of `path` (relative to the root). A missing file is `missingFile`; one
    /// that cannot be read (permissions…) is `fileAccess`, saying why and what to do.
    public func read(_ path: String) throws -> String {
        try FileAccess.read(path, root: root)
    }

    /// The text of `path`, or nil if it does not exist (an unreadable file is an error).
    func readIfPresent(_ path: String) throws -> String? {
        do { return try read(path) } catch TutorError.missingFile { return nil }
    }

    /// A solution file split into text and marked bodies.
    public func pieces(ofSolution path: String) throws -> [Stubs.Piece] {
        do { return try Stubs.parse(solution: try read(path), file: path) } catch let e as Stubs.FormatError {
            throw TutorError.badSolutionFile("\(e)")
        }
    }

    // MARK: - Solution (for self-study)

    /// Exercise `id`'s reference as the student would see it: from its doc comment
    /// through the end of its body, without the markers.
    public func reference(of exercise: ExerciseInfo) throws -> String {
        let pieces = try self.pieces(ofSolution: exercise.solutionPath)
        guard Stubs.exercises(in: pieces).contains(where: { $0.exercise == exercise.id }) else {
            throw TutorError.noSolution(exercise: exercise.id, file: exercise.solutionPath)
        }
        let lines = Stubs.splitLines(Stubs.render(pieces, published: [exercise.id]))
        guard let todo = lines.firstIndex(where: { Stubs.todoID(in: $0) == exercise.id }),
              let body = Stubs.bodyRange(of: exercise.id, in: lines) else {
            throw TutorError.noSolution(exercise: exercise.id, file: exercise.solutionPath)
        }
        let d = Self.declaration(around: todo, in: lines)
        // Through the brace that closes the declaration (past the body when the TODO is in a loop).
        let start = d.start, end = max(min(body.upperBound, lines.count - 1), d.end ?? 0)
        return lines[start...end].joined(separator: "\n")
    }

    /// The declaration (func, init, subscript) whose block holds line `todo`: the line
    /// that opens its block, its first line (doc comment and attributes included), and
    /// the line of the brace that closes it (nil if none does).
    static func declaration(around todo: Int, in lines: [String]) -> (opening: Int, start: Int, end: Int?) {
        var stack: [Int] = []
        var scanner = BraceScanner()
        for (j, line) in lines[..<todo].enumerated() {
            for delta in scanner.braces(in: line) { if delta > 0 { stack.append(j) } else { _ = stack.popLast() } }
        }
        let keywords = ["func ", "init(", "init?(", "init<", "subscript(", "subscript<", "deinit"]
        let opening = stack.reversed().first { j in
            keywords.contains { lines[signatureStart(j, in: lines)...j].joined(separator: " ").contains($0) }
        } ?? stack.last ?? todo
        return (opening, documentedStart(opening, in: lines), closingLine(of: opening, in: lines))
    }

    /// The first line of the declaration whose block opens on line `j`: its signature,
    /// then the doc comment and attributes above it.
    static func documentedStart(_ j: Int, in lines: [String]) -> Int {
        var start = signatureStart(j, in: lines)
        while start > 0 {
            let above = lines[start - 1].trimmingCharacters(in: .whitespaces)
            guard above.hasPrefix("///") || above.hasPrefix("@") else { break }
            start -= 1
        }
        return start
    }

    /// The line of the brace that closes the block opened on line `j`.
    static func closingLine(of j: Int, in lines: [String]) -> Int? {
        var depth = 0
        var scanner = BraceScanner()
        for k in j..<lines.count {
            for delta in scanner.braces(in: lines[k]) {
                depth += delta
                if depth == 0 { return k }
            }
        }
        return nil
    }

    /// The first line of the signature that ends on line `j`: the lines above it that
    /// end in "," or "(" (a signature split over lines).
    static func signatureStart(_ j: Int, in lines: [String]) -> Int {
        var start = j
        while start > 0 {
            let above = lines[start - 1].trimmingCharacters(in: .whitespaces)
            guard !above.hasPrefix("//"), above.hasSuffix(",") || above.hasSuffix("(") else { break }
            start -= 1
        }
        return start
    }

    // MARK: - Publish and reset

    /// A file's new text, and what was done to it.
    public struct Change {
        public var path: String
        public var text: String
        public var note: String?
    }

    /// The lesson files with every exercise of lesson `n` replaced by its reference.
    public func published(lesson n: Int) throws -> [Change] {
        try solutionFiles(lesson: n).map { solution in
            let pieces = try self.pieces(ofSolution: solution)
            let path = Self.lessonPath(forSolution: solution)
            let ids = Set(Stubs.exercises(in: pieces).map(\.exercise))
            guard var text = try readIfPresent(path) else { return Change(path: path, text: Stubs.render(pieces, published: ids), note: "created from its solution") }
            for body in Stubs.exercises(in: pieces) {
                guard let replaced = Stubs.replaceBody(of: body, in: text, with: body.lines) else {
                    return Change(path: path, text: Stubs.render(pieces, published: ids),
                                  note: "rewritten whole from its solution (its TODO(\(body.exercise)) line was gone)")
                }
                text = replaced
            }
            return Change(path: path, text: text, note: nil)
        }
    }

    /// Every lesson file of lesson `n` exactly as generated from its solution: all stubs.
    public func stubs(lesson n: Int) throws -> [Change] {
        try solutionFiles(lesson: n).map { solution in
            Change(path: Self.lessonPath(forSolution: solution), text: Stubs.render(try pieces(ofSolution: solution)), note: nil)
        }
    }

    /// The exercise's lesson file with its body put back to the stub line. When the
    /// student deleted its TODO line, see `stubWithoutTodo` (LessonFiles+Reset.swift):
    /// nothing else the student wrote is dropped without saying so.
    public func stub(of exercise: ExerciseInfo) throws -> Change {
        let pieces = try self.pieces(ofSolution: exercise.solutionPath)
        guard let body = Stubs.exercises(in: pieces).first(where: { $0.exercise == exercise.id }) else {
            throw TutorError.noSolution(exercise: exercise.id, file: exercise.solutionPath)
        }
        let current = try readIfPresent(exercise.path) ?? ""
        if let replaced = Stubs.replaceBody(of: body, in: current, with: [Stubs.stubLine(body)]) {
            return Change(path: exercise.path, text: replaced, note: nil)
        }
        return stubWithoutTodo(exercise, pieces: pieces, current: current)
    }

    // MARK: - Writing, with a backup

    /// Writes the changes whose text differs from the file, after copying each such file
    /// to `.tutor/backups/<timestamp>/<path>`. Returns the backup folder (relative to the
    /// root; nil when nothing existed to back up) and the paths written.
    @discardableResult
    public func apply(_ changes: [Change], now: Date = Date()) throws -> (backup: String?, written: [Change]) {
        let fm = FileManager.default
        let pending = changes.filter { (try? read($0.path)) != $0.text }
        guard !pending.isEmpty else { return (nil, []) }
        let backup = backupFolder(now)
        var backedUp = false
        for change in pending where fm.fileExists(atPath: root.appendingPathComponent(change.path).path) {
            let copy = "\(backup)/\(change.path)"
            let to = root.appendingPathComponent(copy)
            try FileAccess.attempt(.write, copy, root: root) {
                try fm.createDirectory(at: to.deletingLastPathComponent(), withIntermediateDirectories: true)
            }
            try FileAccess.attempt(.backUp, change.path, root: root) { try fm.copyItem(at: root.appendingPathComponent(change.path), to: to) }
            backedUp = true
        }
        for change in pending {
            try FileAccess.write(Data(change.text.utf8), to: change.path, root: root)
        }
        return (backedUp ? backup : nil, pending)
    }

    /// A fresh `.tutor/backups/<yyyyMMdd-HHmmss>` (with a suffix if taken).
    func backupFolder(_ now: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd-HHmmss"
        let base = ".tutor/backups/\(f.string(from: now))"
        var name = base
        var k = 2
        while FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path) {
            name = "\(base)-\(k)"
            k += 1
        }
        return name
    }

    // MARK: - Checking a lesson file against its solution

    /// The lesson file with each exercise's body put back to its stub line; nil entries
    /// in `missing` are exercises whose TODO line is not in the file.
    public static func normalized(_ lessonText: String, pieces: [Stubs.Piece]) -> (text: String, missing: [String]) {
        var lines = Stubs.splitLines(lessonText)
        var missing: [String] = []
        for body in Stubs.exercises(in: pieces) {
            guard let range = Stubs.bodyRange(of: body.exercise, in: lines) else { missing.append(body.exercise); continue }
            lines.replaceSubrange(range, with: [Stubs.stubLine(body)])
        }
        return (lines.joined(separator: "\n"), missing)
    }
}
