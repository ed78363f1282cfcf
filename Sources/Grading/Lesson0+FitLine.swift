import Autograd
import Solution0

/// Lesson 0's training loop, graded step by step.
extension Lesson0Graders {
    // MARK: - 0.4 fitting a line

    public typealias FitLine = ([Float], [Float], Int, Float) throws -> LineFit

    /// `count` points near y = slope·x + intercept, x in [−2, 2], from a fixed seed.
    static func points(_ count: Int, slope: Float, intercept: Float, seed: UInt64) -> (xs: [Float], ys: [Float]) {
        var rng = RNG(seed: seed)
        let xs = (0..<count).map { _ in rng.uniform(-2, 2) }
        return (xs, xs.map { slope * $0 + intercept + 0.1 * rng.normal() })
    }

    /// 24 points near y = 2x − 1, from a fixed seed.
    static let line = points(24, slope: 2, intercept: -1, seed: 2024)

    /// The runs fitLine is probed on: the lesson's 24 points for 60 steps at lr 0.1; and a
    /// short run at another rate on other points, far from converged, where every update shows.
    static let fitRuns: [(label: String, xs: [Float], ys: [Float], steps: Int, lr: Float)] = {
        let few = points(7, slope: -0.5, intercept: 3, seed: 2025)
        return [("", line.xs, line.ys, 60, 0.1), (" (7 points, 6 steps, lr 0.05)", few.xs, few.ys, 6, 0.05)]
    }()

    // BEGIN INSTRUCTOR
    /// The reference loop with one thing changed, for the known mistakes of 0.4: no zeroGrad,
    /// a step up the gradient, a summed or scaled loss, the loss recorded after the update or
    /// smoothed, a learning rate of its own, or the starting loss recorded before a loop of
    /// steps − 1 updates.
    static func descentWith(
        _ xs: [Float], _ ys: [Float], _ steps: Int, _ lr: Float, zeroGrad: Bool = true, ascend: Bool = false, reduction: Reduction = .mean,
        lossScale: Float = 1, recordAfterUpdate: Bool = false, smoothing: Float? = nil, fixedRate: Float? = nil, startLossFirst: Bool = false
    ) throws -> LineFit {
        let x = Tensor(xs), y = Tensor(ys)
        let w = Tensor(scalar: 0, requiresGrad: true), b = Tensor(scalar: 0, requiresGrad: true)
        let rate = (fixedRate ?? lr) * (ascend ? -1 : 1)
        func loss() throws -> Tensor { try mseLoss(w * x + b, y, reduction: reduction) * lossScale }
        var losses: [Float] = []
        func record(_ value: Float) { losses.append(smoothing.map { s in losses.last.map { s * $0 + (1 - s) * value } ?? value } ?? value) }
        if startLossFirst { record(try loss().item()) }
        for _ in 0..<Swift.max(startLossFirst ? steps - 1 : steps, 0) {
            let l = try loss()
            if !recordAfterUpdate { record(try l.item()) }
            try l.backward()
            try noGrad { try w.assign(w - w.grad! * rate); try b.assign(b - b.grad! * rate) }
            if zeroGrad { w.zeroGrad(); b.zeroGrad() }
            if recordAfterUpdate { record(try noGrad { try loss().item() }) }
        }
        return LineFit(w: w.scalars[0], b: b.scalars[0], losses: losses)
    }
    // END INSTRUCTOR

