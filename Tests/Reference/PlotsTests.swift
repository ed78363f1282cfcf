import Foundation
import XCTest
@testable import Plots

/// The plotting library: SVG that parses, terminal text that fits 80 columns, curves
/// drawn where they belong, escaping, files, tables and the progress bar.
final class PlotsTests: XCTestCase {
    // MARK: - Fixtures

    /// A line plot with several series, a log axis, NaNs, infinities and a zero.
    static var lossPlot: LinePlot {
        var plot = LinePlot(title: "Loss per step", xLabel: "step", yLabel: "cross-entropy", logY: true)
        plot.add("train", (0..<200).map { i -> Double in i == 50 ? .nan : 2 * exp(-Double(i) / 40) + 0.01 })
        plot.add("test", x: [0, 50, 100, 150, 199], y: [2.1, .infinity, 0.2, 0, 0.05])
        plot.addLevel("baseline", y: 0.5)
        return plot
    }

    static var heatmap: Heatmap {
        Heatmap(title: "Mask of a padded batch", values: [3, 7, 14, 5].map { n in (0..<14).map { $0 < n ? 1.0 : 0.0 } },
                rowLabels: ["a", "b", "c", "d"], columnLabels: (0..<14).map(String.init),
                symbols: Heatmap.Symbol.binary(zero: "padding", one: "token"))
    }

    static var barChart: BarChart {
        var chart = BarChart(title: "Bits per character", valueLabel: "bits/char")
        chart.add("order 1", 3.12)
        chart.add("order 2", 2.41)
        chart.add("LSTM", 1.8)
        return chart
    }

    static func plot(_ title: String, logY: Bool = false, yRange: ClosedRange<Double>? = nil,
                     _ series: [(String, [Double], [Double])]) -> LinePlot {
        var plot = LinePlot(title: title, logY: logY, yRange: yRange)
        for (name, x, y) in series { plot.add(name, x: x, y: y) }
        return plot
    }

    // MARK: - SVG

    func testEverySVGParsesWithAnSVGRoot() throws {
        let cases: [(String, String)] = [
            ("line plot, log scale, NaN and inf", Self.lossPlot.svg()),
            ("line plot, small", Self.lossPlot.svg(width: 200, height: 150)),
            ("line plot, no series", LinePlot(title: "empty").svg()),
            ("line plot, one point", Self.plot("one", [("p", [3], [4])]).svg()),
            ("line plot, constant", Self.plot("flat", [("c", [0, 1, 2], [5, 5, 5])]).svg()),
            ("line plot, constant on log", Self.plot("flat log", logY: true, [("c", [0, 1], [10, 10])]).svg()),
            ("line plot, only NaN", Self.plot("nan", [("n", [0, 1], [.nan, .nan])]).svg()),
            ("line plot, non-positive on log", Self.plot("neg", logY: true, [("n", [0, 1], [-1, 0])]).svg()),
            ("line plot, outside a fixed range", Self.plot("range", yRange: 0...1, [("d", [0, 1, 2], [0.5, 1e30, -1e30])]).svg()),
            ("heatmap", Self.heatmap.svg()),
            ("heatmap, shades, ragged, NaN", Heatmap(title: "ragged", values: [[0, 0.5, 1], [.nan], []]).svg(cellSize: 20)),
            ("heatmap, empty", Heatmap(title: "empty", values: [[Double]]()).svg()),
            ("heatmap, booleans", Heatmap(title: "right", values: [[true, false], [false, true]]).svg(cellSize: 4)),
            ("bar chart", Self.barChart.svg()),
            ("bar chart, empty", BarChart(title: "none").svg()),
            ("bar chart, negative and NaN", BarChart(title: "mixed", bars: [.init(label: "a", value: -2), .init(label: "b", value: .nan), .init(label: "c", value: 3)]).svg()),
        ]
        for (name, svg) in cases {
            let doc = try XMLDocumentSummary(svg, name)
            XCTAssertEqual(doc.root, "svg", "\(name): root element")
            XCTAssertEqual(doc.namespace, "http://www.w3.org/2000/svg", "\(name): namespace")
            XCTAssertNotNil(doc.elements.first?.attributes["viewBox"], "\(name): viewBox")
            XCTAssertNotNil(doc.elements.first?.attributes["width"], "\(name): width")
        }
    }

