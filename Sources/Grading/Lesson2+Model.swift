import Autograd
import Solution2

// The graders of lesson 2, continued: the encoder–decoder's forward pass and its loss.

extension Lesson2Graders {
    // MARK: - 2.5 the encoder–decoder

    public typealias Forward = (Solution2.EncoderDecoder, Tensor) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// The reference's forward pass with its wiring changed: how many steps the decoder
    /// takes, where the encoder starts, which recurrence each half uses, and what state
    /// the decoder is handed.
    static func forwardWith(
        steps: @escaping (Tensor) -> Int = { $0.shape[1] },
        start: @escaping (Solution2.EncoderDecoder) -> Tensor = { $0.initialState },
        swapRecurrences: Bool = false,
        handOver: @escaping (_ last: Tensor, Solution2.EncoderDecoder, _ x: Tensor) throws -> Tensor = { h, _, _ in h }
    ) -> Forward {
        { m, x in
            let h = try Solution2.encoderFinalState(x, inputToHidden: m.encoderInput, hiddenToHidden: swapRecurrences ? m.decoderHidden : m.encoderHidden,
                                                    initialState: start(m))
            return try Solution2.decoderOutputs(from: handOver(h, m, x), steps: steps(x), hiddenToHidden: swapRecurrences ? m.encoderHidden : m.decoderHidden,
                                                hiddenToOutput: m.decoderOutput)
        }
    }
    // END INSTRUCTOR