    public static let fitLine = Exercise<FitLine>(
        id: "0.4", title: "Gradient descent by hand", symbol: "fitLine(xs:ys:steps:learningRate:)", file: "Lessons/Lesson0/FitLine.swift",
        reference: Solution0.fitLine,
        mistakes: [
            Mistake("forgot-zero-grad", "the gradients are never reset, so they pile up step after step",
                    feedback: "backward() adds to .grad. Without zeroGrad() each step uses the sum of all past gradients, and the fit overshoots and swings. Reset w and b's gradients after each update.") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, zeroGrad: false)
            },
            Mistake("climbed-the-gradient", "the update adds the gradient instead of subtracting it",
                    feedback: "The gradient points uphill, where the loss grows. Step against it: w − lr·∂L/∂w.") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, ascend: true)
            },
            Mistake("summed-not-averaged", "the loss sums the squared errors instead of averaging them",
                    feedback: "A summed loss grows with the number of points, and so does its gradient: with 24 points each step is 24 times too long and the fit diverges. Use the mean (mseLoss does).") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, reduction: .sum)
            },
            Mistake("loss-after-update", "each step records the loss after its update instead of before",
                    feedback: "losses[0] must be the loss of the starting line w = b = 0, and losses[k] the loss just before update k. Recording after the update shifts the whole curve one step early, and the starting loss is never seen. Append loss.item() right after computing the loss, before backward() and the update.") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, recordAfterUpdate: true)
            },
            Mistake("halved-loss", "the loss is ½·mean((ŷ − y)²) instead of the mean squared error",
                    feedback: "The ½ of the textbooks makes the derivative tidy, but it is not mseLoss: every loss you record is half the reference's and every gradient is halved, so each step is half as long. Use mseLoss(prediction, y) as it is.") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, lossScale: 0.5)
            },
            Mistake("smoothed-loss", "the recorded losses are a running average, not each step's loss",
                    feedback: "Smoothing makes a nicer plot, but fitLine returns the loss before each step as it is: the experiments compare curves step by step, and a running average lags behind the real loss. Append loss.item() itself; smooth when you plot, if you like.") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, smoothing: 0.9)
            },
            Mistake("ignored-learning-rate", "the learning rate is a constant in the code, not the learningRate argument",
                    feedback: "Your loop steps by 0.1 whatever learningRate says, so the lesson's experiment with five learning rates would draw five identical curves. Use the lr parameter in the update.") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, fixedRate: 0.1)
            },
            Mistake("one-update-short", "the starting loss is recorded before the loop, and the loop makes one update fewer",
                    feedback: "Your losses match, but the line has had steps − 1 updates: recording the starting loss first and then looping over 1..<steps (update, then record) loses the last update. Loop `steps` times, and in each step record the loss, then update.") { xs, ys, steps, lr in
                try descentWith(xs, ys, steps, lr, recordAfterUpdate: true, startLossFirst: true)
            },
        ],
        criterion: .rule { got, want in
            for run in fitRuns {
                if let problem = fitProblem(got, want, run: run.label) { return problem }
            }
            return nil
        }
    ) { fit in
        var outcome = Outcome()
        for run in fitRuns {
            let result = try fit(run.xs, run.ys, run.steps, run.lr)
            outcome.record("w\(run.label)", result.w)
            outcome.record("b\(run.label)", result.b)
            outcome.record("losses\(run.label)", result.losses)
        }
        return outcome
    }

    /// What is wrong with one run of fitLine (nil if nothing): the number of losses, each
    /// recorded loss against the reference's at the same step, then the fitted line.
    static func fitProblem(_ got: Outcome, _ want: Outcome, run label: String) -> String? {
        guard let w = got["w\(label)"]?.values.first, let b = got["b\(label)"]?.values.first, let losses = got["losses\(label)"]?.values,
              let rw = want["w\(label)"]?.values.first, let rb = want["b\(label)"]?.values.first, let reference = want["losses\(label)"]?.values
        else { return "fitLine returned nothing to grade" }
        let run = label.isEmpty ? "" : " in the run\(label)"
        guard losses.count == reference.count else {
            return "\(losses.count) losses recorded for \(reference.count) steps\(run): record loss.item() once per step"
        }
        guard let last = losses.last, last.isFinite, w.isFinite, b.isFinite else { return "the fit diverged\(run): the final loss is \(format(losses.last ?? .nan))" }
        let tolerance = Tolerance(atol: 1e-5, rtol: 1e-3)
        let off: (Float, Float) -> Bool = { Swift.abs($0 - $1) > tolerance.atol + tolerance.rtol * Swift.abs($1) }
        if let k = losses.indices.first(where: { off(losses[$0], reference[$0]) }) {
            return "the loss recorded at step \(k + 1)\(run) is \(format(losses[k])); the reference records \(format(reference[k])) there, the loss of the line before that step's update (\(tolerance))"
        }
        if off(w, rw) || off(b, rb) {
            return "the fitted line\(run) is \(describeLine(w, b)); after the same steps the reference reaches \(describeLine(rw, rb)) (\(tolerance))"
        }
        return nil
    }

    static func describeLine(_ w: Float, _ b: Float) -> String {
        "y = \(format(w))·x \(b < 0 ? "−" : "+") \(format(Swift.abs(b)))"
    }
}
