import ExperimentKit
import Foundation
import Plots
import XCTest

/// `tutor run N`'s HTML report, read as text and as XML (no browser: see
/// ReportBrowserTests for the page in Chromium): escaping, sections, inline plots, parts
/// skipped, stopped or not asked for, the run's settings, and standard output put back.
final class ReportTests: XCTestCase {
    var run: ReportRun!

    override func setUpWithError() throws {
        run = try ReportRun.make()
    }

    override func tearDown() {
        run?.remove()
    }

    /// The text of every `<pre>`, in order, as the page has it (escaped).
    var preformatted: [String] {
        matches(of: #"<pre>(.*?)</pre>"#, in: run.html)
    }

    func testTextIsEscapedAndShownAsTheTerminalLastShowedIt() {
        let text = preformatted.joined(separator: "\n")
        XCTAssertTrue(text.contains("settings: x &lt; y &amp; z &gt; w"), text)
        XCTAssertTrue(run.html.contains("<h2>Curves: loss &lt; 1 &amp; accuracy &gt; 0</h2>"), "the section title, escaped")
        XCTAssertTrue(text.contains(xmlEscape(ReportRun.error)), "the stopped part's error, escaped: \(text)")
        XCTAssertFalse(run.html.contains("x < y"), "unescaped text")
        XCTAssertTrue(text.contains("train 100% step 2 of 2"), "a redrawn line shows its last drawing: \(text)")
        XCTAssertFalse(text.contains("step 1 of 2"), "a redrawn line's earlier drawing: \(text)")
        XCTAssertTrue(text.contains("blue text"), text)
        XCTAssertFalse(run.html.contains("\u{1B}"), "an ANSI escape")
        XCTAssertTrue(text.contains("== A look-alike title =="), "a printed line like a title is text: \(text)")
    }

    func testThePageIsWellFormedAndLoadsNothingFromElsewhere() throws {
        let page = try XMLDocumentSummary(run.html, "the report")
        XCTAssertEqual(page.root, "html")
        XCTAssertEqual(page.namespace, "http://www.w3.org/1999/xhtml")
        let names = Set(page.elements.map(\.name))
        XCTAssertTrue(names.isDisjoint(with: ["script", "link", "img", "iframe", "object", "embed"]), "\(names)")
        let csp = page.elements.first { $0.attributes["http-equiv"] == "Content-Security-Policy" }
        XCTAssertEqual(csp?.attributes["content"]?.hasPrefix("default-src 'none'"), true, "a policy forbidding every outside resource")
        for (name, attributes) in page.elements {
            for key in ["href", "src"] {
                if let target = attributes[key] { XCTAssertTrue(target.hasPrefix("#"), "<\(name) \(key)=\"\(target)\"> leaves the page") }
            }
        }
    }

    func testSectionsFollowThePartsThatRan() {
        let titles = matches(of: #"<section id="[^"]*" class="[^"]*">\n<h2>([^<]*?)(?: <span|</h2>)"#, in: run.html)
        XCTAssertEqual(titles, ["Before the first part", "Curves: loss &lt; 1 &amp; accuracy &gt; 0", "A heatmap",
                                "An unwritten exercise", "A throwing exercise"])
        let text = preformatted.joined(separator: "\n")
        XCTAssertFalse(text.contains("== Curves"), "the kit's title line is the heading, not text too")
        XCTAssertFalse(text.contains("saved /"), "the kit's saved-plot line is the figure, not text too")
        XCTAssertFalse(text.contains("Done in"), "the closing line is printed after the page")
    }

    func testEachSavedPlotIsInlineWithIdsOfItsOwn() throws {
        let page = try XMLDocumentSummary(run.html, "the report")
        XCTAssertEqual(page.elements.filter { $0.name == "svg" }.count, ReportRun.plots)
        XCTAssertFalse(run.html.contains("<?xml"), "an XML declaration inside the page")
        let ids = page.elements.compactMap { $0.attributes["id"] }
        XCTAssertEqual(ids.count, Set(ids).count, "ids used twice: \(ids)")
        let references = matches(of: #"url\(#([^)]*)\)"#, in: run.html)
        XCTAssertGreaterThanOrEqual(references.count, 3, "the two line plots' clip paths and the heatmap's gradient")
        for reference in references { XCTAssertTrue(ids.contains(reference), "url(#\(reference)) refers to no id") }
        let saved = matches(of: #"saved as <code>([^<]*)</code>"#, in: run.html)
        XCTAssertEqual(saved.map { URL(fileURLWithPath: $0).lastPathComponent },
                       ["lesson7-curve-train.svg", "lesson7-curve-test.svg", "lesson7-map.svg"])
        for path in saved { XCTAssertTrue(FileManager.default.fileExists(atPath: path), "\(path) was not saved") }
    }

    func testSkippedStoppedAndUnaskedPartsShowAsSuch() {
        XCTAssertTrue(run.html.contains(#"<section id="section-3" class="skipped">"# + "\n"
            + #"<h2>An unwritten exercise <span class="badge skipped">skipped</span></h2>"#), run.html)
        XCTAssertTrue(run.html.contains(#"<section id="section-4" class="stopped">"# + "\n"
            + #"<h2>A throwing exercise <span class="badge stopped">stopped</span></h2>"#), run.html)
        let rows = matches(of: #"<tr class="([^"]*)"><td>"#, in: run.html)
        XCTAssertEqual(rows, ["completed", "completed", "skipped", "stopped", "not-run"], "the parts table, in the parts' order")
        XCTAssertTrue(run.html.contains("exercise 7.3 is not written yet"), "why the part was skipped")
        XCTAssertTrue(run.html.contains("not asked for with --part"), "why a part did not run")
    }

    func testTheRunsSettingsAreOnThePage() throws {
        XCTAssertTrue(run.html.contains("<code>swift run tutor run 7 --seed 5 --part map,todo,broken -- --note a&lt;b&amp;c</code>"), run.html)
        XCTAssertTrue(run.html.contains("<tr><th>seed</th><td>5</td></tr>"), "the seed")
        XCTAssertTrue(run.html.contains("<code>--note a&lt;b&amp;c</code>"), "the lesson's own options")
        XCTAssertTrue(run.html.contains("quick (the default"), "without --full")
        XCTAssertEqual(matches(of: #"<tr><th>date</th><td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d)</td></tr>"#, in: run.html).count, 1)
        XCTAssertTrue(run.html.contains(#"<p class="status finished">Finished in "#), "the run time")
        XCTAssertNotNil(run.page.lastPathComponent.range(of: #"^lesson7-\d{8}-\d{6}\.html$"#, options: .regularExpression), run.page.path)
        let latest = run.page.deletingLastPathComponent().appendingPathComponent("lesson7-latest.html")
        XCTAssertEqual(try String(contentsOf: latest, encoding: .utf8), run.html, "the latest page is a copy")
    }

    func testStandardOutputIsPutBackAfterTheRun() throws {
        var before = stat(), after = stat()
        fstat(STDOUT_FILENO, &before)
        let again = try ReportRun.make()
        defer { again.remove() }
        fstat(STDOUT_FILENO, &after)
        XCTAssertEqual([after.st_dev, after.st_ino], [before.st_dev, before.st_ino], "standard output is where it was")
        XCTAssertEqual(Terminal.descriptor, STDOUT_FILENO)
        print("printed after the run")
        fflush(stdout)
        XCTAssertFalse(try String(contentsOf: again.page, encoding: .utf8).contains("printed after the run"))
    }

    func testAnUnfinishedOrInterruptedRunSaysSo() {
        let run = ReportPage.Run(lesson: 2, command: "swift run tutor run 2", seed: 0, full: true, asked: [], arguments: [], started: Date())
        let parts: [Experiment.Part] = [.init("first", "ends"), .init("second", "is cut"), .init("third", "never starts")]
        var page = ReportPage(run: run, parts: parts, running: ["first", "second", "third"],
                              printed: "\n== One ==\nfine\n\n== Two ==\nhalf", status: .running, seconds: 3)
        page.marks = [.section(title: "One", part: "first"), .outcome(.completed), .section(title: "Two", part: "second")]
        XCTAssertTrue(page.html.contains(#"<p class="status running">Unfinished"#))
        XCTAssertTrue(page.html.contains(#"<h2>Two <span class="badge unfinished">did not finish</span></h2>"#), page.html)
        XCTAssertEqual(matches(of: #"<tr class="[^"]*"><td>[^<]*</td><td>[^<]*</td><td><span class="badge [^"]*">([^<]*)</span>"#, in: page.html),
                       ["ran", "running", "not run"])
        XCTAssertTrue(page.html.contains("not started yet"))
        page.status = .interrupted("Ctrl-C")
        XCTAssertTrue(page.html.contains(#"<p class="status interrupted">Interrupted (Ctrl-C) after 3.0s"#), page.html)
        XCTAssertEqual(matches(of: #"<tr class="[^"]*"><td>[^<]*</td><td>[^<]*</td><td><span class="badge [^"]*">([^<]*)</span>"#, in: page.html),
                       ["ran", "did not finish", "not run"])
        XCTAssertTrue(page.html.contains("the run ended before it"))
    }
}

/// The first capture group of every match of `pattern` in `text` (`.` matches newlines).
func matches(of pattern: String, in text: String) -> [String] {
    guard let regex = try? NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators]) else { return [] }
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
        Range($0.range(at: 1), in: text).map { String(text[$0]) }
    }
}
