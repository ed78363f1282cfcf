import Autograd
import CIsolation
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Grading in two processes, so that nothing a student's code does can turn into a pass.
///
/// The **child** is the test bundle started for one exercise: it runs the student's code on
/// the probe and writes what came out — an outcome, a TODO, an error — to a report file.
/// The **parent** (the XCTest case in `swift test`, or `tutor check`) never runs student
/// code: it waits with a time limit, then makes the verdict by comparing the report with the
/// recorded fixtures. So:
/// - printing an XCTest "passed" line, in the exercise or from an `atexit` handler, says
///   nothing: verdicts never come from output;
/// - `exit(0)`, a trap or a hang ends the child before it reports — a failure, with a reason;
/// - a redefined C function (`@_cdecl("expf")`) changes the student's numbers, never the
///   reference's, which were recorded elsewhere;
/// - a process the code started is found and killed, and fails the exercise;
/// - a grading file the code changed while it ran fails it too.
///
/// The report must carry a nonce the parent left in the report file, which the child reads
/// and erases before the student's code runs.
public enum Isolation {
    static let exerciseVariable = "UNROLLED_GRADE_EXERCISE"
    static let reportVariable = "UNROLLED_GRADE_REPORT"
    /// The lesson's fixture file, for the probe data a student edition reads (`Probes.recorded`).
    static let fixturesVariable = "UNROLLED_GRADE_FIXTURES"

    // MARK: - The child

    /// In a child started to probe `exercise`: runs `implementation` on the probe, writes
    /// the report and ends the process — it does not return. Anywhere else, returns at once.
    public static func probeIfRequested<I>(_ exercise: Exercise<I>, _ implementation: I) {
        guard let id = environment(exerciseVariable), id == exercise.id, let path = environment(reportVariable) else { return }
        _ = unrolled_die_with_parent()
        let nonce = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        truncate(path, 0)
        unsetenv(exerciseVariable)
        unsetenv(reportVariable)
        #if EDITION
        // A student edition's probes read the reference's probe data from the fixtures.
        if let fixtures = environment(fixturesVariable), let data = FileManager.default.contents(atPath: fixtures),
           let lesson = Int(id.prefix { $0 != "." }) {
            _ = try? LessonFixtures.parse(data, lesson: lesson, path: fixtures)
        }
        #endif
        unsetenv(fixturesVariable)
        let report = exercise.report(implementation)
        let text = encode(report, exercise: id, nonce: nonce)
        fflush(stdout)
        fflush(stderr)
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        _exit(0)
    }

    static func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    // MARK: - The kernels of the recorded runs

    /// The OpenBLAS kernels the fixtures were recorded with (`OPENBLAS_CORETYPE=Haswell`,
    /// as `.ci/run` records them).
    public static let fixtureKernels = "Haswell"

    /// What a grading child's environment adds so that its products are the fixtures':
    /// `OPENBLAS_CORETYPE=Haswell` where the processor runs those kernels (x86-64 with AVX2
    /// and FMA) and nobody chose other kernels; nothing elsewhere.
    ///
    /// Products with other kernels differ in the last bits, and a training exercise's run
    /// drifts from the recorded one: a right answer still passes (its rule has margins), but
    /// a known mistake's recorded fingerprint no longer matches, and the student loses its
    /// diagnosis (3.6: six of nine planted mistakes with OpenBLAS 0.3.21's own choice,
    /// Cooperlake, on a Zen 4). OpenBLAS reads the variable once, when it loads: the child
    /// is a new process, so setting it in the child's environment is in time, where setting
    /// it in this process would be too late.
    public static func kernelPin(environment: [String: String], processorFlags: Set<String>, machine: String) -> [String: String] {
        guard machine == "x86_64", environment["OPENBLAS_CORETYPE"] == nil,
              processorFlags.isSuperset(of: ["avx2", "fma"]) else { return [:] }
        return ["OPENBLAS_CORETYPE": fixtureKernels]
    }

    /// `kernelPin` for this process and machine.
    public static var kernelPin: [String: String] {
        #if arch(x86_64)
        let machine = "x86_64"
        #else
        let machine = "other"
        #endif
        return kernelPin(environment: ProcessInfo.processInfo.environment, processorFlags: BLAS.processorFlags, machine: machine)
    }

    /// The report as one JSON object.
    public static func encode(_ report: ProbeReport, exercise: String, nonce: String) -> String {
        let head = "{\"exercise\": \(OutcomeJSON.string(exercise)), \"nonce\": \(OutcomeJSON.string(nonce)), "
        switch report {
        case .outcome(let o): return head + "\"outcome\": {\"entries\": \(OutcomeJSON.entries(o, indent: ""))}}\n"
        case .notAttempted(let e): return head + "\"todo\": \(OutcomeJSON.string(e))}\n"
        case .threw(let message, let tensorError):
            return head + "\"threw\": \(OutcomeJSON.string(message)), \"tensorError\": \(tensorError)}\n"
        case .stopped(let summary, let next, _):
            return head + "\"threw\": \(OutcomeJSON.string(summary + " " + next)), \"tensorError\": false}\n"
        }
    }

