import Foundation

/// The text transformations that make a student edition's sources from the course's: what
/// `tutor release` writes instead of a copy, and what the tests check.
///
/// The graders a student gets keep everything that runs the student's code and judges its
/// outcome (probes, criteria, tolerances, the known mistakes' ids, titles and feedback),
/// and lose everything that computes a right or a wrong answer:
/// - each `Mistake(id, title, feedback: …, implementation)` keeps its first three arguments,
///   each `Variant(id, change, implementation)` its first two: the implementation (an
///   argument, or a trailing closure) is dropped, since the fixtures hold its outcome;
/// - code between `// BEGIN INSTRUCTOR` and `// END INSTRUCTOR` lines (the helpers the
///   mistakes and variants are written with) is dropped;
/// - `SolutionN` becomes `LessonN`: the edition has no reference module, and where a probe
///   runs a model the student's own runs (the probe data the reference made is recorded).
public enum EditionSource {
    public static let beginInstructor = "// BEGIN INSTRUCTOR"
    public static let endInstructor = "// END INSTRUCTOR"

    /// An edited text and the code taken out of it (for the check that none of it ships).
    public struct Edit {
        public var text: String
        public var removed: [String]
    }

    public struct FormatError: Error, CustomStringConvertible {
        public let description: String
    }

    /// A grader source file as a student edition has it. `builders` names the functions that
    /// build mistakes or variants in any grader file (`builderNames`).
    public static func grading(_ text: String, file: String, builders: Set<String>) throws -> Edit {
        let regions = try withoutInstructorRegions(text, file: file)
        let calls = withoutImplementations(regions.text, builders: builders)
        return Edit(text: againstLessons(calls.text), removed: regions.removed + calls.removed)
    }

    /// `text` without its instructor regions (markers included).
    public static func withoutInstructorRegions(_ text: String, file: String) throws -> Edit {
        var kept: [String] = [], removed: [String] = [], region: [String]? = nil
        for (i, line) in Stubs.splitLines(text).enumerated() {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t == beginInstructor {
                if region != nil { throw FormatError(description: "\(file):\(i + 1): \(beginInstructor) inside an instructor region") }
                region = []
            } else if t == endInstructor {
                guard let r = region else { throw FormatError(description: "\(file):\(i + 1): \(endInstructor) without \(beginInstructor)") }
                removed.append(r.joined(separator: "\n"))
                region = nil
            } else if region != nil {
                region!.append(line)
            } else {
                kept.append(line)
            }
        }
        if region != nil { throw FormatError(description: "\(file): \(beginInstructor) without \(endInstructor)") }
        return Edit(text: kept.joined(separator: "\n"), removed: removed)
    }

