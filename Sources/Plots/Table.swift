import Foundation

/// Text in aligned columns under a header row: "hidden │ test MSE │ generation MSE".
///
///     var table = Table(header: ["hidden", "test MSE", "generation MSE"])
///     table.add(["1", Table.number(0.0123), Table.number(0.456)])
///     print(table.render())
///
/// A column whose cells are all numbers ("0.25", "-3", "1e-4", "97%", "NaN"; empty and
/// "-" cells don't count) is right-aligned, header included; others are left-aligned.
public struct Table: Sendable {
    /// How a column's cells line up.
    public enum Alignment: Sendable {
        case left, right
        /// Right for a column of numbers, left otherwise.
        case automatic
    }

    /// A line above the table ("" for none).
    public var title: String
    public var header: [String]
    /// Rows of cells; a short row is filled with empty cells.
    public var rows: [[String]]
    /// One per column; missing entries are `.automatic`.
    public var alignments: [Alignment]

    public init(title: String = "", header: [String], rows: [[String]] = [], alignments: [Alignment] = []) {
        self.title = title
        self.header = header
        self.rows = rows
        self.alignments = alignments
    }

    /// Adds a row of cells.
    public mutating func add(_ row: [String]) {
        rows.append(row)
    }

    /// A number for a cell: `significant` digits, trailing zeros dropped ("0.0123", "1.5e-5").
    public static func number<T: BinaryFloatingPoint>(_ value: T, significant: Int = 4) -> String {
        NumberFormat.short(Double(value), significant: significant)
    }

    /// The table as lines of text: the title, the header, a rule, then the rows, columns
    /// separated by " │ ". Trailing spaces are dropped.
    public func render() -> String {
        let columnCount = max(header.count, rows.map(\.count).max() ?? 0)
        func cell(_ row: [String], _ c: Int) -> String { c < row.count ? row[c] : "" }
        let widths = (0..<columnCount).map { c in
            ([header] + rows).map { TextWidth.of(cell($0, c)) }.max() ?? 0
        }
        let right = (0..<columnCount).map { c -> Bool in
            switch c < alignments.count ? alignments[c] : .automatic {
            case .left: return false
            case .right: return true
            case .automatic:
                let cells = rows.map { cell($0, c).trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && $0 != "-" && $0 != "—" }
                return !cells.isEmpty && cells.allSatisfy(Table.looksNumeric)
            }
        }
        func line(_ row: [String]) -> String {
            (0..<columnCount).map { c in TextWidth.pad(cell(row, c), to: widths[c], right: right[c]) }
                .joined(separator: " │ ")
        }
        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        lines.append(line(header))
        lines.append(widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─"))
        lines += rows.map(line)
        return lines.map { l in
            var s = l
            while s.last == " " { s.removeLast() }
            return s
        }.joined(separator: "\n")
    }

    /// "3", "-0.25", "1e-4", "+2", "97%", "NaN", "inf": a number, maybe with a sign or a %.
    static func looksNumeric(_ text: String) -> Bool {
        var s = Substring(text)
        if s.hasSuffix("%") { s = s.dropLast() }
        if s.hasPrefix("+") { s = s.dropFirst() }
        return !s.isEmpty && Double(s) != nil
    }
}
