import Foundation

/// How a line plot marks its curves in the terminal.
public enum TerminalMarks: Sendable {
    /// Braille when colour tells the series apart (or there is only one), otherwise one
    /// character per series.
    case automatic
    /// Braille dots: 2 × 4 dots per character cell, the finest lines a terminal can show.
    case braille
    /// One character per cell, a different one per series (`*`, `+`, `o`, …).
    case characters
}

extension LinePlot {
    /// The plot as text for a terminal.
    ///
    /// - width: columns of every line, axis labels included (lines are never longer).
    /// - height: rows of the plotting area; the title, axis labels and legend add
    ///   about six lines.
    /// - color: ANSI colours, one per series (only for a terminal that shows them).
    /// - marks: braille dots or one character per series; see `TerminalMarks`.
    public func terminal(width: Int = 80, height: Int = 18, color: Bool = false,
                         marks: TerminalMarks = .automatic) -> String {
        let layout = layout()
        let braille: Bool
        switch marks {
        case .braille: braille = true
        case .characters: braille = false
        case .automatic: braille = color || series.count <= 1
        }
        let yLabels = layout.y.labels
        let labelWidth = max(1, yLabels.map(\.count).max() ?? 1)
        let columns = max(10, width - labelWidth - 1)
        let rows = max(3, height)
        var canvas = TerminalCanvas(columns: columns, rows: rows, braille: braille)
        let colors: [Int]? = color ? Palette.ansi : nil

        // The curves, in dot coordinates.
        let dotW = Double(canvas.dotWidth - 1), dotH = Double(canvas.dotHeight - 1)
        func dot(_ p: (x: Double, y: Double)) -> (x: Double, y: Double)? {
            guard let fx = layout.x.fraction(p.x), let fy = layout.y.fraction(p.y) else { return nil }
            return (fx * dotW, (1 - fy) * dotH)
        }
        for (i, points) in layout.points.enumerated() {
            let dots = points.compactMap(dot)
            if dots.count == 1 { canvas.line(dots[0], dots[0], series: i) }
            for k in dots.indices.dropFirst() {
                canvas.line(dots[k - 1], dots[k], series: i, dashed: series[i].dashed)
            }
        }

        // The y axis: a label on the row of each tick.
        var rowLabel = [String?](repeating: nil, count: rows)
        for (v, label) in zip(layout.y.ticks, yLabels) {
            guard let f = layout.y.fraction(v) else { continue }
            let row = Int(((1 - f) * dotH).rounded()) / (braille ? 4 : 1)
            if row >= 0, row < rows, rowLabel[row] == nil { rowLabel[row] = label }
        }

        var lines: [String] = []
        if !title.isEmpty { lines.append(TextWidth.center(title, in: width)) }
        let yTitle = [yLabel, logY ? "(log scale)" : ""].filter { !$0.isEmpty }.joined(separator: " ")
        if !yTitle.isEmpty { lines.append(yTitle) }
        let markers = Palette.markers
        for r in 0..<rows {
            var body = canvas.render(row: r, markers: markers, colors: colors)
            if !layout.hasData && r == rows / 2 {
                body = TextWidth.pad(TextWidth.center("(no data)", in: columns), to: columns)
            }
            let label = TextWidth.pad(rowLabel[r] ?? "", to: labelWidth, right: true)
            lines.append(label + (rowLabel[r] == nil ? "│" : "┤") + body)
        }
        lines += xAxisLines(layout.x, labelWidth: labelWidth, columns: columns,
                            dotsPerCell: braille ? 2 : 1, dotWidth: dotW)
        if !xLabel.isEmpty {
            lines.append(String(repeating: " ", count: labelWidth + 1) + TextWidth.center(xLabel, in: columns))
        }
        lines += legendLines(braille: braille, colors: colors, indent: labelWidth + 1, width: width)
        if let overlap = overlapLine(canvas.overlaps, braille: braille, colors: colors) {
            lines.append(String(repeating: " ", count: labelWidth + 1) + overlap)
        }
        return TextWidth.fit(lines, to: width)
    }

    /// The x axis line with tick marks, and the line of tick labels under it: the two
    /// ends of the data range, and round values between them where they fit.
    private func xAxisLines(_ axis: Axis, labelWidth: Int, columns: Int, dotsPerCell: Int, dotWidth: Double) -> [String] {
        var rule = Array(repeating: Character("─"), count: columns)
        var text = Array(repeating: Character(" "), count: columns)
        var taken = Array(repeating: false, count: columns)
        func place(_ label: String, start: Int) -> Bool {
            let chars = Array(label)
            guard start >= 0, start + chars.count <= columns else { return false }
            let lo = max(0, start - 1), hi = min(columns, start + chars.count + 1)
            guard !taken[lo..<hi].contains(true) else { return false }
            for (k, c) in chars.enumerated() { text[start + k] = c; taken[start + k] = true }
            return true
        }
        let low = NumberFormat.short(axis.lo), high = NumberFormat.short(axis.hi)
        if place(low, start: 0) { rule[0] = "┬" }
        if place(high, start: columns - high.count) { rule[columns - 1] = "┬" }
        for (v, label) in zip(axis.ticks, axis.labels) {
            guard let f = axis.fraction(v), f > 0.001, f < 0.999 else { continue }
            let col = Int((f * dotWidth).rounded()) / dotsPerCell
            if place(label, start: col - label.count / 2) { rule[col] = "┬" }
        }
        let indent = String(repeating: " ", count: labelWidth)
        return [indent + "└" + String(rule), indent + " " + String(text)]
    }

    /// Where series share cells, and so would hide each other: which ones, and the mark
    /// (or, in colour, the uncoloured dots) that shows it. Nil when none do, or when one
    /// braille colour-less series is all there is.
    func overlapLine(_ pairs: [(Int, Int)], braille: Bool, colors: [Int]?) -> String? {
        guard !pairs.isEmpty, !braille || colors != nil else { return nil }
        let names = pairs.prefix(4).map { a, b in "\(series[a].name) and \(series[b].name)" }.joined(separator: "; ")
        let more = pairs.count > 4 ? "; …" : ""
        let mark = braille ? "uncoloured dots" : String(TerminalCanvas.overlapMark)
        return "\(mark): series on the same spot (\(names)\(more))"
    }

    /// The legend: each series' mark and name, wrapped to `width`.
    private func legendLines(braille: Bool, colors: [Int]?, indent: Int, width: Int) -> [String] {
        var items: [(text: String, width: Int)] = []
        for (i, s) in series.enumerated() where !s.name.isEmpty {
            var mark = braille ? (s.dashed ? "╌╌" : "──") : String(Palette.markers[i % Palette.markers.count])
            if let colors { mark = ANSI.paint(mark, colors[i % colors.count]) }
            let name = TextWidth.truncate(s.name, to: max(8, width - indent - 4))
            items.append((mark + " " + name, TextWidth.of(mark) + 1 + name.count))
        }
        var lines: [String] = []
        var line = "", used = 0
        for item in items {
            if used > 0 && indent + used + 3 + item.width > width {
                lines.append(line)
                line = ""; used = 0
            }
            if used > 0 { line += "   "; used += 3 }
            line += item.text; used += item.width
        }
        if used > 0 { lines.append(line) }
        return lines.map { String(repeating: " ", count: indent) + $0 }
    }
}
