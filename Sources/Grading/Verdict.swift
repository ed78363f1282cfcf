import Autograd

/// What a grader says about one exercise.
public struct Verdict: Sendable, CustomStringConvertible {
    public enum Status: String, Sendable { case passed, failed, notAttempted = "not attempted" }

    public let exercise: String
    public let status: Status
    /// What differed (or why it passes), in one or two lines.
    public let summary: String
    /// The known mistake the code behaves like, if any: (id, title, feedback).
    public let mistake: (id: String, title: String, feedback: String)?
    /// What to do next.
    public let next: String
    /// Why the code gave no outcome, when it did not (a crash, a hang, an exit…).
    public let stopped: ProbeReport.Stop?

    public init(exercise: String, status: Status, summary: String, mistake: (id: String, title: String, feedback: String)?,
                next: String, stopped: ProbeReport.Stop? = nil) {
        self.exercise = exercise
        self.status = status
        self.summary = summary
        self.mistake = mistake
        self.next = next
        self.stopped = stopped
    }

    /// The whole message, as the graders and the tutor print it.
    public var description: String {
        var lines: [String] = []
        switch status {
        case .passed: lines.append("✓ \(exercise) passes. \(summary)")
        case .notAttempted: lines.append("· \(exercise) is not attempted yet. \(summary)")
        case .failed: lines.append("✗ \(exercise): \(summary)")
        }
        if let mistake { lines.append("  Known mistake — \(mistake.title). \(mistake.feedback)") }
        lines.append("  Next: \(next)")
        return lines.joined(separator: "\n")
    }
}

/// What running an implementation on a grader's probe gave: what it produced, or why
/// it produced nothing.
public enum ProbeReport: Sendable {
    case outcome(Outcome)
    /// The code threw `TODO(exercise)`: not written yet (or it calls an exercise that is not).
    case notAttempted(exercise: String)
    /// The code threw an error; `tensorError` when it is the core's (a shape, an index).
    case threw(String, tensorError: Bool)
    /// The process that ran the code stopped before it reported, or the code did something
    /// a grader never accepts (changed a grading file, left a process running): what
    /// happened, in one line, and what to do about it.
    case stopped(summary: String, next: String, kind: Stop)

    /// Why a child's run gave no outcome to compare.
    public enum Stop: String, Sendable {
        case crashed, timedOut, exited, leftover, tampered
    }
}

extension Exercise {
    /// Grades `candidate` in this process: runs it on the fixed inputs, compares with the
    /// reference run here too, and when it fails, names the known mistake it behaves like.
    /// (`swift test` and `tutor check` grade in a child process against recorded
    /// fixtures instead: see `Isolation`.)
    public func grade(_ candidate: Implementation) -> Verdict {
        verdict(on: report(candidate), reference: { try probe(reference) }, mistakeOutcome: { id in
            mistakes.first { $0.id == id }.flatMap { try? probe($0.implementation) }
        })
    }

    /// Runs `candidate` on the probe: its outcome, or what it threw.
    public func report(_ candidate: Implementation) -> ProbeReport {
        do {
            return .outcome(try probe(candidate))
        } catch let todo as TODO {
            return .notAttempted(exercise: todo.exercise)
        } catch let error as TensorError {
            return .threw("\(error)", tensorError: true)
        } catch {
            return .threw("\(error)", tensorError: false)
        }
    }

    /// The verdict on a report, given the reference's outcome and each known mistake's
    /// outcome by id (nil where there is none). The one place a verdict is made: in this
    /// process, in `swift test` and in `tutor check`, so all three say the same.
    public func verdict(on report: ProbeReport, reference: () throws -> Outcome, mistakeOutcome: (String) -> Outcome?) -> Verdict {
        let where_ = "`\(symbol)` in \(file)"
        let retry = "run `swift run tutor check \(id)`; stuck? `swift run tutor hint \(id)`."
        let got: Outcome
        switch report {
        case .notAttempted(let exercise):
            // An exercise that calls another one (a training loop calls the model) waits for it.
            let waits = exercise == id ? "" : " (If you have: it calls exercise \(exercise), which is not written yet.)"
            return Verdict(exercise: id, status: .notAttempted,
                           summary: "Write \(where_) (lesson: Lessons/Lesson\(lesson)/README.md); stuck? `swift run tutor hint \(id)`.\(waits)", mistake: nil,
                           next: "when it is written, `swift run tutor check \(id)` grades it.")
        case .threw(let message, let tensorError):
            return Verdict(exercise: id, status: .failed, summary: "your code threw \(tensorError ? "" : "an error: ")\(message)", mistake: nil,
                           next: tensorError ? "fix that line of \(where_) (the shapes above say what each side holds), then \(retry)" : "fix \(where_), then \(retry)")
        case .stopped(let summary, let next, let kind):
            return Verdict(exercise: id, status: .failed, summary: summary, mistake: nil, next: next, stopped: kind)
        case .outcome(let outcome):
            got = outcome
        }
        let expected: Outcome
        do { expected = try reference() } catch {
            return Verdict(exercise: id, status: .failed, summary: "the reference solution failed (a bug in the course, not in your code): \(error)", mistake: nil,
                           next: "please report it; meanwhile `swift run tutor verify` shows the details.")
        }
        let problem: String?
        if let bad = Self.nonFinite(got, expected: expected) {
            problem = bad
        } else {
            switch criterion {
            case .matchesReference(let tolerance): problem = got.difference(from: expected, tolerance: tolerance)
            case .rule(let rule): problem = rule(got, expected)
            }
        }
        guard let problem else {
            return Verdict(exercise: id, status: .passed, summary: "", mistake: nil, next: "the next exercise (`swift run tutor` shows where you stand).")
        }
        for m in mistakes {
            guard let outcome = mistakeOutcome(m.id), got.matches(outcome, tolerance: mistakeTolerance) else { continue }
            return Verdict(exercise: id, status: .failed, summary: problem, mistake: (m.id, m.title, m.feedback),
                           next: "fix \(where_), then \(retry)")
        }
        return Verdict(exercise: id, status: .failed, summary: problem, mistake: nil, next: "fix \(where_), then \(retry)")
    }