    func testLinePlotSVGHasOnePolylinePerSeriesInDistinctColours() throws {
        let doc = try XMLDocumentSummary(Self.lossPlot.svg(), "loss plot")
        let lines = doc.elements.filter { $0.name == "polyline" }
        XCTAssertEqual(lines.count, 3, "one polyline per series")
        XCTAssertEqual(Set(lines.compactMap { $0.attributes["stroke"] }).count, 3, "distinct colours")
        XCTAssertEqual(doc.titles.first, "Loss per step", "document title")
        for name in ["train", "test", "baseline", "step"] {
            XCTAssertTrue(doc.texts.contains(name), "text \"\(name)\" in \(doc.texts)")
        }
    }

    func testLongSeriesAreThinnedInSVG() throws {
        var plot = LinePlot(title: "100 000 steps")
        plot.add("loss", (0..<100_000).map { i -> Double in 1 / Double(i + 1) + (i % 2 == 0 ? 0.01 : 0) })
        let svg = plot.svg()
        let doc = try XMLDocumentSummary(svg, "long series")
        let points = try XCTUnwrap(doc.elements.first { $0.name == "polyline" }?.attributes["points"])
        let count = points.split(separator: " ").count
        XCTAssertLessThanOrEqual(count, 4 * 640, "at most four points per pixel column")
        XCTAssertGreaterThan(count, 600, "about one column per pixel")
        XCTAssertLessThan(svg.utf8.count, 100_000, "file size")
    }

    func testLogScalePlacesDecadesEvenly() throws {
        let plot = Self.plot("decades", logY: true, [("p", [0, 1, 2], [1, 10, 100])])
        // SVG: equal steps in pixels from 1 to 10 to 100.
        let doc = try XMLDocumentSummary(plot.svg(), "log plot")
        let points = try XCTUnwrap(doc.elements.first { $0.name == "polyline" }?.attributes["points"])
        let ys = points.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        XCTAssertEqual(ys.count, 3, "points: \(points)")
        XCTAssertEqual(ys[0] - ys[1], ys[1] - ys[2], accuracy: 0.2, "pixel rows of 1, 10, 100: \(ys)")
        XCTAssertGreaterThan(ys[0] - ys[1], 10, "1 → 10 rises: \(ys)")
        // Terminal: the tick labels 1, 10, 100 on evenly spaced rows (17 rows: the middle
        // one is a row of its own).
        let lines = plot.terminal(height: 17).components(separatedBy: "\n")
        let rows = ["100", "10", "1"].map { label in lines.firstIndex { $0.hasPrefix(label.leftPadded(3) + "┤") } }
        let r = try XCTUnwrap(rows as? [Int], "tick rows of 100, 10, 1 in\n\(lines.joined(separator: "\n"))")
        XCTAssertEqual(r[1] - r[0], r[2] - r[1], "rows \(r)")
        // The axis itself.
        let axis = plot.layout().y
        for (v, want) in [(1.0, 0.0), (10, 0.5), (100, 1)] {
            XCTAssertEqual(try XCTUnwrap(axis.fraction(v)), want, accuracy: 1e-12, "fraction(\(v))")
        }
    }

    func testTextIsXMLEscaped() throws {
        let title = "a <b> & \"c\" 'd' \u{1B}[31m"
        var plot = Self.plot(title, [("x < y & z", [0, 1], [0, 1])])
        plot.xLabel = "<x>"
        var heatmap = Self.heatmap
        heatmap.title = title
        var bars = Self.barChart
        bars.title = title
        for (name, svg) in [("line plot", plot.svg()), ("heatmap", heatmap.svg()), ("bar chart", bars.svg())] {
            XCTAssertTrue(svg.contains("a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"), "\(name): escaped title")
            XCTAssertFalse(svg.contains("<b>"), "\(name): no raw <b>")
            XCTAssertFalse(svg.contains("\u{1B}"), "\(name): no control characters")
            let doc = try XMLDocumentSummary(svg, name)
            XCTAssertEqual(doc.titles.first, "a <b> & \"c\" 'd' [31m", "\(name): the title reads back")
        }
        XCTAssertTrue(plot.svg().contains("x &lt; y &amp; z"), "series name escaped")
    }

