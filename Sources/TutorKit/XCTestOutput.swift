import Foundation

/// What one grader process said: its status and the grader's message.
public struct GradeResult: Equatable, Sendable {
    public enum Status: String, Equatable, Sendable {
        case passed, failed, skipped, crashed
        case timedOut = "timed out"
    }

    public var status: Status
    /// The grader's feedback (failed, skipped), or the last relevant lines (crashed).
    public var message: String
    public var seconds: Double

    public init(status: Status, message: String, seconds: Double) {
        self.status = status
        self.message = message
        self.seconds = seconds
    }

    /// What the progress file records for it.
    public var progressStatus: ExerciseStatus {
        switch status {
        case .passed: return .passing
        case .failed: return .failing
        case .skipped: return .notStarted
        case .crashed: return .crashed
        case .timedOut: return .timedOut
        }
    }
}

// MARK: - Reading XCTest's output

/// Reads the output of one XCTest process that ran one test, e.g.
///
///     Test Case 'Lesson0Tests.test_0_1_sigmoid' started at …
///     /…/Lesson0Tests.swift:7: error: Lesson0Tests.test_0_1_sigmoid : failed - ✗ 0.1: …
///       Next: …
///     Test Case 'Lesson0Tests.test_0_1_sigmoid' failed (0.004 seconds)
///
/// A process that ended by a signal, or without a result line, crashed.
public enum XCTestOutput {
    public static func parse(_ output: String, test: String, termination: Subprocess.Termination, seconds: Double) -> GradeResult {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if case .timedOut(let limit) = termination {
            let tail = relevantTail(lines)
            let message = "no result within \(format(limit)) s\(tail.isEmpty ? "" : "; its last output:\n" + tail.joined(separator: "\n"))"
            return GradeResult(status: .timedOut, message: message, seconds: seconds)
        }
        let result = lines.lazy.compactMap { resultLine($0, test: test) }.last
        if case .signalled(let signal) = termination {
            return GradeResult(status: .crashed, message: crashMessage(lines, cause: Subprocess.describe(signal: signal)), seconds: seconds)
        }
        guard let (status, _) = result else {
            let cause: String
            if case .exited(let code) = termination, code == 0, output.contains("Executed 0 tests") {
                cause = "the test bundle has no test \(test): is the test method named as in lesson.json?"
            } else if case .exited(let code) = termination {
                cause = "the test process exited with status \(code) before reporting a result"
            } else {
                cause = "no result"
            }
            return GradeResult(status: .crashed, message: crashMessage(lines, cause: cause), seconds: seconds)
        }
        switch status {
        case .passed: return GradeResult(status: .passed, message: "", seconds: seconds)
        case .skipped: return GradeResult(status: .skipped, message: messages(lines, test: test, marker: ": Test skipped - "), seconds: seconds)
        default: return GradeResult(status: .failed, message: messages(lines, test: test, marker: ": error: "), seconds: seconds)
        }
    }

    /// (status, seconds) from "Test Case 'Lesson0Tests.test_0_1_sigmoid' passed (0.002 seconds)".
    static func resultLine(_ line: String, test: String) -> (GradeResult.Status, Double)? {
        guard line.hasPrefix("Test Case '"), line.contains(test) else { return nil }
        for (word, status) in [("' passed (", GradeResult.Status.passed), ("' failed (", .failed), ("' skipped (", .skipped)] {
            guard let r = line.range(of: word) else { continue }
            let seconds = Double(line[r.upperBound...].prefix { $0.isNumber || $0 == "." }) ?? 0
            return (status, seconds)
        }
        return nil
    }

