import Autograd
import Foundation
import Solution8

// The graders of lesson 8, continued: the sin/cos position table.

extension Lesson8Graders {
    // MARK: - 8.3 sin/cos positions

    /// (length, dim) → the table [length, dim].
    public typealias Positions = (Int, Int) throws -> Tensor

    /// (length, dim): even and odd widths (an odd one ends with a sin column), one column,
    /// one position, and 100 positions, where an angle off by a little at the slow columns
    /// is far off at the fast ones.
    static let positionCases: [(length: Int, dim: Int)] = [(6, 8), (5, 5), (1, 4), (4, 1), (12, 3), (100, 16), (100, 7)]

    static func positionsProbe(_ table: Positions) throws -> Outcome {
        var outcome = Outcome()
        for c in positionCases {
            let name = "the table for length \(c.length), dim \(c.dim)"
            try Probes.attempt(name, into: &outcome) { o in o.record(name, try table(c.length, c.dim)) }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the table (8.3's known mistakes).
    enum PositionChange { case swapped, pairIndex, halves, fromOne, base1000, columnExponent, multiplied, lastOddColumnZero }

    static func positionsWith(_ change: PositionChange) -> Positions {
        { length, dim in
            var table = [Float](repeating: 0, count: length * dim)
            let base: Double = change == .base1000 ? 1000 : 10_000
            let half = (dim + 1) / 2
            for pos in 0..<length {
                let p = Double(change == .fromOne ? pos + 1 : pos)
                for j in 0..<dim {
                    if change == .lastOddColumnZero, dim % 2 == 1, j == dim - 1 { continue }
                    // The pair index i of column j, and whether the column holds a sine.
                    var (i, isSine) = (j / 2, j % 2 == 0)
                    if change == .halves { (i, isSine) = j < half ? (j, true) : (j - half, false) }
                    if change == .swapped { isSine.toggle() }
                    let exponent: Double
                    switch change {
                    case .pairIndex: exponent = Double(i) / Double(dim)
                    case .columnExponent: exponent = Double(j) / Double(dim)
                    default: exponent = Double(2 * i) / Double(dim)
                    }
                    let angle = change == .multiplied ? p * pow(base, exponent) : p / pow(base, exponent)
                    table[pos * dim + j] = Float(isSine ? sin(angle) : cos(angle))
                }
            }
            return try Tensor(table, shape: [length, dim])
        }
    }
    // END INSTRUCTOR

    public static let positions = Exercise<Positions>(
        id: "8.3", title: "The sin/cos position table", symbol: "sinusoidalPositions(length:dim:)", file: "Lessons/Lesson8/Positions.swift",
        reference: { try Solution8.sinusoidalPositions(length: $0, dim: $1) },
        mistakes: [
            Mistake("sin-and-cos-swapped", "cos in the even columns and sin in the odd ones",
                    feedback: "Column 2i holds the sine, column 2i + 1 the cosine, as the paper and PyTorch's tutorial have it — a model trained with one table gives nonsense with the other. Row 0 shows it at once: sin 0 = 0, cos 0 = 1, so position 0 is 0, 1, 0, 1, …. Swap the two.",
                    positionsWith(.swapped)),
            Mistake("pair-index-over-dim", "the exponent is i/dim, i the pair index, instead of 2i/dim",
                    feedback: "The wavelengths must run from 2π to 2π·10000 across the columns, so the exponent goes from 0 up to nearly 1: that is 2i/dim, i.e. the column's own even index j = 2i over dim. With i/dim it stops at 1/2 and the slowest pair turns a hundred times too fast. Use the even column index j (the sine's) over dim.",
                    positionsWith(.pairIndex)),
            Mistake("halves-not-interleaved", "the first half of the columns holds the sines and the second half the cosines",
                    feedback: "Some code (tensor2tensor's) does concatenate [sin, cos] — but this table, like the paper's and the lesson's, interleaves: column 2i is sin, column 2i + 1 the cos of the SAME angle, so that each pair turns like a clock hand. Write both values of pair i side by side.",
                    positionsWith(.halves)),
            Mistake("positions-from-one", "positions counted from 1",
                    feedback: "The first token sits at position 0, whose row is sin 0 = 0 and cos 0 = 1: 0, 1, 0, 1, …. Counting from 1 shifts every row by one position. Loop pos over 0..<length.",
                    positionsWith(.fromOne)),
            Mistake("base-1000", "the base is 1000, not 10000",
                    feedback: "The slowest pair's wavelength is 2π·base: with 1000 the table repeats ten times sooner, and every column but the first pair is off. The paper's base is 10 000 (10_000 in Swift).",
                    positionsWith(.base1000)),
            Mistake("odd-column-own-exponent", "each column uses its own index in the exponent, j/dim, so a cosine turns at another rate than its sine",
                    feedback: "A pair is a sine and a cosine of the SAME angle (that is what makes a shift by k one rotation): column 2i + 1 must use 2i/dim, the even column's exponent, not (2i + 1)/dim. Compute the angle once per pair and write sin and cos of it.",
                    positionsWith(.columnExponent)),
            Mistake("angle-multiplied", "the position is multiplied by 10000^(2i/dim) instead of divided",
                    feedback: "The pairs must slow down across the columns — wavelength 2π·10000^(2i/dim) — so the angle is pos DIVIDED by 10000^(2i/dim). Multiplied, the last columns turn thousands of times per position and carry no usable order. Divide (or multiply by 10000^(−2i/dim)).",
                    positionsWith(.multiplied)),
            Mistake("odd-dim-last-column-zero", "with an odd dim the last column is left at 0",
                    feedback: "Looping over the dim/2 pairs misses the last column when dim is odd: it holds the sine of one more pair, whose cosine would fall outside the table. Loop over the even columns j = 0, 2, 4, … < dim, and write the cosine only when j + 1 < dim.",
                    positionsWith(.lastOddColumnZero)),
        ],
        criterion: .matchesReference(Tolerance(atol: 5e-4, rtol: 0)),
        mistakeTolerance: Tolerance(atol: 5e-4, rtol: 1e-3),
        probe: positionsProbe
    )
}
