import Autograd
import Foundation
import Solution1

/// The weights of a linear RNN, as the graders of lesson 1 hand them to an implementation
/// (the XCTest bindings build the student's `LinearRNN` from them).
public struct LinearRNNParts {
    public let inputToHidden: Linear
    public let hiddenToHidden: Linear
    public let hiddenToOutput: Linear
    public let initialHidden: Tensor

    /// Fresh weights of the given sizes, all drawn from `seed`. The initial state is drawn
    /// large (std 0.5) so that a model which ignores it cannot pass for one that uses it.
    public init(input: Int, hidden: Int, output: Int, seed: UInt64, initialStd: Float = 0.5) {
        var rng = RNG(seed: seed)
        inputToHidden = Linear(input, hidden, rng: &rng)
        hiddenToHidden = Linear(hidden, hidden, rng: &rng)
        hiddenToOutput = Linear(hidden, output, rng: &rng)
        initialHidden = Tensor.randn([hidden], std: initialStd, requiresGrad: true, rng: &rng)
    }

    /// Every weight, by the name the lesson gives it.
    public var named: [(String, Tensor)] {
        [
            ("W_xh", inputToHidden.weight), ("b_xh", inputToHidden.bias!), ("W_hh", hiddenToHidden.weight),
            ("b_hh", hiddenToHidden.bias!), ("W_hy", hiddenToOutput.weight), ("b_hy", hiddenToOutput.bias!),
            ("initialHidden", initialHidden),
        ]
    }

    /// The reference model on these weights (shared, not copied).
    var reference: Solution1.LinearRNN {
        Solution1.LinearRNN(
            inputToHidden: inputToHidden, hiddenToHidden: hiddenToHidden,
            hiddenToOutput: hiddenToOutput, initialHidden: initialHidden)
    }
}

/// The graders of lesson 1: a linear RNN models sinusoids.
public enum Lesson1Graders {
    // MARK: - 1.1 sums of sinusoids

    public typealias Sinusoids = (
        _ count: Int, _ frequencies: [Float], _ weights: [Float]?, _ steps: Int,
        _ sampleInterval: Float, _ noise: Float, _ rng: inout RNG
    ) throws -> Tensor

    /// The signal sets the generator is tried on. Phases are random, so the grader does not
    /// compare values: it fits every signal with sines and cosines at the given frequencies
    /// (least squares) and checks the amplitudes, the spread of the phases and the noise.
    static let signalCases:
        [(name: String, count: Int, frequencies: [Float], weights: [Float]?, steps: Int, dt: Float, noise: Float, seed: UInt64)] = [
            ("f = [1], default weights", 256, [1], nil, 100, 0.1, 0, 11),
            ("f = [1, 0.5], weights [0.7, 0.3]", 256, [1, 0.5], [0.7, 0.3], 100, 0.1, 0, 12),
            ("f = [0.5, 2], default weights, Δ = 0.05", 256, [0.5, 2], nil, 80, 0.05, 0, 13),
            ("f = [1], noise 0.2", 256, [1], nil, 100, 0.1, 0.2, 14),
        ]

