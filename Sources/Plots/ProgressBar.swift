import Foundation

/// Progress of a long loop (training steps, epochs) on one line of standard output.
///
///     let bar = ProgressBar(total: steps, label: "train")
///     for step in 1...steps { …; bar.update(step: step, message: "loss \(loss)") }
///     bar.finish(message: "final loss \(loss)")
///
/// On a terminal the line is redrawn in place (`\r`, at most ten times a second); in a
/// pipe or a file a plain line is printed only each time another 10% is done, so logs
/// stay short. Each line shows the elapsed time and the speed in steps per second.
public final class ProgressBar {
    public let total: Int
    public let label: String
    private let width: Int
    private let interactive: Bool
    private let write: (String) -> Void
    private let clock: () -> Double
    private let start: Double
    private var lastDraw = -Double.infinity
    private var lastTenth = -1
    private var lastStep = 0
    private var lastMessage = ""
    /// The step and message of the last plain line printed (pipe or file).
    private var printed: (step: Int, message: String)? = nil
    private var finished = false
    /// Steps reported through `advance`, and the lock that lets several threads report.
    private var advanced = 0
    private let lock = NSLock()

    /// A bar for `total` steps (0 or less when unknown), `width` columns at most.
    public convenience init(total: Int, label: String = "", width: Int = Terminal.columns) {
        self.init(total: total, label: label, width: width, interactive: Terminal.isInteractive,
                  write: { text in fputs(text, stdout); fflush(stdout) },
                  clock: { ProcessInfo.processInfo.systemUptime })
    }

    /// The bar with its output, terminal test and clock given (for tests).
    init(total: Int, label: String, width: Int, interactive: Bool,
         write: @escaping (String) -> Void, clock: @escaping () -> Double) {
        self.total = total
        self.label = label
        self.width = max(20, width)
        self.interactive = interactive
        self.write = write
        self.clock = clock
        start = clock()
    }

    /// Reports that `step` steps are done, with a short `message` (a loss, say).
    public func update(step: Int, message: String = "") {
        lock.withLock { draw(step: step, message: message) }
    }

    /// Reports `steps` more steps done, from any thread (trainings side by side share one bar).
    public func advance(by steps: Int = 1, message: String = "") {
        lock.withLock {
            advanced += steps
            draw(step: advanced, message: message)
        }
    }

    private func draw(step: Int, message: String) {
        guard !finished else { return }
        lastStep = step
        lastMessage = message
        let now = clock()
        if interactive {
            guard now - lastDraw >= 0.1 || (total > 0 && step >= total) else { return }
            lastDraw = now
            write("\r" + line(step: step, message: message, now: now, bar: true) + "\u{1B}[K")
        } else if total > 0 {
            let tenth = min(10, max(0, step) * 10 / total)
            guard tenth > lastTenth else { return }
            lastTenth = tenth
            printed = (step, message)
            write(line(step: step, message: message, now: now, bar: false) + "\n")
        } else {
            guard now - lastDraw >= 10 else { return }
            lastDraw = now
            printed = (step, message)
            write(line(step: step, message: message, now: now, bar: false) + "\n")
        }
    }

    /// Ends the bar: the last state with `message` (or the last update's), and a newline.
    /// In a pipe or file, a line identical to the last one printed is not repeated.
    public func finish(message: String? = nil) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        if !interactive, let p = printed, p.step == lastStep, p.message == (message ?? lastMessage) { return }
        let text = line(step: lastStep, message: message ?? lastMessage, now: clock(), bar: interactive)
        write(interactive ? "\r" + text + "\u{1B}[K\n" : text + "\n")
    }

    /// "train ████████▌······ 42% 420/1000 12.3s 34.1 steps/s eta 17s  loss 0.12", cut
    /// to the width with one column spare, so a terminal never wraps it. The bar (up to
    /// 20 cells) gives way to the numbers and the message when space is short.
    func line(step: Int, message: String, now: Double, bar: Bool) -> String {
        let elapsed = max(0, now - start)
        var parts: [String] = []
        let fraction = total > 0 ? min(max(Double(step) / Double(total), 0), 1) : 0
        if total > 0 {
            parts.append(String(format: "%3d%%", Int(fraction * 100)))
            parts.append("\(step)/\(total)")
        } else {
            parts.append("step \(step)")
        }
        parts.append(ProgressBar.duration(elapsed))
        if elapsed > 0, step > 0 {
            let rate = Double(step) / elapsed
            parts.append(rate >= 1 ? String(format: "%.1f steps/s", rate) : String(format: "%.1f s/step", 1 / rate))
            if total > 0, step < total, !finished {
                parts.append("eta " + ProgressBar.duration(Double(total - step) / rate))
            }
        }
        var text = parts.joined(separator: " ")
        if !message.isEmpty { text += "  " + message }
        let head = label.isEmpty ? "" : label + " "
        let room = width - 1 - head.count - text.count - 1
        if bar, total > 0, room >= 5 {
            let cells = min(20, room), filled = Int((fraction * Double(cells * 8)).rounded())
            let blocks = String(repeating: "█", count: filled / 8)
                + (filled % 8 > 0 ? ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][filled % 8] : "")
            text = blocks + String(repeating: "·", count: cells - TextWidth.of(blocks)) + " " + text
        }
        return TextWidth.truncate(head + text, to: width - 1)
    }

    /// "4.2s", "3m05s", "1h02m".
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
}