    // MARK: - Terminal

    func testTerminalRenderingsFitAndNameTitleAndLegend() {
        let wide = Heatmap(title: "wide", values: (0..<3).map { r in (0..<120).map { Double(r * $0) } },
                           rowLabels: ["first row label that is long", "b", "c"])
        let longNames = Self.plot(String(repeating: "long title ", count: 12),
                                  [(String(repeating: "n", count: 100), [0, 1], [0, 1]), ("second", [0, 1], [1, 0])])
        let cases: [(name: String, text: String, mustContain: [String])] = [
            ("loss plot", Self.lossPlot.terminal(), ["Loss per step", "train", "test", "baseline", "step"]),
            ("loss plot in colour", Self.lossPlot.terminal(color: true), ["Loss per step", "train", "test", "baseline"]),
            ("loss plot in braille", Self.lossPlot.terminal(marks: .braille), ["train", "test"]),
            ("small plot", Self.lossPlot.terminal(width: 40, height: 6), ["train"]),
            ("empty plot", LinePlot(title: "empty").terminal(), ["empty", "no data"]),
            ("one point", Self.plot("one", [("p", [3], [4])]).terminal(), ["one", "p"]),
            ("constant", Self.plot("flat", [("c", [0, 1, 2], [5, 5, 5])]).terminal(), ["flat", "c"]),
            ("diverging", Self.plot("diverging", yRange: 0...2, [("d", [0, 1, 2, 3], [1, 1e30, .infinity, .nan])]).terminal(), ["diverging", "d"]),
            ("long names", longNames.terminal(), ["long title", "second"]),
            ("heatmap", Self.heatmap.terminal(), ["Mask of a padded batch", "padding", "token"]),
            ("wide heatmap", wide.terminal(), ["wide", "not shown"]),
            ("bar chart", Self.barChart.terminal(), ["Bits per character", "order 1", "LSTM", "3.12", "bits/char"]),
            ("bar chart in colour", Self.barChart.terminal(color: true), ["LSTM"]),
        ]
        for c in cases {
            let plain = c.text.strippingANSI
            for (i, line) in c.text.components(separatedBy: "\n").enumerated() {
                XCTAssertLessThanOrEqual(line.strippingANSI.count, 80, "\(c.name), line \(i) is too wide:\n\(line)")
            }
            for word in c.mustContain {
                XCTAssertTrue(plain.contains(word), "\(c.name) should show \"\(word)\":\n\(plain)")
            }
        }
    }

    func testRisingSeriesIsDrawnRising() {
        let x = (0...100).map(Double.init)
        for marks in [TerminalMarks.braille, .characters] {
            let plot = Self.plot("y = x", [("y", x, x)])
            let rows = canvasRows(plot.terminal(width: 80, height: 16, marks: marks))
            XCTAssertEqual(rows.count, 16, "\(marks): canvas rows")
            guard let top = rows.first, let bottom = rows.last else { continue }
            let quarter = top.count / 4
            XCTAssertTrue(top.suffix(quarter).contains { $0 != " " }, "\(marks): top right has ink:\n\(rows.joined(separator: "\n"))")
            XCTAssertFalse(top.prefix(quarter).contains { $0 != " " }, "\(marks): top left is blank:\n\(rows.joined(separator: "\n"))")
            XCTAssertTrue(bottom.prefix(quarter).contains { $0 != " " }, "\(marks): bottom left has ink")
            XCTAssertFalse(bottom.suffix(quarter).contains { $0 != " " }, "\(marks): bottom right is blank")
        }
    }

