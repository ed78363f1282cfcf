import Foundation

/// Horizontal bars with labels and values: bits/char by model, accuracy by case.
///
///     var chart = BarChart(title: "Bits per character", valueLabel: "bits/char")
///     chart.add("order 2", 2.41)
///     chart.add("LSTM", 1.80)
///     print(chart.terminal())
///
/// Bars start at 0 (or at the low end of `range`); negative values go left of a zero
/// line. A non-finite value shows its label and "NaN"/"inf" without a bar.
public struct BarChart: Sendable {
    /// One labelled value.
    public struct Bar: Sendable {
        public var label: String
        public var value: Double

        public init(label: String, value: Double) {
            self.label = label
            self.value = value
        }
    }

    /// Shown above the bars, and as the SVG's `<title>`.
    public var title: String
    /// What the values are ("bits/char", "accuracy"), shown under the axis.
    public var valueLabel: String
    /// Top to bottom.
    public var bars: [Bar]
    /// Fixed ends of the value axis; nil takes 0 and the data's extremes.
    public var range: ClosedRange<Double>?

    public init(title: String, valueLabel: String = "", bars: [Bar] = [], range: ClosedRange<Double>? = nil) {
        self.title = title
        self.valueLabel = valueLabel
        self.bars = bars
        self.range = range
    }

    /// Adds a bar.
    public mutating func add<T: PlotValue>(_ label: String, _ value: T) {
        bars.append(Bar(label: label, value: value.plotValue))
    }

    /// The value axis: from min(0, data) to max(0, data), at round ticks, unless `range`.
    func axis() -> Axis {
        if let r = range, r.upperBound > r.lowerBound {
            return Axis.linear(r.lowerBound, r.upperBound, extend: false)
        }
        let finite = bars.map(\.value).filter(\.isFinite)
        let lo = min(0, finite.min() ?? 0), hi = max(0, finite.max() ?? 1)
        return hi > lo ? Axis.linear(lo, hi, extend: true) : Axis.linear(0, 1, extend: true)
    }

    // MARK: - Terminal

    /// The chart as text, every line at most `width` columns: a label, a bar of block
    /// characters (eighths of a cell for the fractional end) and the value.
    public func terminal(width: Int = 80, color: Bool = false) -> String {
        let axis = axis()
        let values = bars.map { NumberFormat.short($0.value) }
        let labelWidth = min(24, max(1, bars.map(\.label.count).max() ?? 1))
        let valueWidth = values.map(\.count).max() ?? 1
        let barWidth = max(10, width - labelWidth - 1 - 1 - 1 - valueWidth)
        let cells = Double(barWidth)
        // The zero line's position in cells (0 when all values are ≥ 0).
        let zero = (min(max(-axis.lo / (axis.hi - axis.lo), 0), 1) * cells).rounded()

        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        for (bar, valueText) in zip(bars, values) {
            var body = Array(repeating: " ", count: barWidth)
            if bar.value.isFinite {
                let end = min(max((bar.value - axis.lo) / (axis.hi - axis.lo), 0), 1) * cells
                if end >= zero {
                    let eighths = Int(((end - zero) * 8).rounded())
                    let full = eighths / 8, part = eighths % 8
                    for k in 0..<full where Int(zero) + k < barWidth { body[Int(zero) + k] = "█" }
                    if part > 0, Int(zero) + full < barWidth { body[Int(zero) + full] = BarChart.eighths[part] }
                } else {
                    for k in Int(end.rounded())..<Int(zero) { body[k] = "█" }
                }
            }
            var barText = body.joined()
            while barText.last == " " { barText.removeLast() }
            if color { barText = ANSI.paint(barText, Palette.ansi[0]) }
            let gap = String(repeating: " ", count: barWidth - TextWidth.of(barText) + 1)
            let value = TextWidth.pad(valueText, to: valueWidth, right: true)
            lines.append(TextWidth.pad(bar.label, to: labelWidth) + " │" + barText + gap + value)
        }
        let indent = String(repeating: " ", count: labelWidth + 1)
        let ends = NumberFormat.short(axis.lo) + " … " + NumberFormat.short(axis.hi)
        lines.append(indent + "└" + String(repeating: "─", count: barWidth))
        lines.append(indent + " " + ([valueLabel, "axis \(ends)"].filter { !$0.isEmpty }.joined(separator: ", ")))
        return TextWidth.fit(lines, to: width)
    }

    /// Left-aligned blocks of 1/8 … 7/8 of a cell.
    private static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    // MARK: - SVG

    /// The chart as a standalone SVG document `width` pixels wide: one bar per value with
    /// its label on the left and its value at the end, a value axis with ticks below.
    public func svg(width: Int = 640) -> String {
        let axis = axis()
        let w = Double(max(width, 200))
        let font = 12.0, barHeight = 18.0, pitch = 26.0
        let top = title.isEmpty ? 14.0 : 42
        let labelWidth = min(w * 0.35, bars.map { SVGWriter.textWidth($0.label, size: font) }.max() ?? 0)
        let valueWidth = bars.map { SVGWriter.textWidth(NumberFormat.short($0.value), size: font) }.max() ?? 0
        let left = 14 + labelWidth + 8, right = w - 16 - valueWidth - 6
        let bottom = top + Double(max(bars.count, 1)) * pitch
        let h = bottom + (valueLabel.isEmpty ? 30 : 48)
        var svg = SVGWriter(width: w, height: h, title: title)
        if !title.isEmpty { svg.text(title, w / 2, 26, size: 16, anchor: "middle", bold: true) }

        func x(_ v: Double) -> Double {
            left + min(max((v - axis.lo) / (axis.hi - axis.lo), 0), 1) * (right - left)
        }
        for (v, label) in zip(axis.ticks, axis.labels) {
            svg.line(x(v), top, x(v), bottom, stroke: "#e6e6e6")
            svg.line(x(v), bottom, x(v), bottom + 5, stroke: "#333333")
            svg.text(label, x(v), bottom + 18, size: font, anchor: "middle")
        }
        let zero = x(min(max(0, axis.lo), axis.hi))
        for (i, bar) in bars.enumerated() {
            let y = top + Double(i) * pitch + (pitch - barHeight) / 2
            svg.text(bar.label, left - 8, y + barHeight / 2 + 4, size: font, anchor: "end")
            let valueText = NumberFormat.short(bar.value)
            if bar.value.isFinite {
                let end = x(bar.value)
                svg.rect(min(zero, end), y, abs(end - zero), barHeight, fill: Palette.svg[0],
                         tooltip: "\(bar.label): \(valueText)")
            }
            svg.text(valueText, max(zero, x(bar.value.isFinite ? bar.value : 0)) + 6, y + barHeight / 2 + 4, size: font)
        }
        if bars.isEmpty {
            svg.text("no data", (left + right) / 2, top + pitch / 2 + 4, size: 14, anchor: "middle", fill: "#888888")
        }
        svg.line(zero, top, zero, bottom, stroke: "#333333")
        svg.line(left, bottom, right, bottom, stroke: "#333333")
        if !valueLabel.isEmpty { svg.text(valueLabel, (left + right) / 2, h - 12, size: font, anchor: "middle") }
        return svg.document()
    }
}
