import Autograd
import Foundation
import Plots

/// What every lesson's experiment shares: its options (`--full`, `--seed N`, `--part NAME`,
/// `--jobs N`), sections that survive an unfinished or failing exercise, saved plots,
/// timing, the threads that train independent models side by side, and the run's HTML
/// report (`.tutor/reports/`: what it printed, its plots inline, its settings).
public struct Experiment {
    /// One part of a lesson's experiment, by the name `--part` takes: what it shows, and
    /// the parts whose results it needs (they run first, even when not asked for).
    public struct Part: Sendable {
        public let name: String
        public let about: String
        public let needs: [String]
        public init(_ name: String, _ about: String, needs: [String] = []) {
            self.name = name
            self.about = about
            self.needs = needs
        }
    }

    /// The lesson number, for messages.
    public let lesson: Int
    /// Whether `--full` was given: more seeds, longer training.
    public let full: Bool
    /// The seed every random draw starts from (`--seed N`, default 0).
    public let seed: UInt64
    /// Other arguments, for the lesson to read (a text file, say).
    public let arguments: [String]
    /// The lesson's parts, in order.
    public let parts: [Part]
    /// The parts that run: all of them, or those asked for with `--part` and what they need.
    public let running: Set<String>
    /// The threads that train independent models at once (`--jobs N`; by default one per
    /// core). Each training runs on one thread and its matrix products too (`BLAS.threads`
    /// is 1), so the figures do not depend on how many there are.
    public let workers: Workers
    /// The parts asked for with `--part` (empty: all).
    public let asked: [String]
    /// The course's root: plots go to `.tutor/plots` under it, the report to `.tutor/reports`.
    public let root: URL
    private let start = Date()
    /// The run's report, recording from the start; nil when not asked for.
    private let report: Report?

    /// Reads the options from the command line; an unknown option or part ends the program
    /// with a one-line error. `options` describes the lesson's own options, for `--help`.
    /// With `report`, what the run prints is recorded from here on for its HTML page, which
    /// `finish()` completes.
    public init(lesson: Int, parts: [Part], options: String = "", commandLine: [String] = Array(CommandLine.arguments.dropFirst()),
                root: URL = PlotFiles.root, report: Bool = true) {
        self.lesson = lesson
        self.parts = parts
        self.root = root
        var full = false, seed: UInt64 = 0, jobs = ProcessInfo.processInfo.activeProcessorCount, rest: [String] = [], asked: [String] = []
        var i = 0
        while i < commandLine.count {
            switch commandLine[i] {
            case "--full": full = true
            case "--seed":
                guard i + 1 < commandLine.count, let s = UInt64(commandLine[i + 1]) else {
                    Experiment.fail("--seed needs a non-negative integer")
                }
                seed = s
                i += 1
            case "--jobs":
                guard i + 1 < commandLine.count, let n = Int(commandLine[i + 1]), n > 0 else {
                    Experiment.fail("--jobs needs a positive integer (how many trainings run at once)")
                }
                jobs = n
                i += 1
            case "--part":
                guard i + 1 < commandLine.count else { Experiment.fail("--part needs a name: \(parts.map(\.name).joined(separator: ", "))") }
                asked += commandLine[i + 1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                i += 1
            case "-h", "--help":
                print(Self.help(lesson: lesson, parts: parts, options: options))
                exit(0)
            default: rest.append(commandLine[i])
            }
            i += 1
        }
        self.full = full
        self.seed = seed
        self.arguments = rest
        workers = Workers(count: jobs)
        BLAS.threads = 1
        self.asked = asked
        do {
            running = try Self.running(asked, parts: parts)
        } catch {
            Experiment.fail("\(error)")
        }
        guard report else { self.report = nil; return }
        let run = ReportPage.Run(lesson: lesson, command: Self.command(lesson: lesson, full: full, seed: seed, asked: asked, arguments: rest),
                                 seed: seed, full: full, asked: asked, arguments: rest, started: start)
        self.report = Report(ReportPage(run: run, parts: parts, running: running), directory: PlotFiles.tutorDirectory("reports", root: root))
    }

    /// The command that runs this again: "swift run tutor run 3 --full --seed 2 --part copying -- --cell gru".
    static func command(lesson: Int, full: Bool, seed: UInt64, asked: [String], arguments: [String]) -> String {
        (["swift run tutor run \(lesson)"] + (full ? ["--full"] : []) + (seed == 0 ? [] : ["--seed", "\(seed)"])
            + (asked.isEmpty ? [] : ["--part", asked.joined(separator: ",")]) + (arguments.isEmpty ? [] : ["--"] + arguments)).joined(separator: " ")
    }

    /// The usage text: the options, then each part with what it shows.
    public static func help(lesson: Int, parts: [Part], options: String) -> String {
        var lines = ["usage: swift run tutor run \(lesson) [--full] [--seed N] [--jobs N] [--part NAME[,NAME…]]\(options.isEmpty ? "" : " [-- \(options)]")", "",
                     "  --full       the full-size experiment (more seeds, longer training)",
                     "  --seed N     the seed every random draw starts from (default 0)",
                     "  --jobs N     how many models train at once (default: one per core); the figures do not change",
                     "  --part NAME  run only these parts (and the parts they need); the parts:"]
        let width = parts.map(\.name.count).max() ?? 0
        for p in parts {
            let needs = p.needs.isEmpty ? "" : " (needs \(p.needs.joined(separator: ", ")))"
            lines.append("      \(p.name.padding(toLength: width, withPad: " ", startingAt: 0))  \(p.about)\(needs)")
        }
        return lines.joined(separator: "\n")
    }

    /// The parts to run for the names asked for: every part when none is, else the parts
    /// asked for and, before them, the parts they need. An unknown name throws.
    public static func running(_ asked: [String], parts: [Part]) throws -> Set<String> {
        guard !asked.isEmpty else { return Set(parts.map(\.name)) }
        var result = Set<String>(), queue = asked
        while let name = queue.popLast() {
            guard let p = parts.first(where: { $0.name == name }) else {
                throw ExperimentError("lesson experiment has no part \"\(name)\"; its parts are \(parts.map(\.name).joined(separator: ", "))")
            }
            if result.insert(name).inserted { queue += p.needs }
        }
        return result
    }

    /// Prints a one-line error and exits non-zero.
    public static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }

