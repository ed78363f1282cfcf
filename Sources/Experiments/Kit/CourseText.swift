import Foundation

/// The course's own lessons as one text: what lesson 5's character model learns by default,
/// and what lesson 6 counts to compare with it.
public enum CourseText {
    /// Lessons/Lesson0…(below − 1)/README.md joined by a blank line, and what it is ("the
    /// READMEs of lessons 0–4"). Lesson 5 leaves its own README out (below: 5), so that
    /// writing its figures down does not change the text they were measured on; lesson 6
    /// reads the same text to compare with lesson 5's model. Throws, with what to do, when
    /// there is none (run from somewhere else than the course's folder).
    public static func lessonReadmes(root: URL, below: Int = 5) throws -> (about: String, text: String) {
        let folder = root.appendingPathComponent("Lessons")
        let lessons = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let numbered = lessons.compactMap { name in name.hasPrefix("Lesson") ? Int(name.dropFirst(6)).map { ($0, name) } : nil }
            .filter { $0.0 < below }.sorted { $0.0 < $1.0 }
        let texts = numbered.compactMap { try? String(contentsOf: folder.appendingPathComponent("\($0.1)/README.md"), encoding: .utf8) }
        guard !texts.isEmpty else {
            throw ExperimentError("no Lessons/Lesson*/README.md under \(root.path) to read: run from the course's folder, or pass --text FILE")
        }
        return ("the READMEs of lessons 0–\(texts.count - 1)", texts.joined(separator: "\n\n"))
    }

    /// The text of `--text FILE`, or, with one line saying what to do, why there is none: a
    /// missing file, a folder, an unreadable or empty file, or one that is not UTF-8 text.
    public static func readTextFile(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw ExperimentError("--text \(path): no such file") }
        guard !isDirectory.boolValue else { throw ExperimentError("--text \(path): is a folder, not a text file") }
        guard let data = FileManager.default.contents(atPath: path) else { throw ExperimentError("--text \(path): cannot be read (permissions?)") }
        guard !data.isEmpty else { throw ExperimentError("--text \(path): the file is empty, there is nothing to read") }
        guard !data.contains(0), let text = String(data: data, encoding: .utf8) else {
            throw ExperimentError("--text \(path): not UTF-8 text (a binary file?): give a plain text file")
        }
        return text
    }
}

/// A count with its thousands apart, as the READMEs print them: "63 095".
public func grouped(_ n: Int) -> String {
    let digits = Array(String(n))
    return stride(from: digits.count, to: 0, by: -3).reversed().map { String(digits[max(0, $0 - 3)..<$0]) }.joined(separator: " ")
}