    public static let encoderDecoder = Exercise<Forward>(
        id: "2.5", title: "The encoder–decoder", symbol: "EncoderDecoder.callAsFunction(_:)", file: "Lessons/Lesson2/EncoderDecoder.swift",
        reference: { model, x in try model(x) },
        mistakes: [
            Mistake("fixed-length", "the decoder always runs 10 steps, the training length",
                    feedback: "The model must write as many symbols as it reads: a sequence of 6 needs 6 decoder steps, one of 13 needs 13. Take the number of steps from the input's time axis, x.shape[1].",
                    forwardWith(steps: { _ in 10 })),
            Mistake("alphabet-axis", "the number of decoder steps is read from the alphabet axis",
                    feedback: "x is [batch, time, alphabet]: x.shape[2] is the alphabet size, x.shape[1] the number of steps. Decode as many steps as the time axis has.",
                    forwardWith(steps: { $0.shape[2] })),
            Mistake("batch-axis", "the number of decoder steps is read from the batch axis",
                    feedback: "x is [batch, time, alphabet]: x.shape[0] counts the sequences in the batch, not the symbols in each, and the two agree only by chance. Decode x.shape[1] steps, the length of the time axis.",
                    forwardWith(steps: { $0.shape[0] })),
            Mistake("detached-state", "the encoder's state is detached before decoding: no gradient reaches the encoder",
                    feedback: "detach() cuts the graph, so the loss cannot teach the encoder what to remember (its gradients are missing). Detaching a state is for carrying it across batches (lesson 5); here the decoder must use the encoder's state itself.",
                    forwardWith(handOver: { h, _, _ in h.detached() })),
            Mistake("zero-initial-state", "the encoder starts from zeros instead of the model's initialState",
                    feedback: "initialState is one of the model's parameters: every sequence starts there, and training moves it (its gradient is missing now, and the outputs change with it). Hand the encoder the model's own initialState, not a fresh Tensor.zeros.",
                    forwardWith(start: { Tensor.zeros([$0.hiddenSize]) })),
            Mistake("swapped-recurrences", "the encoder steps with the decoder's W_ss and the decoder with the encoder's W_hh",
                    feedback: "Both matrices are [H, H], so the shapes cannot tell them apart and nothing throws; but they are different parameters, trained for different jobs: encoderHidden carries the state while reading, decoderHidden while writing. Pass encoderHidden to the encoder and decoderHidden to the decoder.",
                    forwardWith(swapRecurrences: true)),
            Mistake("decoder-from-initial-state", "the decoder starts from the initial state, not from the encoder's last state",
                    feedback: "The encoder's last state is the only thing that carries the input to the decoder: starting the decoder from initialState writes the same output whatever the input (and the encoder's weights get no gradient). Hand the decoder the state encoderFinalState returned.",
                    forwardWith(handOver: { _, m, x in try m.initialState.expand(to: [x.shape[0], m.hiddenSize]) })),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4)),
        variants: [
            Variant("one-step-fewer", "one decoder step fewer than x has", forwardWith(steps: { $0.shape[1] - 1 })),
            Variant("one-step-more", "one decoder step more than x has", forwardWith(steps: { $0.shape[1] + 1 })),
            Variant("tanh-on-hand-over", "the encoder's last state put through tanh once more before decoding", forwardWith(handOver: { h, _, _ in h.tanh() })),
        ]
    ) { f in
        var outcome = Outcome()
        // Batch, time and alphabet all differ in every case, so no axis stands in for another.
        for (seed, batch, steps, alphabet) in [(51, 4, 6, 3), (52, 2, 13, 3), (53, 3, 2, 5)] as [(UInt64, Int, Int, Int)] {
            var rng = RNG(seed: seed)
            let model = Solution2.EncoderDecoder(alphabetSize: alphabet, hiddenSize: 8, rng: &rng)
            // A learned initial state is no longer near 0: leaving it out must show in the logits.
            try model.initialState.assign(Probes.input([8], seed: seed + 300, -1...1).scalars)
            let codes = try Tensor(indices: (0..<batch).map { _ in (0..<steps).map { _ in rng.int(below: alphabet) } })
            let x = try oneHot(codes, classes: alphabet)
            Probes.expose([("x", x)] + model.namedParameters().map { ($0.name, $0.tensor) })
            let y = try f(model, x)
            try Probes.record(y, as: "logits for x \(x.shape)", gradientsOf: model.namedParameters().map { ("\($0.name) (x \(x.shape))", $0.tensor) }, into: &outcome)
        }
        return outcome
    }

    // MARK: - 2.6 cross-entropy over a sequence

    public typealias Loss = (Tensor, Tensor) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// The reference's loss with the log-probabilities and the reduction changed.
    static func lossWith(
        logProbabilities: @escaping (Tensor) throws -> Tensor = { try $0.logSoftmax(axis: -1) },
        reduce: @escaping (_ picked: Tensor, _ logits: Tensor) throws -> Tensor = { picked, _ in picked.mean() }
    ) -> Loss {
        { logits, targets in -(try reduce(logProbabilities(logits).gather(axis: -1, index: targets.unsqueeze(-1)), logits)) }
    }
    // END INSTRUCTOR

    public static let sequenceCrossEntropy = Exercise<Loss>(
        id: "2.6", title: "Cross-entropy over a sequence", symbol: "sequenceCrossEntropy(_:_:)", file: "Lessons/Lesson2/SequenceLoss.swift",
        reference: Solution2.sequenceCrossEntropy,
        mistakes: [
            Mistake("softmax-over-time", "the softmax runs over the time axis (1), not over the classes",
                    feedback: "In [B, T, C] logits the scores of one position lie along the LAST axis; a softmax along axis 1 compares the same symbol's scores at different steps, which means nothing. Normalise over the classes: logSoftmax(axis: -1).",
                    lossWith(logProbabilities: { try $0.logSoftmax(axis: 1) })),
            Mistake("permuted-then-flattened", "the logits were permuted to [B, C, T] (PyTorch's layout) and then flattened to [B·T, C]",
                    feedback: "PyTorch's F.cross_entropy wants [B, C, T]; this core wants the classes last, which [B, T, C] already has. Permuting and then reshaping to [B·T, C] does not undo the permute: each row mixes the scores of different steps. Flatten [B, T, C] directly (or do not flatten at all).") { logits, targets in
                let c = logits.shape[2]
                let flat = try logits.permute([0, 2, 1]).reshape([targets.count, c])
                return try crossEntropy(flat, targets.reshape([targets.count]))
            },
            Mistake("forgot-minus", "the loss is the mean log-probability, without the minus sign",
                    feedback: "log p ≤ 0, and the target should get a probability near 1: the LOSS is −log p, which falls towards 0 as the model gets it right. Without the minus, minimising it would push the target's probability to 0.",
                    lossWith(reduce: { picked, _ in -picked.mean() })),
            Mistake("summed", "the loss sums over every position instead of averaging",
                    feedback: "A summed loss grows with the batch and the length, so the same model reports a loss 300 times larger on a batch of 30 sequences of 10, and the learning rate means something different for every shape. Take the mean over all B·T positions.",
                    lossWith(reduce: { picked, _ in picked.sum() })),
            Mistake("summed-over-time", "the loss sums over the time steps and averages over the sequences only",
                    feedback: "That is the loss per sequence: T times the lesson's, so it changes with the length, and a model trained on length 10 reports numbers you cannot compare with length 6. L averages over all B·T positions: take the mean of every picked log-probability, not the sum over time divided by B.",
                    lossWith(reduce: { picked, logits in picked.sum() / Float(logits.shape[0]) })),
            Mistake("mean-over-classes", "the one-hot product is averaged over the classes too: the loss is C times too small",
                    feedback: "Multiplying the log-probabilities by one-hot targets keeps one value per position and zeroes the other C − 1, but mean() then divides by B·T·C. Sum over the classes first (or gather the target's log-probability), then take the mean over the B·T positions.") { logits, targets in
                -(try oneHot(targets, classes: logits.shape[2]) * logits.logSoftmax(axis: -1)).mean()
            },
            Mistake("classes-from-targets", "the one-hot targets have as many classes as the largest target + 1, not as many as the logits",
                    feedback: "The targets only show the classes that happen to be right in this batch: when the last class never is one, oneHot(targets, classes: max + 1) is one class narrower than the [B, T, C] logits, and the product cannot broadcast. The number of classes is the logits' last size: oneHot(targets, classes: logits.shape[2]) — or gather the target's log-probability and need no one-hot at all. Fix that, then check again.") { logits, targets in
                -(try (oneHot(targets, classes: Int(try targets.max().item()) + 1) * logits.logSoftmax(axis: -1)).sum(axis: -1)).mean()
            },
            Mistake("no-max", "log-sum-exp without subtracting the maximum: e^z overflows at large scores",
                    feedback: "e^89 is already past Float's largest number (about 3.4·10³⁸), so scores near 100 give an infinite sum and a NaN loss, although the formula is right on paper. log Σ e^z = m + log Σ e^(z − m) with m the row's maximum: every exponent is then ≤ 0 and nothing overflows. Use logSoftmax(axis: -1), which does exactly that.",
                    lossWith(logProbabilities: { z in try z - z.exp().sum(axis: -1, keepDims: true).log() })),
            Mistake("log-of-softmax", "log(softmax(z)): a tiny probability rounds to 0 and its log is −∞",
                    feedback: "softmax itself is stable, but a probability below about 10⁻⁴⁵ is 0 in Float, and log 0 = −∞: a confident wrong prediction (a score of 0 against 1000) gives an infinite loss and NaN gradients. logSoftmax computes z − m − log Σ e^(z − m) without ever forming that tiny probability: use it instead of log(softmax).",
                    lossWith(logProbabilities: { try $0.softmax(axis: -1).log() })),
            Mistake("epsilon-in-log", "log(softmax(z) + ε): the loss of a confident wrong prediction is capped at −log ε",
                    feedback: "The ε keeps the log finite, but it caps every position's loss at −log ε ≈ 20.7 and flattens its gradient: a prediction wrong by a score of 1000 costs no more than one wrong by 20, and the model stops learning from its worst mistakes. logSoftmax needs no ε: use it.",
                    lossWith(logProbabilities: { try ($0.softmax(axis: -1) + 1e-9).log() })),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4)),
        variants: [
            Variant("softmax-over-batch", "the softmax over axis 0 (the batch)", lossWith(logProbabilities: { try $0.logSoftmax(axis: 0) })),
            Variant("mean-over-time-only", "the mean over time, summed over the batch", lossWith(reduce: { picked, logits in picked.sum() / Float(logits.shape[1]) })),
        ]
    ) { f in
        var outcome = Outcome()
        for (seed, shape, range) in [(61, [3, 5, 4], -3...3), (62, [2, 6, 3], -3...3), (63, [2, 3, 5], 90...100)] as [(UInt64, [Int], ClosedRange<Float>)] {
            let logits = Probes.input(shape, seed: seed, range)
            var rng = RNG(seed: seed + 100)
            // The last class never is a target: the number of classes is the logits', not the targets'.
            let targets = try Tensor(indices: (0..<shape[0]).map { _ in (0..<shape[1]).map { _ in rng.int(below: shape[2] - 1) } })
            try recordLoss(f, logits, targets, as: "logits \(shape) in [\(format(range.lowerBound)), \(format(range.upperBound))]", into: &outcome)
        }
        // Rows spanning [0, 1000], the second sequence 1000 lower: confident predictions, right and wrong.
        var rng = RNG(seed: 64)
        let rows = (0..<8).map { i in [0, 1000, Float(rng.int(below: 1001))].shuffled(using: &rng).map { $0 - (i < 4 ? 0 : 1000) } }
        let logits = try Tensor(rows.flatMap { $0 }, shape: [2, 4, 3], requiresGrad: true)
        let targets = try Tensor(indices: [[0, 1, 2, 0], [2, 1, 0, 1]])
        try recordLoss(f, logits, targets, as: "logits [2, 4, 3] spanning [0, 1000]", into: &outcome)
        return outcome
    }

    /// Records the loss `f` gives on `logits` and `targets`, and its gradient with respect to the logits.
    static func recordLoss(_ f: Loss, _ logits: Tensor, _ targets: Tensor, as name: String, into outcome: inout Outcome) throws {
        Probes.expose([("logits", logits), ("targets", targets)])
        try Probes.record(try f(logits, targets), as: "loss for \(name)", gradientsOf: [(name, logits)], into: &outcome)
    }
}
