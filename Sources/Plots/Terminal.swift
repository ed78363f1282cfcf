import Foundation

// MARK: - The terminal we print to

/// What the standard output is: an interactive terminal (which can redraw a line and
/// show colours) or a pipe or file (which wants plain, short logs).
public enum Terminal {
    /// Where standard output's text ends up: standard output itself, unless a transcript
    /// moved standard output onto a pipe and copies it on from here (an experiment's
    /// report does: ExperimentKit's `Transcript`). What the terminal is, is asked of this.
    nonisolated(unsafe) public static var descriptor: Int32 = STDOUT_FILENO

    /// True when standard output is a terminal (`isatty`), not a pipe or a file.
    public static var isInteractive: Bool { isatty(descriptor) != 0 }

    /// True when colours are welcome: an interactive terminal that is not "dumb", and no
    /// `NO_COLOR` in the environment (https://no-color.org).
    public static var supportsColor: Bool {
        let env = ProcessInfo.processInfo.environment
        return isInteractive && env["NO_COLOR"] == nil && env["TERM"] != "dumb"
    }

    /// The terminal's width: asked of the terminal itself, else `COLUMNS`, else 80.
    public static var columns: Int {
        var size = winsize()
        if isInteractive, ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n > 0 { return n }
        return 80
    }
}

// MARK: - ANSI colours

/// ANSI escape sequences for colour: one foreground colour per series, then a reset.
enum ANSI {
    static let reset = "\u{1B}[0m"

    /// `text` in the foreground colour `code` (31 red … 36 cyan, 90–97 bright).
    static func paint(_ text: String, _ code: Int) -> String {
        "\u{1B}[\(code)m\(text)\(reset)"
    }
}

// MARK: - Measuring and fitting text

/// Text as a terminal shows it: widths count Characters, ANSI escapes count nothing.
enum TextWidth {
    /// The number of Characters `text` occupies on screen, ANSI escapes excluded.
    static func of(_ text: String) -> Int {
        var count = 0
        var state = EscapeState.text
        for c in text {
            if state.advance(c) { count += 1 }
        }
        return count
    }

    /// `text` cut to at most `width` visible Characters, ending in "…" when cut. ANSI
    /// escapes are kept, and a reset is appended if the cut may leave a colour open.
    static func truncate(_ text: String, to width: Int) -> String {
        guard of(text) > width else { return text }
        guard width > 0 else { return "" }
        var out = ""
        var count = 0
        var state = EscapeState.text
        var sawEscape = false
        for c in text {
            if state.advance(c) {
                if count == width - 1 { break }
                count += 1
            } else {
                sawEscape = true
            }
            out.append(c)
        }
        out.append("…")
        if sawEscape { out += ANSI.reset }
        return out
    }

    /// `text` padded with spaces (or cut) to exactly `width` visible Characters.
    static func pad(_ text: String, to width: Int, right: Bool = false) -> String {
        let cut = truncate(text, to: width)
        let fill = String(repeating: " ", count: max(0, width - of(cut)))
        return right ? fill + cut : cut + fill
    }

    /// `text` centred in `width` columns (trailing spaces dropped).
    static func center(_ text: String, in width: Int) -> String {
        let cut = truncate(text, to: width)
        return String(repeating: " ", count: max(0, (width - of(cut)) / 2)) + cut
    }

    /// Every line of `text` cut to `width`, and trailing spaces removed.
    static func fit(_ lines: [String], to width: Int) -> String {
        lines.map { line -> String in
            var s = truncate(line, to: width)
            while s.last == " " { s.removeLast() }
            return s
        }.joined(separator: "\n")
    }
}

/// `text` without its ANSI escape sequences (colours, "clear to the end of the line"): what
/// a terminal shows, as plain text.
public func withoutANSI(_ text: String) -> String {
    var state = EscapeState.text
    return String(text.filter { state.advance($0) })
}

/// A tiny scanner for `ESC [ … final` sequences: `advance` says whether a Character is
/// visible text.
private enum EscapeState {
    case text, escape, csi

    mutating func advance(_ c: Character) -> Bool {
        switch self {
        case .text:
            if c == "\u{1B}" { self = .escape; return false }
            return true
        case .escape:
            self = c == "[" ? .csi : .text
            return false
        case .csi:
            if let v = c.unicodeScalars.first?.value, (0x40...0x7E).contains(v) { self = .text }
            return false
        }
    }
}
