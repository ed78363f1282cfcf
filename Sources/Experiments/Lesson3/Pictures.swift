import Autograd
import Foundation
import Lesson3
import Plots

// The lesson's images: a padded batch (its letters and stops), its mask, and which
// positions a copier got right.

/// A padded batch as an image: each cell shows its symbol, the stop as "·".
/// `short` legends fit a narrow terminal picture ("a 1"); the long ones say "a (code 1)".
func paddedBatchPicture(_ codes: Tensor, alphabet: [Character], rows: Int, title: String, short: Bool = false) -> Heatmap {
    let steps = codes.shape[1]
    let colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"]
    var symbols = [Heatmap.Symbol(value: 0, character: "·", label: short ? "stop 0" : "stop (code 0)", color: "#f0f0f0")]
    for (k, a) in alphabet.enumerated() {
        symbols.append(Heatmap.Symbol(value: Double(k + 1), character: a, label: short ? "\(k + 1)" : "\(a) (code \(k + 1))",
                                      color: colors[k % colors.count]))
    }
    let values = (0..<rows).map { r in (0..<steps).map { Double(codes.scalars[r * steps + $0]) } }
    return Heatmap(title: title, values: values, rowLabels: (0..<rows).map { "\($0)" },
                   columnLabels: (0..<steps).map { "\($0)" }, symbols: symbols)
}

/// A mask as an image: █ where it is 1.
func maskPicture(_ mask: Tensor, rows: Int, title: String) -> Heatmap {
    let steps = mask.shape[1]
    let values = (0..<rows).map { r in (0..<steps).map { Double(mask.scalars[r * steps + $0]) } }
    return Heatmap(title: title, values: values, rowLabels: (0..<rows).map { "\($0)" },
                   columnLabels: (0..<steps).map { "\($0)" }, symbols: Heatmap.Symbol.binary(zero: "0", one: "1 (symbol)"))
}

/// prediction == target, per position, for the first `rows` sequences: right and wrong
/// where it counts (the n symbols and the first stop, t ≤ n), and on the padding after.
func rightWrongPicture(predicted: Tensor, targets: Tensor, lengths: [Int], rows: Int, title: String) -> Heatmap {
    let steps = targets.shape[1]
    let (p, y) = (predicted.indices, targets.indices)
    let values = (0..<rows).map { r in
        (0..<steps).map { t -> Double in
            let right = p[r * steps + t] == y[r * steps + t]
            if t <= lengths[r] { return right ? 1 : 0 }
            return right ? 2 : 3
        }
    }
    let symbols = [
        Heatmap.Symbol(value: 0, character: "✗", label: "wrong (t ≤ n)", color: "#d62728"),
        Heatmap.Symbol(value: 1, character: "█", label: "right (t ≤ n)", color: "#2ca02c"),
        Heatmap.Symbol(value: 2, character: "·", label: "padding, right", color: "#e8e8e8"),
        Heatmap.Symbol(value: 3, character: "░", label: "padding, wrong", color: "#f4b183"),
    ]
    return Heatmap(title: title, values: values, rowLabels: (0..<rows).map { "n=\(lengths[$0])" },
                   columnLabels: (0..<steps).map { "\($0)" }, symbols: symbols)
}

/// Two blocks of text next to each other, the left one padded to its widest line.
func sideBySide(_ left: String, _ right: String, gap: Int = 4) -> String {
    let (a, b) = (left.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                  right.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
    let width = a.map(\.count).max() ?? 0
    return (0..<max(a.count, b.count)).map { i in
        let l = i < a.count ? a[i] : ""
        let r = i < b.count ? b[i] : ""
        let line = l + String(repeating: " ", count: width - l.count + gap) + r
        return line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }.joined(separator: "\n")
}