    struct Wire: Decodable {
        let exercise: String
        let nonce: String
        let outcome: Outcome?
        let todo: String?
        let threw: String?
        let tensorError: Bool?
    }

    /// The report in `text`, if it is whole and carries `nonce` for `exercise`.
    public static func decode(_ text: String, exercise: String, nonce: String) -> ProbeReport? {
        guard let wire = try? OutcomeJSON.decode(Wire.self, from: Data(text.utf8)), wire.exercise == exercise, wire.nonce == nonce else { return nil }
        if let o = wire.outcome { return .outcome(o) }
        if let t = wire.todo { return .notAttempted(exercise: t) }
        if let m = wire.threw { return .threw(m, tensorError: wire.tensorError ?? false) }
        return nil
    }

    // MARK: - The parent

    /// What grading one exercise in a child gave: the verdict, what the student's code
    /// printed (XCTest's own lines left out), and the time it took.
    public struct Graded: Sendable {
        public let verdict: Verdict
        public let printed: String
        public let seconds: Double
    }

    /// Grades `exercise` in a child process: `executable` with `arguments` runs the test of
    /// that exercise alone (the test bundle and its filter), for at most `timeout` seconds;
    /// the verdict compares its report with `fixtures`. `root` is the package root (for the
    /// grading files that must not change while it runs).
    public static func grade(_ exercise: AnyExercise, fixtures: LessonFixtures, root: URL, executable: String,
                             arguments: [String], timeout: Double) -> Graded {
        // Nothing to compare with: no need to run the student's code.
        guard let fixture = fixtures.exercise(exercise.id) else {
            let v = exercise.verdictOnRecorded(.stopped(summary: "\(LessonFixtures.path(lesson: exercise.lesson)) has no recorded outcomes for \(exercise.id): a bug in the course, not in your code", next: "please report it (an instructor runs `swift run tutor verify --record`).", kind: .exited), Outcome(), [:])
            return Graded(verdict: v, printed: "", seconds: 0)
        }
        let reportURL = TemporaryFiles.make("report")
        defer { TemporaryFiles.remove(reportURL) }
        let nonce = UUID().uuidString
        FileManager.default.createFile(atPath: reportURL.path, contents: Data(nonce.utf8), attributes: [.posixPermissions: 0o600])
        let before = GradingFiles.stamps(root: root)
        let result: Subprocess.Result
        do {
            result = try Subprocess.run([executable] + arguments, in: root, timeout: timeout, environment: kernelPin.merging([
                exerciseVariable: exercise.id, reportVariable: reportURL.path,
                fixturesVariable: root.appendingPathComponent(LessonFixtures.path(lesson: exercise.lesson)).path,
                "SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none",
            ]) { _, new in new })
        } catch {
            let v = exercise.verdictOnRecorded(.stopped(summary: "the grader could not start its process: \(error)", next: "run `swift build --build-tests`, then grade again.", kind: .exited), Outcome(), [:])
            return Graded(verdict: v, printed: "", seconds: 0)
        }
        let changed = GradingFiles.differences(before, GradingFiles.stamps(root: root))
        let written = (try? String(contentsOf: reportURL, encoding: .utf8)) ?? ""
        let report = Self.report(result, written: decode(written, exercise: exercise.id, nonce: nonce), exercise: exercise, changed: changed)
        let printed = studentOutput(result.output)
        return Graded(verdict: exercise.verdictOnRecorded(report, fixture.reference, fixture.mistakes), printed: printed, seconds: result.seconds)
    }

