import Foundation

/// A matrix of values as an image: a mask, a padded batch, "prediction == target" per
/// position, a confusion-like table. Rows top to bottom, columns left to right.
///
///     let mask = Heatmap(title: "mask", values: lengths.map { n in (0..<T).map { $0 < n ? 1.0 : 0.0 } },
///                        symbols: Heatmap.Symbol.binary(zero: "padding", one: "token"))
///     print(mask.terminal())
///
/// Values are shaded from the low end of `range` (blank, near-white) to the high end
/// (full block, dark blue), or drawn with `symbols` when given. Rows may be ragged: a
/// missing cell, like a non-finite value, shows as "?" (grey in SVG).
public struct Heatmap: Sendable {
    /// A character (and SVG colour) for the cells nearest a value, with its legend text.
    public struct Symbol: Sendable {
        public var value: Double
        public var character: Character
        public var label: String
        /// CSS colour for SVG; nil takes the colour scale's at `value`.
        public var color: String?

        public init(value: Double, character: Character, label: String, color: String? = nil) {
            self.value = value
            self.character = character
            self.label = label
            self.color = color
        }

        /// 0 as "·" and 1 as "█": a mask or a padded batch.
        public static func binary(zero: String = "0", one: String = "1") -> [Symbol] {
            [Symbol(value: 0, character: "·", label: zero, color: "#f0f0f0"),
             Symbol(value: 1, character: "█", label: one, color: "#08306b")]
        }

        /// 0 as "✗" (red) and 1 as "█" (green): prediction == target per position.
        public static func rightWrong(right: String = "right", wrong: String = "wrong") -> [Symbol] {
            [Symbol(value: 0, character: "✗", label: wrong, color: "#d62728"),
             Symbol(value: 1, character: "█", label: right, color: "#2ca02c")]
        }
    }

    /// Shown above the matrix, and as the SVG's `<title>`.
    public var title: String
    /// Rows of values; rows may differ in length.
    public var values: [[Double]]
    /// One label per row (or none); shown left of the rows.
    public var rowLabels: [String]
    /// One label per column (or none); shown above the columns where they fit.
    public var columnLabels: [String]
    /// The values at the two ends of the shading; nil takes the data's min and max.
    public var range: ClosedRange<Double>?
    /// Characters for values; empty shades by value instead.
    public var symbols: [Symbol]

    /// A matrix of numbers (Double, Float, Int) or of Bools; Bools are 0/1 drawn with
    /// `Symbol.binary(zero: "false", one: "true")` unless `symbols` says otherwise.
    public init<T: PlotValue>(title: String = "", values: [[T]], rowLabels: [String] = [],
                              columnLabels: [String] = [], range: ClosedRange<Double>? = nil,
                              symbols: [Symbol] = []) {
        self.title = title
        self.values = values.map { $0.map(\.plotValue) }
        self.rowLabels = rowLabels
        self.columnLabels = columnLabels
        self.range = range ?? (T.self == Bool.self ? 0...1 : nil)
        self.symbols = symbols.isEmpty && T.self == Bool.self ? Symbol.binary(zero: "false", one: "true") : symbols
    }

    /// A matrix from row-major scalars, such as a `[rows, columns]` tensor's.
    public init<T: PlotValue>(title: String = "", rows: Int, columns: Int, scalars: [T], rowLabels: [String] = [],
                              columnLabels: [String] = [], range: ClosedRange<Double>? = nil,
                              symbols: [Symbol] = []) {
        let matrix = (0..<max(rows, 0)).map { r in
            Array(scalars.dropFirst(r * columns).prefix(max(columns, 0)))
        }
        self.init(title: title, values: matrix, rowLabels: rowLabels, columnLabels: columnLabels,
                  range: range, symbols: symbols)
    }

    // MARK: - Shared by the renderers

    /// The number of columns: the longest row.
    var columnCount: Int { values.map(\.count).max() ?? 0 }

    /// The cell at (r, c), nil when missing or non-finite.
    func value(_ r: Int, _ c: Int) -> Double? {
        guard c < values[r].count, values[r][c].isFinite else { return nil }
        return values[r][c]
    }

