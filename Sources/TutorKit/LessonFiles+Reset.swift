import Foundation

/// `tutor reset N.k` when the student deleted the exercise's `// TODO(N.k):` line, so its
/// body cannot be found by its marker. What a student expects is that only that exercise
/// goes back to its stub and everything else they wrote stays: so the declaration that
/// holds the exercise is found by its signature and replaced whole. If the signature is
/// gone too, the file is rebuilt from its solution, carrying over the other exercises'
/// bodies and every top-level declaration of the student's that the solution does not
/// have, and the note says plainly what could not be carried over (it is in the backup).
extension LessonFiles {
    /// The exercise's lesson file with the declaration holding it put back to its stub.
    func stubWithoutTodo(_ exercise: ExerciseInfo, pieces: [Stubs.Piece], current: String) -> Change {
        let old = Stubs.splitLines(current)
        let stub = Stubs.splitLines(Stubs.render(pieces))
        let others = Stubs.exercises(in: pieces).map(\.exercise).filter { $0 != exercise.id && Stubs.bodyRange(of: $0, in: old) != nil }
        let gone = "its TODO(\(exercise.id)) line was gone"
        if let text = Self.replacingDeclaration(of: exercise.id, from: stub, in: old) {
            let rest = others.isEmpty ? "" : " (your code for \(others.joined(separator: ", ")) too)"
            return Change(path: exercise.path, text: text,
                          note: "\(gone), so `\(exercise.symbol)` was put back whole as its stub; the rest of the file is as you left it\(rest)")
        }
        return rebuilt(exercise, pieces: pieces, old: old, gone: gone)
    }

    /// `old` with the declaration that holds exercise `id` in `stub` replaced by the
    /// stub's; nil unless `old` has exactly one declaration with the same signature.
    static func replacingDeclaration(of id: String, from stub: [String], in old: [String]) -> String? {
        guard let todo = stub.firstIndex(where: { Stubs.todoID(in: $0) == id }) else { return nil }
        let d = declaration(around: todo, in: stub)
        guard let end = d.end else { return nil }
        let signature = signatureText(d.opening, in: stub)
        let matches = old.indices.filter { signatureText($0, in: old) == signature }
        guard matches.count == 1, let opening = matches.first, let close = closingLine(of: opening, in: old) else { return nil }
        var lines = old
        lines.replaceSubrange(documentedStart(opening, in: old)...close, with: stub[d.start...end])
        return lines.joined(separator: "\n")
    }

    /// The signature that ends on line `j`, its lines trimmed and joined (empty if line
    /// `j` opens no block).
    static func signatureText(_ j: Int, in lines: [String]) -> String {
        guard lines[j].contains("{") else { return "" }
        return lines[signatureStart(j, in: lines)...j].map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }

    /// The file rebuilt from its solution: the other exercises' bodies and the student's
    /// own top-level declarations carried over, the rest named in the note.
    func rebuilt(_ exercise: ExerciseInfo, pieces: [Stubs.Piece], old: [String], gone: String) -> Change {
        var text = Stubs.render(pieces)
        var kept: [String] = []
        for other in Stubs.exercises(in: pieces) where other.exercise != exercise.id {
            guard let range = Stubs.bodyRange(of: other.exercise, in: old),
                  let with = Stubs.replaceBody(of: other, in: text, with: Array(old[range])) else { continue }
            text = with
            kept.append("your code for \(other.exercise)")
        }
        let theirs = Self.topLevel(old).filter { d in !Self.topLevel(Stubs.splitLines(text)).contains { $0.key == d.key } }
        if !theirs.isEmpty {
            text = Self.appending(theirs.map { Array(old[$0.range]) }, to: text)
            kept.append("your own \(theirs.map { "`\($0.name)`" }.joined(separator: ", "))")
        }
        let present = Set(Stubs.splitLines(text).map { $0.trimmingCharacters(in: .whitespaces) })
        let lost = old.filter { let t = $0.trimmingCharacters(in: .whitespaces); return !t.isEmpty && !present.contains(t) }
        var note = "\(gone) and `\(exercise.symbol)` was not found, so the file was rebuilt from its solution"
        if !kept.isEmpty { note += "; kept \(kept.joined(separator: " and "))" }
        if !lost.isEmpty {
            note += "; \(lost.count) other line\(lost.count == 1 ? "" : "s") of yours (your \(exercise.id) code, and any change to the given code, e.g. `\(clip(lost[0].trimmingCharacters(in: .whitespaces), 50))`) \(lost.count == 1 ? "is" : "are") only in the backup"
        }
        return Change(path: exercise.path, text: text, note: note)
    }

