import Autograd

/// A small wrong implementation of an exercise: what students really write, and what
/// to tell them when their code behaves exactly like it.
public struct Mistake<Implementation> {
    /// A short slug, unique within the exercise ("forgot-bias").
    public let id: String
    /// One line naming the mistake ("the pullback uses x instead of σ(x)").
    public let title: String
    /// How to think about it, ending with what to look at next.
    public let feedback: String
    /// The wrong implementation; nil in a student edition (`tutor release`), whose graders
    /// know a mistake by its recorded outcome alone.
    public let implementation: Implementation!

    public init(_ id: String, _ title: String, feedback: String, _ implementation: Implementation) {
        self.id = id
        self.title = title
        self.feedback = feedback
        self.implementation = implementation
    }

    /// A mistake without its code, as a student edition declares it.
    public init(_ id: String, _ title: String, feedback: String) {
        self.id = id
        self.title = title
        self.feedback = feedback
        self.implementation = nil
    }
}

/// How an outcome passes: by matching the reference's outcome, or by a rule of its own
/// (a training exercise passes on behaviour: a loss below a bound, an accuracy above one).
public enum Criterion {
    /// Every entry equal to the reference's within the tolerance.
    case matchesReference(Tolerance)
    /// A rule: nil if the candidate passes, else what is wrong. Gets (candidate, reference).
    case rule((_ candidate: Outcome, _ reference: Outcome) -> String?)
}

/// One graded exercise: the reference, the known mistakes, the fixed inputs it is
/// probed on, and what passing means.
public struct Exercise<Implementation> {
    public let id: String
    public let title: String
    /// The function or member the student writes, as it appears in the code.
    public let symbol: String
    /// The lesson file that holds the stub, relative to the package root.
    public let file: String
    public let reference: Implementation
    public let mistakes: [Mistake<Implementation>]
    /// Runs an implementation on the grader's fixed inputs (fixed seeds: a grader gives
    /// the same verdict on the same code every time) and records what it produced.
    public let probe: (Implementation) throws -> Outcome
    public let criterion: Criterion
    /// How closely a candidate must behave like a mistake to be diagnosed as it.
    public let mistakeTolerance: Tolerance
    /// Mechanical variants of the reference the automatic diagnosis tries besides the
    /// tensors the probe exposes (an activation swapped, an axis changed…).
    public let variants: [Variant<Implementation>]
    /// What a missing gradient means in this exercise (lesson 0's primitives: "give your
    /// primitive a pullback"); nil for the general advice.
    public let missingGradientAdvice: String?

    public init(
        id: String, title: String, symbol: String, file: String, reference: Implementation,
        mistakes: [Mistake<Implementation>], criterion: Criterion = .matchesReference(.tight),
        mistakeTolerance: Tolerance = Tolerance(atol: 1e-4, rtol: 1e-3),
        variants: [Variant<Implementation>] = [], missingGradientAdvice: String? = nil,
        probe: @escaping (Implementation) throws -> Outcome
    ) {
        self.id = id
        self.title = title
        self.symbol = symbol
        self.file = file
        self.reference = reference
        self.mistakes = mistakes
        self.criterion = criterion
        self.mistakeTolerance = mistakeTolerance
        self.variants = variants
        self.missingGradientAdvice = missingGradientAdvice
        self.probe = probe
    }
}
