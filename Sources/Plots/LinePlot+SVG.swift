import Foundation

extension LinePlot {
    /// The plot as a standalone SVG document of `width` × `height` pixels: title, legend,
    /// axes with ticks and grid lines, and one `<polyline>` per series (points marked
    /// when a series has few of them).
    public func svg(width: Int = 640, height: Int = 400) -> String {
        let layout = layout()
        let w = Double(max(width, 160)), h = Double(max(height, 120))
        var svg = SVGWriter(width: w, height: h, title: title)
        let font = 12.0

        // Title and legend on top.
        var top = 12.0
        if !title.isEmpty {
            svg.text(title, w / 2, 26, size: 16, anchor: "middle", bold: true)
            top = 40
        }
        let named = series.enumerated().filter { !$0.element.name.isEmpty }
        if !named.isEmpty {
            var x = 20.0, y = top + 12
            for (i, s) in named {
                let itemWidth = 28 + SVGWriter.textWidth(s.name, size: font)
                if x > 20, x + itemWidth > w - 20 { x = 20; y += 18 }
                let color = Palette.svg[i % Palette.svg.count]
                svg.line(x, y - 4, x + 22, y - 4, stroke: color, width: 2.5, dash: s.dashed ? "6 4" : nil)
                svg.text(s.name, x + 28, y, size: font)
                x += itemWidth + 18
            }
            top = y + 14
        }

        // The plotting area.
        let yTitle = [yLabel, logY ? "(log scale)" : ""].filter { !$0.isEmpty }.joined(separator: " ")
        let tickLabelWidth = layout.y.labels.map { SVGWriter.textWidth($0, size: font) }.max() ?? 0
        let left = (yTitle.isEmpty ? 12 : 32) + tickLabelWidth + 10
        let right = w - 20
        let bottom = h - (xLabel.isEmpty ? 30 : 48)
        let plotTop = min(top + 8, bottom - 20)
        let pw = right - left, ph = bottom - plotTop
        func point(_ p: (x: Double, y: Double)) -> (x: Double, y: Double)? {
            guard let fx = layout.x.fraction(p.x), let fy = layout.y.fraction(p.y) else { return nil }
            return (left + fx * pw, bottom - fy * ph)
        }

        // Grid, ticks and labels.
        for (v, label) in zip(layout.y.ticks, layout.y.labels) {
            guard let f = layout.y.fraction(v), f >= -1e-9, f <= 1 + 1e-9 else { continue }
            let y = bottom - f * ph
            svg.line(left, y, right, y, stroke: "#e6e6e6")
            svg.line(left - 5, y, left, y, stroke: "#333333")
            svg.text(label, left - 8, y + 4, size: font, anchor: "end")
        }
        for (v, label) in zip(layout.x.ticks, layout.x.labels) {
            guard let f = layout.x.fraction(v), f >= -1e-9, f <= 1 + 1e-9 else { continue }
            let x = left + f * pw
            svg.line(x, plotTop, x, bottom, stroke: "#f0f0f0")
            svg.line(x, bottom, x, bottom + 5, stroke: "#333333")
            svg.text(label, x, bottom + 18, size: font, anchor: "middle")
        }
        svg.line(left, plotTop, left, bottom, stroke: "#333333")
        svg.line(left, bottom, right, bottom, stroke: "#333333")
        if !xLabel.isEmpty { svg.text(xLabel, (left + right) / 2, h - 12, size: font, anchor: "middle") }
        if !yTitle.isEmpty {
            let cy = (plotTop + bottom) / 2
            svg.text(yTitle, 18, cy, size: font, anchor: "middle", rotate: -90)
        }

        // The curves, clipped to the plotting area.
        svg.define(#"<clipPath id="plot-area"><rect x="\#(px(left - 3))" y="\#(px(plotTop - 3))" width="\#(px(pw + 6))" height="\#(px(ph + 6))"/></clipPath>"#)
        for (i, points) in layout.points.enumerated() {
            let color = Palette.svg[i % Palette.svg.count]
            let pixels = LinePlot.thin(points.compactMap(point))
            guard !pixels.isEmpty else { continue }
            svg.polyline(pixels, stroke: color, dash: series[i].dashed ? "6 4" : nil, clipID: "plot-area")
            if pixels.count <= 40 && !series[i].isLevel {
                for p in pixels { svg.circle(p.x, p.y, r: 3, fill: color, clipID: "plot-area") }
            }
        }
        if !layout.hasData {
            svg.text("no data", (left + right) / 2, (plotTop + bottom) / 2, size: 14, anchor: "middle", fill: "#888888")
        }
        return svg.document()
    }

    /// At most four points per pixel column (first, lowest, highest, last), in order: a
    /// curve of 100 000 steps keeps its look and the file stays small.
    static func thin(_ pixels: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard pixels.count > 2000 else { return pixels }
        var out: [(x: Double, y: Double)] = []
        var start = 0
        while start < pixels.count {
            let column = pixels[start].x.rounded()
            var end = start + 1
            while end < pixels.count, pixels[end].x.rounded() == column { end += 1 }
            let group = pixels[start..<end]
            let low = group.indices.max { pixels[$0].y < pixels[$1].y }!
            let high = group.indices.min { pixels[$0].y < pixels[$1].y }!
            for i in Set([start, low, high, end - 1]).sorted() { out.append(pixels[i]) }
            start = end
        }
        return out
    }
}
