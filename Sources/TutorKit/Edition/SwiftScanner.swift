/// Just enough of Swift's lexical structure to edit code as text: where a bracket closes
/// and where an argument ends, skipping comments and string literals (with their
/// interpolations, multi-line and raw forms). Works on UTF-8 bytes: every character the
/// structure depends on is ASCII.
struct SwiftScanner {
    let bytes: [UInt8]

    init(_ text: String) { bytes = Array(text.utf8) }

    static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), hash = UInt8(ascii: "#"), slash = UInt8(ascii: "/"),
        star = UInt8(ascii: "*"), newline = UInt8(ascii: "\n")
    static let opening: [UInt8: UInt8] = [UInt8(ascii: "("): UInt8(ascii: ")"), UInt8(ascii: "["): UInt8(ascii: "]"), UInt8(ascii: "{"): UInt8(ascii: "}")]

    func at(_ i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

    /// If a comment or a string literal starts at `i`, the index just past it; else nil.
    func skipTrivia(at i: Int) -> Int? {
        guard let c = at(i) else { return nil }
        if c == Self.slash, at(i + 1) == Self.slash {
            var j = i
            while j < bytes.count, bytes[j] != Self.newline { j += 1 }
            return j
        }
        if c == Self.slash, at(i + 1) == Self.star {
            var depth = 0, j = i
            while j < bytes.count {
                if bytes[j] == Self.slash, at(j + 1) == Self.star { depth += 1; j += 2; continue }
                if bytes[j] == Self.star, at(j + 1) == Self.slash { depth -= 1; j += 2; if depth == 0 { return j }; continue }
                j += 1
            }
            return j
        }
        var hashes = 0
        while at(i + hashes) == Self.hash { hashes += 1 }
        guard at(i + hashes) == Self.quote else { return nil }
        return stringEnd(from: i + hashes, hashes: hashes)
    }

    /// The index past the string literal whose opening quote is at `q`, `hashes` the raw
    /// delimiter's length.
    func stringEnd(from q: Int, hashes: Int) -> Int {
        let multiline = at(q + 1) == Self.quote && at(q + 2) == Self.quote
        var j = q + (multiline ? 3 : 1)
        while j < bytes.count {
            let c = bytes[j]
            if c == Self.backslash, (0..<hashes).allSatisfy({ at(j + 1 + $0) == Self.hash }) {
                let k = j + 1 + hashes
                if at(k) == UInt8(ascii: "(") { j = closing(k) + 1; continue }  // an interpolation: code
                j = k + 1
                continue
            }
            if c == Self.quote, !multiline || (at(j + 1) == Self.quote && at(j + 2) == Self.quote) {
                let end = j + (multiline ? 3 : 1)
                if (0..<hashes).allSatisfy({ at(end + $0) == Self.hash }) { return end + hashes }
            }
            j += 1
        }
        return j
    }

    /// The index of the bracket that closes the one at `open` (the end of the text if none does).
    func closing(_ open: Int) -> Int {
        var stack: [UInt8] = []
        var j = open
        while j < bytes.count {
            if let past = skipTrivia(at: j) { j = past; continue }
            let c = bytes[j]
            if let close = Self.opening[c] {
                stack.append(close)
            } else if c == stack.last {
                stack.removeLast()
                if stack.isEmpty { return j }
            }
            j += 1
        }
        return bytes.count
    }

    /// The ranges of the top-level arguments between the parenthesis at `open` and its
    /// closing one (split at commas outside brackets, strings and comments).
    func arguments(_ open: Int) -> (arguments: [Range<Int>], close: Int) {
        let close = closing(open)
        var ranges: [Range<Int>] = []
        var start = open + 1, j = open + 1
        while j < close {
            if let past = skipTrivia(at: j) { j = past; continue }
            if Self.opening[bytes[j]] != nil { j = closing(j) + 1; continue }
            if bytes[j] == UInt8(ascii: ",") { ranges.append(start..<j); start = j + 1 }
            j += 1
        }
        if !text(start..<close).allSatisfy(\.isWhitespace) { ranges.append(start..<close) }
        return (ranges, close)
    }

    /// The positions where `name` is called: the name as a whole word in code (not in a
    /// comment or string, not after a dot) followed at once by "(" — or, with
    /// `trailingClosure`, also by a "{" (a call with a trailing closure alone; `open` is then
    /// that brace).
    func calls(of name: String, trailingClosure: Bool = false) -> [(start: Int, open: Int)] {
        let word = Array(name.utf8)
        var found: [(Int, Int)] = []
        var j = 0
        while j < bytes.count {
            if let past = skipTrivia(at: j) { j = past; continue }
            let next = trailingClosure ? skipSpace(j + word.count) : j + word.count
            if bytes[j...].starts(with: word), j == 0 || !Self.isWordOrDot(bytes[j - 1]),
               at(next) == UInt8(ascii: "(") || (trailingClosure && at(next) == UInt8(ascii: "{")),
               !text(max(0, j - 5)..<j).hasSuffix("func ") {
                found.append((j, next))
                j += word.count
                continue
            }
            j += 1
        }
        return found
    }

    static func isWordOrDot(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || c >= 0x80
    }

    /// The index of the first byte at or after `i` that is not a space, tab or newline.
    func skipSpace(_ i: Int) -> Int {
        var j = i
        while let c = at(j), c == 0x20 || c == 0x09 || c == Self.newline || c == 0x0D { j += 1 }
        return j
    }

    func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
}
