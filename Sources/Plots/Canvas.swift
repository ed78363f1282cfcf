import Foundation

// MARK: - Clipping

/// Cuts the segment p→q to the rectangle [x0, x1] × [y0, y1] (Liang–Barsky); nil when
/// it lies entirely outside. Keeps far-off points (a diverging curve) from costing a
/// long rasterisation or drawing outside the plot.
func clip(_ p: (x: Double, y: Double), _ q: (x: Double, y: Double),
          x0: Double, x1: Double, y0: Double, y1: Double) -> ((x: Double, y: Double), (x: Double, y: Double))? {
    let dx = q.x - p.x, dy = q.y - p.y
    var t0 = 0.0, t1 = 1.0
    for (pk, qk) in [(-dx, p.x - x0), (dx, x1 - p.x), (-dy, p.y - y0), (dy, y1 - p.y)] {
        if pk == 0 {
            if qk < 0 { return nil }
        } else {
            let r = qk / pk
            if pk < 0 { if r > t1 { return nil }; t0 = max(t0, r) }
            else { if r < t0 { return nil }; t1 = min(t1, r) }
        }
    }
    return ((p.x + t0 * dx, p.y + t0 * dy), (p.x + t1 * dx, p.y + t1 * dy))
}

// MARK: - Terminal canvas

/// A grid of terminal cells to draw lines on, at one of two resolutions: braille (each
/// cell holds 2 × 4 dots, U+2800 block) or one mark per cell (a character per series).
/// Coordinates are in dots (braille) or cells, origin at the top left.
struct TerminalCanvas {
    let columns: Int
    let rows: Int
    let braille: Bool
    /// Braille dot bits per cell (braille mode).
    private var bits: [UInt8]
    /// The series that last marked each cell, or -1.
    private var owner: [Int]
    /// Every series that marked each cell (bit i: series i, for the first 64).
    private var marked: [UInt64]
    /// The mark of a cell two or more series share, in character mode.
    static let overlapMark: Character = "&"

    init(columns: Int, rows: Int, braille: Bool) {
        self.columns = columns
        self.rows = rows
        self.braille = braille
        bits = Array(repeating: 0, count: columns * rows)
        owner = Array(repeating: -1, count: columns * rows)
        marked = Array(repeating: 0, count: columns * rows)
    }

    /// Dots (or cells) across and down.
    var dotWidth: Int { braille ? columns * 2 : columns }
    var dotHeight: Int { braille ? rows * 4 : rows }

    /// Marks the dot at (x, y) for `series`; outside the canvas does nothing.
    mutating func set(_ x: Int, _ y: Int, series: Int) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let i = braille ? (y / 4) * columns + x / 2 : y * columns + x
        if braille { bits[i] |= TerminalCanvas.dotBit[x % 2][y % 4] }
        owner[i] = series
        if series < 64 { marked[i] |= 1 << UInt64(series) }
    }

    /// Draws p→q (dot coordinates) for `series`, clipped to the canvas. With `dashed`,
    /// every other run of three dots is left out.
    mutating func line(_ p: (x: Double, y: Double), _ q: (x: Double, y: Double), series: Int, dashed: Bool = false) {
        guard let (a, b) = clip(p, q, x0: 0, x1: Double(dotWidth - 1), y0: 0, y1: Double(dotHeight - 1)) else { return }
        let steps = Int(max(abs(b.x - a.x), abs(b.y - a.y)).rounded(.up))
        for i in 0...max(steps, 0) {
            if dashed && (i / 3) % 2 == 1 { continue }
            let t = steps == 0 ? 0 : Double(i) / Double(steps)
            set(Int((a.x + t * (b.x - a.x)).rounded()), Int((a.y + t * (b.y - a.y)).rounded()), series: series)
        }
    }

    /// One row of cells as text: braille characters or each series' marker, blank cells
    /// as spaces, runs coloured by their series when `colors` is given.
    func render(row: Int, markers: [Character], colors: [Int]?) -> String {
        var out = ""
        var runColor: Int? = nil
        for col in 0..<columns {
            let i = row * columns + col
            let s = owner[i]
            let ch: Character
            if s < 0 {
                ch = " "
            } else if braille {
                ch = Character(Unicode.Scalar(0x2800 + UInt32(bits[i]))!)
            } else {
                ch = marked[i].nonzeroBitCount > 1 ? Self.overlapMark : markers[s % markers.count]
            }
            // A cell several series share is drawn uncoloured: no one series hides another.
            let color: Int? = s >= 0 && marked[i].nonzeroBitCount <= 1 ? colors.map { $0[s % $0.count] } : nil
            if color != runColor {
                if runColor != nil { out += ANSI.reset }
                if let c = color { out += "\u{1B}[\(c)m" }
                runColor = color
            }
            out.append(ch)
        }
        if runColor != nil { out += ANSI.reset }
        return out
    }

    /// The pairs of series that share at least one cell, in order.
    var overlaps: [(Int, Int)] {
        var pairs = Set<[Int]>()
        for m in marked where m.nonzeroBitCount > 1 {
            let members = (0..<64).filter { m & (1 << UInt64($0)) != 0 }
            for a in members.indices { for b in members.indices where b > a { pairs.insert([members[a], members[b]]) } }
        }
        return pairs.sorted { $0.lexicographicallyPrecedes($1) }.map { ($0[0], $0[1]) }
    }

    /// Whether any cell of the row range × column range is marked (for tests and checks).
    func hasInk(rows: Range<Int>, columns cols: Range<Int>) -> Bool {
        for r in rows { for c in cols where owner[r * columns + c] >= 0 { return true } }
        return false
    }

    /// Bit of the braille dot at column x (0, 1) and row y (0…3) of a cell.
    private static let dotBit: [[UInt8]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]
}
