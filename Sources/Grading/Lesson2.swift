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

    /// Every exercise of lesson 2, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(integerCodes), AnyExercise(oneHotEncode), AnyExercise(encoderFinalState), AnyExercise(decoderOutputs),
        AnyExercise(encoderDecoder), AnyExercise(sequenceCrossEntropy), AnyExercise(copyTaskData), AnyExercise(trainEpoch),
    ]
}
