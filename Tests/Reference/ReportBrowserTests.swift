import Foundation
import Grading
import XCTest

/// `tutor run N`'s report in a real browser: headless Chromium (Debian's `chromium`) opens
/// the report of a small run (ReportRun) and must find the page loaded, every plot drawn
/// with a size, no console message (the page has no script: a message would be the browser
/// refusing or failing something), and the same bytes well-formed when read as XHTML.
///
/// Chromium opens a harness page beside the report that holds it in frames (allowed to
/// look inside them by `--allow-file-access-from-files`), measures each `<svg>` after the
/// load and writes what it found into its own DOM, which `--dump-dom` prints. Console
/// messages come from Chromium's log (`--enable-logging=stderr`), each with its source; a
/// third frame, a page that must log one, proves that this log still reports them.
///
/// Without Chromium the test is skipped, unless `CI` is set (then it fails): `.ci/run`
/// installs it.
final class ReportBrowserTests: XCTestCase {
    func testTheReportLoadsShowsEveryPlotAndLogsNothingToTheConsole() throws {
        let chromium = try Self.chromium()
        let run = try ReportRun.make()
        defer { run.remove() }
        let folder = run.page.deletingLastPathComponent()
        try Data(contentsOf: run.page).write(to: folder.appendingPathComponent("page.xhtml"))
        try Self.canary.write(to: folder.appendingPathComponent("canary.html"), atomically: true, encoding: .utf8)
        let harness = folder.appendingPathComponent("harness.html")
        try Self.harness(page: run.page.lastPathComponent).write(to: harness, atomically: true, encoding: .utf8)

        let result = try Subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                         "--user-data-dir=" + folder.appendingPathComponent("profile").path,
                                         "--allow-file-access-from-files", "--enable-logging=stderr", "--v=0",
                                         "--virtual-time-budget=5000", "--dump-dom", harness.absoluteString],
                                        timeout: 60)
        XCTAssertEqual(result.termination, .exited(0), "chromium: \(result.output.suffix(2000))")
        let found = try XCTUnwrap(Self.found(in: result.output), "no result in chromium's output: \(result.output.suffix(2000))")
        XCTAssertNil(found.error, "the harness could not look into the page")

        let messages = Self.consoleMessages(result.output)
        XCTAssertTrue(messages.contains { $0.source.hasSuffix("/canary.html") },
                      "the canary's console message is missing: console messages are no longer in chromium's log, so this test could not see them")
        let fromReport = messages.filter { !$0.source.hasSuffix("/canary.html") }
        XCTAssertEqual(fromReport.map(\.text), [], "console messages while loading the report")

        let title = matches(of: "<title>([^<]*)</title>", in: run.html).first.map(Self.unescape)
        XCTAssertEqual(found.title, title, "the page did not load")
        XCTAssertEqual(found.svgs.count, ReportRun.plots, "plots on the page")
        for (i, svg) in found.svgs.enumerated() {
            XCTAssertTrue(svg.width > 0 && svg.height > 0, "plot \(i + 1) is drawn \(svg.width) × \(svg.height)")
            XCTAssertEqual([svg.width, svg.height], [svg.declaredWidth, svg.declaredHeight],
                           "plot \(i + 1) is drawn at another size than its own (the frame is wide enough for it)")
            XCTAssertGreaterThan(svg.shapes, 5, "plot \(i + 1) has \(svg.shapes) elements")
        }
        XCTAssertEqual(found.xmlErrors, 0, "the page is not well-formed read as XHTML")
        XCTAssertEqual(found.xmlSvgs, ReportRun.plots, "plots in the page read as XHTML")
    }

    // MARK: - Chromium

    /// Chromium's path: `CHROMIUM`, else the first of its usual names in PATH.
    static func chromium() throws -> String {
        let env = ProcessInfo.processInfo.environment
        if let path = env["CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        for dir in (env["PATH"] ?? "").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        let message = "Chromium is not installed (on Debian: `apt-get install chromium`; or set CHROMIUM to its path): the report is not checked in a browser"
        if env["CI"] != nil { throw ChromiumMissing(description: message + ", and CI must check it: .ci/run installs it") }
        throw XCTSkip(message)
    }

    struct ChromiumMissing: Error, CustomStringConvertible {
        let description: String
    }

    /// What the harness found, from its `<pre id="result">` in the printed DOM.
    struct Found: Decodable {
        /// A plot's size on the page and as its SVG declares it, and its number of elements.
        struct SVG: Decodable { let width: Double, height: Double, declaredWidth: Double, declaredHeight: Double, shapes: Int }
        let title: String?
        let svgs: [SVG]
        let xmlErrors: Int
        let xmlSvgs: Int
        let error: String?
    }

    static func found(in output: String) -> Found? {
        guard let json = matches(of: #"<pre id="result">(\{.*?\})</pre>"#, in: output).first else { return nil }
        return try? JSONDecoder().decode(Found.self, from: Data(unescape(json).utf8))
    }

    /// Every console message in Chromium's log: `[…:INFO:CONSOLE:12] "text", source: URL (12)`.
    static func consoleMessages(_ log: String) -> [(text: String, source: String)] {
        guard let regex = try? NSRegularExpression(pattern: #":CONSOLE[^\]]*\] "(.*?)", source: (\S*)"#, options: [.dotMatchesLineSeparators]) else { return [] }
        return regex.matches(in: log, range: NSRange(log.startIndex..., in: log)).compactMap { m in
            guard let text = Range(m.range(at: 1), in: log), let source = Range(m.range(at: 2), in: log) else { return nil }
            return (String(log[text]), String(log[source]))
        }
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    // MARK: - Pages

    /// A page that must log a console message: it loads an image its policy forbids.
    static let canary = """
    <!DOCTYPE html><html><head><meta charset="utf-8"/><meta http-equiv="Content-Security-Policy" content="default-src 'none'"/>
    <title>canary</title></head><body><img src="missing.png" alt=""/></body></html>
    """

    /// The harness: the report as HTML, its copy `page.xhtml` as XML, and the canary, each in
    /// a frame; after they load, what it found goes into `<pre id="result">` as JSON.
    static func harness(page: String) -> String {
        """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"/><title>harness</title></head><body>
        <pre id="result">not measured</pre>
        <iframe id="page" src="\(page)" style="width: 1200px; height: 900px"></iframe>
        <iframe id="xml" src="page.xhtml" style="width: 1200px; height: 900px"></iframe>
        <iframe id="canary" src="canary.html"></iframe>
        <script>
        window.addEventListener("load", function () {
          var found = { svgs: [], xmlErrors: -1, xmlSvgs: -1 };
          try {
            var page = document.getElementById("page").contentDocument;
            found.title = page.title;
            found.svgs = Array.from(page.querySelectorAll("svg")).map(function (svg) {
              var box = svg.getBoundingClientRect();
              return { width: box.width, height: box.height, declaredWidth: svg.width.baseVal.value,
                       declaredHeight: svg.height.baseVal.value, shapes: svg.querySelectorAll("*").length };
            });
            var xml = document.getElementById("xml").contentDocument;
            found.xmlErrors = xml.getElementsByTagName("parsererror").length;
            found.xmlSvgs = xml.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").length;
          } catch (e) {
            found.error = String(e);
          }
          document.getElementById("result").textContent = JSON.stringify(found);
        });
        </script>
        </body></html>
        """
    }
}