    /// What the child's run says, from what it wrote, how it ended, what it left behind
    /// and what it changed — the most serious first.
    public static func report(_ result: Subprocess.Result, written: ProbeReport?, exercise e: AnyExercise, changed: [String]) -> ProbeReport {
        let place = "`\(e.symbol)` (\(e.file))"
        let again = "`swift run tutor check \(e.id)`"
        if !changed.isEmpty {
            return .stopped(summary: "your code changed \(changed.prefix(3).joined(separator: ", "))\(changed.count > 3 ? " …" : "") while it was graded: grading files are not yours to edit",
                            next: "remove what writes files from \(place); \(GradingFiles.restoreAdvice(changed)).", kind: .tampered)
        }
        if !result.leftovers.isEmpty {
            let what = result.leftovers.prefix(2).map { "`\($0)`" }.joined(separator: ", ")
            return .stopped(summary: "your code left \(result.leftovers.count == 1 ? "a process" : "\(result.leftovers.count) processes") running (\(what)); the grader stopped \(result.leftovers.count == 1 ? "it" : "them")",
                            next: "an exercise computes its result and returns: start no processes in \(place), then run \(again).", kind: .leftover)
        }
        if case .timedOut(let limit) = result.termination {
            return .stopped(summary: "no result within \(format(limit)) s: your code was stopped",
                            next: "look for a loop in \(place) that never ends, then run \(again) (if it is only slow: --timeout 300).", kind: .timedOut)
        }
        if let written { return written }
        switch result.termination {
        case .signalled(let signal):
            return .stopped(summary: "crashed: \(crashLine(result.output, signal: signal))",
                            next: "a crash stops the whole test process: fix that line of \(place), then run \(again).", kind: .crashed)
        case .exited(let code):
            if result.output.contains("Executed 0 tests") || result.output.contains("No matching test cases") {
                return .stopped(summary: "the test bundle has no test for \(e.id): a bug in the course, not in your code (lesson.json names a test that Tests/Exercises does not have)",
                                next: "please report it; `swift run tutor verify` shows the details.", kind: .exited)
            }
            return .stopped(summary: "your code ended the process (exit status \(code)) before the grader had its result",
                            next: "an exercise returns its result, never calls exit(): remove the exit from \(place), then run \(again).", kind: .exited)
        case .timedOut:
            return .stopped(summary: "no result in time", next: "run \(again) with a longer --timeout.", kind: .timedOut)
        }
    }

    // MARK: - Reading what the child printed

    /// One line for a crash: the runtime's message and the first frame in a lesson file,
    /// e.g. "Fatal error: Index out of range, in sigmoid(_:) at Lessons/Lesson0/Sigmoid.swift:24:5".
    public static func crashLine(_ output: String, signal: Int32) -> String {
        let lines = output.split(separator: "\n").map(String.init)
        let keys = ["Fatal error", "Precondition failed", "Assertion failed", "Stack overflow"]
        var message = lines.first { line in keys.contains { line.contains($0) } }.map(tidyRuntimeMessage)
        if message == nil { message = Subprocess.describe(signal: signal) }
        let frame = lines.first { $0.contains("/Lessons/Lesson") && $0.contains(" at /") }.map(lessonFrame)
        return [message, frame].compactMap { $0 }.joined(separator: ", ")
    }

    /// "Swift/Array.swift:600: Fatal error: Index out of range" → "Fatal error: Index out of range";
    /// a message from a lesson file keeps its place.
    static func tidyRuntimeMessage(_ line: String) -> String {
        var t = line.trimmingCharacters(in: .whitespaces)
        for key in ["Fatal error", "Precondition failed", "Assertion failed"] {
            guard let r = t.range(of: key) else { continue }
            let place = t[..<r.lowerBound]
            if let lessons = place.range(of: "Lessons/Lesson") {
                t = String(t[lessons.lowerBound...])
            } else {
                t = String(t[r.lowerBound...])
            }
        }
        return t
    }

    /// A backtrace frame "1 [ra] 0x… sigmoid(_:) + 109 in X.xctest at /…/Lessons/Lesson0/Sigmoid.swift:24:5"
    /// as "in sigmoid(_:) at Lessons/Lesson0/Sigmoid.swift:24:5".
    public static func lessonFrame(_ line: String) -> String {
        guard let at = line.range(of: " at /", options: .backwards), let lessons = line.range(of: "/Lessons/Lesson") else {
            return line.trimmingCharacters(in: .whitespaces)
        }
        let location = String(line[line.index(after: lessons.lowerBound)...])
        var symbol = String(line[..<at.lowerBound])
        if let inRange = symbol.range(of: " in ", options: .backwards) { symbol = String(symbol[..<inRange.lowerBound]) }
        if let plus = symbol.range(of: " + ", options: .backwards) { symbol = String(symbol[..<plus.lowerBound]) }
        if let address = symbol.range(of: "0x") {
            symbol = String(symbol[address.upperBound...].drop { $0.isHexDigit }).trimmingCharacters(in: .whitespaces)
        }
        return symbol.isEmpty ? "at \(location)" : "in \(symbol) at \(location)"
    }

    /// What the student's code printed: the child's output without XCTest's lines and,
    /// after a crash, without the runtime's report.
    public static func studentOutput(_ output: String) -> String {
        var kept: [String] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("💣") || line.contains("Program crashed") { break }
            if line.hasPrefix("Test Suite '") || line.hasPrefix("Test Case '") || line.hasPrefix("\t Executed ")
                || line.hasPrefix("Executed ") { continue }
            // The runtime's own message of a trap is in the crash line already.
            if [": Fatal error", ": Precondition failed", ": Assertion failed"].contains(where: line.contains) { continue }
            kept.append(line)
        }
        while let last = kept.last, last.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeLast() }
        while let first = kept.first, first.trimmingCharacters(in: .whitespaces).isEmpty { kept.removeFirst() }
        return kept.joined(separator: "\n")
    }

    public static func format(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x) }
}