    public static let sinusoids = Exercise<Sinusoids>(
        id: "1.1", title: "Sums of sinusoids with random phases",
        symbol: "sinusoids(count:frequencies:weights:steps:sampleInterval:noise:rng:)",
        file: "Lessons/Lesson1/Signals.swift",
        reference: Solution1.sinusoids,
        mistakes: [
            Mistake(
                "no-two-pi", "the angle is f·t + φ: the 2π is missing",
                feedback:
                    "A frequency f counts periods per time unit, and one period is an angle of 2π: the angle at time t is 2π·f·t + φ. Without the 2π, f = 1 repeats every 6.28 time units instead of every 1, so there are 63 samples a period instead of 10."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights, steps, dt, noise, &rng, angle: { f, t, phase in f * t + phase })
            },
            Mistake(
                "forgot-sample-interval", "the time is the step number t, not t·Δ",
                feedback:
                    "Sample t is taken at time t·Δ. With the step number as the time, f = 1 advances by a whole period every sample, so every sample of a sequence lands on the same point of the cycle and the signal is constant. Multiply the step by sampleInterval."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights, steps, dt, noise, &rng, angle: { f, t, phase in 2 * .pi * f * (t / dt) + phase })
            },
            Mistake(
                "same-phase-for-all", "one set of phases is drawn once and shared by every sequence",
                feedback:
                    "Every sequence must start at its own random point of the cycle, or all the training data is the same curve and the model only learns to replay it. Draw the phases inside the loop over sequences."
            ) { count, freqs, weights, steps, dt, noise, rng in
                let phases = freqs.map { _ in 2 * Float.pi * rng.uniform() }
                return try signals(count, freqs, weights, steps, dt, noise, &rng, phases: { _ in phases })
            },
            Mistake(
                "weights-not-averaged", "without weights, every sinusoid gets weight 1 instead of 1/K",
                feedback:
                    "With K frequencies and no weights given, each sinusoid weighs 1/K, so their sum stays within [−1, 1] whatever K is (the notebook's np.ones(K) / K). Divide the default weights by the number of frequencies."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights ?? freqs.map { _ in 1 }, steps, dt, noise, &rng)
            },
        ],
        criterion: .rule { got, want in
            for c in signalCases {
                guard let gs = got["shape of \(c.name)"], let ws = want["shape of \(c.name)"] else { return "no signals for \(c.name)" }
                if gs.values != ws.values {
                    return "for \(c.name) the signals have shape \(shapeText(gs.values)), expected \(shapeText(ws.values)) = [count, steps]"
                }
                let g = { (what: String) in got["\(what) of \(c.name)"]?.values ?? [] }
                let w = { (what: String) in want["\(what) of \(c.name)"]?.values ?? [] }
                for (k, f) in c.frequencies.enumerated() where Swift.abs(g("amplitudes")[k] - w("amplitudes")[k]) > 0.01 {
                    return
                        "for \(c.name), the sinusoid at f = \(format(f)) has amplitude \(format(g("amplitudes")[k])) on average (fitted by least squares), expected its weight \(format(w("amplitudes")[k]))"
                }
                if w("amplitude spread")[0] < 0.01, g("amplitude spread")[0] > 0.01 {
                    return
                        "for \(c.name), the fitted amplitudes vary from sequence to sequence by up to \(format(g("amplitude spread")[0])): a noise-free signal is an exact sum of sinusoids at the given frequencies"
                }
                if let r = g("phase concentration").max(), r > 0.25 {
                    return
                        "for \(c.name), the phases are not spread around the circle: their mean direction has length \(format(r)) (1 = all equal, about 0.06 for random phases); draw each φ as 2π·rng.uniform(), for every sequence"
                }
                if let r = g("phase coupling").first, r > 0.25 {
                    return
                        "for \(c.name), the phases of the two frequencies move together (coupling \(format(r))): draw one phase per frequency"
                }
                if Swift.abs(g("residual")[0] - w("residual")[0]) > 0.02 {
                    return
                        "for \(c.name), what remains after the fitted sinusoids has standard deviation \(format(g("residual")[0])), expected \(format(w("residual")[0])) (the noise level)"
                }
            }
            return nil
        }
    ) { f in
        var outcome = Outcome()
        for c in signalCases {
            var rng = RNG(seed: c.seed)
            let s = try f(c.count, c.frequencies, c.weights, c.steps, c.dt, c.noise, &rng)
            outcome.record("shape of \(c.name)", s.shape.map(Float.init))
            guard s.shape == [c.count, c.steps] else { continue }
            let fit = fitSinusoids(s, frequencies: c.frequencies, dt: c.dt)
            outcome.record("amplitudes of \(c.name)", fit.meanAmplitude)
            outcome.record("amplitude spread of \(c.name)", fit.amplitudeSpread)
            outcome.record("phase concentration of \(c.name)", fit.phaseConcentration)
            if c.frequencies.count == 2 { outcome.record("phase coupling of \(c.name)", fit.phaseCoupling) }
            outcome.record("residual of \(c.name)", fit.residual)
        }
        return outcome
    }

    /// Signals built like the reference (phases, then noise, per sequence), with a wrong
    /// angle, phases or weights: the known mistakes of 1.1.
    static func signals(
        _ count: Int, _ freqs: [Float], _ weights: [Float]?, _ steps: Int, _ dt: Float, _ noise: Float, _ rng: inout RNG,
        angle: (Float, Float, Float) -> Float = { f, t, phase in 2 * .pi * f * t + phase },
        phases: ((inout RNG) -> [Float])? = nil
    ) throws -> Tensor {
        let w = weights ?? freqs.map { _ in 1 / Float(freqs.count) }
        var values = [Float](repeating: 0, count: count * steps)
        for n in 0..<count {
            let phi = phases?(&rng) ?? freqs.map { _ in 2 * Float.pi * rng.uniform() }
            for t in 0..<steps {
                values[n * steps + t] = freqs.indices.reduce(0) { $0 + w[$1] * Foundation.sin(angle(freqs[$1], Float(t) * dt, phi[$1])) }
            }
            if noise > 0 { for t in 0..<steps { values[n * steps + t] += noise * rng.normal() } }
        }
        return try Tensor(values, shape: [count, steps])
    }

    /// Least-squares fit of every row with a·sin(2πft) + b·cos(2πft) per frequency:
    /// amplitude √(a² + b²) and phase atan2(b, a) (since w·sin(θ + φ) = w cos φ·sin θ + w sin φ·cos θ).
    static func fitSinusoids(
        _ s: Tensor, frequencies: [Float], dt: Float
    )
        -> (meanAmplitude: [Float], amplitudeSpread: Float, phaseConcentration: [Float], phaseCoupling: Float, residual: Float)
    {
        let (rows, steps, k) = (s.shape[0], s.shape[1], frequencies.count)
        let basis: [[Double]] = (0..<steps).map { t in
            frequencies.flatMap { f -> [Double] in
                let angle = 2 * Double.pi * Double(f) * Double(t) * Double(dt)
                return [Foundation.sin(angle), Foundation.cos(angle)]
            }
        }
        let m = 2 * k, values = s.scalars
        var normal = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
        for row in basis { for i in 0..<m { for j in 0..<m { normal[i][j] += row[i] * row[j] } } }
        var amplitudes = [[Double]](), phases = [[Double]](), squared = 0.0
        for r in 0..<rows {
            let x = values[(r * steps)..<(r * steps + steps)].map(Double.init)
            var rhs = [Double](repeating: 0, count: m)
            for (t, row) in basis.enumerated() { for i in 0..<m { rhs[i] += row[i] * x[t] } }
            let coef = solve(normal, rhs)
            let sinCos: [(a: Double, b: Double)] = (0..<k).map { j in (coef[2 * j], coef[2 * j + 1]) }
            amplitudes.append(sinCos.map { ($0.a * $0.a + $0.b * $0.b).squareRoot() })
            phases.append(sinCos.map { Foundation.atan2($0.b, $0.a) })
            for (t, row) in basis.enumerated() {
                let fitted = (0..<m).reduce(0.0) { $0 + row[$1] * coef[$1] }
                squared += (x[t] - fitted) * (x[t] - fitted)
            }
        }
        let mean = (0..<k).map { j in amplitudes.reduce(0) { $0 + $1[j] } / Double(rows) }
        let spread = amplitudes.flatMap { a in (0..<k).map { Swift.abs(a[$0] - mean[$0]) } }.max() ?? 0
        func resultant(_ angles: [Double]) -> Float {
            let (c, s) = angles.reduce((0.0, 0.0)) { ($0.0 + Foundation.cos($1), $0.1 + Foundation.sin($1)) }
            return Float((c * c + s * s).squareRoot() / Double(Swift.max(angles.count, 1)))
        }
        let concentration = (0..<k).map { j in resultant(phases.map { $0[j] }) }
        let coupling = k == 2 ? resultant(phases.map { $0[0] - $0[1] }) : 0
        return (mean.map(Float.init), Float(spread), concentration, coupling, Float((squared / Double(rows * steps)).squareRoot()))
    }

    /// x with a·x = b, by Gaussian elimination with partial pivoting (a small, well-posed system).
    static func solve(_ a: [[Double]], _ b: [Double]) -> [Double] {
        var m = a.enumerated().map { $1 + [b[$0]] }
        let n = b.count
        for col in 0..<n {
            let pivot = (col..<n).max { Swift.abs(m[$0][col]) < Swift.abs(m[$1][col]) }!
            m.swapAt(col, pivot)
            for r in 0..<n where r != col {
                let factor = m[r][col] / m[col][col]
                for c in col...n { m[r][c] -= factor * m[col][c] }
            }
        }
        return (0..<n).map { m[$0][n] / m[$0][$0] }
    }

    static func shapeText(_ values: [Float]) -> String { "[" + values.map { String(Int($0)) }.joined(separator: ", ") + "]" }

    // MARK: - 1.2 next-step pairs

    public typealias NextStepPairs = (Tensor) throws -> (inputs: Tensor, targets: Tensor)

    public static let nextStepPairs = Exercise<NextStepPairs>(
        id: "1.2", title: "Inputs and targets for next-step prediction", symbol: "nextStepPairs(_:)", file: "Lessons/Lesson1/Signals.swift",
        reference: Solution1.nextStepPairs,
        mistakes: [
            Mistake(
                "no-shift", "the targets are the inputs themselves: nothing is shifted",
                feedback:
                    "If the target at step t is the sample the model has just read, the best model copies its input and learns nothing about the signal. The target at step t is the NEXT sample, t + 1: take samples 0..<T−1 as inputs and 1..<T as targets."
            ) { s in
                let x = try s.slice(axis: 1, 0..<(s.shape[1] - 1)).unsqueeze(2)
                return (x, x)
            },
            Mistake(
                "shifted-backwards", "inputs and targets are swapped: the model would predict the previous sample",
                feedback:
                    "Time runs forward: the model reads sample t and must say what comes at t + 1. The inputs are the earlier samples (0..<T−1), the targets the later ones (1..<T)."
            ) { s in
                let t = s.shape[1]
                return (try s.slice(axis: 1, 1..<t).unsqueeze(2), try s.slice(axis: 1, 0..<(t - 1)).unsqueeze(2))
            },
            Mistake(
                "no-feature-axis", "the pairs are [N, T − 1]: the feature axis is missing",
                feedback:
                    "The RNN reads [batch, time, features], even when there is one feature: at step t it takes x[:, t], a [batch, 1] matrix for its Linear layers. Add the last axis with unsqueeze(2)."
            ) { s in
                let t = s.shape[1]
                return (try s.slice(axis: 1, 0..<(t - 1)), try s.slice(axis: 1, 1..<t))
            },
        ]
    ) { f in
        var outcome = Outcome()
        for (i, shape) in [[3, 7], [2, 4]].enumerated() {
            let (x, y) = try f(Probes.input(shape, seed: UInt64(40 + i)).detached())
            outcome.record("inputs of a \(shape) batch", x)
            outcome.record("targets of a \(shape) batch", y)
        }
        return outcome
    }

    // MARK: - 1.3 one step

    public typealias Step = (LinearRNNParts, Tensor, Tensor) throws -> (output: Tensor, hidden: Tensor)

    static func stepWith(
        _ p: LinearRNNParts, _ x: Tensor, _ h: Tensor, nonlinear: Bool = false, outputFromOld: Bool = false, noInput: Bool = false
    ) throws -> (output: Tensor, hidden: Tensor) {
        var pre = try p.hiddenToHidden(h)
        if !noInput { pre = try p.inputToHidden(x) + pre }
        let new = nonlinear ? pre.tanh() : pre
        return (try p.hiddenToOutput(outputFromOld ? h : new), new)
    }

    public static let step = Exercise<Step>(
        id: "1.3", title: "One step of a linear RNN", symbol: "step(_:_:)", file: "Lessons/Lesson1/LinearRNN.swift",
        reference: { p, x, h in try p.reference.step(x, h) },
        mistakes: [
            Mistake(
                "output-from-old-state", "the output is read from the old state h instead of the new one h′",
                feedback:
                    "The step first updates the state with the input it has just read, then speaks: y = W_hy·h′. Reading the old h makes every output one step late — it ignores the newest sample. Compute h′ first and apply hiddenToOutput to it."
            ) { p, x, h in
                try stepWith(p, x, h, outputFromOld: true)
            },
            Mistake(
                "added-tanh", "a tanh squashes the new state: this RNN is linear",
                feedback:
                    "The usual RNN cell has h′ = tanh(…), but this lesson's model is linear on purpose: with no nonlinearity, the whole model is a linear dynamical system whose behaviour the eigenvalues of one matrix explain (1.7, 1.8). Leave the sum as it is."
            ) { p, x, h in
                try stepWith(p, x, h, nonlinear: true)
            },
            Mistake(
                "ignored-input", "the new state ignores the input x",
                feedback:
                    "h′ = W_xh·x + b_xh + W_hh·h + b_hh: the input enters at every step, through inputToHidden. Without it the model never sees the signal."
            ) { p, x, h in
                try stepWith(p, x, h, noInput: true)
            },
        ]
    ) { f in
        var outcome = Outcome()
        for seed: UInt64 in [1, 2] {
            let p = LinearRNNParts(input: 2, hidden: 3, output: 2, seed: 50 + seed)
            let x = Probes.input([4, 2], seed: 60 + seed), h = Probes.input([4, 3], seed: 70 + seed)
            let (y, next) = try f(p, x, h)
            try record(
                [("output (weights #\(seed))", y), ("new hidden state (weights #\(seed))", next)],
                gradientsOf: [("x (weights #\(seed))", x), ("h (weights #\(seed))", h)]
                    + p.named.map { ("\($0.0) (weights #\(seed))", $0.1) },
                into: &outcome)
        }
        return outcome
    }

    /// Records several outputs, then back-propagates Σ wᵢ·outputᵢ (fixed random weights)
    /// and records the gradient of each tensor in `wrt` as "∂name".
    static func record(
        _ outputs: [(String, Tensor)], gradientsOf wrt: [(String, Tensor)], into outcome: inout Outcome, seed: UInt64 = 7
    ) throws {
        for (_, t) in wrt { t.zeroGrad() }
        var rng = RNG(seed: seed)
        var total: Tensor? = nil
        for (name, t) in outputs {
            outcome.record(name, t)
            guard t.requiresGrad else { continue }
            let term = try (t * Tensor.uniform(t.shape, 0.5, 1.5, rng: &rng)).sum()
            total = try total.map { try $0 + term } ?? term
        }
        if let total { try total.backward() }
        for (n, t) in wrt {
            if let g = t.grad { outcome.record("∂\(n)", g) }
            t.zeroGrad()
        }
    }

    // MARK: - 1.4 unrolling

    public typealias Unroll = (LinearRNNParts, Tensor) throws -> Tensor

    static func unrollWith(
        _ p: LinearRNNParts, _ x: Tensor, start: Tensor? = nil, resetEveryStep: Bool = false, timeAxis: Int = 1
    ) throws -> Tensor {
        var h = start ?? p.initialHidden
        var outputs: [Tensor] = []
        for t in 0..<x.shape[1] {
            let (y, next) = try stepWith(p, x.select(axis: 1, index: t), resetEveryStep ? (start ?? p.initialHidden) : h)
            outputs.append(y)
            h = next
        }
        return try stack(outputs, axis: timeAxis)
    }

    public static let unroll = Exercise<Unroll>(
        id: "1.4", title: "Unrolling over time", symbol: "callAsFunction(_:)", file: "Lessons/Lesson1/LinearRNN.swift",
        reference: { p, x in try p.reference(x) },
        mistakes: [
            Mistake(
                "zero-initial-state", "the state starts at zeros instead of the learned initialHidden",
                feedback:
                    "The model has a parameter for its starting state, h₀ = initialHidden, and it must be used: the loss then trains it like any weight (its gradient shows it). Start the loop with h = initialHidden; broadcasting spreads it over the batch."
            ) { p, x in
                try unrollWith(p, x, start: Tensor.zeros([x.shape[0], p.initialHidden.shape[0]]))
            },
            Mistake(
                "state-reset-every-step", "every step starts again from initialHidden: the state is never carried",
                feedback:
                    "A recurrent network remembers by passing each step's new state to the next step. If every step starts from initialHidden, each output depends on one sample only, and no oscillation can be learned. Keep the new state in h after every step."
            ) { p, x in
                try unrollWith(p, x, resetEveryStep: true)
            },
            Mistake(
                "time-major-output", "the outputs are stacked on axis 0: [time, batch, output]",
                feedback:
                    "The course is batch-first: outputs must be [batch, time, output], like the input and the targets, or the loss compares the wrong numbers. Stack the per-step outputs on axis 1."
            ) { p, x in
                try unrollWith(p, x, timeAxis: 0)
            },
        ]
    ) { f in
        var outcome = Outcome()
        for seed: UInt64 in [1, 2] {
            let p = LinearRNNParts(input: 2, hidden: 3, output: 2, seed: 80 + seed)
            let x = Probes.input([3, 5, 2], seed: 90 + seed)
            try record(
                [("outputs (weights #\(seed))", f(p, x))],
                gradientsOf: [("x (weights #\(seed))", x)] + p.named.map { ("\($0.0) (weights #\(seed))", $0.1) }, into: &outcome)
        }
        return outcome
    }
}
