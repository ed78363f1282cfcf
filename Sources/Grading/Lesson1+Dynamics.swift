import Autograd
import Foundation
import Solution1

// The graders of lesson 1, continued: training, generation, and the closed loop.

extension Lesson1Graders {
    // MARK: - 1.5 one epoch of training

    public typealias TrainEpoch = (
        _ model: (Tensor) throws -> Tensor, _ optimizer: any Optimizer, _ inputs: Tensor, _ targets: Tensor,
        _ batchSize: Int, _ rng: inout RNG
    ) throws -> [Float]

    /// The grader's small version of the experiment: 128 training and 32 test sequences of
    /// 40 samples (f = 1), a 2-unit model, batches of 4, Adam at 0.03, four epochs. The
    /// reference ends near 0.01 whatever the batch order; copying the input scores 0.19.
    static let trainingSetup = (train: 128, test: 32, steps: 40, hidden: 2, batch: 4, learningRate: Float(0.03), epochs: 4)

    /// A training loop like the reference's, with one of the known mistakes.
    static func trainWith(
        _ model: (Tensor) throws -> Tensor, _ optimizer: any Optimizer, _ inputs: Tensor, _ targets: Tensor, _ batchSize: Int,
        _ rng: inout RNG,
        zeroGrad: Bool = true, zeroGradAfterBackward: Bool = false, againstInputs: Bool = false, epochMean: Bool = false
    ) throws -> [Float] {
        var losses: [Float] = []
        for idx in try batches(count: inputs.shape[0], batchSize: batchSize, shuffle: true, rng: &rng) {
            let x = try inputs.indexSelect(axis: 0, indices: idx)
            let y = againstInputs ? x : try targets.indexSelect(axis: 0, indices: idx)
            let loss = try mseLoss(model(x), y)
            losses.append(try loss.item())
            if zeroGrad, !zeroGradAfterBackward { optimizer.zeroGrad() }
            try loss.backward()
            if zeroGradAfterBackward { optimizer.zeroGrad() }
            optimizer.step()
        }
        return epochMean ? [losses.reduce(0, +) / Float(losses.count)] : losses
    }

