import Autograd
import Solution2

/// The graders of lesson 2: copy and reverse with an encoder–decoder.
public enum Lesson2Graders {
    // MARK: - 2.1 integer codes

    public typealias IntegerCodes = ([String]) throws -> (alphabet: [Character], codes: Tensor)

    /// Symbols that first appear out of alphabetical order, so an unsorted alphabet shows.
    static let codeProbes: [[String]] = [["cab", "bca", "aab", "cbb"], ["hello", "world"]]

    public static let integerCodes = Exercise<IntegerCodes>(
        id: "2.1", title: "Integer codes: unique and inverse", symbol: "integerCodes(_:)", file: "Lessons/Lesson2/Symbols.swift",
        reference: Solution2.integerCodes,
        mistakes: [
            Mistake("unsorted-alphabet", "the alphabet lists the symbols in the order they first appear",
                    feedback: "np.unique sorts, and so must you: then the same symbols give the same codes whatever the data, and a model trained on one data set reads another. Sort the distinct symbols before numbering them.") { sequences in
                var alphabet: [Character] = []
                for c in sequences.joined() where !alphabet.contains(c) { alphabet.append(c) }
                let rows = sequences.map { $0.map { alphabet.firstIndex(of: $0)! } }
                return (alphabet, try Tensor(indices: rows))
            },
            Mistake("flattened-codes", "the codes come back as one long row: the [N, T] shape is lost",
                    feedback: "np.unique returns the inverse flattened, and the notebook has to put the shape back. Here too: one row of codes per sequence, a [N, T] tensor (Tensor(indices:) with an array of rows).") { sequences in
                let alphabet = Set(sequences.joined()).sorted()
                let flat = sequences.joined().map { alphabet.firstIndex(of: $0)! }
                return (alphabet, Tensor(indices: flat))
            },
            Mistake("one-based", "the codes start at 1",
                    feedback: "Code k must mean alphabet[k]: with arrays counted from 0, the first symbol is code 0, and the largest code is A − 1 (a loss over A classes rejects code A). Number the symbols by their index in the alphabet.") { sequences in
                let alphabet = Set(sequences.joined()).sorted()
                return (alphabet, try Tensor(indices: sequences.map { $0.map { alphabet.firstIndex(of: $0)! + 1 } }))
            },
        ],
        criterion: .rule { got, want in
            for probe in codeProbes {
                let name = "alphabet of \(probe)"
                guard let g = got[name], let w = want[name] else { return "\(name) is missing" }
                if g.values != w.values {
                    return "the \(name) is \(symbols(g.values)), expected \(symbols(w.values)) (sorted, each symbol once)"
                }
            }
            return got.difference(from: want, tolerance: Tolerance(atol: 0, rtol: 0))
        }
    ) { f in
        var outcome = Outcome()
        for probe in codeProbes {
            let (alphabet, codes) = try f(probe)
            outcome.record("alphabet of \(probe)", alphabet.map { Float($0.unicodeScalars.first!.value) })
            outcome.record("codes of \(probe)", codes)
        }
        return outcome
    }

    /// Unicode values back to "[a, b, c]", for messages.
    static func symbols(_ values: [Float]) -> String {
        "[" + values.map { Unicode.Scalar(UInt32($0)).map { String(Character($0)) } ?? "?" }.joined(separator: ", ") + "]"
    }

    // MARK: - 2.2 one-hot by broadcasting

    public typealias OneHotEncode = (Tensor, Int) throws -> Tensor

    public static let oneHotEncode = Exercise<OneHotEncode>(
        id: "2.2", title: "One-hot vectors by broadcasting", symbol: "oneHotEncode(_:alphabetSize:)", file: "Lessons/Lesson2/Symbols.swift",
        reference: Solution2.oneHotEncode,
        mistakes: [
            Mistake("classes-first", "the one-hot axis comes first: [A, N, T] instead of [N, T, A]",
                    feedback: "Comparing the alphabet with two new axes, arange(A) as [A, 1, 1], against the codes puts the classes first. The network reads x[:, t] as one [batch, alphabet] vector, so the alphabet must be the LAST axis: add the new axis to the codes (unsqueeze(-1)) and compare with arange(A) as it is.") { codes, a in
                try Tensor.arange(a).reshape([a] + codes.shape.map { _ in 1 }).eq(codes.unsqueeze(0))
            },
            Mistake("flattened", "the vectors come back as [N·T, A]: the batch and time axes are merged",
                    feedback: "Reshaping the codes to one column ([N·T, 1]) before comparing gives the right vectors in the wrong shape, and the encoder can no longer tell sequences or steps apart. Keep the codes' shape and only add a last axis: [N, T] → [N, T, 1].") { codes, a in
                try codes.reshape([codes.count, 1]).eq(Tensor.arange(a))
            },
        ]
    ) { f in
        var outcome = Outcome()
        let cases: [(codes: [[Int]], alphabet: Int)] = [
            ([[0, 2, 1, 3, 3], [1, 0, 0, 2, 1]], 4),
            ([[2, 1, 0, 2], [0, 0, 1, 1], [2, 2, 2, 0]], 3),
        ]
        for (codes, a) in cases {
            outcome.record("one-hot of \(codes) with \(a) symbols", try f(try Tensor(indices: codes), a))
        }
        return outcome
    }

