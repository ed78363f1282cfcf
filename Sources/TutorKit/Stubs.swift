/// One source of truth per exercise: the reference solution file is the whole lesson
/// file, with each exercise's body between markers:
///
///     public func sigmoid(_ x: Tensor) throws -> Tensor {
///         // TODO(0.1): compute y = σ(x) …
///         // BEGIN SOLUTION
///         …the reference body…
///         // END SOLUTION
///     }
///
/// The student's lesson file is generated from it: each marked body becomes
/// `throw TODO("0.1")`. Publishing puts the body back (without the markers). Everything
/// outside the bodies is identical by construction, and `tutor verify` checks it.
public enum Stubs {
    public static let begin = "// BEGIN SOLUTION"
    public static let end = "// END SOLUTION"

    /// One exercise's body in a solution file.
    public struct Body: Equatable {
        /// The exercise id from the `// TODO(N.k):` line just above the body.
        public let exercise: String
        /// The indentation of the TODO line.
        public let indent: String
        /// The reference body's lines (between the markers).
        public let lines: [String]
    }

    /// The file as pieces: plain text between bodies, and the bodies.
    public enum Piece: Equatable { case text([String]), body(Body) }

    public struct FormatError: Error, CustomStringConvertible {
        public let file: String, line: Int, message: String
        public var description: String { "\(file):\(line): \(message)" }
    }

    /// Splits a solution file into text and marked bodies, checking the markers.
    public static func parse(solution text: String, file: String) throws -> [Piece] {
        let lines = splitLines(text)
        var pieces: [Piece] = []
        var plain: [String] = []
        var i = 0
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            if trimmed == end { throw FormatError(file: file, line: i + 1, message: "\(end) without \(begin)") }
            guard trimmed == begin else { plain.append(lines[i]); i += 1; continue }
            guard let todo = plain.last, let id = todoID(in: todo) else {
                throw FormatError(file: file, line: i + 1, message: "\(begin) must follow a `// TODO(N.k): …` line")
            }
            guard let close = lines[(i + 1)...].firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == end }) else {
                throw FormatError(file: file, line: i + 1, message: "\(begin) for \(id) has no \(end)")
            }
            let body = Array(lines[(i + 1)..<close])
            if body.contains(where: { $0.trimmingCharacters(in: .whitespaces) == begin }) {
                throw FormatError(file: file, line: i + 1, message: "nested \(begin)")
            }
            pieces.append(.text(plain))
            plain = []
            let indent = String(todo.prefix { $0 == " " || $0 == "\t" })
            pieces.append(.body(Body(exercise: id, indent: indent, lines: body)))
            i = close + 1
        }
        pieces.append(.text(plain))
        return pieces
    }

    /// The exercise id in a `// TODO(N.k): …` line, if it is one.
    public static func todoID(in line: String) -> String? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("// TODO("), let close = t.firstIndex(of: ")") else { return nil }
        let id = String(t[t.index(t.startIndex, offsetBy: 8)..<close])
        return ExerciseID(id) == nil ? nil : id
    }

    /// The stub line for an exercise.
    public static func stubLine(_ body: Body) -> String { "\(body.indent)throw TODO(\"\(body.exercise)\")" }

    /// The student's file: every body replaced by its stub, except the exercises in
    /// `published`, whose reference body is written out (without markers).
    public static func render(_ pieces: [Piece], published: Set<String> = []) -> String {
        var out: [String] = []
        for piece in pieces {
            switch piece {
            case .text(let lines): out += lines
            case .body(let b): out += published.contains(b.exercise) ? b.lines : [stubLine(b)]
            }
        }
        return out.joined(separator: "\n")
    }

    /// The exercises a solution file holds, in order.
    public static func exercises(in pieces: [Piece]) -> [Body] {
        pieces.compactMap { if case .body(let b) = $0 { return b } else { return nil } }
    }

    // MARK: - Editing a student's file

    /// The line range of exercise `id`'s body in a student's file: from the line after
    /// its `// TODO(id):` line to the line before the brace that closes the block the
    /// TODO line is in. Nil if the file has no such TODO line.
    public static func bodyRange(of id: String, in lines: [String]) -> Range<Int>? {
        guard let todo = lines.firstIndex(where: { todoID(in: $0) == id }) else { return nil }
        var depth = 0
        var scanner = BraceScanner()
        for j in (todo + 1)..<lines.count {
            for delta in scanner.braces(in: lines[j]) {
                depth += delta
                if depth < 0 { return (todo + 1)..<j }
            }
        }
        return nil
    }

    /// Replaces exercise `body.exercise`'s body in a student's file with `replacement`
    /// lines; nil if the file has no TODO line for it.
    public static func replaceBody(of body: Body, in text: String, with replacement: [String]) -> String? {
        var lines = splitLines(text)
        guard let range = bodyRange(of: body.exercise, in: lines) else { return nil }
        lines.replaceSubrange(range, with: replacement)
        return lines.joined(separator: "\n")
    }

    static func splitLines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}

/// Finds the braces of Swift code line by line, skipping those in comments and strings.
struct BraceScanner {
    private var inBlockComment = 0
    private var inMultilineString = false

    /// +1 for each `{`, −1 for each `}` of code on this line, in order.
    mutating func braces(in line: String) -> [Int] {
        var result: [Int] = []
        let c = Array(line)
        var i = 0
        var inString = false
        while i < c.count {
            let next: Character? = i + 1 < c.count ? c[i + 1] : nil
            if inBlockComment > 0 {
                if c[i] == "*", next == "/" { inBlockComment -= 1; i += 2; continue }
                if c[i] == "/", next == "*" { inBlockComment += 1; i += 2; continue }
                i += 1; continue
            }
            if inMultilineString {
                if line.dropFirst(i).hasPrefix("\"\"\"") { inMultilineString = false; i += 3; continue }
                if c[i] == "\\" { i += 2; continue }
                i += 1; continue
            }
            if inString {
                if c[i] == "\\" { i += 2; continue }
                if c[i] == "\"" { inString = false }
                i += 1; continue
            }
            if c[i] == "/", next == "/" { break }
            if c[i] == "/", next == "*" { inBlockComment += 1; i += 2; continue }
            if line.dropFirst(i).hasPrefix("\"\"\"") { inMultilineString = true; i += 3; continue }
            if c[i] == "\"" { inString = true; i += 1; continue }
            if c[i] == "{" { result.append(1) }
            if c[i] == "}" { result.append(-1) }
            i += 1
        }
        return result
    }
}

/// An exercise id "N.k", or a lesson id "N".
public struct ExerciseID: Hashable, Comparable, CustomStringConvertible, Sendable {
    public let lesson: Int
    public let number: Int?

    /// Parses "3" or "3.2"; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let l = Int(parts[0]), l >= 0, parts[0].allSatisfy(\.isNumber) else { return nil }
        lesson = l
        if parts.count == 2 {
            guard let n = Int(parts[1]), n >= 0, parts[1].allSatisfy(\.isNumber) else { return nil }
            number = n
        } else {
            number = nil
        }
    }

    public var description: String { number.map { "\(lesson).\($0)" } ?? "\(lesson)" }

    public static func < (a: ExerciseID, b: ExerciseID) -> Bool {
        (a.lesson, a.number ?? -1) < (b.lesson, b.number ?? -1)
    }
}

import Foundation