    func testSeriesHaveTheirOwnMarkers() {
        let text = Self.plot("two", [("up", [0, 1], [0, 1]), ("down", [0, 1], [1, 0])]).terminal()
        let canvas = canvasRows(text).joined()
        XCTAssertTrue(canvas.contains("*") && canvas.contains("+"), "a marker per series:\n\(text)")
        XCTAssertTrue(text.contains("* up") && text.contains("+ down"), "legend:\n\(text)")
        let coloured = Self.plot("two", [("up", [0, 1], [0, 1]), ("down", [0, 1], [1, 0])]).terminal(color: true)
        XCTAssertTrue(coloured.contains("\u{1B}[34m") && coloured.contains("\u{1B}[33m"), "a colour per series")
        XCTAssertFalse(text.contains("\u{1B}"), "no ANSI unless asked")
    }

    /// Two series on the same spot: the shared cells get their own mark, and a line under
    /// the legend says which series meet there.
    func testOverlappingSeriesAreShownNotHidden() {
        let text = Self.plot("same", [("train", [0, 1, 2], [0, 1, 2]), ("test", [0, 1, 2], [0, 1, 2]), ("flat", [0, 2], [2, 2])]).terminal()
        let canvas = canvasRows(text).joined()
        XCTAssertTrue(canvas.contains("&"), "shared cells are marked:\n\(text)")
        XCTAssertFalse(canvas.contains("+"), "test lies under train everywhere, so it has no cell of its own:\n\(text)")
        XCTAssertTrue(text.contains("&: series on the same spot (train and test; train and flat; test and flat)"), text)
        let apart = Self.plot("apart", [("up", [0, 1], [0, 1]), ("down", [0, 1], [5, 4])]).terminal()
        XCTAssertFalse(apart.contains("same spot"), apart)
        let coloured = Self.plot("same", [("a", [0, 1], [0, 1]), ("b", [0, 1], [0, 1])]).terminal(color: true)
        XCTAssertTrue(coloured.contains("uncoloured dots: series on the same spot (a and b)"), coloured)
    }

    /// Counts on the x axis (epochs 1…10) get whole-number ticks, never 2.5 or 7.5.
    func testAnAxisOfCountsHasWholeNumberTicks() {
        let epochs = Self.plot("loss", [("loss", (1...10).map(Double.init), (1...10).map { 1 / Double($0) })])
        let labels = epochs.layout().x.labels
        XCTAssertFalse(labels.isEmpty)
        for label in labels { XCTAssertNil(label.firstIndex(of: "."), "tick \(label) of \(labels)") }
        let fractions = Self.plot("f", [("f", [0, 0.3, 0.7, 1], [0, 1, 0, 1])])
        XCTAssertTrue(fractions.layout().x.labels.contains { $0.contains(".") }, "fractional data keep fractional ticks")
    }

    /// Heatmap column labels in the terminal: a regular stride, not one skipped here and there.
    func testHeatmapColumnLabelsKeepARegularStride() {
        let map = Heatmap(values: [[Double]](repeating: [Double](repeating: 0.5, count: 20), count: 1), columnLabels: (1...20).map { "\($0)" })
        let header = map.columnHeader(shown: 20, cellWidth: 2)
        let shown = header.split(separator: " ").map(String.init)
        XCTAssertEqual(shown, ["1", "3", "5", "7", "9", "11", "13", "15", "17", "19"], header)
        XCTAssertEqual(map.columnHeader(shown: 20, cellWidth: 3).split(separator: " ").count, 20, "wide cells keep every label")
    }

