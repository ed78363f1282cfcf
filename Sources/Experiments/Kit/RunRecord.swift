import Foundation

/// Something the experiment kit did during a run that its report shows other than as
/// text: a section began, a plot was saved, a part ended. A section or a plot is announced
/// by a line the kit prints (`line`); the report puts it where that line is in the output.
public enum ReportMark: Equatable, Sendable {
    /// A section's title; `part` is the part it belongs to (nil for a section of its own).
    case section(title: String, part: String?)
    /// A saved plot: its name, the file it was saved to, and the SVG document.
    case plot(name: String, path: String, svg: String)
    /// How the part of the last section ended (it announces itself with no line).
    case outcome(PartOutcome)

    /// The line the kit prints for it: "== Title ==", "saved /path/x.svg".
    public var line: String? {
        switch self {
        case .section(let title, _): "== \(title) =="
        case .plot(_, let path, _): "saved \(path)"
        case .outcome: nil
        }
    }
}

/// How one part of an experiment ended.
public enum PartOutcome: Equatable, Sendable {
    case completed
    /// An exercise it uses is not written yet; the message says which and what to do.
    case skipped(String)
    /// An exercise it uses threw; the message is the error.
    case stopped(String)
}

/// What a run has shown so far, for its report: the bytes it printed (added by the
/// transcript's thread) and the kit's marks (added by the experiment), each in order.
final class RunRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var output = Data()
    private var marks: [ReportMark] = []

    func append(output bytes: Data) {
        lock.lock()
        defer { lock.unlock() }
        output.append(bytes)
    }

    func append(_ mark: ReportMark) {
        lock.lock()
        defer { lock.unlock() }
        marks.append(mark)
    }

    /// The output so far, as text, and the marks so far.
    var soFar: (printed: String, marks: [ReportMark]) {
        lock.lock()
        defer { lock.unlock() }
        return (String(decoding: output, as: UTF8.self), marks)
    }
}
