import Foundation
import Grading
import TutorKit

/// Grades one exercise of one submission in its own process, jailed by `GradeSandbox`
/// (Sources/GradeSandbox/sandbox.c): a wall-time limit, a memory limit (the address space),
/// writes confined to the exercise's own folder where the kernel has Landlock, and every
/// process it leaves behind found and killed. The verdict is made here, the way `tutor check`
/// makes it (`Isolation.report`, then the exercise's `verdictOnRecorded`): only a report the
/// child wrote with this run's nonce counts, so an `exit(0)`, a trap, a hang or a forged
/// "passed" line is a failure with its reason.
struct Jail: Sendable {
    let sandbox: URL
    let timeout: Double
    /// Bytes of address space the child may use.
    let memory: UInt64
    /// Where the status files go: outside every exercise's folder.
    let statusFolder: URL

    /// What running one exercise gave.
    struct Run: Sendable {
        let verdict: Verdict
        let seconds: Double
        /// The Landlock ABI that confined it (0: none).
        let landlock: Int
        /// What the student's code printed (XCTest's own lines left out).
        let printed: String
    }

    /// The Landlock ABI this kernel offers (0 when none): with none, a write outside the
    /// folder is caught only where the grader looks (see `Watched`).
    func landlockABI() -> Int {
        guard let r = try? Subprocess.run([sandbox.path, "--probe"]), r.succeeded else { return 0 }
        return Int(r.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    /// Runs `exercise`'s test of `bundle` in a fresh `folder`, and makes the verdict.
    /// `watched` is looked at before and after: a file there that changed fails the exercise.
    func grade(_ exercise: AnyExercise, test: String, bundle: URL, fixtures: LessonFixtures, folder: URL, watched: Watched) -> Run {
        func stopped(_ summary: String, _ next: String, _ kind: ProbeReport.Stop) -> Run {
            Run(verdict: exercise.verdictOnRecorded(.stopped(summary: summary, next: next, kind: kind), Outcome(), [:]), seconds: 0, landlock: 0, printed: "")
        }
        guard let fixture = fixtures.exercise(exercise.id) else {
            return stopped("\(LessonFixtures.path(lesson: exercise.lesson)) has no recorded outcomes for \(exercise.id)", "run `swift run tutor verify --record` in the course.", .exited)
        }
        let fm = FileManager.default
        try? fm.removeItem(at: folder)
        try? fm.createDirectory(at: folder, withIntermediateDirectories: true)
        let report = folder.appendingPathComponent("report.json")
        let status = statusFolder.appendingPathComponent(UUID().uuidString)
        defer { try? fm.removeItem(at: status) }
        let nonce = UUID().uuidString
        _ = fm.createFile(atPath: report.path, contents: Data(nonce.utf8), attributes: [.posixPermissions: 0o600])
        let before = watched.stamps()
        let result: Subprocess.Result
        do {
            result = try Subprocess.run([sandbox.path, status.path, String(timeout), String(memory), folder.path, "--", bundle.path, test], environment: Isolation.kernelPin.merging([
                "UNROLLED_GRADE_EXERCISE": exercise.id, "UNROLLED_GRADE_REPORT": report.path,
                "SWIFT_BACKTRACE": "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none",
            ]) { _, new in new })
        } catch {
            return stopped("the grader could not start its process: \(error)", "check that \(sandbox.path) exists (it is built with the grading copy).", .exited)
        }
        let changed = GradingFiles.differences(before, watched.stamps())
        let (termination, landlock, leftovers) = Self.parse(status: (try? String(contentsOf: status, encoding: .utf8)) ?? "", timeout: timeout)
        let ended = Subprocess.Result(termination: termination, output: result.output, seconds: result.seconds, leftovers: leftovers)
        let written = Isolation.decode((try? String(contentsOf: report, encoding: .utf8)) ?? "", exercise: exercise.id, nonce: nonce)
        var probe = Isolation.report(ended, written: written, exercise: exercise, changed: changed)
        // A write the sandbox refused is a failure of its own, whatever the code made of the error.
        if case .threw(let message, _) = probe, landlock > 0, let path = Self.refusedWrite(message) {
            probe = .stopped(summary: "your code wrote outside its folder (\(path)): refused, and graded as a failure",
                             next: "an exercise computes its result and returns: write no files from `\(exercise.symbol)` (\(exercise.file)).", kind: .tampered)
        }
        if case .stopped(_, _, .crashed) = probe, let memoryLine = outOfMemory(ended) {
            probe = .stopped(summary: memoryLine, next: "look for an allocation that grows with a loop, or a size computed wrong, in `\(exercise.symbol)` (\(exercise.file)).", kind: .crashed)
        }
        try? fm.removeItem(at: folder)
        return Run(verdict: exercise.verdictOnRecorded(probe, fixture.reference, fixture.mistakes), seconds: result.seconds, landlock: landlock,
                   printed: Isolation.studentOutput(result.output))
    }

    /// The path of a write the sandbox refused, from the error the student's code threw (or nil).
    static func refusedWrite(_ message: String) -> String? {
        guard message.contains("Code=513") || message.contains("Permission denied") || message.contains("Operation not permitted") else { return nil }
        guard let r = message.range(of: #"NSFilePath=[^,}]+"#, options: .regularExpression) else { return "a file" }
        return URL(fileURLWithPath: String(message[r].dropFirst("NSFilePath=".count))).standardizedFileURL.path
    }

    /// "ran out of memory (limit 4 GB)…" when a crash was an allocation the limit refused.
    func outOfMemory(_ r: Subprocess.Result) -> String? {
        let signs = ["failed to allocate", "Could not allocate memory", "can't allocate", "Cannot allocate memory", "out of memory", "std::bad_alloc"]
        guard signs.contains(where: r.output.contains) || r.termination == .signalled(9) else { return nil }
        let frame = r.output.split(separator: "\n").first { $0.contains("/Lessons/Lesson") && $0.contains(" at /") }.map { Isolation.lessonFrame(String($0)) }
        return "ran out of memory: an allocation went past the limit of \(Self.gigabytes(memory))\(frame.map { ", \($0)" } ?? "")"
    }

    static func gigabytes(_ bytes: UInt64) -> String {
        let g = Double(bytes) / Double(1 << 30)
        return g == g.rounded() ? "\(Int(g)) GB" : String(format: "%.1f GB", g)
    }

    /// The sandbox's status file: how the child ended, the Landlock ABI, what it left running.
    static func parse(status: String, timeout: Double) -> (Subprocess.Termination, Int, [String]) {
        let lines = status.split(separator: "\n").map(String.init)
        var termination = Subprocess.Termination.exited(-1)
        var landlock = 0
        var leftovers: [String] = []
        for line in lines {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            switch parts.first {
            case "timedout": termination = .timedOut(timeout)
            case "exited": termination = .exited(Int32(parts.last ?? "") ?? -1)
            case "signalled": termination = .signalled(Int32(parts.last ?? "") ?? 0)
            case "landlock": landlock = Int(parts.last ?? "") ?? 0
            case "leftover": leftovers.append(parts.count > 1 ? parts[1] : "?")
            default: break
            }
        }
        return (termination, landlock, leftovers)
    }
}

/// Files a grader's child has no business changing, as cheap snapshots (size, time, inode):
/// the grading copy's sources and the submissions. Landlock stops such a write where the
/// kernel has it; where it has not, this is how a write outside the folder is seen.
struct Watched: Sendable {
    /// Each folder, with the names of the folders in it that are not entered (at any depth).
    let folders: [(url: URL, skipping: Set<String>)]

    func stamps() -> [String: String] {
        var out: [String: String] = [:]
        for (dir, skipping) in folders {
            for path in GradingCopy.files(under: dir, skipping: skipping) {
                let full = dir.appendingPathComponent(path).path
                var s = stat()
                out[full] = lstat(full, &s) == 0 ? "\(s.st_size) \(s.st_mtim.tv_sec).\(s.st_mtim.tv_nsec) \(s.st_ino)" : "gone"
            }
        }
        return out
    }
}