    /// The messages XCTest printed for the test: each marker line (with the location and
    /// "Class.test : failed - " cut off) and the lines that continue it.
    static func messages(_ lines: [String], test: String, marker: String) -> String {
        var out: [String] = []
        var i = 0
        while i < lines.count {
            guard lines[i].contains(marker), lines[i].contains(test) else { i += 1; continue }
            var first = lines[i]
            if let r = first.range(of: "\(test) : ") { first = String(first[r.upperBound...]) }
            for prefix in ["Test skipped - ", "failed - "] where first.hasPrefix(prefix) { first = String(first.dropFirst(prefix.count)) }
            out.append(first)
            i += 1
            while i < lines.count, !lines[i].hasPrefix("Test Case '"), !lines[i].hasPrefix("Test Suite '"), !isLocated(lines[i]) {
                out.append(lines[i])
                i += 1
            }
        }
        while let last = out.last, last.trimmingCharacters(in: .whitespaces).isEmpty { out.removeLast() }
        return out.joined(separator: "\n")
    }

    /// Whether a line starts with "/path/file.swift:12: ".
    static func isLocated(_ line: String) -> Bool {
        guard line.hasPrefix("/"), let colon = line.range(of: ".swift:") else { return false }
        return line[colon.upperBound...].first?.isNumber == true
    }

    /// What to show for a crash: the cause, the runtime's error line, the first frames in
    /// lesson code, or else the last lines of output.
    static func crashMessage(_ lines: [String], cause: String) -> String {
        let keys = ["Fatal error", "Precondition failed", "Assertion failed", "Program crashed", "Illegal instruction",
                    "Segmentation fault", "Stack overflow", "Trace/breakpoint", "Aborted", "Killed", "error:"]
        var picked: [String] = []
        for line in lines where keys.contains(where: { line.contains($0) }) && !line.hasPrefix("Test ") {
            picked.append(tidy(line))
        }
        picked += lines.filter { $0.contains("/Lessons/Lesson") && $0.contains(" at /") }.prefix(3).map(frame)
        if picked.isEmpty { picked = relevantTail(lines) }
        var seen = Set<String>()
        picked = picked.filter { seen.insert($0).inserted }
        return ([cause] + picked.prefix(8)).joined(separator: "\n")
    }

    /// "*** Program crashed: Illegal instruction at 0x00007f… ***" → "Program crashed: Illegal instruction".
    static func tidy(_ line: String) -> String {
        var t = line.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("*** ") && t.hasSuffix(" ***") { t = String(t.dropFirst(4).dropLast(4)) }
        if let r = t.range(of: " at 0x") { t = String(t[..<r.lowerBound]) }
        return t
    }

    /// A backtrace frame "1 [ra] 0x… sigmoid(_:) + 109 in X.xctest at /…/Lessons/Lesson0/Sigmoid.swift:24:5"
    /// as "in sigmoid(_:) at Lessons/Lesson0/Sigmoid.swift:24:5".
    static func frame(_ line: String) -> String {
        guard let at = line.range(of: " at /", options: .backwards), let lessons = line.range(of: "/Lessons/Lesson") else {
            return line.trimmingCharacters(in: .whitespaces)
        }
        let location = String(line[line.index(after: lessons.lowerBound)...])
        var symbol = String(line[..<at.lowerBound])
        if let inRange = symbol.range(of: " in ", options: .backwards) { symbol = String(symbol[..<inRange.lowerBound]) }
        if let plus = symbol.range(of: " + ", options: .backwards) { symbol = String(symbol[..<plus.lowerBound]) }
        if let address = symbol.range(of: "0x") {
            symbol = String(symbol[address.upperBound...].drop { $0.isHexDigit }).trimmingCharacters(in: .whitespaces)
        }
        return symbol.isEmpty ? "at \(location)" : "in \(symbol) at \(location)"
    }

    /// The last few lines that are not XCTest's own bookkeeping.
    static func relevantTail(_ lines: [String]) -> [String] {
        let useful = lines.filter { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            return !t.isEmpty && !t.hasPrefix("Test Suite '") && !(t.hasPrefix("Test Case '") && t.contains("' started at"))
        }
        return Array(useful.suffix(6))
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }
}