    /// Takes the options `handle` knows out of `arguments` and leaves the others, in order.
    /// `handle` gets each option and a reader of its value (the next argument; a missing one
    /// fails with one line) and says whether it took the option.
    public static func takeOptions(_ arguments: inout [String], _ handle: (_ option: String, _ value: () -> String) -> Bool) {
        var rest: [String] = []
        var i = 0
        while i < arguments.count {
            let option = arguments[i]
            let taken = handle(option) {
                guard i + 1 < arguments.count, !arguments[i + 1].hasPrefix("--") else { fail("\(option) needs a value") }
                i += 1
                return arguments[i]
            }
            if !taken { rest.append(option) }
            i += 1
        }
        arguments = rest
    }

    /// The positive whole number an option takes (`--seeds 5`), read with `takeOptions`' `value`;
    /// anything else ends the run with a one-line message naming the option.
    public static func positiveInteger(_ option: String, _ value: () -> String) -> Int {
        guard let n = Int(value()), n > 0 else { fail("\(option) needs a positive integer") }
        return n
    }

    /// A section title.
    public func section(_ title: String) {
        section(title, part: nil)
    }

    private func section(_ title: String, part: String?) {
        let mark = ReportMark.section(title: title, part: part)
        print("\n" + mark.line!)
        report?.note(mark)
    }

    /// Runs one part of the experiment. An exercise that is not written yet, or that
    /// throws, skips this part with a message saying why and what to do; the rest runs.
    /// Returns whether the part completed.
    /// `name` is the part's name in `parts`: a part that `--part` did not ask for (and no
    /// asked-for part needs) is skipped without a word.
    @discardableResult
    public func part(_ name: String, _ title: String, uses exercises: [String], _ body: () throws -> Void) -> Bool {
        precondition(parts.contains { $0.name == name }, "part \(name) is not in the lesson's list of parts")
        guard running.contains(name) else { return false }
        section(title, part: name)
        let outcome: PartOutcome
        do {
            try body()
            outcome = .completed
        } catch {
            let verdict = verdict(on: error, uses: exercises, what: "This part")
            outcome = verdict.outcome
            print(verdict.message)
        }
        report?.note(.outcome(outcome))
        return outcome == .completed
    }

    /// What the kit says when `error` ends work (`what`: "This part", "Model 4") that uses
    /// `exercises`: an exercise not written yet skips it, saying which and what to do;
    /// another error stops it, with the command that says which exercise is wrong. A part
    /// that trains several models side by side says it per model, and runs the others.
    public func verdict(on error: Error, uses exercises: [String], what: String) -> (outcome: PartOutcome, message: String) {
        if let todo = error as? TODO {
            return (.skipped("exercise \(todo.exercise) is not written yet"), "Skipped: exercise \(todo.exercise) is not written yet. "
                    + "Write it (hint: `swift run tutor hint \(todo.exercise)`), then run this again.")
        }
        let which = "exercise\(exercises.count > 1 ? "s" : "") \(exercises.joined(separator: ", "))"
        return (.stopped("\(error)"), "Stopped: \(error)\n\(what) uses \(which): `swift run tutor check \(lesson)` says which one is wrong.")
    }

    /// Saves an SVG under `.tutor/plots/` and says where; the report shows it there.
    public func save(_ svg: String, as name: String) {
        do {
            let url = try PlotFiles.write(svg, name: "lesson\(lesson)-\(name)", directory: PlotFiles.tutorDirectory("plots", root: root))
            let mark = ReportMark.plot(name: name, path: url.path, svg: svg)
            print(mark.line!)
            report?.note(mark)
        } catch {
            print("could not save the plot \(name): \(error)")
        }
    }

    /// Seconds since the experiment started.
    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// The closing lines: how long the run took, and where its report is. Returns the
    /// report's file (nil without a report, or when it could not be written).
    @discardableResult
    public func finish() -> URL? {
        let url = report?.finish()
        print(String(format: "\nDone in %.1f s", elapsed) + " (\(BLAS.machine)).")
        if let report, url != nil { print(report.announcement) }
        return url
    }
}

/// A bad option, in one line.
public struct ExperimentError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
