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
    /// The mechanical variant of the reference the code behaves like, when no known mistake
    /// matched: its id and the change ("b_hh left out (or zero)").
    public let variant: (id: String, change: String)?
    /// What else the automatic diagnosis found (a named change of an output, which
    /// gradients are right, zero or missing), one line each.
    public let diagnosis: [String]

    public init(exercise: String, status: Status, summary: String, mistake: (id: String, title: String, feedback: String)?,
                next: String, stopped: ProbeReport.Stop? = nil, variant: (id: String, change: String)? = nil, diagnosis: [String] = []) {
        self.exercise = exercise
        self.status = status
        self.summary = summary
        self.mistake = mistake
        self.next = next
        self.stopped = stopped
        self.variant = variant
        self.diagnosis = diagnosis
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
        if let variant { lines.append("  What it looks like — your outputs equal the reference's with \(variant.change).") }
        for line in diagnosis { lines.append("  \(line)") }
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
            mistakes.first { $0.id == id }.flatMap { mistakeOutcome($0) }
        }, variants: { (try? variantOutcomes()) ?? [] })
    }

    /// What a known mistake gives on the probe: its outcome, or the error it throws (as
    /// `Outcome.thrown`), so that a student whose code throws the same is told which it is.
    public func mistakeOutcome(_ m: Mistake<Implementation>) -> Outcome? {
        switch report(m.implementation) {
        case .outcome(let o): return o
        case .threw(let message, _): return Outcome.thrown(message)
        default: return nil
        }
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
    /// `variants` gives the outputs of the reference's mechanical variants (see `Diagnosis`).
    public func verdict(on report: ProbeReport, reference: () throws -> Outcome, mistakeOutcome: (String) -> Outcome?,
                        variants: () -> [(id: String, change: String, outputs: Outcome)] = { [] }) -> Verdict {
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
            // Operators (+, *) cannot know the caller's line: their errors start with the op.
            let located = Outcome.withoutLocation(message) != message
            let which = located ? "fix that line of \(where_)" : "find the operator in \(where_) whose shapes are the ones above (an operator cannot name its line; `print(x.shape)` before it shows which)"
            // A known mistake that throws the same error (wherever the line) is named.
            let thrown = Outcome.thrown(message)
            let known = mistakes.first { m in mistakeOutcome(m.id).map { $0.isIdentical(to: thrown) } ?? false }
            return Verdict(exercise: id, status: .failed, summary: "your code threw \(tensorError ? "" : "an error: ")\(message)",
                           mistake: known.map { ($0.id, $0.title, $0.feedback) },
                           next: tensorError ? "\(which), then \(retry)" : "fix \(where_), then \(retry)")
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
            case .matchesReference(let tolerance):
                problem = Diagnosis.mostTelling(got, expected: expected, tolerance: tolerance, missingGradientAdvice: missingGradientAdvice ?? Outcome.missingGradient)
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
        let variant = Self.variant(matching: got, expected: expected, variants: variants(), tolerance: mistakeTolerance)
        var lines: [String] = []
        // A rule's outcome (a training run's losses, a signal's statistics) is compared the
        // way mistakes are: a loss curve that is the reference's halved says so too.
        let tolerance: Tolerance, isRule: Bool
        if case .matchesReference(let t) = criterion { (tolerance, isRule) = (t, false) } else { (tolerance, isRule) = (mistakeTolerance, true) }
        if variant == nil, let named = Diagnosis.explanation(got, expected: expected, tolerance: tolerance, valuesOnly: isRule) {
            lines.append("What it looks like — \(named)\(named.hasSuffix("?") ? "" : ".")")
        }
        if let gradients = Diagnosis.gradientLine(got, expected: expected, tolerance: tolerance) { lines.append(gradients) }
        return Verdict(exercise: id, status: .failed, summary: problem, mistake: nil, next: "fix \(where_), then \(retry)",
                       variant: variant.map { ($0.id, $0.change) }, diagnosis: lines)
    }

    /// The first variant (by id) whose outputs `got`'s outputs match, when they are not the
    /// reference's outputs.
    static func variant(matching got: Outcome, expected: Outcome, variants: [(id: String, change: String, outputs: Outcome)],
                        tolerance: Tolerance) -> (id: String, change: String, outputs: Outcome)? {
        let outputs = Diagnosis.outputs(got)
        guard !outputs.entries.isEmpty, !outputs.matches(Diagnosis.outputs(expected), tolerance: tolerance) else { return nil }
        return variants.sorted { $0.id < $1.id }.first { outputs.matches($0.outputs, tolerance: tolerance) }
    }

    /// The outputs of the reference's mechanical variants on the probe: with each tensor the
    /// probe exposes left out (zeroed) and, if it is a square matrix, transposed; and each of
    /// the exercise's own `variants`. A variant whose outputs are the reference's, or an
    /// earlier variant's, is left out: it could not be told apart.
    public func variantOutcomes() throws -> [(id: String, change: String, outputs: Outcome)] {
        let reference = Diagnosis.outputs(try probe(self.reference))
        let collector = Probes.NameCollector()
        _ = try? Probes.$exposure.withValue(.collect(collector)) { try probe(self.reference) }
        var changes: [TensorChange] = []
        for (name, shape) in collector.tensors {
            changes.append(.leftOut(name))
            if shape.count == 2, shape[0] == shape[1], shape[0] > 1 { changes.append(.transposed(name)) }
        }
        var candidates: [(id: String, change: String, run: () throws -> Outcome)] = changes.map { c in
            (c.id, c.change, { try Probes.$exposure.withValue(.apply(c)) { try probe(self.reference) } })
        }
        candidates += variants.map { v in (v.id, v.change, { try probe(v.implementation) }) }
        var kept: [(id: String, change: String, outputs: Outcome)] = []
        for c in candidates {
            guard let outcome = try? c.run() else { continue }
            let outputs = Diagnosis.outputs(outcome)
            if outputs.matches(reference, tolerance: mistakeTolerance) { continue }
            if let same = kept.firstIndex(where: { $0.outputs.matches(outputs, tolerance: mistakeTolerance) }) {
                kept[same].id += Variants.sameHere + c.id
                kept[same].change += " — or, the same here, \(c.change)"
                continue
            }
            kept.append((c.id, c.change, outputs))
        }
        // A probe must make its tensors afresh on every run, or a variant changes the next run.
        guard Diagnosis.outputs(try probe(self.reference)).isIdentical(to: reference) else {
            throw FixtureError("\(id): the reference gives other outputs after the variants ran: the probe exposes a tensor that outlives one run (make it inside the probe)")
        }
        return kept.sorted { $0.id < $1.id }
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
        // Each probe runs once: the reference's, each mistake's, the variants'.
        let expected = Result { try probe(reference) }
        var outcomes: [String: Outcome] = [:]
        for m in mistakes where outcomes[m.id] == nil { outcomes[m.id] = mistakeOutcome(m) }
        let variants = (try? variantOutcomes()) ?? []
        let cachedGrade = { (candidate: Implementation) in
            verdict(on: report(candidate), reference: { try expected.get() }, mistakeOutcome: { outcomes[$0] }, variants: { variants })
        }
        let ref = cachedGrade(reference)
        if ref.status != .passed { problems.append("\(id): the reference does not pass: \(ref)") }
        var seen = Set<String>()
        for m in mistakes {
            if !seen.insert(m.id).inserted { problems.append("\(id): mistake id \(m.id) is used twice") }
            let v = cachedGrade(m.implementation)
            if v.status != .failed {
                problems.append("\(id): the grader accepts the known mistake \(m.id) (\(m.title))")
            } else if v.mistake?.id != m.id {
                problems.append("\(id): known mistake \(m.id) is diagnosed as \(v.mistake?.id ?? "nothing"): \(v.summary)")
            }
        }
        if let expected = try? expected.get() { problems += proveVariants(expected: expected, mistakeOutcomes: outcomes, variants: variants) }
        return problems
    }
}

