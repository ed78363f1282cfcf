import Autograd
import ExperimentKit
import Foundation
import Plots
import XCTest

/// A small run through the experiment kit, in this process, with everything a report must
/// show: text with `<`, `>` and `&`, a progress bar's redraws, colours, a line that only
/// looks like a section title, three plots (two line plots whose SVGs use the same clip-path
/// id, and a heatmap), a part skipped (an exercise not written), a part stopped (an
/// exercise that throws) and a part not asked for with `--part`.
struct ReportRun {
    static let parts: [Experiment.Part] = [
        .init("curve", "two curves; text with <, > and &"),
        .init("map", "a heatmap", needs: ["curve"]),
        .init("todo", "uses an exercise not written yet"),
        .init("broken", "uses an exercise that throws"),
        .init("extra", "not asked for"),
    ]
    static let commandLine = ["--part", "map,todo,broken", "--seed", "5", "--note", "a<b&c"]
    /// The number of plots the run saves.
    static let plots = 3
    static let error = "matmul: [2, 3] × [4, 5]: inner sizes 3 and 4 differ <here>"

    /// The course root the run wrote under (a new temporary directory).
    let root: URL
    /// The report's file, as `finish()` returned it.
    let page: URL
    let html: String

    /// Runs it under a new temporary directory; `remove()` deletes it.
    static func make(file: StaticString = #filePath, line: UInt = #line) throws -> ReportRun {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("report-run-\(UUID().uuidString)", isDirectory: true)
        let e = Experiment(lesson: 7, parts: parts, commandLine: commandLine, root: root)
        print("settings: x < y & z > w")
        e.part("curve", "Curves: loss < 1 & accuracy > 0", uses: ["7.1"]) {
            print("\rtrain  10% step 1 of 2\u{1B}[K\rtrain 100% step 2 of 2\u{1B}[K")
            print("\u{1B}[34mblue\u{1B}[0m text")
            print("== A look-alike title ==")
            for name in ["train", "test"] {
                var plot = LinePlot(title: "Loss <\(name)> & more", xLabel: "step", yLabel: "loss")
                plot.add(name, [3.0, 2, 1.5, 1])
                e.save(plot.svg(), as: "curve-\(name)")
            }
        }
        e.part("map", "A heatmap", uses: ["7.2"]) {
            e.save(Heatmap(title: "shades", values: [[0.0, 0.5], [1, 0.25]]).svg(), as: "map")
        }
        e.part("todo", "An unwritten exercise", uses: ["7.3"]) { throw TODO("7.3") }
        e.part("broken", "A throwing exercise", uses: ["7.4"]) { throw ExperimentError(error) }
        e.part("extra", "Never run", uses: []) { XCTFail("a part not asked for ran", file: file, line: line) }
        let page = try XCTUnwrap(e.finish(), "the run wrote no report", file: file, line: line)
        return ReportRun(root: root, page: page, html: try String(contentsOf: page, encoding: .utf8))
    }

    func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