    public static let trainEpoch = Exercise<TrainEpoch>(
        id: "1.5", title: "Training for next-step prediction", symbol: "trainEpoch(model:optimizer:inputs:targets:batchSize:rng:)",
        file: "Lessons/Lesson1/Training.swift",
        reference: Solution1.trainEpoch,
        mistakes: [
            Mistake(
                "forgot-zero-grad", "the gradients are never reset, so every step uses the sum of all past gradients",
                feedback:
                    "backward() adds to each parameter's .grad. Without zeroGrad() the gradient of batch 10 still carries batches 1 to 9, and the steps keep pushing in old directions. Call optimizer.zeroGrad() before every backward()."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, zeroGrad: false)
            },
            Mistake(
                "zero-grad-before-step", "the gradients are reset between backward() and step(): the optimizer never sees them",
                feedback:
                    "The order is zeroGrad → backward → step. Resetting after backward() throws away the gradient just computed, so step() has nothing to follow and the weights never change. Move zeroGrad() before backward()."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, zeroGradAfterBackward: true)
            },
            Mistake(
                "loss-against-inputs", "the loss compares the predictions with the inputs, not the targets",
                feedback:
                    "mseLoss(model(x), x) rewards repeating the sample just read: the model learns to copy, and its next-step error stays at the copy error. Compare with the targets, the batch's rows of `targets`."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, againstInputs: true)
            },
            Mistake(
                "epoch-mean", "one number for the epoch instead of one loss per batch",
                feedback:
                    "One number per epoch hides how the loss falls within the epoch, and how noisy it is from batch to batch — both are what the loss curve is for. Append loss.item() for every batch and return them all."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, epochMean: true)
            },
        ],
        criterion: .rule { got, want in
            guard let losses = got["batch losses"]?.values, let expected = want["batch losses"]?.values,
                let after = got["test MSE after training"]?.values.first, let wantAfter = want["test MSE after training"]?.values.first,
                let before = want["test MSE before training"]?.values.first
            else { return "trainEpoch returned nothing to grade" }
            let s = trainingSetup
            guard losses.count == expected.count else {
                return
                    "\(s.epochs) epochs of \(s.train) sequences in batches of \(s.batch) returned \(losses.count) losses, expected \(expected.count): one loss.item() per batch"
            }
            guard losses.allSatisfy(\.isFinite), after.isFinite else {
                return "the training diverged: a loss is \(format(losses.first { !$0.isFinite } ?? after))"
            }
            let perEpoch = expected.count / s.epochs
            let (mine, theirs) = (mean(losses.prefix(perEpoch)), mean(expected.prefix(perEpoch)))
            if mine > 2 * theirs || mine < theirs / 2 {
                return
                    "your batch losses average \(format(mine)) over the first epoch, the reference's \(format(theirs)): record loss.item() of mseLoss(model(x), y), the mean over the batch"
            }
            if after > Swift.max(1.5 * wantAfter, wantAfter + 0.01) {
                return
                    "after training, the next-step test MSE is \(format(after)); it starts at \(format(before)) and the reference reaches \(format(wantAfter)) (margin: 1.5× or +0.01)"
            }
            return nil
        }
    ) { train in
        let s = trainingSetup
        var data = RNG(seed: 2024)
        let (x, y) = try Solution1.nextStepPairs(Solution1.sinusoids(count: s.train, steps: s.steps, rng: &data))
        let (tx, ty) = try Solution1.nextStepPairs(Solution1.sinusoids(count: s.test, steps: s.steps, rng: &data))
        let model = LinearRNNParts(input: 1, hidden: s.hidden, output: 1, seed: 5, initialStd: 0.01).reference
        let testMSE = { try noGrad { try mseLoss(model(tx), ty).item() } }
        var outcome = Outcome()
        outcome.record("test MSE before training", try testMSE())
        let optimizer = try Adam(model.parameters(), learningRate: s.learningRate)
        var rng = RNG(seed: 9)
        var losses: [Float] = []
        for _ in 0..<s.epochs { losses += try train({ try model($0) }, optimizer, x, y, s.batch, &rng) }
        outcome.record("batch losses", losses)
        outcome.record("test MSE after training", try testMSE())
        return outcome
    }

    // MARK: - 1.6 free-running generation

    public typealias Generate = (LinearRNNParts, _ prefix: Tensor, _ steps: Int) throws -> Tensor

    /// Generation like the reference's, with one of the known mistakes.
    static func generateWith(
        _ p: LinearRNNParts, _ prefix: Tensor, _ steps: Int,
        restart: Bool = false, includeLastSample: Bool = false, feedLastSample: Bool = false
    ) throws -> Tensor {
        try noGrad {
            var h = p.initialHidden, y = Tensor.zeros([0])
            for t in 0..<prefix.shape[1] { (y, h) = try stepWith(p, prefix.select(axis: 1, index: t), h) }
            let last = try prefix.select(axis: 1, index: -1)
            if restart { h = p.initialHidden }
            var outputs: [Tensor] = includeLastSample ? [last] : []
            while outputs.count < steps {
                outputs.append(y)
                (y, h) = try stepWith(p, feedLastSample ? last : y, h)
            }
            return try stack(outputs, axis: 1)
        }
    }

    public static let generate = Exercise<Generate>(
        id: "1.6", title: "Free-running generation", symbol: "generate(prefix:steps:)", file: "Lessons/Lesson1/Generation.swift",
        reference: { p, prefix, n in try p.reference.generate(prefix: prefix, steps: n) },
        mistakes: [
            Mistake(
                "includes-last-sample", "the first value returned is the last sample of the prefix, not a prediction",
                feedback:
                    "The notebook starts its list with the starting point itself; here the result holds only what the model produced: entry 0 is its prediction after reading the whole prefix. Returning the last sample shifts everything one step late."
            ) { p, prefix, n in
                try generateWith(p, prefix, n, includeLastSample: true)
            },
            Mistake(
                "restarted-state", "the state goes back to initialHidden after the prefix",
                feedback:
                    "The prefix is there to put the state in the right place of the cycle. Restarting from initialHidden throws that away, and the model continues from a blank state. Carry h from the prefix into the free-running loop."
            ) { p, prefix, n in
                try generateWith(p, prefix, n, restart: true)
            },
            Mistake(
                "fed-last-sample", "the last sample of the prefix is fed again and again instead of the predictions",
                feedback:
                    "Free-running means the model reads what it has just said: x ← y after every step. Feeding the same real sample each time gives the model a constant input, which is not generation."
            ) { p, prefix, n in
                try generateWith(p, prefix, n, feedLastSample: true)
            },
        ]
    ) { f in
        var outcome = Outcome()
        for seed: UInt64 in [1, 2] {
            let p = LinearRNNParts(input: 1, hidden: 3, output: 1, seed: 100 + seed)
            let prefix = Probes.input([2, 4, 1], seed: 110 + seed, -1...1).detached()
            outcome.record("6 generated steps (weights #\(seed))", try f(p, prefix, 6))
        }
        return outcome
    }

    // MARK: - 1.7 the closed loop

    public typealias ClosedLoop = (LinearRNNParts) throws -> (matrix: Tensor, offset: Tensor)

    public static let closedLoop = Exercise<ClosedLoop>(
        id: "1.7", title: "The closed loop as one affine map", symbol: "closedLoop(of:)", file: "Lessons/Lesson1/ClosedLoop.swift",
        reference: { p in try Solution1.closedLoop(of: p.reference) },
        mistakes: [
            Mistake(
                "open-loop", "A = W_hh: the path through the fed-back output is missing",
                feedback:
                    "When the output is fed back, the next input is x = W_hy·h + b_hy, and it enters the state through W_xh. So the state reaches the next state two ways: directly (W_hh) and around the loop (W_xh·W_hy). Substitute x into h′ = W_xh·x + b_xh + W_hh·h + b_hh and collect the terms in h."
            ) { p in
                (p.hiddenToHidden.weight.detached(), try p.inputToHidden.bias! + p.hiddenToHidden.bias!)
            },
            Mistake(
                "reversed-product", "the loop term is W_hy·W_xh, a 1×1 number broadcast over the matrix",
                feedback:
                    "W_hy·W_xh is [output, hidden]·[hidden, input] = [1, 1]: it goes around the loop from the output back to the output. The state's loop starts at h: first W_hy (state → output), then W_xh (input → state), written right to left: W_xh·W_hy, [hidden, hidden]."
            ) { p in
                let wxh = p.inputToHidden.weight, why = p.hiddenToOutput.weight
                let c = try wxh.matmul(p.hiddenToOutput.bias!.unsqueeze(1)).squeeze(1) + p.inputToHidden.bias! + p.hiddenToHidden.bias!
                return (try p.hiddenToHidden.weight + why.matmul(wxh), c)
            },
            Mistake(
                "transposed", "the matrix is transposed: it acts on rows, not on columns",
                feedback:
                    "In code a layer computes h·Wᵀ (rows), but the lesson writes h′ = A·h with h a column, and a Linear weight [out, in] is already that column matrix. A and Aᵀ have the same eigenvalues, yet A[i][j] must say how much of unit j reaches unit i. Drop the transposes."
            ) { p in
                let (a, c) = try Solution1.closedLoop(of: p.reference)
                return (try a.transpose(0, 1), c)
            },
            Mistake(
                "forgot-output-bias", "the offset leaves out W_xh·b_hy",
                feedback:
                    "The fed-back input is W_hy·h + b_hy: its bias travels through W_xh into the state too. The offset is c = W_xh·b_hy + b_xh + b_hh."
            ) { p in
                let (a, _) = try Solution1.closedLoop(of: p.reference)
                return (a, try p.inputToHidden.bias! + p.hiddenToHidden.bias!)
            },
        ]
    ) { f in
        var outcome = Outcome()
        for seed: UInt64 in [1, 2] {
            let (a, c) = try f(LinearRNNParts(input: 1, hidden: 3, output: 1, seed: 120 + seed))
            outcome.record("A (weights #\(seed))", a)
            outcome.record("c (weights #\(seed))", c)
        }
        return outcome
    }

    // MARK: - 1.8 eigenvalues of a 2×2 matrix

    public typealias Eigenvalues2x2 = (Tensor) throws -> [(re: Double, im: Double)]

    /// Complex pairs, distinct real roots of both signs, a double root.
    static let eigenProbes: [[[Float]]] = [
        [[0.8, -0.6], [0.6, 0.8]], [[2, 1], [1, 2]], [[-0.5, 0.2], [0.1, 0.9]], [[1.1, -0.55], [0.8, 0.5]], [[1, 1], [0, 1]],
        [[0, -1], [1, 0]],
    ]

    /// The quadratic formula with one of the known mistakes.
    static func eigenWith(_ a: Tensor, clamp: Bool = false, noHalf: Bool = false) throws -> [(re: Double, im: Double)] {
        let v = a.scalars.map(Double.init)
        let (tr, det) = (v[0] + v[3], v[0] * v[3] - v[1] * v[2])
        if noHalf {
            let d = tr * tr - 4 * det
            return d >= 0 ? [(tr + d.squareRoot(), 0), (tr - d.squareRoot(), 0)] : [(tr, (-d).squareRoot()), (tr, -(-d).squareRoot())]
        }
        let m = tr / 2, d = clamp ? Swift.max(m * m - det, 0) : m * m - det
        return [(m + d.squareRoot(), 0), (m - d.squareRoot(), 0)]
    }

    public static let eigenvalues2x2 = Exercise<Eigenvalues2x2>(
        id: "1.8", title: "Eigenvalues of a 2×2 matrix", symbol: "eigenvalues2x2(_:)", file: "Lessons/Lesson1/ClosedLoop.swift",
        reference: { a in try Solution1.eigenvalues2x2(a).map { ($0.re, $0.im) } },
        mistakes: [
            Mistake(
                "nan-for-complex", "a negative discriminant goes into squareRoot(): NaN",
                feedback:
                    "When m² − det < 0 there is no real root: (m² − det).squareRoot() is NaN. That case is the interesting one — a rotation. Test the sign first and return m ± i·√(det − m²)."
            ) { a in
                try eigenWith(a)
            },
            Mistake(
                "clamped-discriminant", "a negative discriminant is clamped to 0: a rotation looks like a double real root",
                feedback:
                    "max(m² − det, 0) hides the complex case instead of handling it: a pure rotation comes out as the real number m twice, and the oscillation disappears from the analysis. For m² − det < 0, return the pair m ± i·√(det − m²)."
            ) { a in
                try eigenWith(a, clamp: true)
            },
            Mistake(
                "forgot-half", "λ = tr ± √(tr² − 4·det), without dividing by 2",
                feedback:
                    "The quadratic formula for λ² − tr·λ + det = 0 divides by 2a = 2: λ = (tr ± √(tr² − 4·det)) / 2, which is m ± √(m² − det) with m = tr/2. Check with the identity matrix: its eigenvalues are 1 and 1, not 2 and 2."
            ) { a in
                try eigenWith(a, noHalf: true)
            },
        ],
        criterion: .rule { got, want in
            for m in eigenProbes {
                let name = "eigenvalues of \(matrixText(m))"
                guard let g = got[name]?.values, let w = want[name]?.values else { return "\(name) are missing" }
                guard g.count == 4 else {
                    return "for \(matrixText(m)) you return \(g.count / 2) eigenvalues; a 2×2 matrix has 2 (complex ones count once each)"
                }
                let close = { (x: [Float]) in zip(x, w).allSatisfy { Swift.abs($0 - $1) <= 1e-4 + 1e-4 * Swift.abs($1) } }
                if !close(g), !close([g[2], g[3], g[0], g[1]]) {
                    return
                        "for \(matrixText(m)) you return \(complexText(g[0], g[1])) and \(complexText(g[2], g[3])); expected \(complexText(w[0], w[1])) and \(complexText(w[2], w[3])) (in either order)"
                }
            }
            return nil
        }
    ) { f in
        var outcome = Outcome()
        for m in eigenProbes {
            let values = try f(try Tensor(m))
            outcome.record("eigenvalues of \(matrixText(m))", values.flatMap { [Float($0.re), Float($0.im)] })
        }
        return outcome
    }

    static func mean<C: Collection>(_ xs: C) -> Float where C.Element == Float { xs.isEmpty ? 0 : xs.reduce(0, +) / Float(xs.count) }

    static func matrixText(_ m: [[Float]]) -> String {
        "[" + m.map { "[" + $0.map(format).joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    }

    static func complexText(_ re: Float, _ im: Float) -> String {
        im == 0 ? format(re) : "\(format(re)) \(im < 0 ? "−" : "+") \(format(Swift.abs(im)))i"
    }

    /// Every exercise of lesson 1, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(sinusoids), AnyExercise(nextStepPairs), AnyExercise(step), AnyExercise(unroll),
        AnyExercise(trainEpoch), AnyExercise(generate), AnyExercise(closedLoop), AnyExercise(eigenvalues2x2),
    ]
}