    /// `text` with the implementations of its `Mistake(…)` and `Variant(…)` calls dropped,
    /// and the arguments of its builders: functions that return mistakes or variants
    /// (`-> [Mistake<I>]`, `-> Variant<I>`…) made from implementations they are given lose
    /// their parameters, and their calls (named in `builders`, found in every grader file)
    /// their arguments and trailing closures: `overflowingTanh()`.
    public static func withoutImplementations(_ text: String, builders names: Set<String> = []) -> Edit {
        let scanner = SwiftScanner(text)
        // (range to replace, replacement, what was dropped), in order.
        var edits: [(Range<Int>, String, String)] = []
        for d in builders(in: text) {
            // The declaration: its parameters go (its body uses them only in the implementations).
            edits.append((d.declaration.start..<(scanner.closing(d.declaration.open) + 1), scanner.text(d.declaration.start..<d.declaration.open) + "()", ""))
        }
        for name in names.union(builders(in: text).map(\.name)).sorted() {
            for call in scanner.calls(of: name, trailingClosure: true) {
                var end = scanner.closing(call.open) + 1
                if scanner.at(call.open) == UInt8(ascii: "("), scanner.at(scanner.skipSpace(end)) == UInt8(ascii: "{") {
                    end = scanner.closing(scanner.skipSpace(end)) + 1
                }
                let dropped = scanner.text(call.open..<end)
                edits.append((call.start..<end, "\(name)()", dropped.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
        }
        for (name, kept) in [("Mistake", keptMistakeArguments), ("Variant", { _ in 2 })] as [(String, ([String]) -> Int?)] {
            for call in scanner.calls(of: name) {
                let (args, close) = scanner.arguments(call.open)
                let texts = args.map(scanner.text)
                var end = close + 1
                let next = scanner.skipSpace(end)
                let trailing = scanner.at(next) == UInt8(ascii: "{")
                if trailing { end = scanner.closing(next) + 1 }
                guard let keep = kept(texts), keep <= args.count, keep < args.count || trailing else { continue }
                let dropped = (texts[keep...] + (trailing ? [scanner.text(next..<end)] : [])).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                let arguments = texts[..<keep].joined(separator: ",")
                edits.append((call.start..<end, "\(name)(\(arguments.trimmingCharacters(in: .whitespacesAndNewlines)))", dropped.joined(separator: "\n")))
            }
        }
        // A call inside another's dropped code goes with it.
        var outer: [(Range<Int>, String, String)] = []
        for e in edits.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) where !(outer.last.map { $0.0.overlaps(e.0) } ?? false) {
            outer.append(e)
        }
        edits = outer
        var bytes = scanner.bytes
        for (range, replacement, _) in edits.reversed() {
            bytes.replaceSubrange(range, with: Array(replacement.utf8))
        }
        return Edit(text: String(decoding: bytes, as: UTF8.self), removed: edits.map(\.2).filter { !$0.isEmpty })
    }

    /// The names of the functions that build mistakes or variants in `texts`.
    public static func builderNames(_ texts: [String]) -> Set<String> {
        Set(texts.flatMap { builders(in: $0).map(\.name) })
    }

    /// The functions of `text` that build mistakes or variants, and where each is declared
    /// (from its name to its parameter list's parenthesis).
    static func builders(in text: String) -> [(name: String, declaration: (start: Int, open: Int))] {
        let pattern = #"func (\w+)(<[^>(]*>)?\([^{]*?\)\s*->\s*\[?(Mistake|Variant)<"#
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        let utf8 = Array(text.utf8)
        return re.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { m in
            guard let nameRange = Range(m.range(at: 1), in: text) else { return nil }
            let name = String(text[nameRange])
            // Byte offsets: the name, and the parenthesis after it (and its generic clause).
            let start = text.utf8.distance(from: text.startIndex, to: nameRange.lowerBound)
            var open = start + name.utf8.count
            while open < utf8.count, utf8[open] != UInt8(ascii: "(") { open += 1 }
            return (name, (start, open))
        }
    }

    /// How many of a mistake's arguments to keep: through the one labelled `feedback:`.
    static func keptMistakeArguments(_ arguments: [String]) -> Int? {
        arguments.firstIndex { $0.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("feedback:") }.map { $0 + 1 }
    }

    /// `SolutionN` (a module name, as a whole word) replaced by `LessonN`.
    public static func againstLessons(_ text: String) -> String {
        text.replacingOccurrences(of: #"(?<![\w.])Solution(\d+)\b"#, with: "Lesson$1", options: .regularExpression)
    }

    // MARK: - Other files

    /// Package.swift as an edition's: `edition` true, only the released lessons, and the
    /// course-only part (between `// BEGIN COURSE ONLY` and `// END COURSE ONLY`: the
    /// instructor's packages) reduced to its lists, each empty, so that nothing a student
    /// builds names those packages.
    public static func package(_ text: String, lessons: [Int]) throws -> String {
        var out = try withoutCourseOnlyPackages(text)
        for (pattern, replacement) in [(#"(?m)^let edition = false$"#, "let edition = true"),
                                       (#"(?m)^let lessons = \[[0-9, ]*\]$"#, "let lessons = [\(lessons.map(String.init).joined(separator: ", "))]")] {
            guard out.ranges(of: pattern).count == 1 else {
                throw FormatError(description: "Package.swift: expected one line matching \(pattern)")
            }
            out = out.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return out
    }

    /// The manifest's course-only part as an edition has it: each `let NAME: [TYPE] = [`
    /// declaration kept as `let NAME: [TYPE] = []`, every other line of the part dropped.
    /// (A manifest without the part is returned as it is.)
    public static func withoutCourseOnlyPackages(_ text: String) throws -> String {
        let begin = "// BEGIN COURSE ONLY", end = "// END COURSE ONLY"
        var lines = text.components(separatedBy: "\n")
        guard let first = lines.firstIndex(of: begin) else {
            guard !lines.contains(end) else { throw FormatError(description: "Package.swift: `\(end)` without `\(begin)`") }
            return text
        }
        guard let last = lines[first...].firstIndex(of: end), lines.filter({ $0 == begin || $0 == end }).count == 2 else {
            throw FormatError(description: "Package.swift: expected one `\(begin)` … `\(end)` part")
        }
        let declaration = try NSRegularExpression(pattern: #"^(let \w+: \[[\w.]+\]) = \["#)
        let kept = lines[first...last].compactMap { line -> String? in
            let ns = line as NSString
            guard let m = declaration.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else { return nil }
            return ns.substring(with: m.range(at: 1)) + " = []"
        }
        lines.replaceSubrange(first...last, with: ["// The course's instructor tools and their packages are not part of a student edition."] + kept)
        return lines.joined(separator: "\n")
    }

    /// Package.resolved as an edition's: without the pins of the packages that the
    /// manifest's course-only part names (their URLs), so the edition names none of them.
    /// Not JSON, or nothing to drop: returned as it is.
    public static func resolved(_ data: Data, manifest: String) -> Data {
        let lines = manifest.components(separatedBy: "\n")
        guard let first = lines.firstIndex(of: "// BEGIN COURSE ONLY"), let last = lines[first...].firstIndex(of: "// END COURSE ONLY"),
              var json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let pins = json["pins"] as? [[String: Any]] else { return data }
        let part = lines[first...last].joined(separator: "\n").lowercased()
        let kept = pins.filter { pin in
            guard let location = (pin["location"] as? String)?.lowercased() else { return true }
            let bare = location.hasSuffix(".git") ? String(location.dropLast(4)) : location
            return !part.contains("\"\(bare)\"") && !part.contains("\"\(bare).git\"")
        }
        guard kept.count < pins.count else { return data }
        json["pins"] = kept
        guard let out = try? JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]) else { return data }
        return out + Data("\n".utf8)
    }

    /// Sources/Grading/Course.swift with only the released lessons' graders.
    public static func course(_ text: String, lessons: [Int]) throws -> String {
        let pattern = #"Lesson\d+Graders\.all(\s*\+\s*Lesson\d+Graders\.all)*"#   // the list may wrap
        guard text.ranges(of: pattern).count == 1 else {
            throw FormatError(description: "Sources/Grading/Course.swift: expected one list `Lesson0Graders.all + …`")
        }
        return text.replacingOccurrences(of: pattern, with: lessons.map { "Lesson\($0)Graders.all" }.joined(separator: " + "), options: .regularExpression)
    }

    /// A solution file as an edition has it before its lesson is published: each body is
    /// the stub line, between the markers, so that the tutor's reset and stub checks work.
    public static func withheld(_ pieces: [Stubs.Piece]) -> String {
        pieces.flatMap { piece -> [String] in
            switch piece {
            case .text(let lines): return lines
            case .body(let b): return ["\(b.indent)\(Stubs.begin)", Stubs.stubLine(b), "\(b.indent)\(Stubs.end)"]
            }
        }.joined(separator: "\n")
    }

    /// A README without its instructor sections (between `<!-- BEGIN INSTRUCTOR -->` and
    /// `<!-- END INSTRUCTOR -->` lines).
    public static func readme(_ text: String) -> String {
        text.replacingOccurrences(of: #"(?s)\n?<!-- BEGIN INSTRUCTOR -->.*?<!-- END INSTRUCTOR -->\n?"#, with: "\n", options: .regularExpression)
    }

    /// Whitespace runs as one space: how the leak check compares code.
    public static func squeezed(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

extension String {
    /// The ranges of a regular expression's matches.
    func ranges(of pattern: String) -> [Range<String.Index>] {
        guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
        return re.matches(in: self, range: NSRange(startIndex..., in: self)).compactMap { Range($0.range, in: self) }
    }
}
