import Foundation

/// Curves over a shared x axis: loss per step, prediction against target, bits/char
/// against order. Several named series, a title, axis labels, an optional log y axis and
/// an optional fixed y range.
///
///     var plot = LinePlot(title: "Loss", xLabel: "step", yLabel: "MSE", logY: true)
///     plot.add("train", trainLosses)               // x = 0, 1, 2, …
///     plot.add("test", x: testSteps, y: testLosses)
///     print(plot.terminal())
///     try PlotFiles.write(plot.svg(), name: "lesson1-loss")
///
/// Non-finite points are skipped (a diverging curve still plots what it has), as are
/// points ≤ 0 on a log axis; the line joins the points that remain. With a fixed range,
/// what falls outside is cut at the edge.
public struct LinePlot: Sendable {
    /// One named curve.
    public struct Series: Sendable {
        /// The legend's name for the curve ("" leaves it out of the legend).
        public var name: String
        /// Positions along the x axis, one per value of `y`.
        public var x: [Double]
        public var y: [Double]
        /// Drawn with dashes (reference lines, a second kind of curve).
        public var dashed: Bool
        /// A horizontal line at `y[0]` across the whole x range (a baseline to compare
        /// with), rather than a curve through points.
        public var isLevel: Bool

        public init(name: String, x: [Double], y: [Double], dashed: Bool = false, isLevel: Bool = false) {
            self.name = name
            self.x = x
            self.y = y
            self.dashed = dashed
            self.isLevel = isLevel
        }
    }

    /// Shown above the plot, and as the SVG's `<title>`.
    public var title: String
    /// What the x axis measures ("step", "sequence length").
    public var xLabel: String
    /// What the y axis measures ("MSE", "accuracy").
    public var yLabel: String
    /// A log10 y axis: equal ratios at equal heights (loss curves over decades).
    public var logY: Bool
    /// Fixed ends of the y axis (accuracy in 0...1, say); nil fits the data.
    public var yRange: ClosedRange<Double>?
    /// The curves, drawn in order (later ones on top), coloured by position.
    public var series: [Series]

    public init(title: String, xLabel: String = "", yLabel: String = "", logY: Bool = false,
                yRange: ClosedRange<Double>? = nil, series: [Series] = []) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logY = logY
        self.yRange = yRange
        self.series = series
    }

    // MARK: - Adding series

    /// Adds a curve through (0, y[0]), (1, y[1]), …
    public mutating func add<Y: PlotValue>(_ name: String, _ y: [Y], dashed: Bool = false) {
        series.append(Series(name: name, x: y.indices.map(Double.init), y: y.map(\.plotValue), dashed: dashed))
    }

    /// Adds a curve through (x[i], y[i]); extra values of the longer array are ignored.
    public mutating func add<X: PlotValue, Y: PlotValue>(_ name: String, x: [X], y: [Y], dashed: Bool = false) {
        let count = min(x.count, y.count)
        series.append(Series(name: name, x: x.prefix(count).map(\.plotValue), y: y.prefix(count).map(\.plotValue), dashed: dashed))
    }

    /// Adds a curve through the given (x, y) points.
    public mutating func add(_ name: String, points: [(x: Double, y: Double)], dashed: Bool = false) {
        series.append(Series(name: name, x: points.map(\.x), y: points.map(\.y), dashed: dashed))
    }

    /// Adds a horizontal line at `y` across the plot (e.g. the LSTM's bits/char beside
    /// the Markov models'), dashed unless told otherwise.
    public mutating func addLevel<Y: PlotValue>(_ name: String, y: Y, dashed: Bool = true) {
        series.append(Series(name: name, x: [], y: [y.plotValue], dashed: dashed, isLevel: true))
    }

    // MARK: - Layout shared by the renderers

    /// The axes and, per series, the points that can be drawn, in data units (levels
    /// expanded to the two ends of the x axis).
    struct Layout {
        var x: Axis
        var y: Axis
        var points: [[(x: Double, y: Double)]]
        /// False when no series has a point to draw.
        var hasData: Bool
    }

    func layout(extendY: Bool = true) -> Layout {
        let drawable: [[(x: Double, y: Double)]] = series.map { s in
            if s.isLevel {
                guard let v = s.y.first, Axis.transform(v, log: logY) != nil else { return [] }
                return [(.nan, v)]
            }
            return zip(s.x, s.y).compactMap { x, y in
                x.isFinite && Axis.transform(y, log: logY) != nil ? (x, y) : nil
            }
        }
        let xs = zip(series, drawable).flatMap { s, p in s.isLevel ? [] : p.map(\.x) }
        let ys = drawable.flatMap { $0.map(\.y) }
        let hasData = !ys.isEmpty

        var xLo = xs.min() ?? 0, xHi = xs.max() ?? 1
        if !(xHi > xLo) { (xLo, xHi) = xs.isEmpty ? (0, 1) : (xLo - 0.5, xHi + 0.5) }
        // Counts on the x axis (steps, epochs, lengths) get whole-number ticks.
        let integers = !xs.isEmpty && xs.allSatisfy { $0 == $0.rounded() }
        var xAxis = Axis.linear(xLo, xHi, extend: false, integers: integers)
        (xAxis.lo, xAxis.hi) = (xLo, xHi)

        let yAxis: Axis
        var yLo = ys.min() ?? (logY ? 1 : 0), yHi = ys.max() ?? (logY ? 10 : 1)
        if let r = yRange {
            if logY {
                if r.lowerBound > 0 { yLo = r.lowerBound }
                if r.upperBound > yLo { yHi = r.upperBound }
            } else {
                (yLo, yHi) = (r.lowerBound, r.upperBound)
            }
        }
        if logY {
            yAxis = Axis.logarithmic(yLo, yHi, extend: yRange == nil && extendY)
        } else {
            if !(yHi > yLo) { (yLo, yHi) = Axis.widen(yLo) }
            yAxis = Axis.linear(yLo, yHi, extend: yRange == nil && extendY)
        }

        let points = zip(series, drawable).map { s, p -> [(x: Double, y: Double)] in
            guard s.isLevel, let v = p.first?.y else { return p }
            return [(xLo, v), (xHi, v)]
        }
        return Layout(x: xAxis, y: yAxis, points: points, hasData: hasData)
    }
}