    func testHeatmapShadesAndSymbols() {
        let shades = Heatmap(values: [[0, 0.5, 1, .nan]]).terminal()
        XCTAssertTrue(shades.contains("│  ▒▒██??│"), "shades of 0, 0.5, 1, NaN:\n\(shades)")
        let mask = Heatmap(values: [[1, 1, 0]], symbols: Heatmap.Symbol.binary()).terminal()
        XCTAssertTrue(mask.contains("│████··│"), "0/1 as ·/█:\n\(mask)")
        let flags = Heatmap(values: [[true, false]]).terminal()
        XCTAssertTrue(flags.contains("│██··│") && flags.contains("█ true"), "Bools as ·/█:\n\(flags)")
        // A [2, 3] tensor's scalars, row-major, as Floats.
        let scalars: [Float] = [0, 1, 2, 3, 4, 5]
        let fromTensor = Heatmap(rows: 2, columns: 3, scalars: scalars)
        XCTAssertEqual(fromTensor.values, [[0, 1, 2], [3, 4, 5]])
    }

    // MARK: - Numbers, axes, tables

    /// Heatmap labels: a sparse set ("1", "5", "10" …) keeps every label; a dense set is
    /// thinned so that no two drawn labels overlap.
    func testHeatmapLabelsAreThinnedOnlyWhereTheyWouldOverlap() {
        let sparse = (1...20).map { $0 == 1 || $0 % 5 == 0 ? "\($0)" : "" }
        XCTAssertEqual(fittingLabels(sparse, cell: 12, room: { Double($0.count) * 7 + 3 }), [0, 4, 9, 14, 19])
        let dense = (1...20).map { "\($0)" }
        let kept = fittingLabels(dense, cell: 12, room: { Double($0.count) * 7 + 3 })
        XCTAssertEqual(kept.first, 0)
        XCTAssertLessThan(kept.count, 20)
        for (a, b) in zip(kept, kept.dropFirst()) {
            let gap = Double(b - a) * 12, need = (Double(dense[a].count) * 7 + 3 + Double(dense[b].count) * 7 + 3) / 2
            XCTAssertGreaterThanOrEqual(gap, need, "labels \(dense[a]) and \(dense[b]) overlap")
        }
        let svg = Heatmap(title: "t", values: [[Double]](repeating: [Double](repeating: 0.5, count: 20), count: 2),
                          columnLabels: sparse).svg()
        for label in ["1", "5", "10", "15", "20"] { XCTAssertTrue(svg.contains(">\(label)</text>"), "column label \(label) missing") }
    }

    func testNumberFormat() {
        let cases: [(Double, String)] = [
            (0, "0"), (3, "3"), (-2, "-2"), (0.25, "0.25"), (0.0123456, "0.01235"), (1234, "1234"),
            (2.41, "2.41"), (1.5e-5, "1.5e-5"), (2e6, "2e6"), (.nan, "NaN"), (.infinity, "inf"),
        ]
        for (v, want) in cases {
            XCTAssertEqual(NumberFormat.short(v), want, "short(\(v))")
        }
    }

    func testAxesHaveThreeToFiveTicksInsideTheDomain() {
        let ranges: [(Double, Double)] = [(0, 1), (0, 0.93), (-3, 7), (1e-3, 2e-3), (0, 299), (12, 13), (-1e6, 5e6)]
        for (lo, hi) in ranges {
            for extend in [true, false] {
                let axis = Axis.linear(lo, hi, extend: extend)
                XCTAssertTrue((3...5).contains(axis.ticks.count), "linear \(lo)…\(hi) extend \(extend): ticks \(axis.labels)")
                XCTAssertTrue(axis.ticks.allSatisfy { $0 >= axis.lo - 1e-9 && $0 <= axis.hi + 1e-9 }, "ticks inside \(axis.lo)…\(axis.hi): \(axis.ticks)")
                XCTAssertEqual(Set(axis.labels).count, axis.labels.count, "distinct labels \(axis.labels)")
            }
        }
        for (lo, hi) in [(0.3, 0.5), (1.0, 100), (1e-4, 3), (0.01, 1e6), (7.0, 7.0)] {
            let axis = Axis.logarithmic(lo, hi, extend: true)
            XCTAssertTrue((2...5).contains(axis.ticks.count), "log \(lo)…\(hi): ticks \(axis.labels)")
            XCTAssertTrue(axis.lo <= log10(lo) && axis.hi >= log10(hi), "log \(lo)…\(hi) covered by \(axis.lo)…\(axis.hi)")
        }
    }

