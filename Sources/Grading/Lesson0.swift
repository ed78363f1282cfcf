import Autograd
import Foundation
import Solution0

/// The graders of lesson 0: the autograd core, from the inside.
public enum Lesson0Graders {
    // MARK: - 0.1 sigmoid as a primitive op

    public typealias Unary = (Tensor) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// An elementwise primitive from a forward formula and a pullback formula in (g, x, y):
    /// how the known mistakes and variants of 0.1 are written.
    static func elementwise(_ forward: @escaping (Float) -> Float, pullback: @escaping (_ g: Float, _ x: Float, _ y: Float) -> Float) -> Unary {
        { x in
            let xs = x.scalars, ys = xs.map(forward)
            return try Tensor.primitive("sigmoid", inputs: [x], shape: x.shape, scalars: ys) { g in
                [(0..<g.count).map { pullback(g[$0], xs[$0], ys[$0]) }]
            }
        }
    }

    /// σ(x) = 1 / (1 + e^−x), and its pullback from the output, g·y·(1 − y).
    static let logistic: (Float) -> Float = { 1 / (1 + Foundation.exp(-$0)) }
    static let fromOutput: (Float, Float, Float) -> Float = { g, _, y in g * y * (1 - y) }
    // END INSTRUCTOR

    /// Runs a one-tensor exercise on a fixed input (exposed as `name`), recording its output
    /// as "output for <label>" and its gradient as "∂<label>".
    static func probeUnary(_ f: Unary, on x: Tensor, named name: String, as label: String, into outcome: inout Outcome) throws {
        Probes.expose([(name, x)])
        try Probes.record(try f(x), as: "output for \(label)", gradientsOf: [(label, x)], into: &outcome)
    }

