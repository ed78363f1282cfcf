import ArgumentParser
import Foundation
import Grading

/// `tutor run N [--full] [--seed N] [--jobs N] [--part NAME] [-- args]`: builds and runs
/// lesson N's experiment with the student's code, on the terminal; the experiment also
/// writes its HTML report.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run lesson N's experiment with your code: training progress, samples, plots, and one HTML page of it all.",
        discussion: "The experiment's own options follow the tutor's, best after --, e.g. `swift run tutor run 3 -- --cell gru`; `swift run tutor run N -- --help` lists lesson N's parts and options."
    )

    @Argument(help: ArgumentHelp("The lesson number.", valueName: "lesson"))
    var lesson: ExerciseID

    @Flag(help: "Run the full-size experiment (slower) instead of the quick one.")
    var full = false

    @Option(help: ArgumentHelp("The seed every random draw starts from (default 0).", valueName: "n"))
    var seed: UInt64?

    @Option(help: ArgumentHelp("How many models train at once (default: one per core); the figures do not change.", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Run only this part of the experiment (and the parts it needs); `swift run tutor run N -- --help` lists them.", valueName: "name"))
    var part: [String] = []

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Extra arguments for the experiment (its own options), best after --.", valueName: "args"))
    var extra: [String] = []

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs needs a positive integer (how many trainings run at once)") }
        let catalog = try Catalog.current()
        let info = try catalog.lesson(for: lesson)
        guard Self.hasExperiment(info.lesson, root: catalog.root) else { throw TutorError.noExperiment(lesson: info.lesson) }
    }

    static func hasExperiment(_ n: Int, root: URL) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: root.appendingPathComponent("Sources/Experiments/Lesson\(n)").path, isDirectory: &isDir) && isDir.boolValue
    }

    func run() throws {
        let session = try Session.open()
        let n = try session.catalog.lesson(for: lesson).lesson
        let started = Date()
        do {
            try Self.buildAndRun(product: "Experiment\(n)", arguments: experimentArguments, what: "experiment", lesson: n, session: session)
        } catch {
            // A run that finishes names its report itself; one that crashed leaves the page as far as it got.
            if let page = Self.report(lesson: n, since: started, root: session.root) { print("report, as far as the run got: \(page)") }
            throw error
        }
    }

    /// What the experiment is started with: the options given here, then its own — those the
    /// tutor does not know, before or after `--` (the `--` itself left out).
    var experimentArguments: [String] {
        var own = extra
        if let terminator = own.firstIndex(of: "--") { own.remove(at: terminator) }
        return (full ? ["--full"] : []) + (seed.map { ["--seed", "\($0)"] } ?? []) + (jobs.map { ["--jobs", "\($0)"] } ?? [])
            + part.flatMap { ["--part", $0] } + own
    }

    /// The experiment's report page (`.tutor/reports/lessonN-latest.html`, which the
    /// experiment kit rewrites at each section), if it was written since `started`.
    static func report(lesson n: Int, since started: Date, root: URL) -> String? {
        let page = root.appendingPathComponent(".tutor/reports/lesson\(n)-latest.html")
        guard let written = (try? FileManager.default.attributesOfItem(atPath: page.path))?[.modificationDate] as? Date,
              written >= started else { return nil }
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return page.path.hasPrefix(cwd) ? String(page.path.dropFirst(cwd.count)) : page.path
    }

    /// Builds `product` (a lesson's experiment or scratch pad) with the student's code and
    /// runs it on the terminal; a build error names the file and line, a crash one line.
    static func buildAndRun(product: String, arguments: [String], what: String, lesson n: Int, session: Session) throws {
        try session.requireLessonFiles()
        print(session.style.dim("Building \(product) (swift build --product \(product))…"))
        Terminal.flush()
        let build = try Subprocess.run(["swift", "build", "--product", product, "--package-path", session.root.path], in: session.root)
        guard build.succeeded else {
            let errors = BuildErrors(output: build.output, root: session.root)
            print(errors.text.isEmpty ? Grader.tail(build.output) : errors.text)
            throw TutorError.buildFailed(where_: errors.files.isEmpty ? product : errors.whereText)
        }
        let bin = try Subprocess.run(["swift", "build", "--show-bin-path", "--package-path", session.root.path], in: session.root)
        let dir = bin.output.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let executable = URL(fileURLWithPath: dir).appendingPathComponent(product).path
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw TutorError.missingFile(executable) }
        Terminal.flush()
        // Standard error is collected (the drawing goes to standard output): after a trap
        // the runtime's 60-line report becomes one line naming the exercise.
        let result = try Subprocess.run([executable] + arguments, captureOutput: false, captureStandardError: true,
                                        environment: ["UNROLLED_ROOT": session.root.path,
                                                      "SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none"])
        switch result.termination {
        case .signalled(let signal):
            throw TutorError.commandFailed(Self.crashSummary(result.output, signal: signal, lesson: n, what: what, session: session))
        default:
            if !result.output.isEmpty { FileHandle.standardError.write(Data(result.output.utf8)) }
            if case .exited(let code) = result.termination, code != 0 { throw ExitCode(code) }
        }
    }

    /// "lesson 1's experiment crashed in exercise 1.4 (…): Fatal error: …, in … at Lessons/…:12:5".
    static func crashSummary(_ output: String, signal: Int32, lesson n: Int, what: String = "experiment", session: Session) -> String {
        let line = Isolation.crashLine(output, signal: signal)
        var exercise: ExerciseInfo?
        if let r = line.range(of: " at Lessons/") {
            let location = line[line.index(r.lowerBound, offsetBy: 4)...].split(separator: ":")
            if location.count >= 2, let number = Int(location[1]) {
                exercise = session.files.exercise(at: String(location[0]), line: number, catalog: session.catalog)
            }
        }
        let which = exercise.map { " in exercise \($0.id) (`\($0.symbol)`)" } ?? ""
        let next = exercise.map { "fix it, and `swift run tutor check \($0.id)` grades it" } ?? "`swift run tutor check \(n)` grades each exercise on its own"
        return "lesson \(n)'s \(what) crashed\(which): \(line). Next: \(next)."
    }
}
