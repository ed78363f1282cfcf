import Autograd
import Foundation
import Solution2

/// The graders of lesson 2: copy and reverse with an encoder–decoder.
public enum Lesson2Graders {
    // MARK: - 2.1 integer codes

    public typealias IntegerCodes = ([String]) throws -> (alphabet: [Character], codes: Tensor)

    /// Symbols that first appear out of alphabetical order, so an unsorted alphabet shows;
    /// symbols that appear once, or only in the last sequence; capitals, a space, a comma and
    /// a digit next to lowercase letters, so that lowercasing or an order of one's own shows;
    /// and symbols made of several Unicode scalars (ï, an é typed as e + accent, 👍🏽), so
    /// that splitting into scalars or bytes shows. A symbol is a Character.
    static let codeProbes: [[String]] = [
        ["cab", "bca", "aab", "cbb"], ["hello", "world"], ["Hello, World", "sunny 2 days"],
        ["na\u{EF}ve\u{1F44D}\u{1F3FD}", "e\u{301}tude!"],
    ]

    public static let integerCodes = Exercise<IntegerCodes>(
        id: "2.1", title: "Integer codes: unique and inverse", symbol: "integerCodes(_:)", file: "Lessons/Lesson2/Symbols.swift",
        reference: Solution2.integerCodes,
        mistakes: [
            Mistake("unsorted-alphabet", "the alphabet lists the symbols in the order they first appear",
                    feedback: "np.unique sorts, and so must you: then the same symbols give the same codes whatever the data, and a model trained on one data set reads another. Sort the distinct symbols before numbering them.") { sequences in
                var alphabet: [Character] = []
                for c in sequences.joined() where !alphabet.contains(c) { alphabet.append(c) }
                return try codesWith(alphabet, sequences)
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
            Mistake("lowercased", "the sequences were lowercased: H and h became one symbol",
                    feedback: "Upper and lower case are different symbols: a copy task that reads \"Hello\" must write back the H it read, not an h. Keep every character as it is; the alphabet holds each distinct character once, capitals included.") { sequences in
                let lower = sequences.map { $0.lowercased() }
                return try codesWith(Set(lower.joined()).sorted(), lower)
            },
            Mistake("case-insensitive-order", "the alphabet is sorted ignoring case (a, B, c), not by the characters themselves",
                    feedback: "np.unique sorts by the characters' own order, in which every capital comes before every lowercase letter (\"B\" < \"a\"), and Swift's < on Characters does the same. An order of your own still gives codes, but other code (and fresh data) expects the lesson's. Sort the distinct characters with plain sorted().") { sequences in
                try codesWith(Set(sequences.joined()).sorted { ($0.lowercased(), String($0)) < ($1.lowercased(), String($1)) }, sequences)
            },
            Mistake("unicode-scalars", "the strings were split into Unicode scalars, not Characters: é and 👍🏽 fell apart",
                    feedback: "A symbol is one Character, what String.count counts: an e followed by a combining accent is one é, and 👍🏽 is a thumb and a skin tone that make one symbol. unicodeScalars (or utf8 bytes) cut symbols into pieces and give the sequences the wrong length. Iterate over the strings themselves (for c in s, or s.map { … }).") { sequences in
                let rows = sequences.map { $0.unicodeScalars.map(Character.init) }
                return try codesWith(Set(rows.joined()).sorted(), rows)
            },
            Mistake("utf8-bytes", "the strings were split into UTF-8 bytes: a symbol of several bytes gives a row too long, and the rows no longer line up",
                    feedback: "utf8 counts bytes, not symbols: ï takes 2 bytes and 👍🏽 takes 8, so \"naïve👍🏽\" is 14 bytes for 6 symbols, while \"étude!\" is 8 — rows of different lengths that no [N, T] tensor can hold. A symbol is one Character: iterate over the strings themselves (for c in s, or s.map { … }), then check again.") { sequences in
                let rows = sequences.map { $0.utf8.map { Character(Unicode.Scalar($0)) } }
                return try codesWith(Set(rows.joined()).sorted(), rows)
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
            outcome.record("alphabet of \(probe)", alphabetValues(alphabet))
            outcome.record("codes of \(probe)", codes)
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// The codes of `rows` of symbols in a given alphabet, for 2.1's mistakes.
    static func codesWith<Row: Sequence<Character>>(_ alphabet: [Character], _ rows: [Row]) throws -> (alphabet: [Character], codes: Tensor) {
        (alphabet, try Tensor(indices: rows.map { $0.map { alphabet.firstIndex(of: $0)! } }))
    }
    // END INSTRUCTOR

    /// An alphabet as numbers: each symbol's Unicode scalars, composed (an é is é however it
    /// was typed, as Swift compares Characters), then a 0 that ends the symbol.
    static func alphabetValues(_ alphabet: [Character]) -> [Float] {
        alphabet.flatMap { String($0).precomposedStringWithCanonicalMapping.unicodeScalars.map { Float($0.value) } + [0] }
    }

    /// Numbers from `alphabetValues` back to `["a", " ", "é"]`, for messages.
    static func symbols(_ values: [Float]) -> String {
        let names = values.split(separator: 0, omittingEmptySubsequences: false).dropLast().map {
            "\"" + String(String.UnicodeScalarView($0.compactMap { Unicode.Scalar(UInt32($0)) })) + "\""
        }
        return "[" + names.joined(separator: ", ") + "]"
    }

    // MARK: - 2.2 one-hot by broadcasting

    public typealias OneHotEncode = (Tensor, Int) throws -> Tensor

    /// Codes with their alphabet size: two batches that hold every code, and two that lack
    /// some (the two largest; one in the middle), so that a size read off the data shows.
    /// No batch is square, so that [T, N] for [N, T] shows too.
    static let oneHotProbes: [(codes: [[Int]], alphabet: Int)] = [
        ([[0, 2, 1, 3, 3], [1, 0, 0, 2, 1]], 4),
        ([[2, 1, 0, 2], [0, 0, 1, 1], [2, 2, 2, 0]], 3),
        ([[0, 1, 1, 0, 2], [2, 0, 1, 1, 0]], 5),
        ([[0, 3, 3], [3, 0, 1]], 4),
    ]

    public static let oneHotEncode = Exercise<OneHotEncode>(
        id: "2.2", title: "One-hot vectors by broadcasting", symbol: "oneHotEncode(_:alphabetSize:)", file: "Lessons/Lesson2/Symbols.swift",
        reference: Solution2.oneHotEncode,
        mistakes: [
            Mistake("classes-first", "the one-hot axis comes first: [A, N, T] instead of [N, T, A]",
                    feedback: "Comparing the alphabet with two new axes, arange(A) as [A, 1, 1], against the codes puts the classes first. The network reads x[:, t] as one [batch, alphabet] vector, so the alphabet must be the LAST axis: add the new axis to the codes (unsqueeze(-1)) and compare with arange(A) as it is.") { codes, a in
                try classesFirst(codes, a)
            },
            Mistake("flattened", "the vectors come back as [N·T, A]: the batch and time axes are merged",
                    feedback: "Reshaping the codes to one column ([N·T, 1]) before comparing gives the right vectors in the wrong shape, and the encoder can no longer tell sequences or steps apart. Keep the codes' shape and only add a last axis: [N, T] → [N, T, 1].") { codes, a in
                try codes.reshape([codes.count, 1]).eq(Tensor.arange(a))
            },
            Mistake("classes-first-reshaped", "the vectors were built as [A, N, T] and reshaped to [N, T, A]",
                    feedback: "reshape keeps the values in their order and only regroups them: it never moves an axis. [A, N, T] reshaped to [N, T, A] has the right shape, but each vector is made of pieces of different comparisons. Build the alphabet axis last from the start: codes.unsqueeze(-1) compared with Tensor.arange(alphabetSize).") { codes, a in
                try classesFirst(codes, a).reshape(codes.shape + [a])
            },
            Mistake("size-from-largest-code", "the alphabet size is read off the codes (largest code + 1), not taken from alphabetSize",
                    feedback: "np.eye(codes.max() + 1)[codes] works until a batch happens to lack the last symbols: then its vectors are shorter than the network's input, and every batch may get a different length. A batch cannot know the alphabet; the caller does. Compare with Tensor.arange(alphabetSize).") { codes, _ in
                try codes.unsqueeze(-1).eq(Tensor.arange(Int(try codes.max().item()) + 1))
            },
            Mistake("size-from-distinct-codes", "the alphabet size is the number of distinct codes in the batch",
                    feedback: "Counting the codes that occur (len(np.unique(codes))) gives the alphabet size only when every symbol occurs: a batch without symbol 2 gets vectors one too short, and its code 3 finds no 1 to light. The alphabet size is given: compare with Tensor.arange(alphabetSize).") { codes, _ in
                try codes.unsqueeze(-1).eq(Tensor.arange(Set(codes.indices).count))
            },
            Mistake("rank-two-only", "the new axis is added at position 2, which is the last one only for [N, T] codes",
                    feedback: "unsqueeze(2) puts the new axis last for a batch of sequences, but the codes may have any shape: one sequence [T] has no axis 2 to insert before, and [N, T, K] codes get their new axis in the middle. Add it at the end whatever the rank: unsqueeze(-1), then compare with Tensor.arange(alphabetSize).") { codes, a in
                try codes.unsqueeze(2).eq(Tensor.arange(a))
            },
            Mistake("oneHot-of-distinct-codes", "oneHot is given the number of distinct codes in the batch as the alphabet size, so a code past it is refused",
                    feedback: "Counting the codes that occur gives the alphabet size only when every symbol occurs: a batch with codes 0, 1 and 3 has 3 distinct codes, and oneHot rightly refuses code 3 among 3 classes. A batch cannot know the alphabet; the caller does. Pass alphabetSize as the number of classes, then check again.") { codes, _ in
                try oneHot(codes, classes: Set(codes.indices).count)
            },
        ]
    ) { f in
        var outcome = Outcome()
        for (rows, a) in oneHotProbes {
            let codes = try Tensor(indices: rows)
            Probes.expose([("codes", codes)])
            outcome.record("one-hot of \(rows) with \(a) symbols", try f(codes, a))
        }
        // Codes of any shape S give S + [A]: one row, and a batch of pairs of steps. A
        // shortcut written for [N, T] only (unsqueeze(2), a reshape to [N, T, 1]) fails here.
        let row = try Tensor([2, 0, 1, 2] as [Float], shape: [4])
        let pairs = try Tensor([0, 1, 2, 1, 1, 1, 0, 3] as [Float], shape: [2, 2, 2])
        for (codes, a) in [(row, 3), (pairs, 4)] {
            let name = "one-hot of \(codes.shape)-shaped codes \(codes.indices) with \(a) symbols (any shape S gives S + [\(a)])"
            try Probes.attempt(name, into: &outcome) { o in o.record(name, try f(codes, a)) }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// The comparison with the classes first, [A] + S: 2.2's classes-first mistakes.
    static func classesFirst(_ codes: Tensor, _ a: Int) throws -> Tensor {
        try Tensor.arange(a).reshape([a] + codes.shape.map { _ in 1 }).eq(codes.unsqueeze(0))
    }
    // END INSTRUCTOR

    // MARK: - 2.3 encoder

    public typealias Encoder = (Tensor, Linear, Linear, Tensor) throws -> Tensor

    public static let encoderFinalState = Exercise<Encoder>(
        id: "2.3", title: "A tanh encoder that returns its last state", symbol: "encoderFinalState(_:inputToHidden:hiddenToHidden:initialState:)",
        file: "Lessons/Lesson2/Encoder.swift",
        reference: { x, ih, hh, h0 in try Solution2.encoderFinalState(x, inputToHidden: ih, hiddenToHidden: hh, initialState: h0) },
        mistakes: [
            Mistake("no-tanh", "the step has no tanh: the encoder is linear",
                    feedback: "Without the nonlinearity each state is a linear function of the inputs, and the states can grow without bound over a long sequence. Squash the sum: h = tanh(W_xh·x + W_hh·h + biases).",
                    encoderWith(activation: { $0 })),
            Mistake("state-not-carried", "every step starts again from the initial state",
                    feedback: "Each step must read the state the PREVIOUS step made, so that the last state depends on every symbol. Your last state depends only on the last symbol: assign the new state back to h and use h in the next step.",
                    encoderWith(recurrence: { hh, _, start in try hh(start) })),
            Mistake("zero-initial-state", "the encoder starts from zeros, not from the learned initial state",
                    feedback: "initialState is a parameter: it must be where every sequence starts, so that the loss can move it (its gradient is missing now). Start from initialState expanded to [batch, hidden], not from Tensor.zeros.",
                    encoderWith(start: { h0, batch in Tensor.zeros([batch, h0.count]) })),
        ] + overflowingTanh { encoderWith(activation: $0) } + [
            transposedWhh(encoderWith(recurrence: { hh, h, _ in try h.matmul(hh.weight) + hh.bias! })),
            Mistake("skipped-first-symbol", "the loop starts at t = 1: the first symbol is never read",
                    feedback: "The formula counts t = 1 … T, but select counts from 0: x.select(axis: 1, index: 0) is the FIRST symbol, x_1. Starting the loop at 1 drops it, and the encoder can never tell sequences apart by their first symbol. Loop over 0..<x.shape[1].",
                    encoderWith(times: { time, _ in Array(1..<time) })),
            Mistake("loops-over-batch", "the loop runs over x.shape[0], the batch, instead of x.shape[1], time",
                    feedback: "x is [batch, time, alphabet]: x.shape[0] counts the sequences, x.shape[1] the symbols of each. Looping batch-many times reads too few symbols here (or runs past the end when the batch is larger). Loop over 0..<x.shape[1].",
                    encoderWith(times: { _, batch in Array(0..<batch) })),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4)),
        variants: activationVariants { encoderWith(activation: $0) } + [
            Variant("last-step-skipped", "the last time step left out", encoderWith(times: { time, _ in Array(0..<(time - 1)) })),
            Variant("time-reversed", "the sequence read from the last symbol to the first", encoderWith(times: { time, _ in Array((0..<time).reversed()) })),
        ]
    ) { f in
        var outcome = Outcome()
        // #33 has biases of ±100 and more: tanh saturates there, and exponentials overflow.
        for (seed, batch, time, input, hidden, saturated) in [(31, 3, 5, 4, 6, false), (32, 2, 7, 3, 5, false), (33, 2, 4, 3, 5, true)]
            as [(UInt64, Int, Int, Int, Int, Bool)] {
            var rng = RNG(seed: seed)
            let ih = Linear(input, hidden, rng: &rng), hh = Linear(hidden, hidden, rng: &rng)
            if saturated { try saturate(ih) }
            let h0 = Probes.input([hidden], seed: seed + 100, -0.5...0.5)
            let x = Probes.input([batch, time, input], seed: seed + 200, 0...1)
            let tensors = [("x", x), ("initialState", h0), ("W_xh", ih.weight), ("b_xh", ih.bias!), ("W_hh", hh.weight), ("b_hh", hh.bias!)]
            Probes.expose(tensors)
            let h = try f(x, ih, hh, h0)
            try Probes.record(h, as: "last state (inputs #\(seed % 10))", gradientsOf: named(seed, tensors), into: &outcome)
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// The reference encoder with one part changed, for 2.3's mistakes and variants: the
    /// squashing function, the time steps read (given time and batch sizes), what the
    /// previous state contributes (given W_hh's layer, the state and the first state), and
    /// where the state starts.
    static func encoderWith(
        activation: @escaping (Tensor) throws -> Tensor = { $0.tanh() },
        times: @escaping (_ time: Int, _ batch: Int) -> [Int] = { time, _ in Array(0..<time) },
        recurrence: @escaping (_ hh: Linear, _ h: Tensor, _ start: Tensor) throws -> Tensor = { hh, h, _ in try hh(h) },
        start: @escaping (_ initialState: Tensor, _ batch: Int) throws -> Tensor = { h0, batch in try h0.expand(to: [batch, h0.count]) }
    ) -> Encoder {
        { x, ih, hh, h0 in
            let first = try start(h0, x.shape[0])
            var h = first
            for t in times(x.shape[1], x.shape[0]) { h = try activation(ih(x.select(axis: 1, index: t)) + recurrence(hh, h, first)) }
            return h
        }
    }
    // END INSTRUCTOR

    /// 2.3's and 2.4's mistakes with a tanh of their own that overflows, from a builder that
    /// takes the activation (encoderWith, decoderWith).
    static func overflowingTanh<I>(_ with: (_ activation: @escaping (Tensor) throws -> Tensor) -> I) -> [Mistake<I>] {
        [
            Mistake("tanh-from-exp", "tanh is written out with exponentials, (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ) or (e²ˣ − 1)/(e²ˣ + 1), which overflow",
                    feedback: "The formula is right on paper, but in Float e⁸⁹ is already ∞ (e⁴⁵ once it is e²ˣ), and ∞/∞ is NaN: as soon as a step's sum reaches ±100 (large weights, a long training run) the state turns NaN, and the NaN spreads to every later step, where tanh itself simply stays at ±1. Use the core's tanh() (or 2·sigmoid(2z) − 1), which never forms e to a large power.",
                    with { z in try (z.exp() - (-z).exp()) / (z.exp() + (-z).exp()) }),
            Mistake("tanh-from-hand-sigmoid", "tanh is 2·σ(2z) − 1 with σ written out as 1/(1 + e⁻²ᶻ): right values, NaN gradients",
                    feedback: "The values are right even at z = −100 (1/∞ is 0), but backward() is not: it multiplies the 0 that flows back by e²⁰⁰ = ∞, which is NaN, and every gradient becomes NaN, so one saturated unit stops all learning. Use the core's tanh() (or sigmoid()), whose pullbacks are written from the output, 1 − y² and y(1 − y), and never form e to a large power.",
                    with { z in 2 / (1 + (-2 * z).exp()) - 1 }),
        ]
    }

    /// 2.3's and 2.4's mistake: h · W_hh where the layer computes h · W_hhᵀ.
    static func transposedWhh<I>(_ implementation: I) -> Mistake<I> {
        Mistake("transposed-w-hh", "the state is multiplied by W_hh, not by its transpose (h · W_hh instead of hiddenToHidden(h))",
                feedback: "A Linear layer computes x · Wᵀ + b: row i of W holds the weights INTO unit i. h · W_hh reads the matrix the other way round, and because W_hh is square nothing complains. Call the layer, hiddenToHidden(h), or write h.matmul(W.T) + b.",
                implementation)
    }

    /// Variants with sigmoid, relu or nothing where the reference has tanh, from a builder
    /// that takes the activation (encoderWith, decoderWith).
    static func activationVariants<I>(_ with: (_ activation: @escaping (Tensor) throws -> Tensor) -> I) -> [Variant<I>] {
        [
            Variant("sigmoid-for-tanh", "sigmoid where it has tanh", with { $0.sigmoid() }),
            Variant("relu-for-tanh", "relu where it has tanh", with { $0.relu() }),
            Variant("identity-for-tanh", "no activation where it has tanh", with { $0 }),
        ]
    }

    /// Gives the first four units of `layer` biases of ±100 and more, so that tanh saturates
    /// there and a tanh made of exponentials overflows (e¹⁰⁰ is ∞ in Float); the other units
    /// keep their small biases.
    static func saturate(_ layer: Linear) throws {
        let large: [Float] = [120, -120, 100, -100], b = layer.bias!.scalars
        try layer.bias!.assign(b.indices.map { $0 < large.count ? large[$0] : b[$0] })
    }

    /// Names with the probe's set number, so that each probe's gradients are recorded apart.
    /// The seeds are 31, 32, 33 (exercise 2.3, sets 1 to 3): the set is the last digit.
    static func named(_ seed: UInt64, _ tensors: [(String, Tensor)]) -> [(String, Tensor)] {
        tensors.map { ("\($0.0) (inputs #\(seed % 10))", $0.1) }
    }

    // MARK: - 2.4 decoder

    public typealias Decoder = (Tensor, Int, Linear, Linear) throws -> Tensor

    public static let decoderOutputs = Exercise<Decoder>(
        id: "2.4", title: "A decoder with no input", symbol: "decoderOutputs(from:steps:hiddenToHidden:hiddenToOutput:)",
        file: "Lessons/Lesson2/Decoder.swift",
        reference: { h, n, hh, hy in try Solution2.decoderOutputs(from: h, steps: n, hiddenToHidden: hh, hiddenToOutput: hy) },
        mistakes: [
            Mistake("read-before-step", "each output is read off the state before the step, not after it",
                    feedback: "Your first output is read straight off the encoder's state, and the last state is never read. Step first (h = tanh(W_hh·h + b)), then read y = W_hy·h from the NEW state, as the notebook's decoder does.",
                    decoderWith(readBeforeStep: true)),
            Mistake("no-tanh", "the decoder's step has no tanh",
                    feedback: "Without the nonlinearity the decoder is a linear system: its states can only grow, shrink or rotate, and it cannot make the decisions that write out a sequence of symbols. Squash each new state with tanh.",
                    decoderWith(activation: { $0 })),
            Mistake("time-first", "the outputs are stacked time-first: [steps, batch, alphabet]",
                    feedback: "stack(_:axis:) puts the new axis where you say, and axis 0 makes time the first axis. The course is batch-first: logits are [batch, steps, alphabet], so stack along axis 1.",
                    decoderWith(layout: { try stack($0, axis: 0) })),
            Mistake("time-first-reshaped", "the outputs were stacked time-first and then reshaped to [batch, steps, alphabet]",
                    feedback: "reshape regroups the values in the order they lie, it never moves an axis: [steps, batch, alphabet] reshaped to [batch, steps, alphabet] has the right shape, but its rows mix different sequences and steps. Stack along axis 1 in the first place (or permute([1, 0, 2]), not reshape).",
                    decoderWith(layout: { ys in try stack(ys, axis: 0).reshape([ys[0].shape[0], ys.count, ys[0].shape[1]]) })),
        ] + overflowingTanh { decoderWith(activation: $0) } + [
            transposedWhh(decoderWith(recurrence: { hh, h, _ in try h.matmul(hh.weight) + hh.bias! })),
            Mistake("state-not-carried", "every step starts again from the encoder's state",
                    feedback: "The new state was computed from h but never stored back into it (a `let s = …` in the loop), so every step makes the same state and writes the same symbol. Assign the new state to h, so that the next step moves on from it.",
                    decoderWith(recurrence: { hh, _, start in try hh(start) })),
            Mistake("softmax-outputs", "the outputs go through a softmax: probabilities, not logits",
                    feedback: "The decoder returns scores (logits); the loss applies the (log-)softmax itself, stably. A softmax here is applied twice in the loss, which flattens the gradients and slows learning to a crawl. Return hiddenToOutput(h) as it is.",
                    decoderWith(readout: { hy, h in try hy(h).softmax(axis: -1) })),
            Mistake("one-step-short", "the loop runs steps − 1 times (1..<steps): the last output is missing",
                    feedback: "The formula counts t = 1 … steps, which is `steps` steps; 1..<steps in Swift is one fewer. The model must write one symbol per input symbol. Loop over 0..<steps (or 1...steps).",
                    decoderWith(steps: { $0 - 1 })),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-5, rtol: 1e-4)),
        variants: activationVariants { decoderWith(activation: $0) } + [
            Variant("one-step-fewer", "one step fewer", decoderWith(steps: { $0 - 1 })),
            Variant("one-step-more", "one step more", decoderWith(steps: { $0 + 1 })),
        ]
    ) { f in
        var outcome = Outcome()
        // #43 has biases of ±100 and more: tanh saturates there, and exponentials overflow.
        for (seed, batch, hidden, alphabet, steps, saturated) in [(41, 3, 6, 4, 5, false), (42, 2, 5, 3, 7, false), (43, 2, 5, 3, 4, true)]
            as [(UInt64, Int, Int, Int, Int, Bool)] {
            var rng = RNG(seed: seed)
            let hh = Linear(hidden, hidden, rng: &rng), hy = Linear(hidden, alphabet, rng: &rng)
            if saturated { try saturate(hh) }
            let h = Probes.input([batch, hidden], seed: seed + 100, -1...1)
            let tensors = [("h", h), ("W_hh", hh.weight), ("b_hh", hh.bias!), ("W_hy", hy.weight), ("b_hy", hy.bias!)]
            Probes.expose(tensors)
            let y = try f(h, steps, hh, hy)
            try Probes.record(y, as: "logits (inputs #\(seed % 10))", gradientsOf: named(seed, tensors), into: &outcome)
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// The reference decoder with one part changed, for 2.4's mistakes and variants: the
    /// squashing function, how many steps run, what the previous state contributes (given
    /// W_hh's layer, the state and the encoder's state), how logits are read off a state,
    /// whether they are read before the step, and how the outputs are put together.
    static func decoderWith(
        activation: @escaping (Tensor) throws -> Tensor = { $0.tanh() },
        steps: @escaping (Int) -> Int = { $0 },
        recurrence: @escaping (_ hh: Linear, _ h: Tensor, _ start: Tensor) throws -> Tensor = { hh, h, _ in try hh(h) },
        readout: @escaping (_ hy: Linear, _ h: Tensor) throws -> Tensor = { hy, h in try hy(h) },
        readBeforeStep: Bool = false,
        layout: @escaping (_ outputs: [Tensor]) throws -> Tensor = { try stack($0, axis: 1) }
    ) -> Decoder {
        { start, n, hh, hy in
            var h = start, outputs: [Tensor] = []
            for _ in 0..<steps(n) {
                if readBeforeStep { outputs.append(try readout(hy, h)) }
                h = try activation(recurrence(hh, h, start))
                if !readBeforeStep { outputs.append(try readout(hy, h)) }
            }
            return try layout(outputs)
        }
    }
    // END INSTRUCTOR

    /// Every exercise of lesson 2, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(integerCodes), AnyExercise(oneHotEncode), AnyExercise(encoderFinalState), AnyExercise(decoderOutputs),
        AnyExercise(encoderDecoder), AnyExercise(sequenceCrossEntropy), AnyExercise(copyTaskData), AnyExercise(trainEpoch),
    ]
}