    // MARK: - 2.3 encoder

    public typealias Encoder = (Tensor, Linear, Linear, Tensor) throws -> Tensor

    public static let encoderFinalState = Exercise<Encoder>(
        id: "2.3", title: "A tanh encoder that returns its last state", symbol: "encoderFinalState(_:inputToHidden:hiddenToHidden:initialState:)",
        file: "Lessons/Lesson2/Encoder.swift",
        reference: { x, ih, hh, h0 in try Solution2.encoderFinalState(x, inputToHidden: ih, hiddenToHidden: hh, initialState: h0) },
        mistakes: [
            Mistake("no-tanh", "the step has no tanh: the encoder is linear",
                    feedback: "Without the nonlinearity each state is a linear function of the inputs, and the states can grow without bound over a long sequence. Squash the sum: h = tanh(W_xh·x + W_hh·h + biases).") { x, ih, hh, h0 in
                var h = try h0.expand(to: [x.shape[0], h0.count])
                for t in 0..<x.shape[1] { h = try ih(x.select(axis: 1, index: t)) + hh(h) }
                return h
            },
            Mistake("state-not-carried", "every step starts again from the initial state",
                    feedback: "Each step must read the state the PREVIOUS step made, so that the last state depends on every symbol. Your last state depends only on the last symbol: assign the new state back to h and use h in the next step.") { x, ih, hh, h0 in
                let start = try h0.expand(to: [x.shape[0], h0.count])
                var h = start
                for t in 0..<x.shape[1] { h = try (ih(x.select(axis: 1, index: t)) + hh(start)).tanh() }
                return h
            },
            Mistake("zero-initial-state", "the encoder starts from zeros, not from the learned initial state",
                    feedback: "initialState is a parameter: it must be where every sequence starts, so that the loss can move it (its gradient is missing now). Start from initialState expanded to [batch, hidden], not from Tensor.zeros.") { x, ih, hh, h0 in
                var h = Tensor.zeros([x.shape[0], h0.count])
                for t in 0..<x.shape[1] { h = try (ih(x.select(axis: 1, index: t)) + hh(h)).tanh() }
                return h
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4))
    ) { f in
        var outcome = Outcome()
        for seed: UInt64 in [31, 32] {
            var rng = RNG(seed: seed)
            let ih = Linear(4, 6, rng: &rng), hh = Linear(6, 6, rng: &rng)
            let h0 = Probes.input([6], seed: seed + 100, -0.5...0.5)
            let x = Probes.input([3, 5, 4], seed: seed + 200, 0...1)
            let h = try f(x, ih, hh, h0)
            try Probes.record(h, as: "last state (inputs #\(seed))", gradientsOf: named(seed, [
                ("x", x), ("initialState", h0), ("W_xh", ih.weight), ("b_xh", ih.bias!), ("W_hh", hh.weight), ("b_hh", hh.bias!),
            ]), into: &outcome)
        }
        return outcome
    }

    /// Names with the probe's seed, so that each probe's gradients are recorded apart.
    static func named(_ seed: UInt64, _ tensors: [(String, Tensor)]) -> [(String, Tensor)] {
        tensors.map { ("\($0.0) (inputs #\(seed))", $0.1) }
    }

    // MARK: - 2.4 decoder

    public typealias Decoder = (Tensor, Int, Linear, Linear) throws -> Tensor

