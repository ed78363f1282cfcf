import Autograd
import Solution4

// The graders of lesson 4, continued: the scores of whole sums, and a clipped training step.

extension Lesson4Graders {
    // MARK: - 4.5 exact match and digit accuracy

    public typealias AdditionScores = (Tensor, Tensor) throws -> (exact: Float, digits: Float)

    /// Predicted and target digit codes, [B, T]: rows all right, wrong only at the last place
    /// (the final carry), wrong at the units, wrong in most places, wrong in 2 of 5 (a
    /// majority right); a batch with T = 6; a batch all right; a batch all wrong.
    static let scoreCases: [(predicted: [[Int]], targets: [[Int]])] = [
        ([[0, 9, 6, 4, 0], [0, 9, 6, 4, 1], [3, 1, 1, 1, 0], [1, 2, 3, 9, 1], [8, 9, 9, 9, 1], [5, 5, 0, 0, 0], [7, 0, 0, 0, 0]],
         [[0, 9, 6, 4, 0], [0, 9, 6, 4, 0], [2, 1, 1, 1, 0], [1, 0, 0, 0, 1], [8, 9, 9, 9, 1], [5, 5, 1, 1, 0], [7, 0, 0, 0, 0]]),
        ([[1, 2, 3, 4, 5, 0], [9, 9, 9, 9, 9, 0], [0, 0, 0, 0, 0, 1]], [[1, 2, 3, 4, 5, 0], [9, 9, 9, 9, 9, 1], [0, 0, 0, 0, 0, 1]]),
        ([[4, 0, 1, 0, 0], [2, 2, 0, 0, 0]], [[4, 0, 1, 0, 0], [2, 2, 0, 0, 0]]),
        ([[4, 0, 1, 0, 0], [2, 2, 0, 0, 1]], [[5, 1, 2, 1, 1], [3, 3, 1, 1, 0]]),
    ]

    // BEGIN INSTRUCTOR
    /// The scores from the right/wrong table with the exact match decided another way (4.5's known mistakes).
    static func scoresWith(_ exactRow: @escaping (_ rightInRow: [Bool]) -> Bool, wholeBatch: Bool = false, digitsForExact: Bool = false) -> AdditionScores {
        { predicted, targets in
            let places = targets.shape[1]
            let right = zip(predicted.indices, targets.indices).map { $0 == $1 }
            let rows = stride(from: 0, to: right.count, by: places).map { Array(right[$0..<($0 + places)]) }
            let digits = Float(right.filter { $0 }.count) / Float(right.count)
            let exactRows = Float(rows.filter(exactRow).count) / Float(rows.count)
            let exact = digitsForExact ? digits : wholeBatch ? (right.allSatisfy { $0 } ? 1 : 0) : exactRows
            return (exact, digits)
        }
    }
    // END INSTRUCTOR

