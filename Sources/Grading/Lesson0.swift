import Autograd
import Foundation
import Solution0

/// The graders of lesson 0: the autograd core, from the inside.
public enum Lesson0Graders {
    // MARK: - 0.1 sigmoid as a primitive op

    public typealias Unary = (Tensor) throws -> Tensor

    public static let sigmoid = Exercise<Unary>(
        id: "0.1", title: "Sigmoid as an op of your own", symbol: "sigmoid(_:)", file: "Lessons/Lesson0/Sigmoid.swift",
        reference: Solution0.sigmoid,
        mistakes: [
            Mistake("pullback-uses-x", "the pullback uses x where it needs σ(x)",
                    feedback: "σ′(x) = σ(x)·(1 − σ(x)) is written in terms of the output y = σ(x), not the input: capture the ys you computed and use g·y·(1 − y).") { x in
                let xs = x.scalars, ys = xs.map { 1 / (1 + Foundation.exp(-$0)) }
                return try Tensor.primitive("sigmoid", inputs: [x], shape: x.shape, scalars: ys) { g in [zip(g, xs).map { $0 * $1 * (1 - $1) }] }
            },
            Mistake("forgot-upstream-gradient", "the pullback ignores the incoming gradient g",
                    feedback: "The chain rule multiplies: ∂L/∂x = ∂L/∂y · ∂y/∂x. Your pullback returns ∂y/∂x alone; multiply each element by g.") { x in
                let ys = x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }
                return try Tensor.primitive("sigmoid", inputs: [x], shape: x.shape, scalars: ys) { _ in [ys.map { $0 * (1 - $0) }] }
            },
            Mistake("exp-of-plus-x", "the forward pass uses e^x instead of e^−x",
                    feedback: "1 / (1 + e^x) is σ(−x), the mirror image: it falls where σ rises. Check the sign inside exp.") { x in
                let ys = x.scalars.map { 1 / (1 + Foundation.exp($0)) }
                return try Tensor.primitive("sigmoid", inputs: [x], shape: x.shape, scalars: ys) { g in [zip(g, ys).map { $0 * $1 * (1 - $1) }] }
            },
            Mistake("no-pullback", "the result is a plain tensor, not an op: no gradient flows back",
                    feedback: "Tensor(values, shape:) makes a new leaf that remembers nothing. Return Tensor.primitive(…) with a pullback so backward() can reach x.") { x in
                try Tensor(x.scalars.map { 1 / (1 + Foundation.exp(-$0)) }, shape: x.shape)
            },
        ]
    ) { f in
        try Probes.function({ try f($0[0]) }, inputs: [("x", [3, 4])], seeds: [1, 2])
    }

    // MARK: - 0.2 numerical gradient

    public typealias NumericalGradient = ((Tensor) throws -> Tensor, Tensor, Float) throws -> Tensor

    /// The functions the numerical gradient is tried on: curved, so a one-sided
    /// difference shows its error; and depending on every element.
    static let probeFunctions: [(name: String, f: (Tensor) throws -> Tensor)] = [
        ("Σ exp(x)", { $0.exp().sum() }),
        ("Σ x³ + Σ x", { x in try (x.pow(3) + x).sum() }),
        ("Σ tanh(x)·i", { x in try (x.tanh() * Tensor.arange(x.count).reshape(x.shape)).sum() }),
    ]

    public static let numericalGradient = Exercise<NumericalGradient>(
        id: "0.2", title: "A numerical gradient", symbol: "numericalGradient(of:at:step:)", file: "Lessons/Lesson0/NumericalGradient.swift",
        reference: Solution0.numericalGradient,
        mistakes: [
            Mistake("one-sided-difference", "a one-sided difference (f(x + h) − f(x)) / h",
                    feedback: "The one-sided difference is off by about h·f″/2; the central one, (f(x + h) − f(x − h)) / 2h, cancels that term. Evaluate f on both sides of x.") { f, x, h in
                var g = [Float](repeating: 0, count: x.count)
                let f0 = try f(x).item()
                for i in 0..<x.count {
                    var up = x.scalars
                    up[i] += h
                    g[i] = (try f(Tensor(up, shape: x.shape)).item() - f0) / h
                }
                return try Tensor(g, shape: x.shape)
            },
            Mistake("divided-by-h", "the central difference divided by h instead of 2h",
                    feedback: "From x − h to x + h is a distance of 2h: your gradient is twice too large.") { f, x, h in
                var g = [Float](repeating: 0, count: x.count)
                for i in 0..<x.count {
                    var up = x.scalars, down = x.scalars
                    up[i] += h
                    down[i] -= h
                    g[i] = (try f(Tensor(up, shape: x.shape)).item() - f(Tensor(down, shape: x.shape)).item()) / h
                }
                return try Tensor(g, shape: x.shape)
            },
            Mistake("perturbations-pile-up", "each element's nudge stays in place for the next elements",
                    feedback: "Element i must be estimated with every other element at its original value. Start each element from a fresh copy of x.scalars.") { f, x, h in
                var g = [Float](repeating: 0, count: x.count)
                var up = x.scalars, down = x.scalars
                for i in 0..<x.count {
                    up[i] += h
                    down[i] -= h
                    g[i] = (try f(Tensor(up, shape: x.shape)).item() - f(Tensor(down, shape: x.shape)).item()) / (2 * h)
                }
                return try Tensor(g, shape: x.shape)
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 2e-3, rtol: 1e-3))
    ) { numeric in
        var outcome = Outcome()
        for (i, probe) in probeFunctions.enumerated() {
            let x = Probes.input([2, 3], seed: UInt64(20 + i), -1.5...1.5)
            let g = try numeric(probe.f, x.detached(), 1e-2)
            outcome.record("gradient of \(probe.name)", g)
        }
        return outcome
    }

    // MARK: - 0.3 softmax

    public static let softmax = Exercise<Unary>(
        id: "0.3", title: "A stable softmax from primitives", symbol: "softmax(_:)", file: "Lessons/Lesson0/Softmax.swift",
        reference: Solution0.softmax,
        mistakes: [
            Mistake("no-max-subtraction", "no maximum subtracted: e^x overflows for large logits",
                    feedback: "A Float holds e^x only up to x ≈ 88.7; past that it is inf, and inf/inf is NaN. Subtract each row's maximum first (it cancels in the ratio).") { x in
                let e = x.exp()
                return try e / e.sum(axis: -1, keepDims: true)
            },
            Mistake("normalised-over-batch", "the sums run over the batch axis, not over the classes",
                    feedback: "Each row (one example) must sum to 1, so the sum and the max run over the last axis, the classes: axis -1, not 0.") { x in
                let m = try x.max(axis: 0, keepDims: true).detached()
                let e = try (x - m).exp()
                return try e / e.sum(axis: 0, keepDims: true)
            },
            Mistake("global-max", "one maximum over the whole tensor instead of one per row",
                    feedback: "A single max keeps the largest row safe but can underflow the others to 0/0. Take the max of each row: max(axis: -1, keepDims: true).") { x in
                let e = try (x - x.max().detached()).exp()
                return try e / e.sum(axis: -1, keepDims: true)
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4))
    ) { f in
        var outcome = try Probes.function({ try f($0[0]) }, inputs: [("logits", [4, 5])], seeds: [3, 4], range: -3...3)
        // Large logits, one row far below the others: overflow and underflow both show.
        let big = try Tensor([[300, 310, 290], [-200, -190, -205], [1, 2, 3], [700, 700, 700]], requiresGrad: true)
        try Probes.record(try f(big), as: "output for large logits", gradientsOf: [("large logits", big)], into: &outcome)
        return outcome
    }

    // MARK: - 0.4 fitting a line

    public typealias FitLine = ([Float], [Float], Int, Float) throws -> LineFit

    /// 24 points near y = 2x − 1, from a fixed seed.
    static let line: (xs: [Float], ys: [Float]) = {
        var rng = RNG(seed: 2024)
        let xs = (0..<24).map { _ in rng.uniform(-2, 2) }
        return (xs, xs.map { 2 * $0 - 1 + 0.1 * rng.normal() })
    }()

    public static let fitLine = Exercise<FitLine>(
        id: "0.4", title: "Gradient descent by hand", symbol: "fitLine(xs:ys:steps:learningRate:)", file: "Lessons/Lesson0/FitLine.swift",
        reference: Solution0.fitLine,
        mistakes: [
            Mistake("forgot-zero-grad", "the gradients are never reset, so they pile up step after step",
                    feedback: "backward() adds to .grad. Without zeroGrad() each step uses the sum of all past gradients, and the fit overshoots and swings. Reset w and b's gradients after each update.") { xs, ys, steps, lr in
                let (x, y) = (Tensor(xs), Tensor(ys))
                let w = Tensor(scalar: 0, requiresGrad: true), b = Tensor(scalar: 0, requiresGrad: true)
                var losses: [Float] = []
                for _ in 0..<steps {
                    let loss = try mseLoss(w * x + b, y)
                    losses.append(try loss.item())
                    try loss.backward()
                    try noGrad { try w.assign(w - w.grad! * lr); try b.assign(b - b.grad! * lr) }
                }
                return LineFit(w: w.scalars[0], b: b.scalars[0], losses: losses)
            },
            Mistake("climbed-the-gradient", "the update adds the gradient instead of subtracting it",
                    feedback: "The gradient points uphill, where the loss grows. Step against it: w − lr·∂L/∂w.") { xs, ys, steps, lr in
                let (x, y) = (Tensor(xs), Tensor(ys))
                let w = Tensor(scalar: 0, requiresGrad: true), b = Tensor(scalar: 0, requiresGrad: true)
                var losses: [Float] = []
                for _ in 0..<steps {
                    let loss = try mseLoss(w * x + b, y)
                    losses.append(try loss.item())
                    try loss.backward()
                    try noGrad { try w.assign(w + w.grad! * lr); try b.assign(b + b.grad! * lr) }
                    w.zeroGrad(); b.zeroGrad()
                }
                return LineFit(w: w.scalars[0], b: b.scalars[0], losses: losses)
            },
            Mistake("summed-not-averaged", "the loss sums the squared errors instead of averaging them",
                    feedback: "A summed loss grows with the number of points, and so does its gradient: with 24 points each step is 24 times too long and the fit diverges. Use the mean (mseLoss does).") { xs, ys, steps, lr in
                let (x, y) = (Tensor(xs), Tensor(ys))
                let w = Tensor(scalar: 0, requiresGrad: true), b = Tensor(scalar: 0, requiresGrad: true)
                var losses: [Float] = []
                for _ in 0..<steps {
                    let loss = try mseLoss(w * x + b, y, reduction: .sum)
                    losses.append(try loss.item())
                    try loss.backward()
                    try noGrad { try w.assign(w - w.grad! * lr); try b.assign(b - b.grad! * lr) }
                    w.zeroGrad(); b.zeroGrad()
                }
                return LineFit(w: w.scalars[0], b: b.scalars[0], losses: losses)
            },
        ],
        criterion: .rule { got, want in
            guard let w = got["w"]?.values.first, let b = got["b"]?.values.first, let losses = got["losses"]?.values,
                  let rw = want["w"]?.values.first, let rb = want["b"]?.values.first, let rl = want["losses"]?.values.last
            else { return "fitLine returned nothing to grade" }
            guard losses.count == want["losses"]!.values.count else {
                return "\(losses.count) losses recorded for \(want["losses"]!.values.count) steps: record loss.item() once per step"
            }
            guard let last = losses.last, last.isFinite, w.isFinite, b.isFinite else { return "the fit diverged: the final loss is \(losses.last ?? .nan)" }
            if Swift.abs(w - rw) > 0.02 || Swift.abs(b - rb) > 0.02 {
                return "the fitted line is \(describeLine(w, b)); after the same steps the reference reaches \(describeLine(rw, rb)) (margin 0.02)"
            }
            if last > rl * 1.05 + 1e-4 { return "the final loss \(format(last)) is above the reference's \(format(rl)) (margin 5%)" }
            return nil
        }
    ) { fit in
        let result = try fit(line.xs, line.ys, 60, 0.1)
        var outcome = Outcome()
        outcome.record("w", result.w)
        outcome.record("b", result.b)
        outcome.record("losses", result.losses)
        return outcome
    }

    static func describeLine(_ w: Float, _ b: Float) -> String {
        "y = \(format(w))·x \(b < 0 ? "−" : "+") \(format(Swift.abs(b)))"
    }

    /// Every exercise of lesson 0, in order.
    public static let all: [AnyExercise] = [AnyExercise(sigmoid), AnyExercise(numericalGradient), AnyExercise(softmax), AnyExercise(fitLine)]
}
