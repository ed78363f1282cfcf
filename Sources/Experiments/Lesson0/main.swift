import Autograd
import ExperimentKit
import Foundation
import Lesson0
import Plots

// `swift run tutor run 0`: the warm-up's experiment, with the student's own code.
//   1. fitLine at several learning rates: where gradient descent stops converging, and why;
//   2. the gradient checker finds a planted bug, and checks the student's sigmoid;
//   3. the student's softmax on logits that overflow a naive one.

let experiment = Experiment(lesson: 0, parts: [
    .init("line", "fitLine at several learning rates: where gradient descent stops converging"),
    .init("checker", "the gradient checker finds a planted bug"),
    .init("sigmoid", "the gradient checker on your sigmoid"),
    .init("softmax", "your softmax on logits that overflow a naive one"),
])

// MARK: - 1. Learning rates

/// 24 points near y = 2x − 1 (the same recipe as the grader's, another seed).
var rng = RNG(seed: 100 + experiment.seed)
let xs = (0..<24).map { _ in rng.uniform(-2, 2) }
let ys = xs.map { 2 * $0 - 1 + 0.1 * rng.normal() }

experiment.part("line", "Fitting a line at several learning rates", uses: ["0.4"]) {
    // The loss is a quadratic bowl in (w, b); its curvature (the Hessian) is constant:
    // H = 2·[[mean x², mean x], [mean x, 1]]. Gradient descent is stable iff lr < 2/λmax.
    let n = Float(xs.count)
    let (mxx, mx) = (xs.map { $0 * $0 }.reduce(0, +) / n, xs.reduce(0, +) / n)
    let (a, b, d) = (2 * mxx, 2 * mx, Float(2))
    let lambdaMax = (a + d) / 2 + (((a - d) / 2) * ((a - d) / 2) + b * b).squareRoot()
    print(String(format: "curvature of the loss: largest Hessian eigenvalue λmax = %.3f, so steps are stable for lr < 2/λmax = %.3f", lambdaMax, 2 / lambdaMax))

    var plot = LinePlot(title: "Loss while fitting a line", xLabel: "step", yLabel: "MSE", logY: true)
    var table = Table(header: ["learning rate", "final loss", "w", "b", "verdict"])
    let steps = experiment.full ? 200 : 60
    for lr: Float in [0.01, 0.1, 0.5, 0.8, 1.5] {
        let fit = try Lesson0.fitLine(xs: xs, ys: ys, steps: steps, learningRate: lr)
        let last = fit.losses.last ?? .nan
        let verdict = !last.isFinite || last > fit.losses[0] ? "diverges" : (last < 0.05 ? "converged" : "still falling")
        table.add([Table.number(lr), Table.number(last), Table.number(fit.w), Table.number(fit.b), verdict])
        plot.add("lr \(lr)", fit.losses)
    }
    print(table.render())
    plot.yRange = 1e-3...1e4
    print(plot.terminal())
    experiment.save(plot.svg(), as: "learning-rates")
}

// MARK: - 2. The gradient checker

experiment.part("checker", "The gradient checker finds a planted bug", uses: []) {
    // softplus(x) = log(1 + eˣ), whose derivative is σ(x); the pullback below is wrong by
    // 3% in element 5 only.
    func plantedSoftplus(_ x: Tensor) throws -> Tensor {
        let v = x.scalars
        return try Tensor.primitive("softplus", inputs: [x], shape: x.shape, scalars: v.map { Foundation.log(1 + Foundation.exp($0)) }) { g in
            [g.indices.map { i in g[i] / (1 + Foundation.exp(-v[i])) * (i == 5 ? 1.03 : 1) }]
        }
    }
    var r = RNG(seed: 7)
    let x = Tensor.uniform([2, 4], -2, 2, rng: &r)
    let report = try gradCheck([x]) { try plantedSoftplus($0[0]) }
    print("planted bug (element 5 of 8, 3% off): \(report)")
}

experiment.part("sigmoid", "The gradient checker on your sigmoid", uses: ["0.1"]) {
    var r = RNG(seed: 8)
    let x = Tensor.uniform([3, 5], -4, 4, rng: &r)
    let report = try gradCheck([x]) { try Lesson0.sigmoid($0[0]) }
    print("your sigmoid: \(report)")
}

// MARK: - 3. Softmax at the edges of Float

experiment.part("softmax", "Your softmax on large logits", uses: ["0.3"]) {
    let logits = try Tensor([[1, 2, 3], [100, 101, 102], [1000, 1001, 1002], [-1000, -999, -998]])
    let p = try Lesson0.softmax(logits)
    let naive = try logits.exp() / logits.exp().sum(axis: -1, keepDims: true)
    var table = Table(header: ["logits", "your softmax", "naive e^x / Σe^x"])
    for (i, row) in logits.rows.enumerated() {
        let show = { (t: Tensor) in t.rows[i].map { Table.number($0, significant: 3) }.joined(separator: " ") }
        table.add([row.map { Table.number($0) }.joined(separator: " "), show(p), show(naive)])
    }
    print(table.render())
    print("The naive formula overflows (e^1000 = inf, inf/inf = NaN) or underflows (e^-1000 = 0, 0/0 = NaN); shifting by the row maximum gives the same probabilities for every row.")
}

experiment.finish()
