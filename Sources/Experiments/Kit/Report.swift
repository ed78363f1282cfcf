import Foundation
import Plots

/// A run's HTML report as the run goes: it records what the run prints (a `Transcript` of
/// standard output) and the kit's marks (sections, plots, how parts end); it rewrites the
/// page at each section and plot (so a crash leaves the page as far as the run got), on
/// Ctrl-C (then exits), and at the end.
///
/// The page is `.tutor/reports/lessonN-YYYYMMDD-HHMMSS.html`, and a copy
/// `lessonN-latest.html` beside it.
final class Report: @unchecked Sendable {
    let file: URL
    let latest: URL
    private let record = RunRecord()
    private let transcript: Transcript?
    /// The page with what is known at the start; each write fills in the rest.
    private let page: ReportPage
    private let lock = NSLock()
    /// Set once the page is final (finished or interrupted): nothing rewrites it after.
    private var closed = false
    /// Set once recording has stopped (the end, or an interrupt: whichever comes first).
    private var stopped = false
    private var interrupts: [DispatchSourceSignal] = []
    /// SIGINT's and SIGTERM's handling before the run, put back when it ends.
    private var handlersBefore: [(Int32, sigaction)] = []

    /// Starts recording for `page` (what is known at the start), written in `directory`.
    init(_ page: ReportPage, directory: URL) {
        let stamp = DateFormatter()
        stamp.locale = Locale(identifier: "en_US_POSIX")
        stamp.dateFormat = "yyyyMMdd-HHmmss"
        file = directory.appendingPathComponent("lesson\(page.run.lesson)-\(stamp.string(from: page.run.started)).html")
        latest = directory.appendingPathComponent("lesson\(page.run.lesson)-latest.html")
        self.page = page
        transcript = Transcript { [record] in record.append(output: $0) }
        for (sig, name, code) in [(SIGINT, "Ctrl-C", Int32(130)), (SIGTERM, "SIGTERM", Int32(143))] {
            var previous = sigaction()
            sigaction(sig, nil, &previous)
            handlersBefore.append((sig, previous))
            signal(sig, SIG_IGN)  // the dispatch source handles it
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [unowned self] in self.interrupted(name, exitCode: code) }
            source.resume()
            interrupts.append(source)
        }
    }

    deinit {
        stop()
    }

    /// Adds a mark; a section or a plot rewrites the page.
    func note(_ mark: ReportMark) {
        record.append(mark)
        if mark.line != nil { _ = write(.running) }
    }

    /// Stops recording, writes the final page and returns where it is (nil when it could
    /// not be written: standard error says why).
    func finish() -> URL? {
        stop()
        return write(.finished, last: true)
    }

    /// Ctrl-C or SIGTERM: the page as far as the run got, its path, and the exit.
    private func interrupted(_ how: String, exitCode: Int32) {
        stop()
        if write(.interrupted(how), last: true) != nil { print(announcement) }
        fflush(stdout)
        _exit(exitCode)
    }

    private func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        transcript?.stop()
        for source in interrupts { source.cancel() }
        for (sig, var action) in handlersBefore { sigaction(sig, &action, nil) }
    }

    /// Writes the page and its copy; `last` makes it final. Returns nil after a final page,
    /// or when the files cannot be written (said once, on standard error).
    private func write(_ status: ReportPage.Status, last: Bool = false) -> URL? {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return nil }
        closed = last
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            var page = page
            (page.printed, page.marks) = record.soFar
            page.status = status
            page.seconds = Date().timeIntervalSince(page.run.started)
            let data = Data(page.html.utf8)
            try data.write(to: file, options: .atomic)
            try data.write(to: latest, options: .atomic)
            return file
        } catch {
            closed = true
            FileHandle.standardError.write(Data("could not write the report \(file.path): \(error)\n".utf8))
            return nil
        }
    }

    /// "report: .tutor/reports/lesson3-20261202-101500.html (open it in a browser; …)", the
    /// path relative to the current directory when it is inside.
    var announcement: String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        let path = file.path.hasPrefix(cwd) ? String(file.path.dropFirst(cwd.count)) : file.path
        return "report: \(path) (open it in a browser; the newest is also \(latest.lastPathComponent))"
    }
}