    public static let sigmoid = Exercise<Unary>(
        id: "0.1", title: "Sigmoid as an op of your own", symbol: "sigmoid(_:)", file: "Lessons/Lesson0/Sigmoid.swift",
        reference: Solution0.sigmoid,
        mistakes: [
            Mistake("pullback-uses-x", "the pullback uses x where it needs σ(x)",
                    feedback: "σ′(x) = σ(x)·(1 − σ(x)) is written in terms of the output y = σ(x), not the input: capture the ys you computed and use g·y·(1 − y).",
                    elementwise(logistic) { g, x, _ in g * x * (1 - x) }),
            Mistake("forgot-upstream-gradient", "the pullback ignores the incoming gradient g",
                    feedback: "The chain rule multiplies: ∂L/∂x = ∂L/∂y · ∂y/∂x. Your pullback returns ∂y/∂x alone; multiply each element by g.",
                    elementwise(logistic) { _, _, y in y * (1 - y) }),
            Mistake("exp-of-plus-x", "the forward pass uses e^x instead of e^−x",
                    feedback: "1 / (1 + e^x) is σ(−x), the mirror image: it falls where σ rises. Check the sign inside exp.",
                    elementwise({ 1 / (1 + Foundation.exp($0)) }, pullback: fromOutput)),
            Mistake("no-pullback", "the result is a plain tensor, not an op: no gradient flows back",
                    feedback: "Tensor(values, shape:) makes a new leaf that remembers nothing. Return Tensor.primitive(…) with a pullback so backward() can reach x.") { x in
                try Tensor(x.scalars.map(logistic), shape: x.shape)
            },
            Mistake("exp-over-one-plus-exp", "σ(x) computed as eˣ / (1 + eˣ), which overflows for large x",
                    feedback: "eˣ / (1 + eˣ) equals σ(x) on paper, but a Float holds eˣ only up to x ≈ 88.7: at x = 100 it is inf / inf = NaN. 1 / (1 + e^−x) is safe there (e^−x goes to 0), and for very negative x it gives 1 / inf = 0, the right answer. Use 1 / (1 + e^−x), or branch on the sign and use eˣ / (1 + eˣ) only where x < 0.",
                    elementwise({ Foundation.exp($0) / (1 + Foundation.exp($0)) }, pullback: fromOutput)),
            Mistake("derivative-from-x-overflows", "the pullback computes σ′ from x as e^−x / (1 + e^−x)², which overflows for very negative x",
                    feedback: "At x = −100, e^−x = e^100 is inf, and inf / inf² is NaN although σ′(−100) is practically 0. The output you already have gives σ′ = y·(1 − y) with no exp at all: capture the ys and return g·y·(1 − y). (A sigmoid composed of tensor ops, 1 / (1 + exp(−x)), does the same inside backward(): write it as a primitive.)",
                    elementwise(logistic) { g, x, _ in g * Foundation.exp(-x) / ((1 + Foundation.exp(-x)) * (1 + Foundation.exp(-x))) }),
            Mistake("pullback-recomputes-overflowing", "the pullback recomputes σ from x as eˣ / (1 + eˣ), which overflows for large x",
                    feedback: "Your forward pass is safe, but the pullback computes σ again from x with eˣ, which is inf past x ≈ 88.7: the gradient at x = 100 is NaN. The pullback needs no exp at all: capture the ys of the forward pass and return g·y·(1 − y).",
                    elementwise(logistic) { g, x, _ in
                        let s = Foundation.exp(x) / (1 + Foundation.exp(x))
                        return g * s * (1 - s)
                    }),
            Mistake("abs-without-mirror", "σ(x) computed as 1 / (1 + e^−|x|): right for x ≥ 0, σ(−x) for x < 0",
                    feedback: "e^−|x| never overflows, which is the idea of the stable version, but for x < 0 it gives σ(|x|) = σ(−x), the mirror image. For x < 0, σ(x) = 1 − σ(|x|) = eˣ / (1 + eˣ): branch on the sign and return that.",
                    elementwise({ logistic(Swift.abs($0)) }, pullback: fromOutput)),
            Mistake("saturates-too-early", "σ is cut to exactly 0 or 1 beyond |x| = 5",
                    feedback: "σ(6) is 0.9975, not 1, and its slope there is 0.0025, not 0: a cutoff that early changes the outputs and stops the gradients a model learns from. No cutoff is needed to avoid overflow — 1 / (1 + e^−x) never overflows for large x, and for x < 0 you can use eˣ / (1 + eˣ). Remove the cutoff.",
                    elementwise({ $0 > 5 ? 1 : ($0 < -5 ? 0 : logistic($0)) }, pullback: fromOutput)),
            Mistake("zero-left-out", "σ(0) comes out 0: the branches on the sign of x leave x = 0 out",
                    feedback: "With `if x > 0 { … } else if x < 0 { … }`, an x of exactly 0 takes neither branch and keeps the value you started from. σ(0) = ½. Make one of the branches `x >= 0` (or a plain `else`) so that every x is covered.",
                    elementwise({ x in x > 0 ? logistic(x) : (x < 0 ? Foundation.exp(x) / (1 + Foundation.exp(x)) : 0) }, pullback: fromOutput)),
        ],
        variants: [
            Variant("tanh-for-sigmoid", "tanh where it has σ", elementwise(Foundation.tanh) { g, _, y in g * (1 - y * y) }),
            Variant("identity-for-sigmoid", "x itself where it has σ(x)", elementwise({ $0 }) { g, _, _ in g }),
        ],
        missingGradientAdvice: "give your primitive a pullback: return Tensor.primitive(…) with a closure that turns g into g·y·(1 − y)"
    ) { f in
        var outcome = try Probes.function({ Probes.expose([("x", $0[0])]); return try f($0[0]) }, inputs: [("x", [3, 4])], seeds: [1, 2])
        // Far into both tails, exactly 0, and where the tails begin: eˣ overflows a Float past x ≈ 88.7.
        let far = try Tensor([[-1000, -100, -30, -10], [-6, 0, 0.5, 6], [10, 30, 100, 1000]], requiresGrad: true)
        try probeUnary(f, on: far, named: "x", as: "x far from 0", into: &outcome)
        return outcome
    }

    // MARK: - 0.2 numerical gradient

    public typealias NumericalGradient = ((Tensor) throws -> Tensor, Tensor, Float) throws -> Tensor

    /// Σ x², made as a primitive whose pullback forgets the 2: the kind of bug a numerical
    /// gradient is for. Its values are right, so a numerical gradient says 2x; backward() says x.
    static func squaresWithWrongPullback(_ x: Tensor) throws -> Tensor {
        let xs = x.scalars
        return try Tensor.primitive("squares", inputs: [x], shape: [], scalars: [xs.reduce(0) { $0 + $1 * $1 }]) { g in [xs.map { g[0] * $0 }] }
    }