    /// The shading's low and high ends: `range`, else the data's; a constant matrix is
    /// stretched to include 0 (all ones shade dark, all zeros light).
    var shadeRange: (lo: Double, hi: Double) {
        if let r = range, r.upperBound > r.lowerBound { return (r.lowerBound, r.upperBound) }
        let finite = values.joined().filter(\.isFinite)
        var lo = finite.min() ?? 0, hi = finite.max() ?? 1
        if !(hi > lo) { (lo, hi) = (min(lo, 0), max(hi, 0)) }
        if !(hi > lo) { hi = lo + 1 }
        return (lo, hi)
    }

    /// Where `v` sits in the shading, 0 … 1 (clamped).
    func shade(_ v: Double) -> Double {
        let (lo, hi) = shadeRange
        return min(max((v - lo) / (hi - lo), 0), 1)
    }

    /// The symbol whose value is nearest `v`.
    func symbol(for v: Double) -> Symbol? {
        symbols.min { abs($0.value - v) < abs($1.value - v) }
    }

    // MARK: - Terminal

    /// Shade characters from low to high.
    static let shades: [Character] = [" ", "░", "▒", "▓", "█"]

    /// The column labels over `shown` columns of `cellWidth` characters: every k-th label,
    /// for the smallest k at which they all fit with a space between them — a regular
    /// stride, never one label here and there left out because its neighbour was long.
    func columnHeader(shown: Int, cellWidth: Int) -> String {
        let width = shown * cellWidth
        let labelled = (0..<min(shown, columnLabels.count)).filter { !columnLabels[$0].isEmpty }
        for stride in 1...max(1, labelled.count) {
            var header = Array(repeating: Character(" "), count: width)
            var end = -1, fits = true
            for (n, c) in labelled.enumerated() where n % stride == 0 {
                let label = Array(columnLabels[c]), start = c * cellWidth
                guard start > end, start + label.count <= width else { fits = false; break }
                for (k, ch) in label.enumerated() { header[start + k] = ch }
                end = start + label.count
            }
            if fits { return String(header) }
        }
        return String(repeating: " ", count: width)
    }

    /// The matrix as text at most `maxWidth` columns wide: two characters per cell when
    /// they fit, else one; columns that do not fit are left out (and said so). A legend
    /// line explains the characters.
    public func terminal(maxWidth: Int = 80) -> String {
        let columns = columnCount
        let labelWidth = min(16, rowLabels.map(\.count).max() ?? 0)
        let gutter = labelWidth > 0 ? labelWidth + 1 : 0
        let room = max(1, maxWidth - gutter - 2)
        let cellWidth = columns * 2 <= room ? 2 : 1
        let shown = min(columns, room / cellWidth)

        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        let indent = String(repeating: " ", count: gutter)
        if !columnLabels.isEmpty, shown > 0 {
            lines.append(indent + " " + columnHeader(shown: shown, cellWidth: cellWidth))
        }
        for r in values.indices {
            var row = ""
            for c in 0..<shown {
                let ch: Character
                if let v = value(r, c) {
                    if let s = symbol(for: v) { ch = s.character }
                    else { ch = Heatmap.shades[min(4, Int(shade(v) * 5))] }
                } else {
                    ch = "?"
                }
                row += String(repeating: ch, count: cellWidth)
            }
            let label = r < rowLabels.count ? rowLabels[r] : ""
            let head = gutter > 0 ? TextWidth.pad(label, to: labelWidth, right: true) + " " : ""
            lines.append(head + "│" + row + "│")
        }
        if shown < columns {
            lines.append(indent + "(columns \(shown + 1)…\(columns) of \(columns) not shown)")
        }
        lines.append(indent + legend())
        return TextWidth.fit(lines, to: maxWidth)
    }

    /// "· padding   █ token" for symbols, or the shades from the low value to the high.
    private func legend() -> String {
        if !symbols.isEmpty {
            return symbols.map { "\($0.character) \($0.label)" }.joined(separator: "   ")
        }
        let (lo, hi) = shadeRange
        return "shades [ ░▒▓█]: \(NumberFormat.short(lo)) … \(NumberFormat.short(hi))"
    }
}
