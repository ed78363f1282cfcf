import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Colour and layout for the terminal: ANSI colours only when stdout is a terminal and
/// `NO_COLOR` is not set, plain text otherwise (pipes, files, CI, tests).
public struct Style: Sendable {
    public var enabled: Bool

    public init(enabled: Bool) { self.enabled = enabled }

    /// Colours on iff stdout is a terminal and `NO_COLOR` is unset or empty.
    public static let standard = Style(
        enabled: isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty)

    public static let plain = Style(enabled: false)

    // MARK: - Colours

    func paint(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    public func bold(_ s: String) -> String { paint(s, "1") }
    public func dim(_ s: String) -> String { paint(s, "2") }
    public func red(_ s: String) -> String { paint(s, "31") }
    public func green(_ s: String) -> String { paint(s, "32") }
    public func yellow(_ s: String) -> String { paint(s, "33") }
    public func cyan(_ s: String) -> String { paint(s, "36") }

    /// A status, with its symbol and colour.
    public func status(_ status: ExerciseStatus) -> String {
        switch status {
        case .passing: return green("✓ passing")
        case .failing: return red("✗ failing")
        case .crashed: return red("✗ crashed")
        case .timedOut: return yellow("⏱ timed out")
        case .notStarted: return dim("· not started")
        }
    }
}

// MARK: - Layout

/// `s` padded with spaces to `width` characters (never cut).
func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
}

/// `s` cut to `width` characters with an ellipsis.
func clip(_ s: String, _ width: Int) -> String {
    s.count <= width ? s : String(s.prefix(width - 1)) + "…"
}

/// Text indented by `prefix` on every line.
func indent(_ text: String, _ prefix: String = "  ") -> String {
    text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : prefix + $0 }.joined(separator: "\n")
}

// MARK: - Input and output

public enum Terminal {
    /// Whether standard input is a terminal someone can answer on.
    static var canAsk: Bool { isatty(STDIN_FILENO) == 1 }

    /// Asks a yes/no question on the terminal; true only for "y" or "yes".
    static func confirm(_ question: String) -> Bool {
        print("\(question) [y/N] ", terminator: "")
        fflush(stdout)
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }

    /// A warning line on standard error.
    public static func warn(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
    }

    /// Flushes standard output (before a child process writes to the same terminal).
    static func flush() { fflush(stdout) }
}