    /// A top-level declaration: what it declares ("func triple"), the name alone, and its
    /// lines (doc comment and attributes included).
    struct TopLevel { var key: String; var name: String; var range: Range<Int> }

    /// The file's top-level declarations, in order.
    static func topLevel(_ lines: [String]) -> [TopLevel] {
        var result: [TopLevel] = []
        var scanner = BraceScanner()
        var depth = 0, first: Int? = nil, code: Int? = nil
        for (i, line) in lines.enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if depth == 0 && code == nil {
                if t.isEmpty || (t.hasPrefix("//") && !t.hasPrefix("///")) { first = nil; continue }
                if first == nil { first = i }
                if t.hasPrefix("///") || t.hasPrefix("@") { continue }
                code = i
            }
            for delta in scanner.braces(in: line) { depth += delta }
            if depth <= 0, let start = first, let c = code {
                depth = 0
                let (key, name) = declared(lines[c])
                result.append(TopLevel(key: key, name: name, range: start..<(i + 1)))
                first = nil; code = nil
            }
        }
        return result
    }

    /// What a declaration's first line declares: ("func triple", "triple"); for an
    /// extension or anything unrecognised, the whole line.
    static func declared(_ line: String) -> (key: String, name: String) {
        let modifiers: Set<String> = ["public", "private", "fileprivate", "internal", "open", "static", "final", "nonisolated", "indirect", "mutating"]
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init).drop { modifiers.contains($0) || $0.hasPrefix("@") }
        let kinds: Set<String> = ["func", "struct", "class", "enum", "protocol", "actor", "typealias", "let", "var", "import"]
        guard let kind = words.first, kinds.contains(kind), let rest = words.dropFirst().first else {
            let t = line.trimmingCharacters(in: .whitespaces)
            return (t, t)
        }
        let name = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." })
        return ("\(kind) \(name)", name)
    }

    /// `text` with `blocks` added: imports after its last import, the rest at the end.
    static func appending(_ blocks: [[String]], to text: String) -> String {
        var lines = Stubs.splitLines(text)
        let isImport = { (b: [String]) in b.count == 1 && declared(b[0]).key.hasPrefix("import ") }
        let at = (lines.lastIndex { declared($0).key.hasPrefix("import ") }).map { $0 + 1 } ?? 0
        lines.insert(contentsOf: blocks.filter(isImport).flatMap { $0 }, at: at)
        let rest = blocks.filter { !isImport($0) }
        guard !rest.isEmpty else { return lines.joined(separator: "\n") }
        let trailingNewline = lines.last == ""
        if trailingNewline { lines.removeLast() }
        for block in rest { lines += [""] + block }
        if trailingNewline { lines.append("") }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Where a student's file stands

extension LessonFiles {
    /// The lesson files that should exist (one per solution file) but don't, each with the
    /// exercises it holds: `tutor reset` of any of them brings the file back.
    public func missingLessonFiles(catalog: Catalog) -> [(path: String, exercises: [String])] {
        catalog.lessons.flatMap { lesson in
            solutionFiles(lesson: lesson.lesson).map(Self.lessonPath(forSolution:)).filter {
                !FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path)
            }.map { path in (path, lesson.exercises.filter { $0.path == path }.map(\.id)) }
        }
    }

    /// The exercise whose body holds line `line` (1-based) of lesson file `path`, if any.
    public func exercise(at path: String, line: Int, catalog: Catalog) -> ExerciseInfo? {
        guard let text = try? read(path) else { return nil }
        let lines = Stubs.splitLines(text)
        return catalog.exercises.first { e in
            e.path == path && Stubs.bodyRange(of: e.id, in: lines).map { ($0.lowerBound - 1)...$0.upperBound ~= line - 1 } == true
        }
    }
}

extension Session {
    /// Refuses to build when a lesson file is missing: the build would blame another file.
    func requireLessonFiles() throws {
        guard let (path, ids) = files.missingLessonFiles(catalog: catalog).first else { return }
        throw TutorError.missingLessonFile(path: path, exercises: ids)
    }
}