extension Exercise {
    /// Proves the automatic diagnosis of this exercise: the reference's own outputs name no
    /// variant, each variant's outputs name that variant (or a known mistake that gives the
    /// same outputs), and the explicit variants have unique ids.
    /// (`prove()` passes what it has run already: the reference's outcome, the mistakes'
    /// and the variants'.)
    public func proveVariants(expected given: Outcome? = nil, mistakeOutcomes: [String: Outcome]? = nil,
                              variants ran: [(id: String, change: String, outputs: Outcome)]? = nil) -> [String] {
        var problems: [String] = []
        let ids = variants.map(\.id)
        if Set(ids).count != ids.count { problems.append("\(id): a variant id is used twice: \(ids)") }
        let expected: Outcome, recorded: [(id: String, change: String, outputs: Outcome)]
        do {
            expected = try given ?? probe(reference)
            recorded = try ran ?? variantOutcomes()
        } catch {
            return ["\(id): the variants could not be run: \(error)"]
        }
        // Not through the verdict (which never diagnoses a pass): straight at the matching.
        if let v = recorded.first(where: { Diagnosis.outputs(expected).matches($0.outputs, tolerance: mistakeTolerance) }) {
            problems.append("\(id): the reference's own outputs match the variant \(v.id)")
        }
        var mistakeOutcomes = mistakeOutcomes ?? [:]
        for m in mistakes where mistakeOutcomes[m.id] == nil { mistakeOutcomes[m.id] = mistakeOutcome(m) }
        for v in recorded {
            let verdict = self.verdict(on: .outcome(v.outputs), reference: { expected }, mistakeOutcome: { mistakeOutcomes[$0] }, variants: { recorded })
            if verdict.status == .passed {
                problems.append("\(id): the variant \(v.id) (\(v.change)) passes the grader")
            } else if verdict.mistake == nil, verdict.variant?.id != v.id {
                problems.append("\(id): the variant \(v.id) is diagnosed as \(verdict.variant?.id ?? "nothing")")
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
    /// then each known mistake's that runs (by id), the variants' outputs, and the probe
    /// data the reference's code made (`LessonFixtures.probeDataKey`). Throws if the
    /// reference fails.
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
            let (reference, data) = try Probes.collectingData { try exercise.probe(exercise.reference) }
            return [("reference", reference)]
                + exercise.mistakes.compactMap { m in exercise.mistakeOutcome(m).map { (m.id, $0) } }
                + (try exercise.variantOutcomes()).map { (Self.variantPrefix + $0.id, $0.outputs) }
                + (data.entries.isEmpty ? [] : [(LessonFixtures.probeDataKey, data)])
        }
        verdictOnRecorded = { report, reference, recorded in
            exercise.verdict(on: report, reference: { reference }, mistakeOutcome: { recorded[$0] }, variants: {
                recorded.compactMap { key, outputs in
                    guard key.hasPrefix(Self.variantPrefix) else { return nil }
                    let id = String(key.dropFirst(Self.variantPrefix.count))
                    return (id, Variants.change(id: id, variants: exercise.variants), outputs)
                }
            })
        }
    }

    /// Fixture keys of variants start with this ("variant:left-out W_hh"); the rest are
    /// "reference" and known mistakes' ids.
    public static let variantPrefix = "variant:"

    /// The lesson number ("3" of "3.2").
    public var lesson: Int { Int(id.split(separator: ".").first ?? "") ?? -1 }
}
