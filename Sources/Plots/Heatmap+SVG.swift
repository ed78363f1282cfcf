import Foundation

extension Heatmap {
    /// The matrix as a standalone SVG document: one `<rect>` per cell, `cellSize` pixels
    /// square, coloured by the scale (or by its symbol's colour), with the value as a
    /// tooltip; row and column labels where they fit; a colour bar or a symbol legend on
    /// the right.
    public func svg(cellSize: Int = 12) -> String {
        let cell = Double(max(cellSize, 2))
        let rows = values.count, columns = columnCount
        let font = min(12, max(8, cell * 0.8))
        let titleHeight = title.isEmpty ? 10.0 : 36
        let rowLabelWidth = rowLabels.map { SVGWriter.textWidth($0, size: font) }.max() ?? 0
        let longestColumnLabel = columnLabels.map { SVGWriter.textWidth($0, size: font) }.max() ?? 0
        // Column labels side by side when at most every other one must go, else upright.
        let sideBySide = max(1, Int(((longestColumnLabel + 3) / cell).rounded(.up)))
        let rotate = sideBySide > 2
        let columnLabelHeight = columnLabels.isEmpty ? 0 : (rotate ? longestColumnLabel : font) + 6
        let left = 10 + (rowLabelWidth > 0 ? rowLabelWidth + 6 : 0)
        let top = titleHeight + columnLabelHeight
        let matrixWidth = Double(columns) * cell, matrixHeight = Double(rows) * cell

        // The legend to the right of the matrix: its size decides the document's.
        let legendX = left + matrixWidth + 16
        let legendLabels = symbols.isEmpty
            ? [shadeRange.lo, (shadeRange.lo + shadeRange.hi) / 2, shadeRange.hi].map { NumberFormat.short($0) }
            : symbols.map(\.label)
        let legendWidth = 18 + (legendLabels.map { SVGWriter.textWidth($0, size: 11) }.max() ?? 0)
        let legendHeight = symbols.isEmpty ? max(matrixHeight, 80) : Double(symbols.count) * 18
        let width = max(legendX + legendWidth + 12, SVGWriter.textWidth(title, size: 15) * 1.1 + 20)
        let height = top + max(matrixHeight, legendHeight) + 12
        var svg = SVGWriter(width: width.rounded(.up), height: height.rounded(.up), title: title)
        if !title.isEmpty { svg.text(title, 10, 24, size: 15, bold: true) }

        // Labels, each where it does not crowd the one placed before it (empty labels
        // take no room, so a sparse set — "1", "5", "10" — keeps every label).
        let lineRoom = font * 1.1
        for r in fittingLabels(rowLabels.prefix(rows), cell: cell, room: { _ in lineRoom }) {
            svg.text(rowLabels[r], left - 6, top + (Double(r) + 0.5) * cell + font * 0.35, size: font, anchor: "end")
        }
        let columnRoom: (String) -> Double = { rotate ? lineRoom : SVGWriter.textWidth($0, size: font) + 3 }
        for c in fittingLabels(columnLabels.prefix(columns), cell: cell, room: columnRoom) {
            let label = columnLabels[c]
            let x = left + (Double(c) + 0.5) * cell
            if rotate {
                svg.text(label, x + font * 0.35, top - 6, size: font, rotate: -90)
            } else {
                svg.text(label, x, top - 6, size: font, anchor: "middle")
            }
        }

        // The cells, edges on whole pixels (no seams between neighbours).
        svg.raw(#"<g shape-rendering="crispEdges">"#)
        for r in 0..<rows {
            for c in 0..<columns {
                let x = left + Double(c) * cell, y = top + Double(r) * cell
                let rowName = r < rowLabels.count ? rowLabels[r] : "row \(r)"
                let columnName = c < columnLabels.count ? columnLabels[c] : "column \(c)"
                guard let v = value(r, c) else {
                    svg.rect(x, y, cell, cell, fill: "#bdbdbd", tooltip: "\(rowName), \(columnName): missing")
                    continue
                }
                let fill = symbol(for: v).flatMap(\.color) ?? Palette.blues(shade(v))
                let name = symbol(for: v).map { " (\($0.label))" } ?? ""
                svg.rect(x, y, cell, cell, fill: fill, tooltip: "\(rowName), \(columnName): \(NumberFormat.short(v))\(name)")
            }
        }
        svg.raw("</g>")
        svg.rect(left, top, matrixWidth, matrixHeight, fill: "none", stroke: "#666666")

        // The legend.
        if symbols.isEmpty {
            svg.define(#"<linearGradient id="scale" x1="0" y1="1" x2="0" y2="0">"#
                + stride(from: 0.0, through: 1.0, by: 0.25).map { #"<stop offset="\#($0)" stop-color="\#(Palette.blues($0))"/>"# }.joined()
                + "</linearGradient>")
            svg.rect(legendX, top, 12, legendHeight, fill: "url(#scale)", stroke: "#666666")
            for (k, label) in legendLabels.enumerated() {
                let y = top + legendHeight * (1 - Double(k) / 2)
                svg.text(label, legendX + 18, y + 4, size: 11)
            }
        } else {
            for (k, s) in symbols.enumerated() {
                let y = top + Double(k) * 18
                svg.rect(legendX, y, 12, 12, fill: s.color ?? Palette.blues(shade(s.value)), stroke: "#666666")
                svg.text(s.label, legendX + 18, y + 10, size: 11)
            }
        }
        return svg.document()
    }
}

/// The indices of the labels to draw along an axis of `cell`-sized steps: from the first,
/// each non-empty label whose centre is far enough from the last one drawn that the two
/// (each needing `room(label)` along the axis) do not overlap.
func fittingLabels<Labels: Collection>(_ labels: Labels, cell: Double, room: (String) -> Double) -> [Int] where Labels.Element == String {
    var chosen: [Int] = []
    var lastCentre = -Double.infinity, lastHalf = 0.0
    for (i, label) in labels.enumerated() where !label.isEmpty {
        let centre = (Double(i) + 0.5) * cell, half = room(label) / 2
        if centre - lastCentre >= lastHalf + half {
            chosen.append(i)
            (lastCentre, lastHalf) = (centre, half)
        }
    }
    return chosen
}
