import Foundation

// MARK: - Values

/// A number the plots accept: Double, Float (a tensor's scalars), Int (steps, codes,
/// counts) or Bool (1 for true). One generic parameter rather than an overload per type
/// keeps calls with closures quick to type-check.
public protocol PlotValue {
    /// The value as a Double.
    var plotValue: Double { get }
}

extension Double: PlotValue { public var plotValue: Double { self } }
extension Float: PlotValue { public var plotValue: Double { Double(self) } }
extension Int: PlotValue { public var plotValue: Double { Double(self) } }
extension Bool: PlotValue { public var plotValue: Double { self ? 1 : 0 } }

// MARK: - Axes

/// One axis: a domain (in data units, or in log10 units for a log axis) and the tick
/// values to label. `fraction(v)` places a value at 0 (low end) … 1 (high end).
struct Axis: Sendable {
    /// Ends of the domain, after the transform (log10 for a log axis).
    var lo: Double
    var hi: Double
    var log: Bool
    /// Tick positions in data units, ascending, each inside the domain.
    var ticks: [Double]
    /// Tick labels, one per tick.
    var labels: [String]

    /// Where `v` sits on the axis, 0 … 1 (outside when `v` is out of the domain); nil for
    /// a value the axis cannot show (non-finite, or ≤ 0 on a log axis).
    func fraction(_ v: Double) -> Double? {
        guard let t = Axis.transform(v, log: log) else { return nil }
        return (t - lo) / (hi - lo)
    }

    /// log10(v) on a log axis, v on a linear one; nil for what the axis cannot show.
    static func transform(_ v: Double, log: Bool) -> Double? {
        guard v.isFinite else { return nil }
        if log { return v > 0 ? log10(v) : nil }
        return v
    }

    /// A linear axis over `lo…hi` with 3–5 ticks at round numbers. `extend` widens the
    /// domain to the outer ticks; otherwise the domain is kept and ticks fall inside it.
    /// `integers`: the values are counts (epochs, steps, lengths), so the ticks are whole
    /// numbers — never "7.5 epochs".
    static func linear(_ lo: Double, _ hi: Double, extend: Bool, integers: Bool = false) -> Axis {
        var (lo, hi) = (lo, hi)
        if !(hi > lo) { (lo, hi) = widen(lo) }
        var step = niceStep(lo, hi, extend: extend)
        if integers { step = step < 1 ? 1 : (step == step.rounded() ? step : niceStep(lo, hi, extend: extend, multipliers: [1, 2, 5])) }
        let first = extend ? floor(lo / step + 1e-9) : ceil(lo / step - 1e-9)
        let last = extend ? ceil(hi / step - 1e-9) : floor(hi / step + 1e-9)
        var ticks: [Double] = []
        if last >= first {
            for i in Int(first)...Int(last) { ticks.append(Double(i) * step) }
        }
        if extend, let a = ticks.first, let b = ticks.last { (lo, hi) = (min(lo, a), max(hi, b)) }
        let maxAbs = ticks.map(abs).max() ?? 0
        return Axis(lo: lo, hi: hi, log: false, ticks: ticks,
                    labels: ticks.map { NumberFormat.tick($0, step: step, maxAbs: maxAbs) })
    }

    /// A log10 axis over `lo…hi` (positive data values). `extend` widens the domain to whole
    /// decades. Ticks at powers of ten (every k-th decade to keep ≤ 5), with 2 and 5 added
    /// when fewer than three would show.
    static func logarithmic(_ lo: Double, _ hi: Double, extend: Bool) -> Axis {
        var a = log10(lo), b = log10(hi)
        if !(b > a) { a -= 1; b += 1 }
        if extend {
            a = floor(a + 1e-9)
            b = ceil(b - 1e-9)
            let stride = max(1, ceil((b - a) / 4))
            b = a + ceil((b - a) / stride) * stride
        }
        let stride = max(1, ceil((b - a) / 4))
        var ticks: [Double] = []
        var e = ceil(a - 1e-9)
        while e <= b + 1e-9 { ticks.append(pow(10, e)); e += stride }
        if ticks.count < 3 {
            var more: [Double] = []
            for d in Int(floor(a)) - 1...Int(ceil(b)) {
                for m in [1.0, 2, 5] {
                    let v = m * pow(10, Double(d))
                    if log10(v) >= a - 1e-9, log10(v) <= b + 1e-9 { more.append(v) }
                }
            }
            if more.count <= 5 { ticks = more }
        }
        if ticks.count < 2 { ticks = [pow(10, a), pow(10, b)] }
        return Axis(lo: a, hi: b, log: true, ticks: ticks, labels: ticks.map { NumberFormat.short($0, significant: 2) })
    }

    /// A range around a single value: ±10% of it, or ±1 around 0.
    static func widen(_ v: Double) -> (Double, Double) {
        let d = v == 0 ? 1 : abs(v) * 0.1
        return (v - d, v + d)
    }

    /// The smallest step in 1, 2, 2.5, 5 × 10^k that gives at most 5 ticks.
    static func niceStep(_ lo: Double, _ hi: Double, extend: Bool, multipliers: [Double] = [1, 2, 2.5, 5]) -> Double {
        let e0 = floor(log10(hi - lo)) - 2
        for e in Int(e0)...Int(e0) + 4 {
            for m in multipliers {
                let s = m * pow(10, Double(e))
                let count = extend
                    ? ceil(hi / s - 1e-9) - floor(lo / s + 1e-9) + 1
                    : floor(hi / s + 1e-9) - ceil(lo / s - 1e-9) + 1
                if count <= 5 { return s }
            }
        }
        return hi - lo
    }
}

// MARK: - Numbers as text

/// Short renderings of numbers for tick labels, bar values and tables.
public enum NumberFormat {
    /// `v` in at most `significant` significant digits, without trailing zeros: "3", "0.25",
    /// "1234", "1.5e-5", "2e6"; "NaN", "inf", "-inf" for non-finite values.
    public static func short(_ v: Double, significant: Int = 4) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "inf" : "-inf" }
        if v == 0 { return "0" }
        let mag = abs(v)
        if mag >= 1e-3, mag < 1e6 {
            if v == v.rounded(), mag < 1e6 { return String(Int(v)) }
            let decimals = max(0, significant - 1 - Int(floor(log10(mag))))
            return trimZeros(String(format: "%.\(decimals)f", v))
        }
        let s = String(format: "%.\(max(0, significant - 1))e", v)
        let parts = s.split(separator: "e")
        guard parts.count == 2, let exponent = Int(parts[1]) else { return s }
        return trimZeros(String(parts[0])) + "e\(exponent)"
    }

    /// A tick value on a grid of `step`: exactly the decimals the step needs ("0.25",
    /// "1.5", "200"), or the short form for very large or very small numbers.
    static func tick(_ v: Double, step: Double, maxAbs: Double) -> String {
        let snapped = (v / step).rounded() * step
        if snapped == 0 { return "0" }
        if maxAbs >= 1e6 || step < 1e-4 { return short(snapped, significant: 3) }
        var decimals = 0
        while decimals < 8 {
            let scaled = step * pow(10, Double(decimals))
            if abs(scaled - scaled.rounded()) < 1e-6 * max(1, scaled) { break }
            decimals += 1
        }
        return String(format: "%.\(decimals)f", snapped)
    }

    private static func trimZeros(_ s: String) -> String {
        guard s.contains(".") else { return s }
        var t = s
        while t.last == "0" { t.removeLast() }
        if t.last == "." { t.removeLast() }
        return t
    }
}
