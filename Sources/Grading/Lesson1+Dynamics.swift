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

    /// The grader's small version of the experiment: 126 training and 32 test sequences of
    /// 40 samples (f = 1), a 2-unit model, batches of 5 (the last one holds the 1 sequence
    /// left over), Adam at 0.03, four epochs. The reference ends near 0.01; copying the
    /// input scores 0.19.
    static let trainingSetup = (train: 126, test: 32, steps: 40, hidden: 2, batch: 5, learningRate: Float(0.03), epochs: 4)

    // BEGIN INSTRUCTOR
    /// A training loop like the reference's, with one of the known mistakes.
    static func trainWith(
        _ model: (Tensor) throws -> Tensor, _ optimizer: any Optimizer, _ inputs: Tensor, _ targets: Tensor, _ batchSize: Int,
        _ rng: inout RNG,
        zeroGrad: Bool = true, zeroGradAfterBackward: Bool = false, againstInputs: Bool = false, epochMean: Bool = false,
        shuffle: Bool = true, dropLast: Bool = false, freshRNG: Bool = false, separateTargetOrder: Bool = false,
        lossScale: Float = 1, smoothing: Float = 0
    ) throws -> [Float] {
        var fresh = RNG(seed: 0)
        let n = inputs.shape[0]
        let inputOrder = freshRNG
            ? try batches(count: n, batchSize: batchSize, shuffle: shuffle, rng: &fresh, dropLast: dropLast)
            : try batches(count: n, batchSize: batchSize, shuffle: shuffle, rng: &rng, dropLast: dropLast)
        let targetOrder = separateTargetOrder ? try batches(count: n, batchSize: batchSize, shuffle: shuffle, rng: &rng, dropLast: dropLast) : inputOrder
        var losses: [Float] = []
        for (idx, targetIdx) in zip(inputOrder, targetOrder) {
            let x = try inputs.indexSelect(axis: 0, indices: idx)
            let y = againstInputs ? x : try targets.indexSelect(axis: 0, indices: targetIdx)
            let loss = try mseLoss(model(x), y) * lossScale
            let value = try loss.item()
            losses.append(losses.last.map { smoothing * $0 + (1 - smoothing) * value } ?? value)
            if zeroGrad, !zeroGradAfterBackward { optimizer.zeroGrad() }
            try loss.backward()
            if zeroGradAfterBackward { optimizer.zeroGrad() }
            optimizer.step()
        }
        return epochMean ? [losses.reduce(0, +) / Float(losses.count)] : losses
    }
    // END INSTRUCTOR

    /// How closely the recorded losses must follow the reference's, batch by batch, on the
    /// same seed (an equivalent loop rounds differently, and Adam carries that along).
    static let lossTolerance = Tolerance(atol: 1e-5, rtol: 1e-3)

    /// What is wrong with the sequences one epoch read while training (the rows the model
    /// got with gradients on, by their index in `inputs`), or nil: each exactly once.
    static func usageProblem(_ order: [Int], epoch: Int) -> String? {
        let s = trainingSetup
        if order.contains(-1) {
            return "in epoch \(epoch) the model was given rows that are not training sequences: pass it the rows of `inputs` as they are (indexSelect on axis 0)"
        }
        var counts = [Int](repeating: 0, count: s.train)
        for i in order { counts[i] += 1 }
        let missing = counts.indices.filter { counts[$0] == 0 }
        if let i = missing.first {
            return
                "epoch \(epoch) never trains on \(missing.count) of the \(s.train) sequences (sequence \(i) for one): every sequence is used once per epoch — with \(s.train) sequences in batches of \(s.batch), the last batch holds the \(s.train % s.batch) left over; keep it (batches(…) gives it to you)"
        }
        if let i = counts.indices.first(where: { counts[$0] > 1 }) {
            return
                "epoch \(epoch) trains on sequence \(i) \(counts[i]) times: every sequence once per epoch, one forward pass per batch (evaluate without gradients, in noGrad, if you must run the model again)"
        }
        return nil
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
            Mistake(
                "no-shuffle", "the batches are never shuffled: every epoch reads the sequences in their stored order",
                feedback:
                    "In the same order every epoch, the model always meets the same batches one after the other, and the last batches of an epoch always pull hardest. Draw the batches with batches(count: N, batchSize:, shuffle: true, rng: &rng)."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, shuffle: false)
            },
            Mistake(
                "same-order-every-epoch", "the shuffle uses a new RNG of its own, so every epoch has the same order",
                feedback:
                    "A generator made inside the function starts from the same seed at every call: the batches are shuffled once and then repeated every epoch. Use the rng you are given (inout): drawing from it moves it on, so the next epoch gets a new order."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, freshRNG: true)
            },
            Mistake(
                "dropped-last-batch", "the last, smaller batch is skipped: some sequences are never trained on",
                feedback:
                    "When N is not a multiple of batchSize, the last batch holds the remainder. Dropping it (dropLast, or a loop that stops at N / batchSize full batches) leaves different sequences out every epoch and never trains on them in that epoch. Keep every batch that batches(…) gives."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, dropLast: true)
            },
            Mistake(
                "targets-shuffled-separately", "inputs and targets are shuffled with two different orders",
                feedback:
                    "Two calls to batches(…, shuffle: true) give two different orders: batch k then pairs the inputs of some sequences with the targets of others, and the model learns to predict noise. Draw the indices once per batch and pick both the inputs and the targets with them."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, separateTargetOrder: true)
            },
            Mistake(
                "halved-loss", "the loss is ½·MSE: the recorded losses are half the mean squared error",
                feedback:
                    "½·(p − y)² is a convention of some textbooks (its derivative has no 2), but the lesson's loss, and the one the test error is compared with, is mseLoss: the mean of (p − y)². Adam barely notices a constant factor, the recorded curve does. Use mseLoss(model(x), y) as it is."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, lossScale: 0.5)
            },
            Mistake(
                "smoothed-losses", "a running average of the losses is recorded instead of each batch's loss",
                feedback:
                    "A smoothed curve looks nicer, but it is not what the batches measured: it lags behind the real loss and hides how noisy the batches are. Record loss.item() of every batch as it is; smooth when you plot, if you like."
            ) { m, o, x, y, b, rng in
                try trainWith(m, o, x, y, b, &rng, smoothing: 0.9)
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
            let orders = (1...s.epochs).map { e in got["sequences read in epoch \(e)"]?.values.map { Int($0) } ?? [] }
            for (e, order) in orders.enumerated() {
                if let problem = usageProblem(order, epoch: e + 1) { return problem }
            }
            if orders[0] == Array(0..<s.train) {
                return
                    "epoch 1 reads the sequences in their stored order 0, 1, 2, …: shuffle them, with batches(count: N, batchSize:, shuffle: true, rng: &rng)"
            }
            if orders[0] == orders[1] {
                return
                    "epochs 1 and 2 read the sequences in the same order: shuffle with the rng you are given (inout), so that every epoch draws a new order"
            }
            let perEpoch = expected.count / s.epochs
            let (mine, theirs) = (mean(losses.prefix(perEpoch)), mean(expected.prefix(perEpoch)))
            if mine > 2 * theirs || mine < theirs / 2 {
                return
                    "your batch losses average \(format(mine)) over the first epoch, the reference's \(format(theirs)): record loss.item() of mseLoss(model(x), y), the mean over the batch"
            }
            let tol = lossTolerance
            if let b = losses.indices.first(where: { Swift.abs(losses[$0] - expected[$0]) > tol.atol + tol.rtol * Swift.abs(expected[$0]) }) {
                let ratios = zip(losses, expected).map { $0 / $1 }
                let scaled = ratios.allSatisfy { Swift.abs($0 - ratios[0]) < 0.01 * Swift.abs(ratios[0]) }
                return
                    "batch \(b % perEpoch + 1) of epoch \(b / perEpoch + 1): you record a loss of \(format(losses[b])), the reference \(format(expected[b])) on the same seed and batches (\(tol))"
                    + (scaled ? "; every loss you record is \(format(ratios[0]))× the reference's: record the mean squared error itself" : "")
                    + ". For every batch, record loss.item() of mseLoss(model(x), y) — x and y the same rows of inputs and targets — then zeroGrad, backward, step"
            }
            if after > Swift.max(1.5 * wantAfter, wantAfter + 0.01) {
                return
                    "after training, the next-step test MSE is \(format(after)); it starts at \(format(before)) and the reference reaches \(format(wantAfter)) (margin: 1.5× or +0.01)"
            }
            return nil
        }
    ) { train in
        let s = trainingSetup
        // The reference's signals and pairs (exercises 1.1 and 1.2), recorded for a student edition.
        let made = try Probes.recorded(["1.5 inputs", "1.5 targets", "1.5 test inputs", "1.5 test targets"]) {
            var data = RNG(seed: 2024)
            let (x, y) = try Solution1.nextStepPairs(Solution1.sinusoids(count: s.train, steps: s.steps, rng: &data))
            let (tx, ty) = try Solution1.nextStepPairs(Solution1.sinusoids(count: s.test, steps: s.steps, rng: &data))
            return [x, y, tx, ty]
        }
        let (x, y, tx, ty) = (made[0], made[1], made[2], made[3])
        let parts = LinearRNNParts(input: 1, hidden: s.hidden, output: 1, seed: 5, initialStd: 0.01)
        let model = parts.reference
        let testMSE = { try noGrad { try mseLoss(model(tx), ty).item() } }
        var outcome = Outcome()
        outcome.record("test MSE before training", try testMSE())
        let optimizer = try Adam(model.parameters(), learningRate: s.learningRate)
        // The sequences the model reads while it learns, told apart by their first samples.
        let width = x.count / s.train, values = x.scalars
        let key = { (v: [Float], row: Int) in Array(v[(row * width)..<(row * width + Swift.min(4, width))]) }
        let index = Dictionary((0..<s.train).map { (key(values, $0), $0) }, uniquingKeysWith: { first, _ in first })
        var read: [Int] = []
        let watched = { (batch: Tensor) throws -> Tensor in
            if GradMode.isEnabled, batch.rank == 3, batch.count == batch.shape[0] * width {
                let v = batch.scalars
                read += (0..<batch.shape[0]).map { index[key(v, $0)] ?? -1 }
            }
            return try model(batch)
        }
        var rng = RNG(seed: 9)
        var losses: [Float] = []
        var orders: [[Int]] = []
        Probes.expose([("inputs", x), ("targets", y)] + parts.named)
        for _ in 0..<s.epochs {
            read = []
            losses += try train(watched, optimizer, x, y, s.batch, &rng)
            orders.append(read)
        }
        outcome.record("batch losses", losses)
        for (e, order) in orders.enumerated() { outcome.record("sequences read in epoch \(e + 1)", order.map(Float.init)) }
        outcome.record("test MSE after training", try testMSE())
        return outcome
    }

    // MARK: - 1.6 free-running generation

    public typealias Generate = (LinearRNNParts, _ prefix: Tensor, _ steps: Int) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// Generation like the reference's, with one of the known mistakes.
    static func generateWith(
        _ p: LinearRNNParts, _ prefix: Tensor, _ steps: Int,
        restart: Bool = false, includeLastSample: Bool = false, feedLastSample: Bool = false,
        tracked: Bool = false, skipFirstPrediction: Bool = false, readOnlyLastSample: Bool = false,
        activation: ((Tensor) -> Tensor)? = nil
    ) throws -> Tensor {
        let step = { (x: Tensor, h: Tensor) in try Self.stepWith(p, x, h, activation: activation) }
        let run = {
            var h = p.initialHidden, y = Tensor.zeros([0])
            for t in (readOnlyLastSample ? prefix.shape[1] - 1 : 0)..<prefix.shape[1] {
                (y, h) = try step(prefix.select(axis: 1, index: t), h)
            }
            let last = try prefix.select(axis: 1, index: -1)
            if restart { h = p.initialHidden }
            var outputs: [Tensor] = includeLastSample ? [last] : []
            if skipFirstPrediction { (y, h) = try step(y, h) }
            while outputs.count < steps {
                outputs.append(y)
                (y, h) = try step(feedLastSample ? last : y, h)
            }
            return try stack(outputs, axis: 1)
        }
        return tracked ? try run() : try noGrad(run)
    }
    // END INSTRUCTOR

    /// The name under which 1.6's probe records whether the generated values carry a graph.
    static let generationTracked = "generated values carry gradients (1 = yes)"

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
            Mistake(
                "skipped-first-prediction", "the first value returned is the output of the first free-running step",
                feedback:
                    "Entry 0 is the prediction made right after the last prefix sample — the output of the last prefix step. Stepping once more before keeping anything loses it, and every entry comes one step early. Append y first, then feed it back."
            ) { p, prefix, n in
                try generateWith(p, prefix, n, skipFirstPrediction: true)
            },
            Mistake(
                "read-only-last-sample", "only the last sample of the prefix is read",
                feedback:
                    "One sample cannot tell the state where in the cycle the signal is (is it rising or falling?): that is what the whole prefix is for. Step through every prefix sample, from initialHidden, carrying the state."
            ) { p, prefix, n in
                try generateWith(p, prefix, n, readOnlyLastSample: true)
            },
            Mistake(
                "forgot-no-grad", "the generation runs outside noGrad: every generated value carries a gradient graph",
                feedback:
                    "The values are right, but each one keeps the whole chain of steps that made it, for a backward() that never comes: memory grows with every step, and a long generation slows to a crawl. Wrap the generation in noGrad { … }."
            ) { p, prefix, n in
                try generateWith(p, prefix, n, tracked: true)
            },
            Mistake(
                "one-feature-only", "the result is reshaped to [batch, steps, 1]: one feature, whatever the signal has",
                feedback:
                    "The lesson's signal has one feature, but generate must work for any: each generated step is a whole output vector, [batch, output]. With 2 features [batch, steps, 1] cannot hold them. Stack the predictions along axis 1 as they come, with no reshape and no 1 written in, then check again."
            ) { p, prefix, n in
                try generateWith(p, prefix, n).reshape([prefix.shape[0], n, 1])
            },
        ],
        criterion: .rule { got, want in
            var (values, wanted) = (got, want)
            values.entries.removeAll { $0.name == generationTracked }
            wanted.entries.removeAll { $0.name == generationTracked }
            if let problem = values.difference(from: wanted, tolerance: .tight) { return problem }
            if got[generationTracked]?.values != want[generationTracked]?.values {
                return "the generated values carry a gradient graph (requiresGrad is true): generation never calls backward(); run it inside noGrad { … }"
            }
            return nil
        },
        variants: activationVariants { f in { p, prefix, n in try generateWith(p, prefix, n, activation: f) } }
    ) { f in
        var outcome = Outcome()
        // Two features (input = output = 2) and a prefix of one sample too.
        let cases: [(features: Int, prefix: [Int], steps: Int)] = [(1, [2, 4, 1], 6), (1, [2, 4, 1], 6), (2, [3, 1, 2], 5)]
        var tracked: Float = 0
        for (i, c) in cases.enumerated() {
            let seed = UInt64(i + 1)
            let p = LinearRNNParts(input: c.features, hidden: 3, output: c.features, seed: 100 + seed)
            let prefix = Probes.input(c.prefix, seed: 110 + seed, -1...1).detached()
            Probes.expose(p.named + [("prefix", prefix)])
            let generated = try f(p, prefix, c.steps)
            if generated.requiresGrad { tracked = 1 }
            outcome.record("\(c.steps) generated steps (weights #\(seed))", generated)
        }
        outcome.record(generationTracked, tracked)
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
            Mistake(
                "loop-term-transposed", "the loop term is W_hyᵀ·W_xhᵀ = (W_xh·W_hy)ᵀ",
                feedback:
                    "Thinking in rows (h·Wᵀ, as the code computes) gives h·W_hyᵀ·W_xhᵀ, whose matrix is the transpose of the column form; adding it to W_hh mixes the two conventions. In the column form h′ = A·h the loop term is W_xh·W_hy, the weights as they are, written right to left."
            ) { p in
                try closedLoopWith(p, transposedLoop: true)
            },
            Mistake(
                "transposed-W_hh", "A = W_hhᵀ + W_xh·W_hy: only the direct term is transposed",
                feedback:
                    "A Linear weight [out, in] already maps columns: A[i][j] is how much of unit j reaches unit i. W_hh goes in as it is, like the loop term W_xh·W_hy. Drop the transpose."
            ) { p in
                try closedLoopWith(p, transposedHidden: true)
            },
            Mistake(
                "forgot-hidden-bias", "the offset leaves out b_hh",
                feedback:
                    "Both layers into the state add a bias, so the offset collects both, plus the output bias carried around the loop: c = W_xh·b_hy + b_xh + b_hh."
            ) { p in
                try closedLoopWith(p, hiddenBias: false)
            },
            Mistake(
                "squeezed-offset", "the offset is W_xh.squeeze(1) * b_hy: a column times a number, right for one feature only",
                feedback:
                    "With one feature W_xh is a [hidden, 1] column and b_hy a single number, so squeezing the column and scaling it gives W_xh·b_hy. With 2 features W_xh is [hidden, 2] and has no axis of size 1 to squeeze. W_xh·b_hy is a matrix times a vector: W_xh.matmul(b_hy.unsqueeze(1)).squeeze(1). Write it that way, then check again."
            ) { p in
                try closedLoopWith(p, squeezedOffset: true)
            },
        ]
    ) { f in
        var outcome = Outcome()
        // One feature, then two (input = output = 2): W_xh·W_hy is then no longer an outer
        // product, nor W_xh·b_hy a scaled column. (Hidden 2 there, so that the reversed
        // product W_hy·W_xh, [2, 2], still adds up and is diagnosed.)
        for (seed, features, hidden): (UInt64, Int, Int) in [(1, 1, 3), (2, 1, 3), (3, 2, 2)] {
            let p = LinearRNNParts(input: features, hidden: hidden, output: features, seed: 120 + seed)
            Probes.expose(p.named)
            let (a, c) = try f(p)
            outcome.record("A (weights #\(seed))", a)
            outcome.record("c (weights #\(seed))", c)
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// The closed loop computed like the reference, with a transposed term, a bias left out,
    /// or W_xh·b_hy written as a squeezed column times b_hy.
    static func closedLoopWith(
        _ p: LinearRNNParts, transposedLoop: Bool = false, transposedHidden: Bool = false, hiddenBias: Bool = true, squeezedOffset: Bool = false
    ) throws -> (matrix: Tensor, offset: Tensor) {
        let (wxh, whh, why, bhy) = (p.inputToHidden.weight, p.hiddenToHidden.weight, p.hiddenToOutput.weight, p.hiddenToOutput.bias!)
        let loop = transposedLoop ? try why.transpose(0, 1).matmul(wxh.transpose(0, 1)) : try wxh.matmul(why)
        let pushed = squeezedOffset ? try wxh.squeeze(1) * bhy : try wxh.matmul(bhy.unsqueeze(1)).squeeze(1)
        let offset = try pushed + p.inputToHidden.bias!
        return (try (transposedHidden ? whh.transpose(0, 1) : whh) + loop, hiddenBias ? try offset + p.hiddenToHidden.bias! : offset)
    }
    // END INSTRUCTOR

    // MARK: - 1.8 eigenvalues of a 2×2 matrix

    public typealias Eigenvalues2x2 = (Tensor) throws -> [(re: Double, im: Double)]

    /// Complex pairs, distinct real roots of both signs, double roots; then large entries:
    /// det = 10⁸ + 1 is not a Float (m² − det in Float loses the imaginary part), and
    /// m² = 4·10³⁸ overflows a Float.
    static let eigenProbes: [[[Float]]] = [
        [[0.8, -0.6], [0.6, 0.8]], [[2, 1], [1, 2]], [[-0.5, 0.2], [0.1, 0.9]], [[1.1, -0.55], [0.8, 0.5]], [[1, 1], [0, 1]],
        [[0, -1], [1, 0]], [[3, 1], [-1, 1]], [[1e4, 1], [-1, 1e4]], [[3e19, 0], [0, 1e19]],
    ]

    // BEGIN INSTRUCTOR
    /// The quadratic formula with one of the known mistakes (`inFloat`: every intermediate
    /// rounded to Float, as code on a.scalars without a conversion computes it).
    static func eigenWith(
        _ a: Tensor, clamp: Bool = false, noHalf: Bool = false, complexPair: Bool = false, inFloat: Bool = false,
        sameSign: Bool = false, doubleRootOnce: Bool = false, imaginaryFromDet: Bool = false
    ) throws -> [(re: Double, im: Double)] {
        let v = a.scalars.map(Double.init)
        let r: (Double) -> Double = inFloat ? { Double(Float($0)) } : { $0 }
        let (tr, det) = (r(v[0] + v[3]), r(r(v[0] * v[3]) - r(v[1] * v[2])))
        if noHalf {
            let d = tr * tr - 4 * det
            return d >= 0 ? [(tr + d.squareRoot(), 0), (tr - d.squareRoot(), 0)] : [(tr, (-d).squareRoot()), (tr, -(-d).squareRoot())]
        }
        let m = tr / 2, d = clamp ? Swift.max(m * m - det, 0) : r(r(m * m) - det)
        if d == 0, doubleRootOnce { return [(m, 0)] }
        if d < 0, complexPair {
            let im = imaginaryFromDet ? det.squareRoot() : r((-d).squareRoot())
            return [(m, im), (m, sameSign ? im : -im)]
        }
        return [(r(m + r(d.squareRoot())), 0), (r(m - r(d.squareRoot())), 0)]
    }
    // END INSTRUCTOR

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
            Mistake(
                "float-arithmetic", "m² − det is computed in Float: large entries lose the answer or overflow",
                feedback:
                    "a.scalars are Floats, with 7 significant digits and a largest value near 3.4·10³⁸. m² − det subtracts two large, nearly equal numbers: for [[10⁴, 1], [−1, 10⁴]], det = 10⁸ + 1 rounds to 10⁸ and the rotation vanishes; at 10¹⁹, m² overflows to infinity. Convert to Double first (a.scalars.map(Double.init)), as the result type is."
            ) { a in
                try eigenWith(a, complexPair: true, inFloat: true)
            },
            Mistake(
                "same-sign-imaginary", "both complex eigenvalues get +i·√(det − m²): the pair is not conjugate",
                feedback:
                    "A real matrix has real coefficients in λ² − tr·λ + det, so its complex roots come in conjugate pairs m + iω and m − iω: one turns the state one way, the other back. Return (m, +ω) and (m, −ω)."
            ) { a in
                try eigenWith(a, complexPair: true, sameSign: true)
            },
            Mistake(
                "double-root-once", "a double root is returned once: one eigenvalue instead of two",
                feedback:
                    "When m² = det the two roots coincide, but a 2×2 matrix still has two eigenvalues, counted with multiplicity (for [[1, 1], [0, 1]]: 1 and 1). Callers expect two entries; return m twice."
            ) { a in
                try eigenWith(a, complexPair: true, doubleRootOnce: true)
            },
            Mistake(
                "imaginary-from-det", "the imaginary part is √det instead of √(det − m²)",
                feedback:
                    "The modulus of the complex pair is √det, but its imaginary part is what is left after the real part m: ω = √(det − m²), so that m² + ω² = det. √det is only right when m = 0, a pure rotation."
            ) { a in
                try eigenWith(a, complexPair: true, imaginaryFromDet: true)
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
            let a = try Tensor(m)
            Probes.expose([("a", a)])
            let values = try f(a)
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
