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
            // Weights that do not sum to 1, and noise on a sum of two sinusoids.
            ("f = [1, 0.5], weights [1.5, 0.5], noise 0.2", 256, [1, 0.5], [1.5, 0.5], 100, 0.1, 0.2, 15),
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
            Mistake(
                "weights-normalised", "the given weights are divided by their sum",
                feedback:
                    "The weights are the amplitudes the caller asked for: weights [1.5, 0.5] mean a sinusoid of amplitude 1.5 plus one of 0.5, a signal that reaches ±2. Only the default (no weights given) is 1/K each. Use the weights as they are given."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights.map { w in w.map { $0 / w.reduce(0, +) } }, steps, dt, noise, &rng)
            },
            Mistake(
                "phase-per-sample", "a new phase is drawn for every sample, not once per sequence",
                feedback:
                    "The phase says where in its cycle a sequence starts; it stays the same for the whole sequence, or the samples are unrelated values of sin and there is no signal to predict. Draw the K phases once per sequence, before the loop over time."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights, steps, dt, noise, &rng, phasePerSample: true)
            },
            Mistake(
                "noise-per-sequence", "one noise value is drawn per sequence and added to all its samples",
                feedback:
                    "noise·ε with one ε per sequence only shifts the whole sequence up or down: the samples stay perfectly predictable from each other, so the model never meets noise. The noise is one rng.normal() for every sample: draw it inside the loop over time."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights, steps, dt, noise, &rng, noiseDraw: .perSequence)
            },
            Mistake(
                "noise-shared-by-sequences", "the noise is drawn once for the time steps and added to every sequence",
                feedback:
                    "A noise vector drawn once, outside the loop over sequences, puts the same disturbance at step t of every sequence: it becomes part of the signal, one the model can learn by heart. Draw the noise inside the loop over sequences, a fresh value for every sample."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights, steps, dt, noise, &rng, noiseDraw: .sharedBySequences)
            },
            Mistake(
                "noise-per-frequency", "noise is added inside the sum over frequencies, once per sinusoid",
                feedback:
                    "Adding noise·ε for each of the K sinusoids adds K noises to a sample, whose standard deviation is √K·noise instead of noise. The noise belongs to the sample, not to a sinusoid: add it once, after the sum over the frequencies."
            ) { count, freqs, weights, steps, dt, noise, rng in
                try signals(count, freqs, weights, steps, dt, noise, &rng, noiseDraw: .perFrequency)
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
                        "for \(c.name), the sinusoid at f = \(format(f)) has amplitude \(format(g("amplitudes")[k])) on average (fitted by least squares), expected its weight \(format(w("amplitudes")[k])) (the weight as given; 1/K each when none are given)"
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
                if g("noise mean per sequence")[0] > 2 * w("noise mean per sequence")[0] + 0.02 {
                    return
                        "for \(c.name), the noise of each sequence has a mean of its own: the means spread by \(format(g("noise mean per sequence")[0])) from sequence to sequence, expected about \(format(w("noise mean per sequence")[0])) for independent noise; draw a fresh ε for every sample, not one per sequence"
                }
                if g("noise mean per step")[0] > 2 * w("noise mean per step")[0] + 0.02 {
                    return
                        "for \(c.name), the noise at step t is the same in every sequence: its mean over the sequences spreads by \(format(g("noise mean per step")[0])) from step to step, expected about \(format(w("noise mean per step")[0])); draw the noise inside the loop over sequences"
                }
                if Swift.abs(g("residual")[0] - w("residual")[0]) > 0.02 {
                    return
                        "for \(c.name), what remains after the fitted sinusoids has standard deviation \(format(g("residual")[0])), expected \(format(w("residual")[0])) (the noise level: one noise·ε per sample, added once after the sum over the frequencies)"
                }
            }
            return nil
        },
        // The outcome is statistics of random signals: a mistake written with the random
        // draws in another order gives nearly the same numbers, and is still that mistake.
        mistakeTolerance: Tolerance(atol: 0.1, rtol: 0.05)
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
            outcome.record("noise mean per sequence of \(c.name)", fit.rowMeanSpread)
            outcome.record("noise mean per step of \(c.name)", fit.stepMeanSpread)
        }
        return outcome
    }

    /// How a wrong generator draws its noise (the reference: one ε per sample).
    enum NoiseDraw { case perSample, perSequence, sharedBySequences, perFrequency }

    /// Signals built like the reference (phases, then noise, per sequence), with a wrong
    /// angle, phases, weights or noise: the known mistakes of 1.1.
    static func signals(
        _ count: Int, _ freqs: [Float], _ weights: [Float]?, _ steps: Int, _ dt: Float, _ noise: Float, _ rng: inout RNG,
        angle: (Float, Float, Float) -> Float = { f, t, phase in 2 * .pi * f * t + phase },
        phases: ((inout RNG) -> [Float])? = nil, phasePerSample: Bool = false, noiseDraw: NoiseDraw = .perSample
    ) throws -> Tensor {
        let w = weights ?? freqs.map { _ in 1 / Float(freqs.count) }
        let shared = noiseDraw == .sharedBySequences && noise > 0 ? (0..<steps).map { _ in rng.normal() } : []
        var values = [Float](repeating: 0, count: count * steps)
        for n in 0..<count {
            var phi = phases?(&rng) ?? freqs.map { _ in 2 * Float.pi * rng.uniform() }
            for t in 0..<steps {
                if phasePerSample, t > 0 { phi = freqs.map { _ in 2 * Float.pi * rng.uniform() } }
                for k in freqs.indices {
                    values[n * steps + t] += w[k] * Foundation.sin(angle(freqs[k], Float(t) * dt, phi[k]))
                    if noiseDraw == .perFrequency, noise > 0 { values[n * steps + t] += noise * rng.normal() }
                }
            }
            guard noise > 0 else { continue }
            let once = noiseDraw == .perSequence ? rng.normal() : 0
            for t in 0..<steps {
                switch noiseDraw {
                case .perSample: values[n * steps + t] += noise * rng.normal()
                case .perSequence: values[n * steps + t] += noise * once
                case .sharedBySequences: values[n * steps + t] += noise * shared[t]
                case .perFrequency: break
                }
            }
        }
        return try Tensor(values, shape: [count, steps])
    }

    /// Least-squares fit of every row with a·sin(2πft) + b·cos(2πft) per frequency:
    /// amplitude √(a² + b²) and phase atan2(b, a) (since w·sin(θ + φ) = w cos φ·sin θ + w sin φ·cos θ).
    static func fitSinusoids(
        _ s: Tensor, frequencies: [Float], dt: Float
    )
        -> (
            meanAmplitude: [Float], amplitudeSpread: Float, phaseConcentration: [Float], phaseCoupling: Float, residual: Float,
            rowMeanSpread: Float, stepMeanSpread: Float
        )
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
        var rowMeans = [Double](), stepSums = [Double](repeating: 0, count: steps)
        for r in 0..<rows {
            let x = values[(r * steps)..<(r * steps + steps)].map(Double.init)
            var rhs = [Double](repeating: 0, count: m)
            for (t, row) in basis.enumerated() { for i in 0..<m { rhs[i] += row[i] * x[t] } }
            let coef = solve(normal, rhs)
            let sinCos: [(a: Double, b: Double)] = (0..<k).map { j in (coef[2 * j], coef[2 * j + 1]) }
            amplitudes.append(sinCos.map { ($0.a * $0.a + $0.b * $0.b).squareRoot() })
            phases.append(sinCos.map { Foundation.atan2($0.b, $0.a) })
            var rowSum = 0.0
            for (t, row) in basis.enumerated() {
                let left = x[t] - (0..<m).reduce(0.0) { $0 + row[$1] * coef[$1] }
                squared += left * left
                rowSum += left
                stepSums[t] += left
            }
            rowMeans.append(rowSum / Double(steps))
        }
        let mean = (0..<k).map { j in amplitudes.reduce(0) { $0 + $1[j] } / Double(rows) }
        let spread = amplitudes.flatMap { a in (0..<k).map { Swift.abs(a[$0] - mean[$0]) } }.max() ?? 0
        func resultant(_ angles: [Double]) -> Float {
            let (c, s) = angles.reduce((0.0, 0.0)) { ($0.0 + Foundation.cos($1), $0.1 + Foundation.sin($1)) }
            return Float((c * c + s * s).squareRoot() / Double(Swift.max(angles.count, 1)))
        }
        let concentration = (0..<k).map { j in resultant(phases.map { $0[j] }) }
        let coupling = k == 2 ? resultant(phases.map { $0[0] - $0[1] }) : 0
        /// The standard deviation of some numbers (how much the noise's means move around).
        func std(_ xs: [Double]) -> Float {
            let mu = xs.reduce(0, +) / Double(Swift.max(xs.count, 1))
            return Float((xs.reduce(0) { $0 + ($1 - mu) * ($1 - mu) } / Double(Swift.max(xs.count, 1))).squareRoot())
        }
        return (
            mean.map(Float.init), Float(spread), concentration, coupling, Float((squared / Double(rows * steps)).squareRoot()),
            std(rowMeans), std(stepSums.map { $0 / Double(rows) })
        )
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
            Mistake(
                "time-from-batch-axis", "the number of steps is read from shape[0], the number of sequences",
                feedback:
                    "signals is [N, T]: shape[0] counts the sequences, shape[1] the samples of each. Taking T from shape[0] cuts every sequence to N − 1 pairs, whatever its length. Read T from the time axis, shape[1]."
            ) { s in
                try pairsWith(s, pairs: s.shape[0] - 1)
            },
            Mistake(
                "one-pair-short", "the inputs stop at T − 2: the last pair (sample T − 2 → sample T − 1) is lost",
                feedback:
                    "A Range's upper bound is already left out: 0..<(T − 1) holds samples 0 to T − 2, every sample that has a successor. Stopping one earlier throws away the last pair of every sequence. Take 0..<(T − 1) and 1..<T."
            ) { s in
                try pairsWith(s, pairs: s.shape[1] - 2)
            },
            Mistake(
                "two-steps-ahead", "the target is the sample two steps later, t + 2",
                feedback:
                    "Next-step prediction pairs sample t with sample t + 1: the two slices start one step apart, at 0 and at 1. Starting the targets at 2 asks the model to skip a sample."
            ) { s in
                try pairsWith(s, pairs: s.shape[1] - 2, ahead: 2)
            },
            Mistake(
                "targets-without-feature-axis", "the inputs get their feature axis but the targets stay [N, T − 1]",
                feedback:
                    "The model's predictions are [N, T − 1, 1], and mseLoss between [N, T − 1, 1] and [N, T − 1] does not fail: it broadcasts to [N, T − 1, T − 1] and compares every prediction with every target. Add the last axis to the targets too, with unsqueeze(2)."
            ) { s in
                try pairsWith(s, pairs: s.shape[1] - 1, targetFeatureAxis: false)
            },
        ]
    ) { f in
        var outcome = Outcome()
        // A single short sequence too: what a student's code does with one row.
        for (i, shape) in [[3, 7], [2, 4], [1, 3]].enumerated() {
            let s = Probes.input(shape, seed: UInt64(40 + i)).detached()
            Probes.expose([("signals", s)])
            let (x, y) = try f(s)
            outcome.record("inputs of a \(shape) batch", x)
            outcome.record("targets of a \(shape) batch", y)
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// `pairs` inputs from sample 0 on and as many targets from sample `ahead` on, each
    /// [N, pairs, 1] (the targets [N, pairs] without `targetFeatureAxis`): 1.2's mistakes.
    static func pairsWith(_ s: Tensor, pairs: Int, ahead: Int = 1, targetFeatureAxis: Bool = true) throws -> (inputs: Tensor, targets: Tensor) {
        let targets = try s.slice(axis: 1, ahead..<(ahead + pairs))
        return (try s.slice(axis: 1, 0..<pairs).unsqueeze(2), targetFeatureAxis ? try targets.unsqueeze(2) : targets)
    }
    // END INSTRUCTOR

    // MARK: - 1.3 one step

    public typealias Step = (LinearRNNParts, Tensor, Tensor) throws -> (output: Tensor, hidden: Tensor)

    // BEGIN INSTRUCTOR
    static func stepWith(
        _ p: LinearRNNParts, _ x: Tensor, _ h: Tensor, activation: ((Tensor) -> Tensor)? = nil, outputFromOld: Bool = false, noInput: Bool = false,
        transposedHidden: Bool = false, hiddenBias: Bool = true, outputBias: Bool = true, swapped: Bool = false, hiddenRowsOnly: Bool = false
    ) throws -> (output: Tensor, hidden: Tensor) {
        var pre = try affine(p.hiddenToHidden, h, bias: hiddenBias, transposed: transposedHidden, rowsOnly: hiddenRowsOnly)
        if !noInput { pre = try p.inputToHidden(x) + pre }
        let new = activation?(pre) ?? pre
        let output = try affine(p.hiddenToOutput, outputFromOld ? h : new, bias: outputBias)
        return swapped ? (new, output) : (output, new)
    }
    // END INSTRUCTOR

    /// The reference with a nonlinearity on the new state (tanh, sigmoid, relu) — this
    /// model has none — as `make` builds it from a step with that activation.
    static func activationVariants<I>(_ make: (@escaping (Tensor) -> Tensor) -> I) -> [Variant<I>] {
        let activations: [(String, (Tensor) -> Tensor)] = [("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() }), ("relu", { $0.relu() })]
        return activations.map { name, f in Variant("\(name)-on-state", "a \(name) on the new state", make(f)) }
    }

    // BEGIN INSTRUCTOR
    /// What a Linear layer computes, x·Wᵀ + b, or with its weight not transposed (x·W) or
    /// its bias left out: the layer as a student's hand-written matmul gets it wrong. With
    /// `rowsOnly`, written by hand for a batch of rows: a single vector x [in] is not made a row.
    static func affine(_ layer: Linear, _ x: Tensor, bias: Bool = true, transposed: Bool = false, rowsOnly: Bool = false) throws -> Tensor {
        if bias, !transposed, !rowsOnly { return try layer(x) }
        let product = try (x.rank == 1 && !rowsOnly ? x.unsqueeze(0) : x).matmul(transposed ? layer.weight : layer.weight.transpose(0, 1))
        return bias ? try product + layer.bias! : product
    }
    // END INSTRUCTOR

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
                try stepWith(p, x, h, activation: { $0.tanh() })
            },
            Mistake(
                "ignored-input", "the new state ignores the input x",
                feedback:
                    "h′ = W_xh·x + b_xh + W_hh·h + b_hh: the input enters at every step, through inputToHidden. Without it the model never sees the signal."
            ) { p, x, h in
                try stepWith(p, x, h, noInput: true)
            },
            Mistake(
                "transposed-W_hh", "the state is multiplied by W_hh, not by its transpose: h·W_hh",
                feedback:
                    "A Linear weight is [out, in], and a layer computes h·Wᵀ for a batch of rows h. W_hh is square, so h·W_hh runs without a shape error — but it sends unit i's value where unit j's belongs. Call the layer, hiddenToHidden(h), or multiply by W_hh.transpose(0, 1)."
            ) { p, x, h in
                try stepWith(p, x, h, transposedHidden: true)
            },
            Mistake(
                "forgot-hidden-bias", "the hidden-to-hidden bias b_hh is left out",
                feedback:
                    "Each of the two layers into the state has its own bias: h′ = W_xh·x + b_xh + W_hh·h + b_hh. A hand-written h.matmul(W_hhᵀ) leaves b_hh out, and it never trains. Call the layer, hiddenToHidden(h), which adds it."
            ) { p, x, h in
                try stepWith(p, x, h, hiddenBias: false)
            },
            Mistake(
                "forgot-output-bias", "the output bias b_hy is left out: y = W_hy·h′",
                feedback:
                    "The output is affine too: y = W_hy·h′ + b_hy. Without b_hy the model cannot shift its predictions, and a signal whose mean is not 0 can never be matched. Call the layer, hiddenToOutput(h′), which adds it."
            ) { p, x, h in
                try stepWith(p, x, h, outputBias: false)
            },
            Mistake(
                "returned-in-wrong-order", "the step returns (new state, output) instead of (output, new state)",
                feedback:
                    "The result is the tuple (output: y, hidden: h′), in that order: whoever calls step reads .output and .hidden, or takes the first element as the output. Return (output, newHidden)."
            ) { p, x, h in
                try stepWith(p, x, h, swapped: true)
            },
            Mistake(
                "state-as-rows-only", "the state goes through h.matmul(W_hhᵀ), which needs h as [batch, hidden]: a single state [hidden] throws",
                feedback:
                    "The state is not always a batch of rows: the first step gets initialHidden, one vector [hidden] shared by the whole batch, and matmul needs both sides 2-D. A Linear layer takes either: hiddenToHidden(h) broadcasts one state over the batch. Call the layer instead of h.matmul(…), then check again."
            ) { p, x, h in
                try stepWith(p, x, h, hiddenRowsOnly: true)
            },
            Mistake(
                "output-reshaped-like-input", "the output is reshaped to x's shape, [batch, input], instead of [batch, output]",
                feedback:
                    "The output has one value per output feature, not per input feature: W_hy maps the state to [batch, output]. reshape(x.shape) only fits when input = output (1 and 1 in the lesson's signal), and here 4 outputs do not fit into 2 inputs. Return hiddenToOutput(h′) as it is, without a reshape, then check again."
            ) { p, x, h in
                let (y, new) = try stepWith(p, x, h)
                return (try y.reshape(x.shape), new)
            },
        ],
        variants: activationVariants { f in { p, x, h in try stepWith(p, x, h, activation: f) } }
    ) { f in
        var outcome = Outcome()
        // Batch 5, input 2, hidden 3, output 4: no two sizes equal, so no axis mix-up fits by
        // accident. Weights #3 get one state [hidden] for the whole batch, as initialHidden is.
        for seed: UInt64 in [1, 2, 3] {
            let p = LinearRNNParts(input: 2, hidden: 3, output: 4, seed: 50 + seed)
            let x = Probes.input([5, 2], seed: 60 + seed), h = Probes.input(seed == 3 ? [3] : [5, 3], seed: 70 + seed)
            Probes.expose(p.named + [("x", x), ("h", h)])
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

    // BEGIN INSTRUCTOR
    static func unrollWith(
        _ p: LinearRNNParts, _ x: Tensor, start: Tensor? = nil, resetEveryStep: Bool = false, timeAxis: Int = 1,
        detachState: Bool = false, reversed: Bool = false, stepsShort: Int = 0, activation: ((Tensor) -> Tensor)? = nil
    ) throws -> Tensor {
        var h = start ?? p.initialHidden
        var outputs: [Tensor] = []
        let times = Array(0..<(x.shape[1] - stepsShort))
        for t in reversed ? times.reversed() : times {
            let (y, next) = try stepWith(p, x.select(axis: 1, index: t), resetEveryStep ? (start ?? p.initialHidden) : h, activation: activation)
            outputs.append(y)
            h = detachState ? next.detached() : next
        }
        return try stack(outputs, axis: timeAxis)
    }
    // END INSTRUCTOR

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
            Mistake(
                "detached-state", "the state is detached between steps: no gradient flows back through time",
                feedback:
                    "h = next.detached() gives the same outputs, but cuts the chain: the loss at step t can no longer reach W_hh, W_xh or h₀ through the earlier steps, so the model cannot learn what its memory is for. Carry the state itself, h = next."
            ) { p, x in
                try unrollWith(p, x, detachState: true)
            },
            Mistake(
                "reversed-time", "the steps run from the last sample to the first",
                feedback:
                    "The state must read the sequence in the order it happens: step t reads x[:, t] after all the earlier samples, and outputs[:, t] is the output after reading x[:, t]. Loop t from 0 up to T − 1."
            ) { p, x in
                try unrollWith(p, x, reversed: true)
            },
            Mistake(
                "one-step-short", "the loop stops at T − 2: the last sample is never read",
                feedback:
                    "0..<T already stops before T: it visits every step 0 … T − 1. With 0..<(T − 1) the last sample is never read and the outputs are one step short of the targets. Loop over 0..<x.shape[1]."
            ) { p, x in
                try unrollWith(p, x, stepsShort: 1)
            },
            Mistake(
                "outputs-reshaped-like-input", "the stacked outputs are reshaped to x's shape, [batch, time, input], instead of [batch, time, output]",
                feedback:
                    "Each step speaks output values, not input values: the outputs are [batch, time, output]. reshape(x.shape) only fits when input = output, as in the lesson's one-feature signal; with 2 inputs and 4 outputs it cannot. Stack the step outputs on axis 1 and return them without a reshape, then check again."
            ) { p, x in
                try unrollWith(p, x).reshape(x.shape)
            },
        ],
        variants: activationVariants { f in { p, x in try unrollWith(p, x, activation: f) } }
    ) { f in
        var outcome = Outcome()
        // Batch 6, time 5, input 2, hidden 3, output 4: no two sizes equal.
        for seed: UInt64 in [1, 2] {
            let p = LinearRNNParts(input: 2, hidden: 3, output: 4, seed: 80 + seed)
            let x = Probes.input([6, 5, 2], seed: 90 + seed)
            Probes.expose(p.named + [("x", x)])
            try record(
                [("outputs (weights #\(seed))", f(p, x))],
                gradientsOf: [("x (weights #\(seed))", x)] + p.named.map { ("\($0.0) (weights #\(seed))", $0.1) }, into: &outcome)
        }
        return outcome
    }
}