    public static let decoderOutputs = Exercise<Decoder>(
        id: "2.4", title: "A decoder with no input", symbol: "decoderOutputs(from:steps:hiddenToHidden:hiddenToOutput:)",
        file: "Lessons/Lesson2/Decoder.swift",
        reference: { h, n, hh, hy in try Solution2.decoderOutputs(from: h, steps: n, hiddenToHidden: hh, hiddenToOutput: hy) },
        mistakes: [
            Mistake("read-before-step", "each output is read off the state before the step, not after it",
                    feedback: "Your first output is read straight off the encoder's state, and the last state is never read. Step first (h = tanh(W_hh·h + b)), then read y = W_hy·h from the NEW state, as the notebook's decoder does.") { h, n, hh, hy in
                var h = h, outputs: [Tensor] = []
                for _ in 0..<n { outputs.append(try hy(h)); h = try hh(h).tanh() }
                return try stack(outputs, axis: 1)
            },
            Mistake("no-tanh", "the decoder's step has no tanh",
                    feedback: "Without the nonlinearity the decoder is a linear system: its states can only grow, shrink or rotate, and it cannot make the decisions that write out a sequence of symbols. Squash each new state with tanh.") { h, n, hh, hy in
                var h = h, outputs: [Tensor] = []
                for _ in 0..<n { h = try hh(h); outputs.append(try hy(h)) }
                return try stack(outputs, axis: 1)
            },
            Mistake("time-first", "the outputs are stacked time-first: [steps, batch, alphabet]",
                    feedback: "stack(_:axis:) puts the new axis where you say, and axis 0 makes time the first axis. The course is batch-first: logits are [batch, steps, alphabet], so stack along axis 1.") { h, n, hh, hy in
                var h = h, outputs: [Tensor] = []
                for _ in 0..<n { h = try hh(h).tanh(); outputs.append(try hy(h)) }
                return try stack(outputs, axis: 0)
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4))
    ) { f in
        var outcome = Outcome()
        for seed: UInt64 in [41, 42] {
            var rng = RNG(seed: seed)
            let hh = Linear(6, 6, rng: &rng), hy = Linear(6, 4, rng: &rng)
            let h = Probes.input([3, 6], seed: seed + 100, -1...1)
            let y = try f(h, 5, hh, hy)
            try Probes.record(y, as: "logits (inputs #\(seed))", gradientsOf: named(seed, [
                ("h", h), ("W_hh", hh.weight), ("b_hh", hh.bias!), ("W_hy", hy.weight), ("b_hy", hy.bias!),
            ]), into: &outcome)
        }
        return outcome
    }

    // MARK: - 2.5 the encoder–decoder

    public typealias Forward = (Solution2.EncoderDecoder, Tensor) throws -> Tensor

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

    /// The reference's loss with the log-probabilities and the reduction changed.
    static func lossWith(
        logProbabilities: @escaping (Tensor) throws -> Tensor = { try $0.logSoftmax(axis: -1) },
        reduce: @escaping (_ picked: Tensor, _ logits: Tensor) throws -> Tensor = { picked, _ in picked.mean() }
    ) -> Loss {
        { logits, targets in -(try reduce(logProbabilities(logits).gather(axis: -1, index: targets.unsqueeze(-1)), logits)) }
    }

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

    // MARK: - 2.7 the copy and reverse data set

    public typealias CopyTaskData = (Tensor, Int, Bool) throws -> (inputs: Tensor, targets: Tensor)

    /// The codes read backwards along `axis` (1 is time: the reverse task's targets).
    static func readBackwards(_ codes: Tensor, axis: Int = 1, steps: Int? = nil) throws -> Tensor {
        try codes.indexSelect(axis: axis, indices: Array((0..<(steps ?? codes.shape[axis])).reversed()))
    }

    /// The reference's data set with the one-hot size and the reverse task's targets changed.
    static func dataWith(
        alphabet: @escaping (_ codes: Tensor, _ alphabetSize: Int) throws -> Int = { _, a in a },
        backwards: @escaping (Tensor) throws -> Tensor = { try readBackwards($0) }
    ) -> CopyTaskData {
        { codes, a, reverse in (try oneHot(codes, classes: alphabet(codes, a)), reverse ? try backwards(codes) : codes) }
    }