    /// The functions the numerical gradient is tried on: curved, so a one-sided difference
    /// shows its error; depending on every element; one that mixes the elements, so that a
    /// nudge left in place shows; and one whose pullback is wrong, so that backward() shows.
    static let probeFunctions: [(name: String, f: (Tensor) throws -> Tensor)] = [
        ("Σ exp(x)", { $0.exp().sum() }),
        ("Σ x³ + Σ x", { x in try (x.pow(3) + x).sum() }),
        ("Σ tanh(x)·i", { x in try (x.tanh() * Tensor.arange(x.count).reshape(x.shape)).sum() }),
        ("(Σ x·i)²", { x in try (x * Tensor.arange(x.count).reshape(x.shape)).sum().squared() }),
        ("Σ x² (its pullback forgets the 2)", squaresWithWrongPullback),
    ]

    /// Where each function is probed: every one at a [2, 3] x with h = 0.01; Σ x³ + Σ x with
    /// h = 0.5 too, where the central difference's own error (h²·f‴/6 = h² here) tells one
    /// step from another; and x of other ranks.
    static let numericalCases: [(function: Int, shape: [Int], step: Float, label: String)] =
        probeFunctions.indices.map { ($0, [2, 3], 1e-2, "") } + [(1, [2, 3], 0.5, " with step 0.5"), (2, [2, 3, 4], 1e-2, " at a [2, 3, 4] x"), (3, [5], 1e-2, " at a [5] x")]

    // BEGIN INSTRUCTOR
    /// How the nudges of a central difference are laid out: a fresh copy of x per element
    /// (right), both copies keeping every earlier nudge, or one copy keeping x − h.
    enum Nudges { case fresh, pileUp, leftDown }

    /// The central difference with one thing changed, for the known mistakes of 0.2: a
    /// one-sided difference, a divisor of `over`·h, nudges of `nudge`·h, nudges left in
    /// place, f evaluated on x itself (changed with assign), a result of another shape.
    static func differenceWith(
        _ f: (Tensor) throws -> Tensor, _ x: Tensor, _ h: Float, oneSided: Bool = false, over: Float = 2, nudge: Float = 1,
        nudges: Nudges = .fresh, onX: Bool = false, shape: [Int]? = nil
    ) throws -> Tensor {
        let original = x.scalars, s = nudge * h
        func value(_ v: [Float]) throws -> Float {
            if onX { try x.assign(v); return try f(x).item() }
            return try f(Tensor(v, shape: x.shape)).item()
        }
        let f0 = try oneSided ? value(original) : 0
        var gradient = [Float](repeating: 0, count: x.count)
        var up = original, down = original
        for i in 0..<x.count {
            switch nudges {
            case .fresh: (up, down) = (original, original)
            case .pileUp: break
            case .leftDown: up = down
            }
            up[i] += s
            down[i] -= s
            let fUp = try value(up), fDown = try oneSided ? f0 : value(down)
            gradient[i] = (fUp - fDown) / (over * h)
        }
        return try Tensor(gradient, shape: shape ?? x.shape)
    }
    // END INSTRUCTOR