    public static let additionScores = Exercise<AdditionScores>(
        id: "4.5", title: "Exact match and digit accuracy", symbol: "additionScores(predicted:targets:)", file: "Lessons/Lesson4/Scores.swift",
        reference: { try Solution4.additionScores(predicted: $0, targets: $1) },
        mistakes: [
            Mistake("digits-for-exact", "the exact match counts right digits, not right sums",
                    feedback: "A sum with one wrong digit is a wrong sum: 4680 is not 4690. Counting digits gives the digit accuracy a second time, which flatters a model that gets most digits of every sum right and no sum at all. A row counts when ALL its places are right: compare, then ask per row whether the row has no wrong place.",
                    scoresWith({ _ in true }, digitsForExact: true)),
            Mistake("last-place-ignored", "the exact match compares places 0 … T − 2 only: the last place, the final carry, is not checked",
                    feedback: "The last place is where 9999 + 9999 writes the 1 of 19998: a model that misses the final carry gets a sum 10 000 off. Every place counts, the last included — compare whole rows of T places.",
                    scoresWith({ $0.dropLast().allSatisfy { $0 } })),
            Mistake("whole-batch-exact", "the exact match is 1 when every sum of the batch is right, else 0",
                    feedback: "The exact match is a FRACTION of the sums: 1 of 3 right gives 0.333, not 0. Decide for each row whether all its places are right, then take the mean over the rows.",
                    scoresWith({ _ in true }, wholeBatch: true)),
            Mistake("majority-of-digits", "a sum counts as right when most of its digits are right",
                    feedback: "Rounding a row's digit accuracy (or asking for more than half right) accepts sums with a wrong digit or two: 5500 for 5511. A sum is right when every place is right: its row's count of right places must equal T (or its minimum must be 1).",
                    scoresWith({ row in row.filter { $0 }.count * 2 > row.count })),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-6, rtol: 0)),
        variants: [
            Variant("one-wrong-place-allowed", "a sum counted right when at most one of its places is wrong", scoresWith({ row in row.filter { !$0 }.count <= 1 })),
        ]
    ) { scores in
        var outcome = Outcome()
        for (k, c) in scoreCases.enumerated() {
            let predicted = try Tensor(indices: c.predicted), targets = try Tensor(indices: c.targets)
            let (exact, digits) = try scores(predicted, targets)
            outcome.record("exact match (batch #\(k + 1))", exact)
            outcome.record("digit accuracy (batch #\(k + 1))", digits)
        }
        return outcome
    }

    // MARK: - 4.6 a training step with clipping

    public typealias TrainStep = ((Tensor) throws -> Tensor, [Tensor], any Optimizer, Tensor, Tensor, Float) throws -> (loss: Float, gradientNorm: Float)

    // BEGIN INSTRUCTOR
    /// Where a training step clips, and what it zeroes (4.6's known mistakes).
    enum Clipping { case afterBackward, beforeBackward, afterStep, eachTensor }

    /// The reference's step with the clipping done another way, or the zeroing forgotten.
    static func steppedWith(_ clipping: Clipping, zeroes: Bool = true) -> TrainStep {
        { model, parameters, optimizer, inputs, targets, maxNorm in
            if zeroes { optimizer.zeroGrad() }
            let loss = try crossEntropy(model(inputs), targets)
            var norm: Float = 0
            if clipping == .beforeBackward { norm = clipGradNorm(parameters, maxNorm: maxNorm) }
            try loss.backward()
            switch clipping {
            case .afterBackward: norm = clipGradNorm(parameters, maxNorm: maxNorm)
            case .eachTensor: norm = parameters.map { clipGradNorm([$0], maxNorm: maxNorm) }.reduce(0) { ($0 * $0 + $1 * $1).squareRoot() }
            default: break
            }
            optimizer.step()
            if clipping == .afterStep { norm = clipGradNorm(parameters, maxNorm: maxNorm) }
            return (try loss.item(), norm)
        }
    }
    // END INSTRUCTOR

    /// Six steps of SGD (so that the length of a step shows in the weights) on a small adder
    /// and a batch of 16, with a maximum norm the gradient exceeds (0.05: its norm is 0.1–0.2) and one it
    /// never reaches: every loss and gradient norm, and the weights after the six steps.
    static func trainStepProbe(_ train: TrainStep) throws -> Outcome {
        var outcome = Outcome()
        for (seed, maxNorm): (UInt64, Float) in [(81, 0.05), (82, 1000)] {
            var rng = RNG(seed: seed)
            let model = Solution4.Adder(hiddenSize: 8, rng: &rng)
            let parameters = model.parameters()
            let optimizer = try SGD(parameters, learningRate: 0.5)
            // 16 batches of 5 random columns (two one-hot digits each) and random digit targets:
            // any batch will do to grade a step, and none needs the reference's encodeSums.
            let digits = (0..<(16 * 5)).map { _ in (rng.int(below: 10), rng.int(below: 10)) }
            let inputs = try Tensor(digits.flatMap { x, y in (0..<20).map { Float($0 == x || $0 == 10 + y ? 1 : 0) } }, shape: [16, 5, 20])
            let targets = try Tensor(indices: (0..<16).map { _ in (0..<5).map { _ in rng.int(below: 10) } })
            var losses: [Float] = [], norms: [Float] = []
            for _ in 0..<6 {
                let (loss, norm) = try train({ try model($0) }, parameters, optimizer, inputs, targets, maxNorm)
                losses.append(loss)
                norms.append(norm)
            }
            let suffix = " (max norm \(format(maxNorm)))"
            outcome.record("losses of 6 steps\(suffix)", losses)
            outcome.record("gradient norms of 6 steps\(suffix)", norms)
            outcome.record("weights after 6 steps\(suffix)", parameters.flatMap(\.scalars))
        }
        return outcome
    }

    public static let trainStep = Exercise<TrainStep>(
        id: "4.6", title: "A training step with the gradient clipped", symbol: "trainStep(_:parameters:optimizer:inputs:targets:maxNorm:)", file: "Lessons/Lesson4/Training.swift",
        reference: { try Solution4.trainStep($0, parameters: $1, optimizer: $2, inputs: $3, targets: $4, maxNorm: $5) },
        mistakes: [
            Mistake("clipped-before-backward", "the gradients are clipped before backward(), when there are none yet",
                    feedback: "After zeroGrad there is no gradient to clip: clipGradNorm finds nothing, returns 0, and backward then fills in the whole, unclipped gradient for the step. Clip between backward() and optimizer.step() — after the gradient exists, before it is used.",
                    steppedWith(.beforeBackward)),
            Mistake("clipped-after-step", "the step uses the whole gradient: it is clipped after optimizer.step() (or not at all)",
                    feedback: "The optimizer reads the gradients in step(): clipping them afterwards changes nothing that matters (the next step starts with zeroGrad), and the steps are exactly those of a run that never clips. The norm you return is right, which hides it. Clip after backward() and BEFORE optimizer.step().",
                    steppedWith(.afterStep)),
            Mistake("clipped-each-tensor", "each parameter's gradient is clipped to maxNorm on its own, not all of them together",
                    feedback: "clip_grad_norm_ takes the norm of ALL gradients as one vector, so that the step keeps its direction. Clipping tensor by tensor lets the whole gradient be up to √(number of tensors) × maxNorm long and bends it towards the tensors with small gradients. Pass every parameter to one clipGradNorm call.",
                    steppedWith(.eachTensor)),
            Mistake("norm-after-clipping", "the norm returned is measured after clipping, so it never shows more than maxNorm",
                    feedback: "The norm is returned to be logged: a run whose gradient norm jumps from 0.1 to 50 has met an explosion, and that is what you want to see. Measured after clipping it is never above maxNorm and hides exactly that. Return what clipGradNorm returns: the norm BEFORE clipping.") { model, parameters, optimizer, inputs, targets, maxNorm in
                let (loss, norm) = try steppedWith(.afterBackward)(model, parameters, optimizer, inputs, targets, maxNorm)
                return (loss, Swift.min(norm, maxNorm))
            },
            Mistake("forgot-zero-grad", "the gradients are never reset, so each step uses the sum of all past gradients",
                    feedback: "backward() adds to every parameter's gradient. Without optimizer.zeroGrad() at the start of each step, step k follows the sum of k gradients — and the norm you clip and report grows with every step. Call optimizer.zeroGrad() first.",
                    steppedWith(.afterBackward, zeroes: false)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-4, rtol: 1e-3)),
        probe: trainStepProbe
    )
}
