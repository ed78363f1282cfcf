import Foundation

// MARK: - Escaping

/// `text` safe inside XML content and attribute values: `& < > " '` escaped, and the
/// control characters XML 1.0 forbids (an ANSI escape, say) dropped.
public func xmlEscape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
        default:
            let v = scalar.value
            if v < 0x20 || v == 0xFFFE || v == 0xFFFF { continue }
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

// MARK: - Colours

/// The colours of series, the same order in SVG and in the terminal.
enum Palette {
    /// Distinct, print-friendly colours (the Tableau 10 set).
    static let svg = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
    /// The nearest ANSI foreground colours: blue, yellow, green, red, magenta, …
    static let ansi = [34, 33, 32, 31, 35, 36, 95, 90, 93, 96]
    /// Marks for series when the terminal shows one character per cell, without colour.
    static let markers: [Character] = ["*", "+", "o", "x", "#", "%", "@", "=", "~", "$"]

    /// A sequential scale from near-white (0) to dark blue (1), as CSS hex.
    static func blues(_ t: Double) -> String {
        let stops: [(Double, Double, Double)] = [
            (247, 251, 255), (198, 219, 239), (107, 174, 214), (33, 113, 181), (8, 48, 107),
        ]
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(stops.count - 1)
        let i = min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ u: Double, _ v: Double) -> Int { Int((u + (v - u) * f).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }
}

// MARK: - Writing SVG

/// Builds a standalone SVG 1.1 document element by element. Coordinates are in pixels,
/// origin at the top left; every text goes through `xmlEscape`.
struct SVGWriter {
    let width: Double
    let height: Double
    private var defs: [String] = []
    private var body: [String] = []

    /// A document of `width` × `height` with a white background; `title` becomes its
    /// `<title>` (what a browser tab shows).
    init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        if !title.isEmpty { body.append("<title>\(xmlEscape(title))</title>") }
        body.append(##"<rect x="0" y="0" width="\##(px(width))" height="\##(px(height))" fill="#ffffff"/>"##)
    }

    /// The finished document, starting with the XML declaration.
    func document() -> String {
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8" standalone="no"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="\#(px(width))" height="\#(px(height))" viewBox="0 0 \#(px(width)) \#(px(height))" font-family="Helvetica, Arial, sans-serif">"#,
        ]
        if !defs.isEmpty { lines.append("<defs>"); lines += defs; lines.append("</defs>") }
        lines += body
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Adds raw markup to the `<defs>` section (clip paths, gradients).
    mutating func define(_ markup: String) { defs.append(markup) }

    /// Adds raw markup to the body.
    mutating func raw(_ markup: String) { body.append(markup) }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double,
                       stroke: String = "#000000", width: Double = 1, dash: String? = nil) {
        let d = dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
        body.append(#"<line x1="\#(px(x1))" y1="\#(px(y1))" x2="\#(px(x2))" y2="\#(px(y2))" stroke="\#(stroke)" stroke-width="\#(px(width))"\#(d)/>"#)
    }

    /// A rectangle; `tooltip` becomes a `<title>` child that browsers show on hover.
    mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double,
                       fill: String, stroke: String? = nil, tooltip: String? = nil) {
        let s = stroke.map { #" stroke="\#($0)" stroke-width="1""# } ?? ""
        let head = #"<rect x="\#(px(x))" y="\#(px(y))" width="\#(px(w))" height="\#(px(h))" fill="\#(fill)"\#(s)"#
        if let tip = tooltip {
            body.append(head + "><title>\(xmlEscape(tip))</title></rect>")
        } else {
            body.append(head + "/>")
        }
    }

    /// Text at (x, y) (baseline); `anchor` is start, middle or end; `rotate` in degrees
    /// about (x, y).
    mutating func text(_ s: String, _ x: Double, _ y: Double, size: Double = 12, anchor: String = "start",
                       bold: Bool = false, fill: String = "#222222", rotate: Double? = nil) {
        let w = bold ? #" font-weight="bold""# : ""
        let r = rotate.map { #" transform="rotate(\#(px($0)) \#(px(x)) \#(px(y)))""# } ?? ""
        body.append(#"<text x="\#(px(x))" y="\#(px(y))" font-size="\#(px(size))" text-anchor="\#(anchor)" fill="\#(fill)"\#(w)\#(r)>\#(xmlEscape(s))</text>"#)
    }

    /// One polyline through `points`; `clipID` names a clip path from `define`.
    mutating func polyline(_ points: [(x: Double, y: Double)], stroke: String, width: Double = 2,
                           dash: String? = nil, clipID: String? = nil) {
        let p = points.map { "\(px($0.x)),\(px($0.y))" }.joined(separator: " ")
        let d = dash.map { #" stroke-dasharray="\#($0)""# } ?? ""
        let c = clipID.map { #" clip-path="url(#\#($0))""# } ?? ""
        body.append(#"<polyline points="\#(p)" fill="none" stroke="\#(stroke)" stroke-width="\#(px(width))" stroke-linejoin="round" stroke-linecap="round"\#(d)\#(c)/>"#)
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, clipID: String? = nil) {
        let c = clipID.map { #" clip-path="url(#\#($0))""# } ?? ""
        body.append(#"<circle cx="\#(px(x))" cy="\#(px(y))" r="\#(px(r))" fill="\#(fill)"\#(c)/>"#)
    }

    /// A rough width of `text` in pixels at font `size` (no font metrics at hand).
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * 0.6
    }
}

/// A coordinate as SVG text: one decimal, no "-0", far values held to ±1e6.
func px(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let r = (min(max(v, -1e6), 1e6) * 10).rounded() / 10
    if r == r.rounded() { return String(Int(r)) }
    return String(r)
}