    public static let numericalGradient = Exercise<NumericalGradient>(
        id: "0.2", title: "A numerical gradient", symbol: "numericalGradient(of:at:step:)", file: "Lessons/Lesson0/NumericalGradient.swift",
        reference: Solution0.numericalGradient,
        mistakes: [
            Mistake("one-sided-difference", "a one-sided difference (f(x + h) − f(x)) / h",
                    feedback: "The one-sided difference is off by about h·f″/2; the central one, (f(x + h) − f(x − h)) / 2h, cancels that term. Evaluate f on both sides of x.") { f, x, h in
                try differenceWith(f, x, h, oneSided: true, over: 1)
            },
            Mistake("divided-by-h", "the central difference divided by h instead of 2h",
                    feedback: "From x − h to x + h is a distance of 2h: your gradient is twice too large.") { f, x, h in
                try differenceWith(f, x, h, over: 1)
            },
            Mistake("perturbations-pile-up", "each element's nudge stays in place for the next elements",
                    feedback: "Element i must be estimated with every other element at its original value. Start each element from a fresh copy of x.scalars.") { f, x, h in
                try differenceWith(f, x, h, nudges: .pileUp)
            },
            Mistake("ignores-step", "the step is a constant of your own, not the `step` argument",
                    feedback: "numericalGradient(of:at:step:) must nudge by the h it is given: a caller picks h to trade the central difference's error (about h²·f‴/6) against rounding. With h = 0.5 on Σ x³ the reference's estimate is 3x² + 1 + h², and yours is not. Use the parameter h, with no h of your own.") { f, x, _ in
                try differenceWith(f, x, 1e-3)
            },
            Mistake("used-backward", "the gradient comes from backward(), not from differences of f",
                    feedback: "The numerical gradient is the check on backward(): it must use nothing but the values of f, or a wrong pullback checks itself. (One probe function here has a pullback that forgets a factor 2; only differences of f see it.) Evaluate f at x ± h·eᵢ and divide by 2h.") { f, x, _ in
                let t = try Tensor(x.scalars, shape: x.shape, requiresGrad: true)
                try f(t).backward()
                return t.grad ?? Tensor.zeros(x.shape)
            },
            Mistake("half-step-each-side", "x is nudged by h/2 on each side and the difference divided by h",
                    feedback: "That is a central difference too, but with step h/2: its error is four times smaller than the one asked for, so it disagrees with the reference wherever h is large. The exercise nudges by a whole h each way: (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h.") { f, x, h in
                try differenceWith(f, x, h, over: 1, nudge: 0.5)
            },
            Mistake("forgot-to-restore", "each element is left at x − h after its estimate",
                    feedback: "After estimating element i you never put it back, so element i + 1 is estimated with all earlier elements at x − h. On a sum of separate terms that changes nothing, which is why it can look right; on (Σ x·i)² it does. Put the element back (or start each element from a fresh copy of x.scalars).") { f, x, h in
                try differenceWith(f, x, h, nudges: .leftDown)
            },
            Mistake("changed-x", "f is evaluated on x itself, changed with assign, and x is left changed",
                    feedback: "Assigning the nudged values into x changes the caller's tensor: after your function returns, x holds x − h in every element, and every later estimate used the earlier nudges too. Build a fresh Tensor(values, shape: x.shape) for each evaluation and never assign into x.") { f, x, h in
                try differenceWith(f, x, h, nudges: .leftDown, onX: true)
            },
            Mistake("rows-and-columns", "the gradient is shaped [x.shape[0], the rest] instead of x.shape",
                    feedback: "x can have any rank: a [2, 3, 4] x needs a [2, 3, 4] gradient, a [5] x a [5] one. Reshaping to rows and columns works only for matrices. Return Tensor(gradient, shape: x.shape).") { f, x, h in
                try differenceWith(f, x, h, shape: [x.shape[0], x.count / x.shape[0]])
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 2e-3, rtol: 1e-3))
    ) { numeric in
        var outcome = Outcome()
        for (n, c) in numericalCases.enumerated() {
            let probe = probeFunctions[c.function]
            let x = Probes.input(c.shape, seed: UInt64(20 + n), -1.5...1.5).detached()
            Probes.expose([("x", x)])
            let g = try numeric(probe.f, x, c.step)
            outcome.record("gradient of \(probe.name)\(c.label)", g)
            outcome.record("x after the gradient of \(probe.name)\(c.label)", x)
        }
        return outcome
    }

    // MARK: - 0.3 softmax

    // BEGIN INSTRUCTOR
    /// What a softmax subtracts from the logits before exp.
    enum Shift { case nothing, maximum, globalMaximum, mean, minimum }

    /// e^(x − m) / Σ e^(x − m) over `axis`, m chosen by `shift` (detached): the reference
    /// and, with one thing changed, the known mistakes of 0.3.
    static func softmaxWith(_ x: Tensor, shift: Shift = .maximum, axis: Int = -1) throws -> Tensor {
        let m: Tensor?
        switch shift {
        case .nothing: m = nil
        case .maximum: m = try x.max(axis: axis, keepDims: true)
        case .globalMaximum: m = x.max()
        case .mean: m = try x.mean(axis: axis, keepDims: true)
        case .minimum: m = try -(-x).max(axis: axis, keepDims: true)
        }
        let e = try (m.map { try x - $0.detached() } ?? x).exp()
        return try e / e.sum(axis: axis, keepDims: true)
    }
    // END INSTRUCTOR

