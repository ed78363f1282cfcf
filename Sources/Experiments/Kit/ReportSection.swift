import Foundation
import Plots

/// One section of a report: its title, what it printed and the plots it saved, in order,
/// and how its part ended.
struct ReportSection {
    enum Item {
        /// Lines of output, as the terminal finally showed them.
        case text([String])
        case plot(name: String, path: String, svg: String)
    }

    var title: String
    var part: String?
    var items: [Item] = []
    /// nil while the part runs (or when it never ended: a crash, an interrupt).
    var outcome: PartOutcome?

    /// The output cut into sections where the marks' lines are, first what came before
    /// the first section. Marks are taken in order: each where its line comes next (a line
    /// the run printed that only looks like one is text), one without a line at once.
    static func split(printed: String, marks: [ReportMark]) -> [ReportSection] {
        var sections = [ReportSection(title: "Before the first part", part: nil, outcome: .completed)]
        var pending = marks[...]
        func take(_ mark: ReportMark) {
            pending.removeFirst()
            switch mark {
            case .section(let title, let part): sections.append(ReportSection(title: title, part: part))
            case .plot(let name, let path, let svg): sections[sections.count - 1].items.append(.plot(name: name, path: path, svg: svg))
            case .outcome(let outcome): sections[sections.count - 1].outcome = outcome
            }
            while let next = pending.first, next.line == nil { take(next) }
        }
        while let next = pending.first, next.line == nil { take(next) }
        for line in screen(printed) {
            if let next = pending.first, next.line == line {
                take(next)
            } else if case .text(let lines)? = sections[sections.count - 1].items.last {
                sections[sections.count - 1].items[sections[sections.count - 1].items.count - 1] = .text(lines + [line])
            } else {
                sections[sections.count - 1].items.append(.text([line]))
            }
        }
        return sections
    }

    /// Whether there is anything to show: a section of the run always is; what came before
    /// the first only when it printed something.
    var hasContent: Bool {
        part != nil || outcome != .completed || items.contains {
            if case .text(let lines) = $0 { !Self.trimmed(lines).isEmpty } else { true }
        }
    }

    /// The section as HTML; plots are numbered on from `plotNumber`, which keeps their ids
    /// apart. `unfinished` marks the section the run was in when the page was written.
    func html(anchor: String, unfinished: Bool, plotNumber: inout Int) -> String {
        let kind: String
        switch outcome {
        case .skipped: kind = "skipped"
        case .stopped: kind = "stopped"
        case .completed: kind = "completed"
        case nil: kind = unfinished ? "unfinished" : "completed"
        }
        let badge = kind == "completed" ? "" : #" <span class="badge \#(kind)">\#(kind == "unfinished" ? "did not finish" : kind)</span>"#
        var out = "<section id=\"\(anchor)\" class=\"\(kind)\">\n<h2>\(xmlEscape(title))\(badge)</h2>\n"
        for item in items {
            switch item {
            case .text(let lines):
                let text = Self.trimmed(lines)
                if !text.isEmpty { out += "<pre>\(xmlEscape(text))</pre>\n" }
            case .plot(let name, let path, let svg):
                plotNumber += 1
                out += "<figure>\n\(Self.inline(svg, ids: "plot\(plotNumber)-"))\n"
                    + "<figcaption>\(xmlEscape(name)) — saved as <code>\(xmlEscape(path))</code></figcaption>\n</figure>\n"
            }
        }
        return out + "</section>\n"
    }

    /// Printed text as the terminal finally shows it, line by line: colours dropped, a line
    /// redrawn with `\r` (a progress bar) as its last drawing, trailing spaces cut.
    static func screen(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var line = Substring(line)
            while line.last == "\r" { line.removeLast() }
            var shown = withoutANSI(String(line.split(separator: "\r", omittingEmptySubsequences: false).last ?? ""))
            while shown.last == " " { shown.removeLast() }
            return shown
        }
    }

    /// The lines joined, without the blank lines at either end.
    static func trimmed(_ lines: [String]) -> String {
        guard let first = lines.firstIndex(where: { !$0.isEmpty }), let last = lines.lastIndex(where: { !$0.isEmpty }) else { return "" }
        return lines[first...last].joined(separator: "\n")
    }

    /// An SVG document as an element of the page: without its XML declaration, and its ids
    /// (a clip path, a gradient) prefixed with `ids`, so that two plots' ids never clash.
    static func inline(_ svg: String, ids prefix: String) -> String {
        var s = Substring(svg)
        if s.hasPrefix("<?xml"), let end = s.range(of: "?>") { s = s[end.upperBound...] }
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: #" id=""#, with: #" id="\#(prefix)"#)
            .replacingOccurrences(of: "url(#", with: "url(#\(prefix)")
            .replacingOccurrences(of: "href=\"#", with: "href=\"#\(prefix)")
    }
}
