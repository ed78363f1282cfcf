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

extension Exercise {
    /// Grades `candidate`: runs it on the fixed inputs, compares with the reference, and
    /// when it fails, names the known mistake it behaves like.
    public func grade(_ candidate: Implementation) -> Verdict {
        let where_ = "`\(symbol)` in \(file)"
        let retry = "run `swift run tutor check \(id)`; stuck? `swift run tutor hint \(id)`."
        let got: Outcome
        do {
            got = try probe(candidate)
        } catch let todo as TODO {
            // An exercise that calls another one (a training loop calls the model) waits for it.
            let waits = todo.exercise == id ? "" : " (If you have: it calls exercise \(todo.exercise), which is not written yet.)"
            return Verdict(exercise: id, status: .notAttempted,
                           summary: "Write \(where_) (lesson: Lessons/Lesson\(lesson)/README.md); stuck? `swift run tutor hint \(id)`.\(waits)", mistake: nil,
                           next: "when it is written, `swift run tutor check \(id)` grades it.")
        } catch let error as TensorError {
            return Verdict(exercise: id, status: .failed, summary: "your code threw \(error)", mistake: nil,
                           next: "fix that line of \(where_) (the shapes above say what each side holds), then \(retry)")
        } catch {
            return Verdict(exercise: id, status: .failed, summary: "your code threw an error: \(error)", mistake: nil,
                           next: "fix \(where_), then \(retry)")
        }
        let expected: Outcome
        do { expected = try probe(reference) } catch {
            return Verdict(exercise: id, status: .failed, summary: "the reference solution failed (a bug in the course, not in your code): \(error)", mistake: nil,
                           next: "please report it; meanwhile `swift run tutor verify` shows the details.")
        }
        let problem: String?
        switch criterion {
        case .matchesReference(let tolerance): problem = got.difference(from: expected, tolerance: tolerance)
        case .rule(let rule): problem = rule(got, expected)
        }
        guard let problem else {
            return Verdict(exercise: id, status: .passed, summary: "", mistake: nil, next: "the next exercise (`swift run tutor` shows where you stand).")
        }
        for m in mistakes {
            guard let outcome = try? probe(m.implementation), got.matches(outcome, tolerance: mistakeTolerance) else { continue }
            return Verdict(exercise: id, status: .failed, summary: problem, mistake: (m.id, m.title, m.feedback),
                           next: "fix \(where_), then \(retry)")
        }
        return Verdict(exercise: id, status: .failed, summary: problem, mistake: nil, next: "fix \(where_), then \(retry)")
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

    public init<I>(_ e: Exercise<I>) {
        id = e.id
        title = e.title
        symbol = e.symbol
        file = e.file
        mistakeCount = e.mistakes.count
        nonisolated(unsafe) let exercise = e
        prove = { exercise.prove() }
    }
}