    public static let softmax = Exercise<Unary>(
        id: "0.3", title: "A stable softmax from primitives", symbol: "softmax(_:)", file: "Lessons/Lesson0/Softmax.swift",
        reference: Solution0.softmax,
        mistakes: [
            Mistake("no-max-subtraction", "no maximum subtracted: e^x overflows for large logits",
                    feedback: "A Float holds e^x only up to x ≈ 88.7; past that it is inf, and inf/inf is NaN. Subtract each row's maximum first (it cancels in the ratio).") { x in
                try softmaxWith(x, shift: .nothing)
            },
            Mistake("normalised-over-batch", "the sums run over the batch axis, not over the classes",
                    feedback: "Each row (one example) must sum to 1, so the sum and the max run over the last axis, the classes: axis -1, not 0.") { x in
                try softmaxWith(x, axis: 0)
            },
            Mistake("global-max", "one maximum over the whole tensor instead of one per row",
                    feedback: "A single max keeps the largest row safe but can underflow the others to 0/0. Take the max of each row: max(axis: -1, keepDims: true).") { x in
                try softmaxWith(x, shift: .globalMaximum)
            },
            Mistake("subtracted-mean", "each row's mean is subtracted instead of its maximum",
                    feedback: "Any constant cancels in the ratio, but only the maximum makes every exponent ≤ 0. In a row spanning [0, 1000] the mean is about 500, and e^(1000 − 500) is inf. Subtract max(axis: -1, keepDims: true).") { x in
                try softmaxWith(x, shift: .mean)
            },
            Mistake("subtracted-min", "each row's minimum is subtracted instead of its maximum",
                    feedback: "Subtracting the minimum makes every exponent ≥ 0 — the opposite of what keeps e^… finite: in a row spanning [0, 1000], e^(1000 − 0) is inf. Subtract the row's maximum, so that every exponent is ≤ 0 and every e^… ≤ 1.") { x in
                try softmaxWith(x, shift: .minimum)
            },
            Mistake("logsumexp-without-max", "softmax as exp(x − log Σ eˣ), with log Σ eˣ computed without the maximum",
                    feedback: "exp(x − log Σ eˣ) is softmax, but log Σ eˣ itself overflows to inf once a logit passes 88.7, and becomes log 0 = −inf once all are below about −100. Compute it as m + log Σ e^(x − m) with m the row's maximum — or subtract the maximum first, as the lesson does.") { x in
                try (x - x.exp().sum(axis: -1, keepDims: true).log()).exp()
            },
            Mistake("first-axis-as-rows", "the logits are read as [first axis, everything else] instead of [..., C]",
                    feedback: "Only the last axis holds classes: a [2, 3, 4] tensor is 6 rows of 4, not 2 rows of 12, and a [5] tensor is one row of 5. No reshape is needed: reduce over axis -1 with keepDims: true, and broadcasting does the rest.") { x in
                try softmaxWith(x.reshape([x.shape[0], x.count / x.shape[0]])).reshape(x.shape)
            },
            Mistake("hard-coded-axis-1", "the max and the sum run over axis 1, written as a number, so a [5] tensor has no such axis",
                    feedback: "axis: 1 is the last axis of a [batch, classes] matrix only: a [2, 3, 4] tensor has its classes on axis 2, and a single row [5] has no axis 1 at all, so the max throws. Count from the end instead — axis: -1 is the classes whatever the rank. Replace every axis: 1 by axis: -1 (keepDims: true), then check again.") { x in
                try softmaxWith(x, axis: 1)
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4)),
        variants: [
            Variant("not-divided", "e^(x − max) not divided by the row sums", { x in try (x - x.max(axis: -1, keepDims: true).detached()).exp() }),
            Variant("over-all-values", "the sum over every value instead of each row", { x in
                let e = try (x - x.max(axis: -1, keepDims: true).detached()).exp()
                return try e / e.sum()
            }),
        ]
    ) { f in
        var outcome = try Probes.function({ Probes.expose([("logits", $0[0])]); return try f($0[0]) }, inputs: [("logits", [4, 5])], seeds: [3, 4], range: -3...3)
        // Large logits, one row far below the others: overflow and underflow both show.
        let big = try Tensor([[300, 310, 290], [-200, -190, -205], [1, 2, 3], [700, 700, 700]], requiresGrad: true)
        try probeUnary(f, on: big, named: "logits", as: "large logits", into: &outcome)
        // Rows spanning 1000, the first with a tied maximum: subtracting anything but the maximum overflows.
        let wide = try Tensor([[0, 1000, 500, 1000], [-1000, -999, 0, -500]], requiresGrad: true)
        try probeUnary(f, on: wide, named: "logits", as: "logits spanning 1000", into: &outcome)
        // Other ranks: [..., C] puts the classes on the last axis, whatever comes before it.
        try probeUnary(f, on: Probes.input([2, 3, 4], seed: 5, -3...3), named: "logits", as: "[2, 3, 4] logits", into: &outcome)
        try probeUnary(f, on: Probes.input([5], seed: 6, -3...3), named: "logits", as: "[5] logits", into: &outcome)
        return outcome
    }

    /// Every exercise of lesson 0, in order.
    public static let all: [AnyExercise] = [AnyExercise(sigmoid), AnyExercise(numericalGradient), AnyExercise(softmax), AnyExercise(fitLine)]
}