    func testTableAlignsNumbersRightAndTextLeft() {
        var table = Table(header: ["hidden", "test MSE", "note"])
        table.add(["1", "0.0123", "decays"])
        table.add(["16", "1.5e-5", "oscillates"])
        table.add(["2", "-", ""])
        let want = """
            hidden │ test MSE │ note
            ───────┼──────────┼───────────
                 1 │   0.0123 │ decays
                16 │   1.5e-5 │ oscillates
                 2 │        - │
            """
        XCTAssertEqual(table.render(), want, "got:\n\(table.render())")
        XCTAssertEqual(Table(header: ["a"], rows: [["x"]], alignments: [.right]).render(), "a\n─\nx")
    }

    // MARK: - Files and progress

    func testPlotFilesWriteCreatesTheFile() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("plots-test-\(UUID().uuidString)", isDirectory: true)
            .appendingPathComponent("nested", isDirectory: true)
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let svg = Self.heatmap.svg()
        let url = try PlotFiles.write(svg, name: "Lesson 3: Mask (padded)", directory: dir)
        XCTAssertEqual(url.lastPathComponent, "lesson-3-mask-padded.svg")
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), svg, "file contents")
        _ = try PlotFiles.write(svg, name: "Lesson 3: Mask (padded)", directory: dir)  // overwrites
        let names: [(String, String)] = [("Loss", "loss"), ("../../etc/passwd", "etc-passwd"), ("Été 2024", "ete-2024"),
                                         ("a_b-c", "a_b-c"), ("***", "plot"), ("", "plot")]
        for (name, want) in names {
            XCTAssertEqual(PlotFiles.sanitize(name), want, "sanitize(\"\(name)\")")
        }
    }

    func testProgressBarInAPipePrintsEveryTenthAndInATerminalRedraws() {
        var clock = 0.0
        var out = ""
        let plain = ProgressBar(total: 1000, label: "train", width: 80, interactive: false,
                                write: { out += $0 }, clock: { clock })
        for step in 1...1000 { clock += 0.01; plain.update(step: step, message: "loss 0.5") }
        plain.finish()
        let lines = out.split(separator: "\n")
        XCTAssertTrue((10...12).contains(lines.count), "one line per 10%, got \(lines.count):\n\(out)")
        XCTAssertTrue(out.contains("100% 1000/1000") && out.contains("steps/s") && out.contains("10.0s"), out)
        XCTAssertFalse(out.contains("\r"), "no carriage returns in a pipe")

        out = ""
        clock = 0
        let live = ProgressBar(total: 100, label: "train", width: 60, interactive: true,
                               write: { out += $0 }, clock: { clock })
        for step in 1...100 { clock += 0.05; live.update(step: step) }
        live.finish(message: "done")
        let draws = out.components(separatedBy: "\r").filter { !$0.isEmpty }
        XCTAssertTrue((40...60).contains(draws.count), "redrawn at most 10 times a second: \(draws.count)")
        for draw in draws {
            XCTAssertLessThan(draw.strippingANSI.trimmingCharacters(in: .newlines).count, 60, draw)
        }
        XCTAssertTrue(out.hasSuffix("done\u{1B}[K\n"), "finish ends the line: \(out.suffix(80))")
    }

    // MARK: - Helpers

    /// The canvas of a line plot: each row's text right of the y axis, padded to one width.
    private func canvasRows(_ text: String) -> [String] {
        let rows = text.components(separatedBy: "\n").compactMap { line -> String? in
            guard let i = line.firstIndex(where: { $0 == "│" || $0 == "┤" }) else { return nil }
            return String(line[line.index(after: i)...])
        }
        let width = rows.map(\.count).max() ?? 0
        return rows.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }
    }
}

private extension String {
    /// The text without ANSI colour escapes.
    var strippingANSI: String {
        replacingOccurrences(of: "\u{1B}\\[[0-9;]*[A-Za-z]", with: "", options: .regularExpression)
    }

    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