    public static let copyTaskData = Exercise<CopyTaskData>(
        id: "2.7", title: "The copy and reverse data set", symbol: "copyTaskData(codes:alphabetSize:reverse:)", file: "Lessons/Lesson2/CopyTask.swift",
        reference: { codes, a, reverse in try Solution2.copyTaskData(codes: codes, alphabetSize: a, reverse: reverse) },
        mistakes: [
            Mistake("reversed-the-batch", "the reverse task reverses the order of the sequences, not the symbols in each",
                    feedback: "Axis 0 of the [N, T] codes runs over the sequences, axis 1 over time. Reversing axis 0 (as `rows.reversed()` does) swaps whole sequences around; each target must be its OWN sequence read backwards: reverse along axis 1.",
                    dataWith(backwards: { try readBackwards($0, axis: 0) })),
            Mistake("reversed-inputs-too", "the inputs are reversed as well as the targets",
                    feedback: "If the input is reversed too, the target is the input read forwards again: that is the copy task. The network must READ the sequence as it is and WRITE it backwards: reverse the targets only.") { codes, a, reverse in
                let backwards = try readBackwards(codes)
                return reverse ? (try oneHot(backwards, classes: a), backwards) : (try oneHot(codes, classes: a), codes)
            },
            Mistake("one-hot-targets", "the targets are one-hot vectors, not integer codes",
                    feedback: "The network READS one-hot vectors, but the loss compares its scores with the index of the right symbol: targets are [N, T] codes (crossEntropy takes codes, one per position). Keep the targets as codes.") { codes, a, reverse in
                (try oneHot(codes, classes: a), try oneHot(reverse ? readBackwards(codes) : codes, classes: a))
            },
            Mistake("fixed-alphabet", "the one-hot vectors have 3 entries, the notebook's alphabet, whatever alphabetSize says",
                    feedback: "The data set must work for any alphabet: the experiment's last part trains copy models on bigger ones. The size of each one-hot vector is the alphabetSize argument: pass it to oneHot (or to your oneHotEncode).",
                    dataWith(alphabet: { _, _ in 3 })),
            Mistake("alphabet-from-largest-code", "the one-hot size is the largest code + 1, not alphabetSize",
                    feedback: "The largest code in the data is A − 1 only when the last symbol happens to occur: in a small batch it may not, and then your inputs are narrower than the model's W_xh expects. The alphabet is given: use alphabetSize, not the data, for the size of the one-hot vectors.",
                    dataWith(alphabet: { codes, _ in Int(codes.scalars.max() ?? 0) + 1 })),
            Mistake("steps-from-batch-axis", "the reversed indices count the sequences (codes.shape[0]), not the steps",
                    feedback: "codes is [N, T]: shape[0] is how many sequences there are, shape[1] how long each is. The reverse task reads each sequence's T steps backwards: indices T − 1, …, 0 with T = codes.shape[1].",
                    dataWith(backwards: { try readBackwards($0, steps: $0.shape[0]) })),
            Mistake("reversed-flattened", "all N·T codes are reversed as one list: the sequences swap places as well",
                    feedback: "Reversing the flat list of codes reverses both axes: the last sequence, backwards, becomes the first target. Only time must run backwards, each sequence staying in its row: indexSelect along axis 1 with T − 1, …, 0.",
                    dataWith(backwards: { try Tensor(Array($0.scalars.reversed()), shape: $0.shape) })),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        variants: [
            Variant("time-rolled", "the targets read one step later (rolled by one in time)", dataWith(backwards: { codes in
                try codes.indexSelect(axis: 1, indices: (0..<codes.shape[1]).map { ($0 + 1) % codes.shape[1] }) })),
        ]
    ) { f in
        var outcome = Outcome()
        var rng = RNG(seed: 71)
        // [N, T] never square; the second and third sets leave symbols out (so the alphabet
        // is not the data's): codes 0–1 of 6, and codes 0 and 2 of 4.
        let cases: [(shape: [Int], symbols: [Int], alphabet: Int)] = [([4, 7], [0, 1, 2], 3), ([3, 4], [0, 1], 6), ([2, 5], [0, 2], 4)]
        for (shape, symbols, a) in cases {
            let codes = try Tensor(indices: (0..<shape[0]).map { _ in (0..<shape[1]).map { _ in symbols[rng.int(below: symbols.count)] } })
            for reverse in [false, true] {
                let task = "\(reverse ? "reverse" : "copy") (codes \(shape) of \(a) symbols)"
                Probes.expose([("codes", codes)])
                let (inputs, targets) = try f(codes, a, reverse)
                outcome.record("\(task) inputs", inputs)
                outcome.record("\(task) targets", targets)
            }
        }
        return outcome
    }

    /// Every exercise of lesson 2, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(integerCodes), AnyExercise(oneHotEncode), AnyExercise(encoderFinalState), AnyExercise(decoderOutputs),
        AnyExercise(encoderDecoder), AnyExercise(sequenceCrossEntropy), AnyExercise(copyTaskData), AnyExercise(trainEpoch),
    ]
}