    /// A NaN or an infinity where the reference has a number: never right, whatever the
    /// criterion (a rule written with `<` and `>` alone would let a NaN through).
    static func nonFinite(_ got: Outcome, expected: Outcome) -> String? {
        for entry in got.entries {
            guard let i = entry.values.firstIndex(where: { !$0.isFinite }) else { continue }
            let want = expected[entry.name]
            // A wrong shape is the criterion's to say; a reference that is not finite there either, fine.
            if let want, want.shape != entry.shape || !want.values[i].isFinite { continue }
            let at = entry.shape.isEmpty ? "" : " at \(position(i, in: entry.shape))"
            let expectedText = want.map { " where the reference has \(format($0.values[i]))" } ?? ""
            let count = entry.values.filter { !$0.isFinite }.count
            return "\(entry.name) has \(format(entry.values[i]))\(at)\(expectedText)\(count > 1 ? " (\(count) of \(entry.values.count) values are not finite)" : ""): a NaN or an infinity is never right here — look for an exp that overflows, a log of 0, a division by 0, or a value that was never set"
        }
        return nil
    }

    /// The lesson number of this exercise ("3" for "3.2").
    public var lesson: String { String(id.split(separator: ".").first ?? "") }

    /// Proves the grader: it passes the reference, and it fails every known mistake
    /// with that mistake's diagnosis. Returns the problems found (empty when proven).
    public func prove() -> [String] {
        var problems: [String] = []
        let ref = grade(reference)
        if ref.status != .passed { problems.append("\(id): the reference does not pass: \(ref)") }
        var seen = Set<String>()
        for m in mistakes {
            if !seen.insert(m.id).inserted { problems.append("\(id): mistake id \(m.id) is used twice") }
            let v = grade(m.implementation)
            if v.status != .failed {
                problems.append("\(id): the grader accepts the known mistake \(m.id) (\(m.title))")
            } else if v.mistake?.id != m.id {
                problems.append("\(id): known mistake \(m.id) is diagnosed as \(v.mistake?.id ?? "nothing"): \(v.summary)")
            }
        }
        return problems
    }
}

/// An exercise with its implementation type erased, so that all of a course's
/// exercises fit in one list (for `tutor verify` and the reference tests).
public struct AnyExercise: Sendable {
    public let id: String
    public let title: String
    public let symbol: String
    public let file: String
    public let mistakeCount: Int
    /// Problems with the grader (empty when it passes the reference and rejects every mistake).
    public let prove: @Sendable () -> [String]
    /// The outcomes a fixture records, run here: the reference's (first, as "reference"),
    /// then each known mistake's that runs (by id). Throws if the reference fails.
    public let recordOutcomes: @Sendable () throws -> [(of: String, outcome: Outcome)]
    /// The verdict on a report from a child process, against recorded outcomes (the
    /// reference's, and the known mistakes' by id).
    public let verdictOnRecorded: @Sendable (ProbeReport, _ reference: Outcome, _ mistakes: [String: Outcome]) -> Verdict

    public init<I>(_ e: Exercise<I>) {
        id = e.id
        title = e.title
        symbol = e.symbol
        file = e.file
        mistakeCount = e.mistakes.count
        nonisolated(unsafe) let exercise = e
        prove = { exercise.prove() }
        recordOutcomes = {
            [("reference", try exercise.probe(exercise.reference))]
                + exercise.mistakes.compactMap { m in (try? exercise.probe(m.implementation)).map { (m.id, $0) } }
        }
        verdictOnRecorded = { report, reference, mistakes in
            exercise.verdict(on: report, reference: { reference }, mistakeOutcome: { mistakes[$0] })
        }
    }

    /// The lesson number ("3" of "3.2").
    public var lesson: Int { Int(id.split(separator: ".").first ?? "") ?? -1 }
}
