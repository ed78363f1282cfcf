import Foundation
import Plots

/// A run's report as one self-contained HTML page: what was run and when (the command, the
/// seed, the flags, the date, the run time), each part and how it ended, then every
/// section with the text it printed and its plots inline. Nothing is loaded from elsewhere
/// (a Content-Security-Policy forbids it), every text is escaped, and the markup is also
/// well-formed XML.
public struct ReportPage: Sendable {
    /// What was run, and when.
    public struct Run: Sendable {
        public var lesson: Int
        /// The command that runs it again (`swift run tutor run 3 --seed 2 --part copying`).
        public var command: String
        public var seed: UInt64
        public var full: Bool
        /// The parts asked for with `--part` (empty: all of them).
        public var asked: [String]
        /// The lesson's own arguments.
        public var arguments: [String]
        public var started: Date

        public init(lesson: Int, command: String, seed: UInt64, full: Bool, asked: [String], arguments: [String], started: Date) {
            (self.lesson, self.command, self.seed, self.full) = (lesson, command, seed, full)
            (self.asked, self.arguments, self.started) = (asked, arguments, started)
        }
    }

    /// How far the run got when the page was written.
    public enum Status: Equatable, Sendable {
        /// Still going (or it crashed since: a crash cannot write the page).
        case running
        case finished
        /// Stopped by a signal, named here ("Ctrl-C").
        case interrupted(String)
    }

    public var run: Run
    public var parts: [Experiment.Part]
    /// The parts that were to run (all, or those `--part` asked for and what they need).
    public var running: Set<String>
    /// What the run printed, as the terminal got it (colours and `\r` redraws included).
    public var printed: String
    /// The kit's marks, in order (see `ReportMark`).
    public var marks: [ReportMark]
    public var status: Status
    /// Seconds from the start to when the page was written.
    public var seconds: Double

    public init(run: Run, parts: [Experiment.Part], running: Set<String>, printed: String = "", marks: [ReportMark] = [],
                status: Status = .running, seconds: Double = 0) {
        (self.run, self.parts, self.running, self.printed, self.marks) = (run, parts, running, printed, marks)
        (self.status, self.seconds) = (status, seconds)
    }

    /// The page.
    public var html: String {
        let sections = ReportSection.split(printed: printed, marks: marks)
        var out = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>\(xmlEscape("Lesson \(run.lesson) experiment, \(Self.date(run.started, seconds: false))"))</title>
        <style>\(Self.style)</style>
        </head>
        <body>
        <header>
        <h1>Lesson \(run.lesson)’s experiment</h1>
        \(statusLine)
        \(facts)
        </header>

        """
        out += partsTable(sections)
        out += "<main>\n"
        var plot = 0
        for (i, section) in sections.enumerated() where section.hasContent {
            out += section.html(anchor: "section-\(i)", unfinished: status != .finished && i == sections.count - 1, plotNumber: &plot)
        }
        out += "</main>\n</body>\n</html>\n"
        return out
    }

    // MARK: - The head of the page

    private var statusLine: String {
        let time = ProgressBar.duration(seconds)
        switch status {
        case .finished:
            return #"<p class="status finished">Finished in \#(time).</p>"#
        case .running:
            return #"<p class="status running">Unfinished: \#(time) into the run when this page was written, the run was still going — or it crashed soon after (a crash cannot finish this page). Its last section may be cut short.</p>"#
        case .interrupted(let how):
            return #"<p class="status interrupted">Interrupted (\#(xmlEscape(how))) after \#(time): what the run showed until then.</p>"#
        }
    }

    private var facts: String {
        let rows: [(String, String)] = [
            ("command", "<code>\(xmlEscape(run.command))</code>"),
            ("date", xmlEscape(Self.date(run.started, seconds: true))),
            ("run time", xmlEscape(ProgressBar.duration(seconds)) + (status == .finished ? "" : " (so far)")),
            ("seed", "\(run.seed)" + (run.seed == 0 ? " (the default; <code>--seed N</code> changes it)" : "")),
            ("size", run.full ? "full (<code>--full</code>)" : "quick (the default; <code>--full</code> runs the full-size experiment)"),
            ("parts", run.asked.isEmpty ? "all" : xmlEscape(parts.map(\.name).filter(running.contains).joined(separator: ", "))
                + " (<code>" + xmlEscape("--part " + run.asked.joined(separator: ",")) + "</code>)"),
            ("lesson options", run.arguments.isEmpty ? "none" : "<code>\(xmlEscape(run.arguments.joined(separator: " ")))</code>"),
        ]
        return "<table class=\"facts\">\n" + rows.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined(separator: "\n") + "\n</table>"
    }

    /// One row per part: what it shows, how it ended, and a link to its sections.
    private func partsTable(_ sections: [ReportSection]) -> String {
        var out = "<nav>\n<h2>Parts</h2>\n<table class=\"parts\">\n<tr><th>part</th><th>what it shows</th><th>how it went</th></tr>\n"
        for part in parts {
            let mine = sections.indices.filter { sections[$0].part == part.name }
            let (kind, word, detail) = outcome(of: part, sections: mine.map { sections[$0] })
            let links = mine.map { "<a href=\"#section-\($0)\">\(xmlEscape(sections[$0].title))</a>" }
            out += "<tr class=\"\(kind)\"><td>\(xmlEscape(part.name))</td><td>\(xmlEscape(part.about))</td>"
                + "<td><span class=\"badge \(kind)\">\(word)</span> \(xmlEscape(detail))"
                + links.map { "<br/>" + $0 }.joined() + "</td></tr>\n"
        }
        return out + "</table>\n</nav>\n"
    }

    /// A part's outcome: a CSS class, a word for its badge, and what happened.
    private func outcome(of part: Experiment.Part, sections: [ReportSection]) -> (kind: String, word: String, detail: String) {
        guard running.contains(part.name) else { return ("not-run", "not run", "not asked for with --part") }
        for section in sections {
            if case .stopped(let error)? = section.outcome { return ("stopped", "stopped", error) }
        }
        for section in sections {
            if case .skipped(let why)? = section.outcome { return ("skipped", "skipped", why) }
        }
        if sections.isEmpty {
            return ("not-run", "not run", status == .running ? "not started yet" : status == .finished ? "" : "the run ended before it")
        }
        if sections.contains(where: { $0.outcome == nil }) {
            return ("unfinished", status == .running ? "running" : "did not finish", "")
        }
        return ("completed", "ran", "")
    }

    /// "2026-12-02 10:15:00 +01:00" (local time), or without the seconds and the zone.
    static func date(_ date: Date, seconds: Bool) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = seconds ? "yyyy-MM-dd HH:mm:ss xxx" : "yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }
}
