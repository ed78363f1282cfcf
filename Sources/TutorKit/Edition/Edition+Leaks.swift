import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Edition {
    /// Pieces of code shorter than this (squeezed) are too common to mean a leak
    /// (`{ $0 }`, `x.tanh()`); every reference body and mistake of the course is longer.
    public static let shortestTelling = 16

    /// The files of the edition at `root` that hold any of `pieces` (code kept out of it:
    /// reference bodies, known mistakes, their helpers), compared with whitespace squeezed:
    /// (file, the start of the piece found). Empty when nothing leaked.
    public static func leaks(in root: URL, of pieces: [String]) -> [(file: String, piece: String)] {
        let wanted = Set(pieces.map(EditionSource.squeezed).filter { $0.count >= shortestTelling })
        var found: [(String, String)] = []
        let base = root.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        for case let url as URL in walker {
            if [".build", ".git", ".tutor"].contains(url.lastPathComponent) { walker.skipDescendants(); continue }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else { continue }
            let squeezed = Array(EditionSource.squeezed(text).utf8)
            let path = String(url.standardizedFileURL.path.dropFirst(base.count + 1))
            for piece in wanted where contains(squeezed, Array(piece.utf8)) { found.append((path, String(piece.prefix(60)))) }
        }
        return found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }

    /// Whether `needle` occurs in `haystack` (bytes: memchr for its first byte, then memcmp;
    /// String's search is far slower on the fixtures' long lines).
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return needle.isEmpty }
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                let base = h.baseAddress!, last = h.count - n.count
                var at = 0
                while at <= last, let hit = memchr(base + at, Int32(first), last - at + 1) {
                    let i = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + i, n.baseAddress!, n.count) == 0 { return true }
                    at = i + 1
                }
                return false
            }
        }
    }
}
