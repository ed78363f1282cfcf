import Autograd
import Foundation
import Lesson8
import Plots

// What a trained reverser attends to: each layer's weights per head (8.6's `withWeights`),
// as pictures, and one number per head — the mass on the anti-diagonal.

/// Each layer's attention weights for `inputs` [B, T]: [layer][b][head][query][key].
func attentionWeights(_ model: Reverser, inputs: Tensor) throws -> [[[[[Double]]]]] {
    let weights = try noGrad { try model.withWeights(inputs).weights }
    return weights.map { w in
        let (b, h, t, s) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let v = w.scalars
        return (0..<b).map { i in (0..<h).map { j in (0..<t).map { q in (0..<s).map { k in Double(v[((i * h + j) * t + q) * s + k]) } } } }
    }
}

/// The mean weight that query t puts on key T − 1 − t (where its answer is), over the
/// queries and sequences: [layer][head]. Uniform attention gives 1/T.
func antiDiagonalMass(_ weights: [[[[[Double]]]]]) -> [[Double]] {
    weights.map { layer in
        let heads = layer[0].count
        return (0..<heads).map { h in
            var total = 0.0, count = 0
            for sequence in layer {
                let map = sequence[h]
                let t = map.count
                for q in 0..<t { total += map[q][t - 1 - q]; count += 1 }
            }
            return total / Double(max(count, 1))
        }
    }
}

/// How often key T − 1 − t is the one query t weighs most, over queries and sequences: [layer][head].
func strongestKeyHits(_ weights: [[[[[Double]]]]]) -> [[Double]] {
    weights.map { layer in
        (0..<layer[0].count).map { h in
            var hits = 0, count = 0
            for sequence in layer {
                let map = sequence[h]
                let t = map.count
                for q in 0..<t {
                    if map[q].indices.max(by: { map[q][$0] < map[q][$1] }) == t - 1 - q { hits += 1 }
                    count += 1
                }
            }
            return Double(hits) / Double(max(count, 1))
        }
    }
}

/// The maps in blocks of k queries × k keys (a length-100 map as 25 × 25): each block the
/// weight its k queries put on its k keys, on average — rows still sum to 1. Keeps the
/// picture of a long sequence small.
func pooled(_ weights: [[[[[Double]]]]], by k: Int) -> [[[[[Double]]]]] {
    weights.map { layer in
        layer.map { sequence in
            sequence.map { map in
                let t = map.count, blocks = (t + k - 1) / k
                return (0..<blocks).map { qb in
                    let queries = (qb * k)..<min(t, qb * k + k)
                    return (0..<blocks).map { kb in
                        let keys = (kb * k)..<min(t, kb * k + k)
                        return queries.map { q in keys.map { map[q][$0] }.reduce(0, +) }.reduce(0, +) / Double(queries.count)
                    }
                }
            }
        }
    }
}

/// One picture of every layer (rows) and head (columns) for one sequence, each a T × T map
/// (queries down, keys across), separated by grey lines.
/// `step`: the positions one row or column stands for (4 for a pooled map).
func attentionHeatmap(_ weights: [[[[[Double]]]]], sequence b: Int, tokens: [Int], title: String, step: Int = 1) -> Heatmap {
    let layers = weights.count, heads = weights[0][b].count, t = tokens.count
    var rows: [[Double]] = [], rowLabels: [String] = []
    for l in 0..<layers {
        if l > 0 { rows.append(Array(repeating: .nan, count: heads * (t + 1) - 1)); rowLabels.append("") }
        for q in 0..<t {
            var row: [Double] = []
            for h in 0..<heads {
                if h > 0 { row.append(.nan) }
                row += weights[l][b][h][q]
            }
            rows.append(row)
            rowLabels.append(q == 0 || t <= 10 || (q * step) % 20 == 0 ? "layer \(l + 1) q\(q * step)" : "")
        }
    }
    var columnLabels: [String] = []
    for h in 0..<heads {
        if h > 0 { columnLabels.append("") }
        columnLabels += (0..<t).map { k in k == 0 ? "head \(h + 1)" : (t <= 10 ? "k\(k)" : "") }
    }
    return Heatmap(title: title, values: rows, rowLabels: rowLabels, columnLabels: columnLabels, range: 0...1)
}

/// The maps of one sequence in the terminal: per layer, the heads side by side, two
/// characters per weight (blank 0 … █ 1).
func attentionText(_ weights: [[[[[Double]]]]], sequence b: Int, tokens: [Int]) -> String {
    let shades: [Character] = [" ", "░", "▒", "▓", "█"]
    let t = tokens.count, heads = weights[0][b].count
    let width = max(2 * t, 8)
    var lines: [String] = []
    for (l, layer) in weights.enumerated() {
        lines.append("layer \(l + 1)   " + (0..<heads).map { "head \($0 + 1)".padding(toLength: width + 3, withPad: " ", startingAt: 0) }.joined())
        for q in 0..<t {
            let cells = (0..<heads).map { h -> String in
                let row = layer[b][h][q].map { w -> String in String(repeating: shades[min(4, Int(w * 5))], count: 2) }.joined()
                return "│" + row.padding(toLength: width, withPad: " ", startingAt: 0) + "│ "
            }
            lines.append("  q\(q) \(String(tokens[q]).padding(toLength: 4, withPad: " ", startingAt: 0))" + cells.joined())
        }
    }
    lines.append("(rows: the query positions, with their tokens; columns: the keys 0…\(t - 1); blank = 0, ░ ▒ ▓ █ up to 1)")
    return lines.joined(separator: "\n")
}
