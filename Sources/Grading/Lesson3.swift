import Autograd
import Foundation
import Solution3

/// The graders of lesson 3: variable lengths — padding, stop symbols and masks.
public enum Lesson3Graders {
    // MARK: - 3.1 padding with a stop symbol

    public typealias PadWithStops = ([String]) throws -> (alphabet: [Character], codes: Tensor, lengths: [Int])

    /// The probe's sequences: ragged, one of them the longest alone, symbols in no order;
    /// an alphabet with gaps, capitals and lower case, all of one length; symbols of several
    /// bytes (é, û, 🙂), so that characters, Unicode values and bytes give different answers.
    static let padProbes: [[String]] = [
        ["cab", "b", "abcab", "ca"], ["zx", "y", "xzzy", "zyx", "x"], ["Bad", "bad", "dab", "Ada"], ["crème", "brûlée", "é🙂", "🙂"],
    ]

    // BEGIN INSTRUCTOR
    /// `padWithStops` with one step done another way (3.1's known mistakes): how the text is
    /// read, the order of the alphabet, a symbol's code, what a length counts, how many stops
    /// the longest sequence gets, and on which side the stops go.
    static func paddedWith(
        _ sequences: [String], text: (String) -> String = { $0 }, alphabet order: ([String]) -> [Character] = { Set($0.joined()).sorted() },
        code: ([Character], Character) -> Int = { $0.firstIndex(of: $1)! + 1 }, length: (String) -> Int = { $0.count },
        stops: Int = 1, onTheLeft: Bool = false
    ) throws -> (alphabet: [Character], codes: Tensor, lengths: [Int]) {
        let texts = sequences.map(text)
        let alphabet = order(texts)
        let rows = texts.map { $0.map { code(alphabet, $0) } }
        let lengths = texts.map(length)
        let steps = (lengths.max() ?? 0) + stops
        let padded = onTheLeft ? rows.map { [Int](repeating: 0, count: Swift.max(steps - $0.count, 0)) + $0 } : rows
        return (alphabet, try padSequences(padded, length: steps), lengths)
    }
    // END INSTRUCTOR

    public static let padWithStops = Exercise<PadWithStops>(
        id: "3.1", title: "Padding with a stop symbol", symbol: "padWithStops(_:)", file: "Lessons/Lesson3/Padding.swift",
        reference: Solution3.padWithStops,
        mistakes: [
            Mistake("codes-not-shifted", "the symbols keep lesson 2's codes 0, 1, 2, …, so the first symbol and the stop share code 0",
                    feedback: "Code 0 is reserved for the stop symbol, so the symbols must start at 1: alphabet[k] gets code k + 1. With 0-based codes every \"a\" looks exactly like padding, and nothing can tell \"ab\" from \"b\" followed by a stop. Add 1 to each symbol's index.") {
                try paddedWith($0, code: { $0.firstIndex(of: $1)! })
            },
            Mistake("no-room-for-a-stop", "the rows are as long as the longest sequence, so that sequence has no stop symbol",
                    feedback: "Padding to the longest length leaves the longest sequences without a stop: the network never sees where they end, and the loss can't teach it to stop there. Make T one longer than the longest sequence, so every row ends with at least one 0.") {
                try paddedWith($0, stops: 0)
            },
            Mistake("padded-on-the-left", "the stops come before the symbols instead of after them",
                    feedback: "A stop symbol says \"the sequence is over\", so it goes after the symbols: row i holds its n_i codes in positions 0 … n_i − 1, then zeros. (Left padding exists — for decoders that must end together — but then the mask and the last-step index change too.) Write each sequence from position 0.") {
                try paddedWith($0, onTheLeft: true)
            },
            Mistake("codes-from-character-values", "a symbol's code is its Unicode value minus the first symbol's, plus 1",
                    feedback: "Counting from the first symbol's value works while the alphabet has no gaps — \"abc\" gives 1, 2, 3 — but \"Bad\" has B, a, b, d: d is 35 values after B, not the 4th symbol, and the codes run past the alphabet. A code is the symbol's place in the sorted alphabet, plus 1: look it up (a dictionary from symbol to index + 1).") {
                try paddedWith($0, code: { Int($1.unicodeScalars.first!.value) - Int($0[0].unicodeScalars.first!.value) + 1 })
            },
            Mistake("lowercased-alphabet", "the text is lowercased first, so \"B\" and \"b\" become one symbol",
                    feedback: "A copier must write back exactly what it read: \"Bad\" and \"bad\" are different sequences, and B and b different symbols with different codes. Lowercasing loses that before anything is learned. Build the alphabet from the sequences as they are.") {
                try paddedWith($0, text: { $0.lowercased() })
            },
            Mistake("lengths-in-bytes", "the lengths count UTF-8 bytes, not characters",
                    feedback: "`utf8.count` counts bytes, and \"é\" takes 2 of them, \"🙂\" 4: \"é🙂\" has 2 symbols but 6 bytes, so its length, T and the mask would all be wrong. A Swift String is a collection of Characters: the length of a sequence is `s.count`, the number of symbols it holds.") {
                try paddedWith($0, length: { $0.utf8.count })
            },
            Mistake("alphabet-in-order-of-appearance", "the alphabet lists the symbols in the order they first appear, not sorted",
                    feedback: "Giving each new symbol the next code works, but the codes then depend on which sequence comes first: shuffle the data and \"a\" changes code. The alphabet is the distinct symbols SORTED, so the same symbols always get the same codes. Sort them before numbering.") {
                try paddedWith($0, alphabet: { texts in texts.joined().reduce(into: [Character]()) { if !$0.contains($1) { $0.append($1) } } })
            },
        ]
    ) { pad in
        var outcome = Outcome()
        for sequences in padProbes {
            let (alphabet, codes, lengths) = try pad(sequences)
            let suffix = " for \(sequences)"
            outcome.record("alphabet (as Unicode code points)\(suffix)", alphabet.map { Float($0.unicodeScalars.first!.value) })
            outcome.record("codes\(suffix)", codes)
            outcome.record("lengths\(suffix)", lengths.map(Float.init))
        }
        return outcome
    }

    // MARK: - 3.2 the mask of the real positions

    public typealias RealMask = ([Int], Int) throws -> Tensor

    public static let realMask = Exercise<RealMask>(
        id: "3.2", title: "A length mask by broadcasting", symbol: "realMask(lengths:steps:)", file: "Lessons/Lesson3/Padding.swift",
        reference: Solution3.realMask,
        mistakes: [
            Mistake("counts-the-stop", "the mask is 1 for t ≤ n: it counts the first stop symbol as a real symbol",
                    feedback: "Positions 0 … n − 1 hold the n symbols; position n holds the first stop. So the real positions are t < n: compare with gt (length > t), not ge. (A loss that should also teach the stop uses a mask for n + 1 — but that is a choice made where the mask is used, not in the mask of the real symbols.)") { lengths, steps in
                try Tensor(indices: lengths).unsqueeze(1).ge(Tensor.arange(steps))
            },
            Mistake("marks-the-padding", "the mask is 1 on the padding and 0 on the real symbols",
                    feedback: "This mask marks what counts: 1 on real symbols, so that multiplying a loss by it keeps them. (PyTorch's key_padding_mask is the opposite convention — True on padding — which is why it's easy to flip.) Compare length > t, so that t = 0 of any non-empty sequence gives 1.") { lengths, steps in
                try Tensor(indices: lengths).unsqueeze(1).le(Tensor.arange(steps))
            },
            Mistake("steps-from-the-lengths", "the mask is as wide as the longest length, not `steps` wide",
                    feedback: "The mask must line up with the padded codes, which are T = steps wide — one more than the longest sequence in lesson 3's batches, and wider still when a batch holds only short sequences. Taking the width from the lengths gives a mask one column short, and the multiplication with the loss fails or broadcasts wrongly. Compare with Tensor.arange(steps).") { lengths, _ in
                try Tensor(indices: lengths).unsqueeze(1).gt(Tensor.arange(lengths.max() ?? 0))
            },
            Mistake("one-row-per-step", "the mask is [T, N]: the positions run down the rows and the sequences across",
                    feedback: "Broadcasting [T, 1] against [N] gives [T, N], the transpose of what the codes look like. Row i of the mask must be sequence i, the same as row i of the codes [N, T]: make the LENGTHS the column ([N, 1]) and the positions the row ([T]).") { lengths, steps in
                try Tensor.arange(steps).unsqueeze(1).lt(Tensor(indices: lengths))
            },
            Mistake("empty-sequence-gets-a-symbol", "a sequence of length 0 gets a 1 at position 0",
                    feedback: "A loop `for t in 0...max(n − 1, 0)` avoids the crash of 0...−1 by marking position 0 of an empty sequence, which has no real symbol at all: its row must be all zeros. Loop over 0..<n — an empty range for n = 0 — or compare length > t, which needs no special case.") { lengths, steps in
                try Tensor(indices: lengths.map { Swift.max($0, 1) }).unsqueeze(1).gt(Tensor.arange(steps))
            },
        ]
    ) { mask in
        var outcome = Outcome()
        // Unsorted lengths, never square; one as long as T, one empty, and one batch whose longest is 2 short of T.
        for (lengths, steps) in [([3, 1, 6, 2], 6), ([2, 5], 7), ([0, 4, 1, 4, 2], 4), ([1, 2, 0], 4)] {
            outcome.record("mask for lengths \(lengths), steps \(steps)", try mask(lengths, steps))
        }
        return outcome
    }

    // MARK: - 3.3 a stack of RNN layers

    public typealias StackedRNN = (Tensor, [RecurrentWeights]) throws -> (output: Tensor, hidden: Tensor)

    /// An RNN's weights and a `[2, 5, input]` input: 3 layers with input size = hidden size
    /// (so that every way of wiring the layers runs and can be told apart), or 1 layer
    /// reading 3 inputs into 5 hidden units (so that sizes taken from the wrong tensor fail).
    static func stackedProbe(seed: UInt64, input: Int = 4, hidden: Int = 4, layers: Int = 3) -> (x: Tensor, layer: RNN) {
        var rng = RNG(seed: seed)
        let layer = RNN(input, hidden, numLayers: layers, rng: &rng)
        return (Tensor.uniform([2, 5, input], -1.5, 1.5, requiresGrad: true, rng: &rng), layer)
    }

    // BEGIN INSTRUCTOR
    /// One change to how the layers of a stack are wired (3.3's known mistakes and variants).
    enum Wiring {
        case right, everyLayerReadsX, outputOfFirstLayer, hiddenOfTopOnly, hiddenTopLayerFirst, hiddenBatchFirst
        case startsFromTheLayerBelow, firstLayerWeightsEverywhere, statesBeforeTheStep, relu, hiddenSizeFromX
    }

    /// The reference's stack of layers (layer by layer, each over the whole sequence) with one `Wiring` change.
    static func stackedWith(_ x: Tensor, _ layers: [RecurrentWeights], _ wiring: Wiring) throws -> (output: Tensor, hidden: Tensor) {
        var input = x, finals: [Tensor] = [], outputs: [Tensor] = []
        for w in layers {
            let weights = wiring == .firstLayerWeightsEverywhere ? layers[0] : w
            let size = wiring == .hiddenSizeFromX ? x.shape[2] : w.hiddenSize
            var h = wiring == .startsFromTheLayerBelow ? finals.last ?? Tensor.zeros([x.shape[0], size]) : Tensor.zeros([x.shape[0], size])
            let reads = wiring == .everyLayerReadsX ? x : input
            var states: [Tensor] = []
            for t in 0..<x.shape[1] {
                let next = try rnnCell(reads.select(axis: 1, index: t), h, weights: weights, nonlinearity: wiring == .relu ? .relu : .tanh)
                states.append(wiring == .statesBeforeTheStep ? h : next)
                h = next
            }
            input = try stack(states, axis: 1)
            outputs.append(input)
            finals.append(h)
        }
        let output = wiring == .outputOfFirstLayer ? outputs[0] : input
        switch wiring {
        case .hiddenOfTopOnly: return (output, try finals[finals.count - 1].unsqueeze(0))
        case .hiddenTopLayerFirst: return (output, try stack(finals.reversed(), axis: 0))
        case .hiddenBatchFirst: return (output, try stack(finals, axis: 1))
        default: return (output, try stack(finals, axis: 0))
        }
    }
    // END INSTRUCTOR

    public static let stackedRNN = Exercise<StackedRNN>(
        id: "3.3", title: "What the RNN layer returns: output and hidden", symbol: "stackedRNN(_:layers:)", file: "Lessons/Lesson3/StackedRNN.swift",
        reference: Solution3.stackedRNN,
        mistakes: [
            Mistake("every-layer-reads-x", "every layer reads the input sequence x, not the states of the layer below",
                    feedback: "Stacking means layer l reads what layer l − 1 produced: its states at every step, [B, T, H]. Feeding x to every layer makes L independent RNNs side by side, and only the last one shows. After running a layer, make its stacked states the next layer's input.") {
                try stackedWith($0, $1, .everyLayerReadsX)
            },
            Mistake("output-of-the-first-layer", "output holds the first layer's states instead of the last layer's",
                    feedback: "output is what the stack hands to whatever comes next: the TOP layer's state at every step. The first layer's states are only an intermediate result. Return the states of the last layer you ran.") {
                try stackedWith($0, $1, .outputOfFirstLayer)
            },
            Mistake("hidden-of-the-top-layer-only", "hidden holds only the top layer's last state, [1, B, H]",
                    feedback: "hidden is the state a stack would need to carry on: the last state of EVERY layer, [numLayers, B, H]. The top layer's last state alone is already in output (its last step). Keep each layer's final h and stack them along a new axis 0.") {
                try stackedWith($0, $1, .hiddenOfTopOnly)
            },
            Mistake("one-state-for-all-layers", "all layers share one state variable, so each layer starts its step from the layer below's new state",
                    feedback: "Each layer has its own state that it carries from step to step: layer l at step t needs h_{t−1} of layer l, not the state layer l − 1 just computed. Keep one state per layer (an array of L states, or run each layer over the whole sequence before the next).") { x, layers in
                var h = Tensor.zeros([x.shape[0], layers[0].hiddenSize])
                var tops: [Tensor] = []
                var finals = [Tensor](repeating: h, count: layers.count)
                for t in 0..<x.shape[1] {
                    var input = try x.select(axis: 1, index: t)
                    for (l, w) in layers.enumerated() {
                        h = try rnnCell(input, h, weights: w)
                        input = h
                        finals[l] = h
                    }
                    tops.append(h)
                }
                return (try stack(tops, axis: 1), try stack(finals, axis: 0))
            },
            Mistake("hidden-top-layer-first", "hidden lists the layers from the top down: hidden[0] is the last layer's state",
                    feedback: "hidden[l] is layer l's last state, counted from the bottom as the layers are: hidden[0] belongs to the layer that reads x, hidden[L − 1] to the top one (the same as output's last step). Stack the final states in the order you ran the layers, without reversing.") {
                try stackedWith($0, $1, .hiddenTopLayerFirst)
            },
            Mistake("hidden-batch-first", "hidden is [B, L, H]: the layers stacked along axis 1",
                    feedback: "batch-first applies to output only: hidden is [numLayers, B, H] whatever the layout of the sequence, as in torch.nn.RNN. That way hidden[l] is layer l's state for the whole batch, ready to start layer l again. Stack the final states along axis 0.") {
                try stackedWith($0, $1, .hiddenBatchFirst)
            },
            Mistake("starts-from-the-layer-below", "each layer starts from the last state of the layer below instead of zeros",
                    feedback: "Every layer starts at h_0 = 0: layer l's state lives in its own space, and the final state of layer l − 1 is not a starting point for it — that layer's states reach it as INPUT, step by step. Start each layer from Tensor.zeros([B, H]).") {
                try stackedWith($0, $1, .startsFromTheLayerBelow)
            },
            Mistake("first-layer-weights-everywhere", "every layer runs with the first layer's weights",
                    feedback: "Each layer has its own weights — layers[l] for layer l — and they differ: a stack with one set of weights repeated is a much smaller model (and breaks as soon as the input size is not the hidden size). Run layer l with layers[l]: iterate over the layers' weights, not over an index you never use.") {
                try stackedWith($0, $1, .firstLayerWeightsEverywhere)
            },
            Mistake("hidden-size-from-x", "each layer starts from zeros as wide as the input, x.shape[2], instead of the layer's hidden size",
                    feedback: "The state has one value per hidden unit, and the input size need not be the hidden size: a layer reading 3 inputs into 5 units starts from h_0 = zeros [B, 5], and W_hh [5, 5] refuses a [B, 3] state. It only ran because input = hidden. Take the size from the weights, Tensor.zeros([B, layers[l].hiddenSize]), then check again.") {
                try stackedWith($0, $1, .hiddenSizeFromX)
            },
        ],
        variants: [
            Variant("relu-for-tanh", "relu where it has tanh", { try stackedWith($0, $1, .relu) }),
            Variant("states-before-the-step", "each step's state recorded before the step instead of after it", { try stackedWith($0, $1, .statesBeforeTheStep) }),
        ]
    ) { run in
        var outcome = Outcome()
        for (seed, input, hidden, layers): (UInt64, Int, Int, Int) in [(31, 4, 4, 3), (32, 4, 4, 3), (33, 3, 5, 1)] {
            let (x, layer) = stackedProbe(seed: seed, input: input, hidden: hidden, layers: layers)
            Probes.expose([("x", x)] + layer.namedParameters().map { ($0.name, $0.tensor) })
            let (output, hidden) = try run(x, layer.weights)
            let suffix = " (inputs #\(seed % 10))"  // sets 1 to 3
            outcome.record("output\(suffix)", output)
            outcome.record("hidden\(suffix)", hidden)
            var wrt: [(String, Tensor)] = [("x\(suffix)", x)]
            for (name, p) in layer.namedParameters() { wrt.append(("\(name)\(suffix)", p)) }
            let both = try concat([output.flatten(), hidden.flatten()], axis: 0)
            try Probes.record(both, as: "output and hidden, flattened\(suffix)", gradientsOf: wrt, into: &outcome)
        }
        return outcome
    }

    // MARK: - 3.4 each sequence's own last state

    public typealias OwnLastStep = (Tensor, [Int]) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// Row b of output at step counts[b] − 1: the reference's gather, at other steps.
    static func stateAt(_ output: Tensor, _ counts: [Int]) throws -> Tensor {
        try output.gather(axis: 1, index: lastStepIndex(lengths: counts, hidden: output.shape[2])).squeeze(1)
    }
    // END INSTRUCTOR

    public static let stateAtOwnLastStep = Exercise<OwnLastStep>(
        id: "3.4", title: "The masked encoder: each sequence's own last state", symbol: "stateAtOwnLastStep(_:lengths:)", file: "Lessons/Lesson3/MaskedEncoder.swift",
        reference: Solution3.stateAtOwnLastStep,
        mistakes: [
            Mistake("last-padded-step", "every sequence's state is read at the last step, T − 1, after all the padding",
                    feedback: "output[:, T − 1] (the same as `hidden`) is where the LONGEST sequence ends. A sequence of n symbols ends at step n − 1; after that the encoder only reads stop symbols, and each one moves the state on and blurs what the sequence said. Pick step lengths[b] − 1 in row b (gather along the time axis).") { output, _ in
                try output.select(axis: 1, index: -1)
            },
            Mistake("after-the-first-stop", "the state is read at index n, after the first stop symbol, not at n − 1",
                    feedback: "Index n is the step that reads the first stop (indices start at 0: the n symbols sit at 0 … n − 1). The notebook takes that one, and it is a defensible choice — the README compares both — but this exercise asks for the state right after the last real symbol: index lengths[b] − 1.") { output, lengths in
                try stateAt(output, lengths.map { $0 + 1 })
            },
            Mistake("longest-sequence-last-step", "every row is read at the longest sequence's last step, max(lengths) − 1",
                    feedback: "The batch's longest length says where the LONGEST sequence ends; the others ended earlier, and after their end the encoder has read stops. Each row needs its own index: row b at lengths[b] − 1. A gather along the time axis picks a different step in every row.") { output, lengths in
                try output.select(axis: 1, index: (lengths.max() ?? 1) - 1)
            },
            Mistake("sum-of-the-real-states", "the states of all real steps are summed (the mask t < n), not just the last one picked",
                    feedback: "Multiplying by the mask of the real positions and summing over time adds up the states after every real symbol — a different summary, growing with the length. To pick ONE step with a mask, the mask must be 1 at t = n − 1 only (lengthMask of n minus lengthMask of n − 1); simpler, gather at index lengths[b] − 1.") { output, lengths in
                try (output * lengthMask(lengths: lengths, maxLength: output.shape[1]).unsqueeze(2)).sum(axis: 1)
            },
            Mistake("one-index-for-the-batch", "every row is read at the first sequence's last step, lengths[0] − 1",
                    feedback: "One select(axis: 1, index:) picks the same step in every row, and lengths[0] − 1 is the right step only for row 0 (and for rows that happen to have the same length). Each row b needs its own index, lengths[b] − 1: gather along the time axis with an index that holds one step per row, or select row by row and stack.") { output, lengths in
                try output.select(axis: 1, index: lengths[0] - 1)
            },
            Mistake("steps-from-the-lengths", "the rows of output flattened to [B·T, H] are indexed with T = max(lengths) + 1 instead of output's T",
                    feedback: "Row b, step t of output is row b·T + t of output.reshape([B·T, H]), with T = output.shape[1]. T is longest + 1 only when these are all the sequences that were padded together; a batch cut from a bigger padded set keeps the set's T, and the index then lands in another sequence's states. Take the sizes from output.shape, or gather along the time axis.") { output, lengths in
                let (steps, hidden) = ((lengths.max() ?? 0) + 1, output.shape[2])
                let rows = lengths.enumerated().map { b, n in b * steps + n - 1 }
                return try output.reshape([-1, hidden]).indexSelect(axis: 0, indices: rows)
            },
        ],
        variants: [
            Variant("one-step-early", "each state read one step before its last real step (at 0 for length 1)", { output, lengths in
                try stateAt(output, lengths.map { Swift.max($0 - 1, 1) })
            }),
        ]
    ) { pick in
        var outcome = Outcome()
        // Unsorted lengths, ties, a length 1; B, T and H all different (H > T in the last, and T
        // longer than the longest sequence + 1, as in a batch cut from a longer padded set).
        for (seed, shape, lengths) in [(UInt64(41), [4, 6, 3], [3, 5, 1, 4]), (42, [3, 4, 2], [2, 3, 1]), (43, [5, 6, 7], [3, 1, 3, 2, 3])] {
            let output = Probes.input(shape, seed: seed)
            Probes.expose([("output", output)])
            let state = try pick(output, lengths)
            try Probes.record(state, as: "state for lengths \(lengths)", gradientsOf: [("output for lengths \(lengths)", output)], into: &outcome)
        }
        return outcome
    }

    // MARK: - 3.5 the masked cross-entropy

    public typealias MaskedLoss = (Tensor, Tensor, Tensor) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// Which positions a masked loss counts, and what it divides by (3.5's known mistakes).
    enum LossCount { case theMask, everyPosition, nonStopTargets }
    enum LossDivisor { case maskSum, allPositions, rows, meanOfRowMeans, nothing }

    /// The reference's masked cross-entropy with one part done another way: how the log
    /// probabilities are computed, which positions count, and what the sum is divided by.
    static func maskedLossWith(
        _ logits: Tensor, _ targets: Tensor, _ mask: Tensor,
        logProbabilities: (Tensor) throws -> Tensor = { try $0.logSoftmax(axis: -1) }, counting: LossCount = .theMask, dividedBy: LossDivisor = .maskSum
    ) throws -> Tensor {
        let counted: Tensor
        switch counting {
        case .theMask: counted = mask
        case .everyPosition: counted = Tensor.ones(mask.shape)
        case .nonStopTargets: counted = try targets.gt(Tensor(scalar: 0))
        }
        let losses = try -logProbabilities(logits).gather(axis: -1, index: targets.unsqueeze(-1)).squeeze(-1)   // [B, T]
        let kept = try losses * counted
        switch dividedBy {
        case .maskSum: return try kept.sum() / counted.sum().scalars[0]
        case .allPositions: return kept.sum() / Float(counted.count)
        case .rows: return kept.sum() / Float(counted.shape[0])
        case .meanOfRowMeans: return try (kept.sum(axis: 1) / counted.sum(axis: 1)).mean()
        case .nothing: return kept.sum()
        }
    }
    // END INSTRUCTOR

    /// A probe at large magnitudes, [3, 3, 4]: logits at ±100, a row spanning [0, 1000],
    /// a target whose logit is 200 below the best one, ties, and a row whose mask is all zeros.
    static let largeLogits: (logits: [Float], targets: [Float], mask: [Float]) = (
        logits: [100, -100, 0, 50, 0, 1000, 500, 250, -100, -100, -100, -100,
                 3, -1, 0.5, 2, -2, 0, 1, 1, 0, 0, 0, 0,
                 -100, 100, 100, 0, 1, 2, 3, 4, 5, 5, -5, 0],
        targets: [1, 2, 0, 2, 0, 0, 2, 0, 0],
        mask: [1, 1, 1, 0, 0, 0, 1, 1, 0])

    public static let maskedCrossEntropy = Exercise<MaskedLoss>(
        id: "3.5", title: "A masked cross-entropy", symbol: "maskedCrossEntropy(_:_:mask:)", file: "Lessons/Lesson3/MaskedLoss.swift",
        reference: Solution3.maskedCrossEntropy,
        mistakes: [
            Mistake("averaged-over-padding", "the masked losses are summed, then divided by all B·T positions",
                    feedback: "Zeroing the padded losses is half the job: dividing by B·T still counts each padded position as a perfect 0 in the mean, so a batch of short sequences gets a small loss and small gradients just for being short. Divide by the number of positions that count: the sum of the mask.") {
                try maskedLossWith($0, $1, $2, dividedBy: .allPositions)
            },
            Mistake("no-mask", "the mask is not used: the mean runs over every position, padding included",
                    feedback: "This is the plain cross-entropy of the padded model: every stop symbol after the end counts as much as a real symbol, and predicting stops is easy. Multiply each position's loss by the mask before summing, and divide by the mask's sum.") {
                try maskedLossWith($0, $1, $2, counting: .everyPosition)
            },
            Mistake("classes-on-the-wrong-axis", "the softmax runs over the time axis (axis 1), not over the classes",
                    feedback: "logits are [B, T, C]: the C scores of ONE position are a distribution over the classes, so the log-softmax runs over the last axis. Over axis 1 it compares one class across time steps, which means nothing. Use logSoftmax(axis: -1).") {
                try maskedLossWith($0, $1, $2, logProbabilities: { try $0.logSoftmax(axis: 1) })
            },
            Mistake("log-sum-exp-without-the-max", "log Σ exp(logits) is computed as written, and exp overflows for logits above 88",
                    feedback: "In Float, exp(89) is already infinite, and a model's logits reach 100 and more: log Σ exp then gives inf, the loss inf and the gradients NaN. Subtract each position's largest logit m first — log Σ exp(x) = m + log Σ exp(x − m) — so the biggest term is exp(0) = 1; or use logSoftmax(axis: -1), which does exactly that.") {
                try maskedLossWith($0, $1, $2, logProbabilities: { x in try x - x.exp().sum(axis: -1, keepDims: true).log() })
            },
            Mistake("log-of-the-softmax", "log(softmax(logits)): a probability that underflows to 0 gives log 0 = −inf",
                    feedback: "softmax is stable, but a class 200 below the best one gets the probability e^−200, which is 0 in Float, and its log is −inf: the loss is inf exactly when the model is confidently wrong, the case it must learn from. Compute the log-probabilities directly, x − m − log Σ exp(x − m), which logSoftmax(axis: -1) does.") {
                try maskedLossWith($0, $1, $2, logProbabilities: { try $0.softmax(axis: -1).log() })
            },
            Mistake("mean-of-row-means", "each sequence's masked mean, then the mean over sequences",
                    feedback: "A mean of per-sequence means weighs a 1-symbol sequence as much as a 10-symbol one, and a row whose mask is all zeros gives 0/0 = NaN. The lesson's L divides the sum over ALL counted positions by their total number: one sum, one division by the mask's sum.") {
                try maskedLossWith($0, $1, $2, dividedBy: .meanOfRowMeans)
            },
            Mistake("mask-from-the-targets", "the counted positions are taken from the targets (code ≠ 0) instead of the mask",
                    feedback: "The targets can't say which positions count: a stop that ends a sequence has code 0 like the padding after it, so a mask of targets ≠ 0 drops the stop the model must learn — and the caller's mask may count other positions still. Use the mask you are given.") {
                try maskedLossWith($0, $1, $2, counting: .nonStopTargets)
            },
            Mistake("summed-over-time", "the masked losses are summed over time and averaged over the batch only",
                    feedback: "Dividing by B gives the loss per SEQUENCE, which grows with the lengths: long batches get bigger losses and bigger steps. The lesson's L is the mean per counted POSITION: divide the masked sum by the mask's sum.") {
                try maskedLossWith($0, $1, $2, dividedBy: .rows)
            },
        ],
        variants: [
            Variant("sum-for-mean", "the masked sum, not divided by anything", { try maskedLossWith($0, $1, $2, dividedBy: .nothing) }),
            Variant("softmax-over-the-batch", "the log-softmax over axis 0 where it has the classes' axis", {
                try maskedLossWith($0, $1, $2, logProbabilities: { try $0.logSoftmax(axis: 0) })
            }),
        ]
    ) { loss in
        var outcome = Outcome()
        for (seed, lengths) in [(UInt64(51), [2, 5, 3]), (52, [1, 4, 4, 2])] {
            let (b, t, c) = (lengths.count, 5, 4)
            let logits = Probes.input([b, t, c], seed: seed, -3...3)
            var rng = RNG(seed: seed + 100)
            let mask = try lengthMask(lengths: lengths.map { $0 + 1 }, maxLength: t)    // symbols and their stop
            // Targets: a random symbol (1…3) at t < n, the stop (0) at t = n and on the padding.
            let codes = (0..<(b * t)).map { p in p % t < lengths[p / t] ? Float(1 + rng.int(below: c - 1)) : 0 }
            let targets = try Tensor(codes, shape: [b, t])
            Probes.expose([("logits", logits), ("targets", targets), ("mask", mask)])
            let value = try loss(logits, targets, mask)
            try Probes.record(value, as: "loss for lengths \(lengths)", gradientsOf: [("logits for lengths \(lengths)", logits)], into: &outcome)
        }
        let logits = try Tensor(largeLogits.logits, shape: [3, 3, 4], requiresGrad: true)
        let targets = try Tensor(largeLogits.targets, shape: [3, 3]), mask = try Tensor(largeLogits.mask, shape: [3, 3])
        Probes.expose([("logits", logits), ("targets", targets), ("mask", mask)])
        let value = try loss(logits, targets, mask)
        try Probes.record(value, as: "loss for logits at ±100 and up to 1000", gradientsOf: [("logits at ±100 and up to 1000", logits)], into: &outcome)
        return outcome
    }

    // MARK: - 3.6 training with and without masks

    public typealias TrainEpoch = ((Tensor, [Int]?) throws -> Tensor, any Optimizer, Tensor, Tensor, [Int], Strategy, Int, inout RNG) throws -> [Float]

    /// A small copy task: lengths 1…4 over "abc" (T = 5), 250 training and 200 held-out
    /// sequences, from fixed seeds. Small enough to train in a fraction of a second; 250 is
    /// not a multiple of the batch size, so each epoch ends with a partial batch of 10.
    /// The codes and lengths are the reference's padWithStops (exercise 3.1), recorded for a
    /// student edition.
    static var smallTask: (train: (x: Tensor, y: Tensor, n: [Int]), test: (x: Tensor, y: Tensor, n: [Int])) {
        var rng = RNG(seed: 33)
        let texts = Solution3.randomSequences(count: 450, lengths: 1...4, alphabet: ["a", "b", "c"], rng: &rng)
        let made = try! Probes.recorded(["3.6 codes", "3.6 lengths"]) {
            let (_, codes, lengths) = try Solution3.padWithStops(texts)
            return [codes, Tensor(lengths.map(Float.init))]
        }
        let (codes, lengths) = (made[0], made[1].scalars.map { Int($0) })
        let train = try! codes.slice(axis: 0, 0..<250), test = try! codes.slice(axis: 0, 250..<450)
        return ((try! oneHot(train, classes: 4), train, Array(lengths[0..<250])),
                (try! oneHot(test, classes: 4), test, Array(lengths[250...])))
    }

    /// Each row of one-hot `[B, T, C]` inputs as one number, Σ_t code_t · C^t: which
    /// training sequence the model was given (equal sequences give equal numbers).
    static func rowKeys(_ x: Tensor) -> [Float] {
        let (steps, classes) = (x.shape[1], x.shape[2]), v = x.scalars
        return (0..<x.shape[0]).map { b in
            (0..<steps).reversed().reduce(Float(0)) { key, t in
                let at = (b * steps + t) * classes
                return key * Float(classes) + Float((0..<classes).max { v[at + $0] < v[at + $1] }!)
            }
        }
    }

    /// The length of the sequence behind a row key: its codes that are not the stop.
    static func keyLength(_ key: Float) -> Int {
        var (rest, n) = (Int(key), 0)
        while rest > 0 { n += rest % 4 == 0 ? 0 : 1; rest /= 4 }
        return n
    }

    /// The training rows' keys, in the order of the data.
    static let trainingKeys = rowKeys(smallTask.train.x)

    /// Trains a fresh small tanh copier (hidden 32, Adam 0.01, batches of 16) for 20 epochs
    /// with each strategy. Records every batch's loss in epoch 1 and how many losses the 20
    /// epochs returned; which training rows the model read, batch by batch, in epochs 1 and 2,
    /// and the lengths it was given with them (−1 for nil); and the held-out accuracy on
    /// real symbols.
    static func trainingProbe(_ train: TrainEpoch) throws -> Outcome {
        var outcome = Outcome()
        let task = smallTask
        for strategy in Strategy.allCases {
            var rng = RNG(seed: 7)
            let model = Copier(cell: .tanh, classes: 4, hiddenSize: 32, rng: &rng)
            let optimizer = try Adam(model.parameters(), learningRate: 0.01)
            // Copies, so that a diagnosis that changes them leaves the task alone.
            let inputs = try Tensor(task.train.x.scalars, shape: task.train.x.shape), targets = try Tensor(task.train.y.scalars, shape: task.train.y.shape)
            var read: [[Float]] = [], given: [Float] = [], sizes: [Float] = []
            let watched: (Tensor, [Int]?) throws -> Tensor = { x, lengths in
                if read.count <= 2 {
                    read[read.count - 1] += rowKeys(x)
                    if read.count == 1 {
                        given += lengths.map { $0.map(Float.init) } ?? [Float](repeating: -1, count: x.shape[0])
                        sizes.append(Float(x.shape[0]))
                    }
                }
                return try model(x, lengths: lengths)
            }
            var firstEpoch: [Float] = [], count = 0
            for epoch in 0..<20 {
                read.append([])
                Probes.expose([("inputs", inputs), ("targets", targets)])
                let losses = try train(watched, optimizer, inputs, targets, task.train.n, strategy, 16, &rng)
                if epoch == 0 { firstEpoch = losses }
                count += losses.count
            }
            let scores = try noGrad {
                try copyScores(predicted: model(task.test.x, lengths: strategy.masksEncoder ? task.test.n : nil).argmax(axis: -1),
                               targets: task.test.y, lengths: task.test.n)
            }
            outcome.record("losses of epoch 1 (\(strategy))", firstEpoch)
            outcome.record("number of losses in 20 epochs (\(strategy))", Float(count))
            outcome.record("rows read in epoch 1 (\(strategy))", read[0])
            outcome.record("rows read in epoch 2 (\(strategy))", read[1])
            outcome.record("rows per model call in epoch 1 (\(strategy))", sizes)
            outcome.record("lengths given in epoch 1 (\(strategy))", given)
            outcome.record("held-out accuracy on real symbols (\(strategy))", scores.realSymbols)
        }
        return outcome
    }

    /// What is wrong with the rows one epoch gave the model, if anything: every training
    /// sequence exactly once.
    static func epochProblem(_ rows: [Float], epoch: Int, strategy: Strategy) -> String? {
        let count = trainingKeys.count
        guard rows.sorted() != trainingKeys.sorted() else { return nil }
        if rows.count < count {
            return "with .\(strategy), epoch \(epoch) gave the model \(rows.count) of the \(count) training sequences: every example is used once per epoch — keep the last, partial batch (\(count) = \(count / 16)·16 + \(count % 16)) and do not stop early"
        }
        return "with .\(strategy), epoch \(epoch) gave the model \(rows.count) rows, not each of the \(count) training sequences once: some came twice and others never — cut ONE permutation of the indices into batches (batches(count:batchSize:shuffle:rng:) does) and call the model once per batch"
    }

    /// Passes when, for every strategy: each epoch gives the model every training sequence
    /// once, in the batches `batches(count:batchSize:shuffle: true, rng:)` draws, with the
    /// lengths of its rows exactly when the strategy masks the encoder; every loss of epoch 1
    /// is the reference's (same weights, same batches); one loss per batch; and training
    /// reaches the reference's held-out accuracy within 0.1.
    static func trainingRule(_ got: Outcome, _ want: Outcome) -> String? {
        let tolerance = Tolerance(atol: 1e-4, rtol: 1e-3)
        for strategy in Strategy.allCases {
            let entry = { (outcome: Outcome, name: String) in outcome["\(name) (\(strategy))"]?.values }
            guard let losses = entry(got, "losses of epoch 1"), let wantLosses = entry(want, "losses of epoch 1"),
                  let count = entry(got, "number of losses in 20 epochs")?.first, let wantCount = entry(want, "number of losses in 20 epochs")?.first,
                  let rows = entry(got, "rows read in epoch 1"), let wantRows = entry(want, "rows read in epoch 1"),
                  let rows2 = entry(got, "rows read in epoch 2"), let given = entry(got, "lengths given in epoch 1"),
                  let accuracy = entry(got, "held-out accuracy on real symbols")?.first,
                  let wantAccuracy = entry(want, "held-out accuracy on real symbols")?.first
            else { return "trainEpoch returned nothing to grade for strategy .\(strategy)" }
            if let problem = epochProblem(rows, epoch: 1, strategy: strategy) ?? epochProblem(rows2, epoch: 2, strategy: strategy) { return problem }
            if strategy.masksEncoder {
                if given.contains(-1) {
                    return "with .\(strategy), the model was given no lengths: when strategy.masksEncoder, call model(x, the batch's lengths), so that the encoder hands over each sequence's own last state"
                }
                if let i = rows.indices.first(where: { keyLength(rows[$0]) != Int(given[$0]) }) {
                    return "with .\(strategy), the model was given a row of length \(keyLength(rows[i])) with the length \(Int(given[i])): the lengths must be picked with the same indices as the inputs (batch.map { lengths[$0] }), or each sequence is cut at another one's length"
                }
            } else if !given.allSatisfy({ $0 == -1 }) {
                return "with .\(strategy), the model was given lengths: the padded strategy passes nil, so that the encoder hands over its state after the last padded step"
            }
            if rows == trainingKeys {
                return "with .\(strategy), the batches come in the order of the data, epoch after epoch: shuffle — batches(count:batchSize:shuffle: true, rng:) — so that no batch is always made of the same neighbours"
            }
            if rows2 == rows {
                return "with .\(strategy), epoch 2 read the sequences in the same order as epoch 1: draw each epoch's batches from the rng you are given (a new RNG made inside the function repeats its order every epoch)"
            }
            if rows != wantRows {
                return "with .\(strategy), the batches are shuffled, but not as batches(count: N, batchSize:, shuffle: true, rng: &rng) shuffles them with the rng you are given: use it, once per epoch, so that the same seed gives the same run"
            }
            guard count == wantCount else {
                return "with .\(strategy), 20 epochs recorded \(Int(count)) losses; \(Int(wantCount) / 20) batches an epoch make \(Int(wantCount)): record loss.item() once per batch"
            }
            if let k = wantLosses.indices.first(where: { k in
                k >= losses.count || !(Swift.abs(losses[k] - wantLosses[k]) <= tolerance.atol + tolerance.rtol * Swift.abs(wantLosses[k]))
            }) {
                let gotLoss = k < losses.count ? format(losses[k]) : "missing"
                if k == 0 {
                    return "with .\(strategy), the first batch's loss is \(gotLoss), expected \(format(wantLosses[0])) — same weights, same first batch: check what the model is given and which positions the loss counts for this strategy"
                }
                return "with .\(strategy), the losses of epoch 1 are right up to batch \(k), then batch \(k + 1)'s is \(gotLoss), expected \(format(wantLosses[k])) — same batches: record each batch's own loss.item() (not a running mean), and zero the gradients, backward and step once per batch, in that order"
            }
            guard accuracy.isFinite, accuracy >= wantAccuracy - 0.1 else {
                return "with .\(strategy), the trained model gets \(format(accuracy)) of the held-out real symbols right; the reference, trained the same way, gets \(format(wantAccuracy)) (margin 0.1)"
            }
        }
        return nil
    }

    public static let trainEpoch = Exercise<TrainEpoch>(
        id: "3.6", title: "Training with and without masks", symbol: "trainEpoch(_:optimizer:inputs:targets:lengths:strategy:batchSize:rng:)",
        file: "Lessons/Lesson3/Training.swift",
        reference: Solution3.trainEpoch,
        mistakes: [
            Mistake("forgot-zero-grad", "the gradients are never reset, so each step uses the sum of all past gradients",
                    feedback: "backward() adds to every parameter's .grad. Without optimizer.zeroGrad() before each backward, step k follows the sum of k gradients, mostly stale ones, and training wanders off. Call optimizer.zeroGrad() at the top of each batch.", slipped(EpochSlip(zeroGrad: .never))),
            Mistake("ignores-the-loss-mask", "the loss counts every position for every strategy, even .maskedEncoderAndLoss",
                    feedback: "With .maskedEncoderAndLoss the loss must count only t ≤ n — each sequence's symbols and its first stop — or the padding still dominates the mean. When strategy.masksLoss, pass mask: lengthMask(lengths: n + 1, maxLength: T) to crossEntropy.", slipped(EpochSlip(lossMask: .none))),
            Mistake("ignores-the-encoder-mask", "the model is never given the lengths, so the encoder always hands over its state after the padding",
                    feedback: "The masked strategies work by telling the model each sequence's length, so that the encoder hands over the state at its own last step. When strategy.masksEncoder, call model(x, the batch's lengths); only .padded passes nil.", slipped(EpochSlip(encoderMask: false))),
            Mistake("averaged-over-padding", "the masked losses are summed and divided by B·T, so padding still counts in the mean",
                    feedback: "A mask that zeroes the padded losses but a mean over all B·T positions still lets the padding in: short sequences get small losses and small gradients. crossEntropy(logits, y, mask:) with the default reduction divides by the mask's sum — use it as is.", slipped(EpochSlip(lossMask: .averagedOverAll))),
            Mistake("loss-mask-without-the-stop", "the loss mask is t < n: the model is never taught to stop",
                    feedback: "If the loss counts only the symbols, nothing ever rewards the stop at t = n, and the decoder can't tell where a copy ends. The mask of the loss is 1 for t ≤ n: lengthMask(lengths: n + 1, maxLength: T), one more than the real symbols.", slipped(EpochSlip(lossMask: .symbolsOnly))),
            Mistake("never-shuffles", "the batches are cut from the data in order, the same every epoch",
                    feedback: "Unshuffled, every epoch shows the same batches in the same order: the last batches always pull the weights last, and any order in the data (sorted by length, by source) becomes a trend the model follows. Cut batches(count: N, batchSize:, shuffle: true, rng: &rng): a fresh permutation each epoch.", slipped(EpochSlip(order: .inOrder))),
            Mistake("drops-the-last-batch", "the last, partial batch is skipped (dropLast), so some sequences are never trained on in an epoch",
                    feedback: "With N not a multiple of the batch size the last batch is short, and dropping it leaves N mod B sequences out of every epoch — a different few each time, but never all. The exercise trains on every example once per epoch: keep the short batch (batches(…) keeps it unless dropLast: true).", slipped(EpochSlip(order: .droppingTheLastBatch))),
            Mistake("own-seed-every-epoch", "the batches are shuffled with a new RNG made inside the function, so every epoch repeats one order",
                    feedback: "A generator made inside trainEpoch starts from the same seed at every call: the shuffle looks random but every epoch gets the same batches, and the rng you are given never moves. Draw the batches from the rng parameter (batches(…, rng: &rng)).", slipped(EpochSlip(order: .ownSeed))),
            Mistake("lengths-not-shuffled", "the lengths are taken in the data's order (lengths[i…i + B]) while the rows are shuffled",
                    feedback: "A batch's rows are inputs[batch[0]], inputs[batch[1]], …, so their lengths are lengths[batch[0]], lengths[batch[1]], …; slicing the lengths by position pairs each row with some other sequence's length, and the encoder hands over the state at the wrong step. Pick the lengths with the same indices: batch.map { lengths[$0] }.", slipped(EpochSlip(inDataOrder: .lengths))),
            Mistake("targets-not-shuffled", "the targets are taken in the data's order while the inputs are shuffled",
                    feedback: "Each input must be scored against its OWN target: with the inputs picked by the shuffled indices and the targets by position, the model is asked to copy one sequence into another, and no amount of training does it. indexSelect the targets with the same batch indices as the inputs.", slipped(EpochSlip(inDataOrder: .targets))),
            Mistake("running-mean-recorded", "each recorded loss is the mean of the epoch's losses so far, not the batch's own",
                    feedback: "The function returns the loss of each batch, in order; the caller averages or smooths them if it wants a curve. A running mean hides how the loss moves inside the epoch and makes the last value the epoch's mean. Append loss.item() of each batch as it is.", slipped(EpochSlip(recordsRunningMean: true))),
            Mistake("zero-grad-before-step", "optimizer.zeroGrad() runs between backward and step, so every step sees zero gradients",
                    feedback: "zeroGrad must clear the OLD gradients before backward fills in the new ones; between backward and step it throws the new ones away, and the optimizer steps on zeros (Adam still drifts on its momentum, so something moves, but nothing is learned from the batch). Zero the gradients before the forward pass, or after step.", slipped(EpochSlip(zeroGrad: .betweenBackwardAndStep))),
        ],
        criterion: .rule(trainingRule),
        probe: trainingProbe
    )

    // BEGIN INSTRUCTOR
    /// The ways a training epoch goes wrong (the known mistakes of 3.6).
    enum LossMask { case right, none, averagedOverAll, symbolsOnly }
    enum BatchOrder { case shuffled, inOrder, droppingTheLastBatch, ownSeed }
    enum ZeroGrad { case beforeForward, never, betweenBackwardAndStep }
    enum InDataOrder { case nothing, lengths, targets }

    /// What one mistaken epoch does differently from the reference; the defaults are the reference's.
    struct EpochSlip {
        var zeroGrad = ZeroGrad.beforeForward
        var encoderMask = true
        var lossMask = LossMask.right
        var order = BatchOrder.shuffled
        var inDataOrder = InDataOrder.nothing
        var recordsRunningMean = false
    }

    /// The reference's epoch with `slip`, as an implementation of 3.6.
    static func slipped(_ slip: EpochSlip) -> TrainEpoch {
        { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
            try mistakenEpoch(model, optimizer, inputs, targets, lengths, strategy, batchSize, &rng, slip)
        }
    }

    static func mistakenEpoch(
        _ model: (Tensor, [Int]?) throws -> Tensor, _ optimizer: any Optimizer, _ inputs: Tensor, _ targets: Tensor,
        _ lengths: [Int], _ strategy: Strategy, _ batchSize: Int, _ rng: inout RNG, _ slip: EpochSlip
    ) throws -> [Float] {
        let (zeroGrad, encoderMask, lossMask, order, inDataOrder) = (slip.zeroGrad, slip.encoderMask, slip.lossMask, slip.order, slip.inDataOrder)
        var losses: [Float] = [], total: Float = 0
        let steps = targets.shape[1], count = inputs.shape[0]
        var own = RNG(seed: 0)
        let all: [[Int]]
        switch order {
        case .shuffled: all = try batches(count: count, batchSize: batchSize, shuffle: true, rng: &rng)
        case .inOrder: all = try batches(count: count, batchSize: batchSize, shuffle: false, rng: &rng)
        case .droppingTheLastBatch: all = try batches(count: count, batchSize: batchSize, shuffle: true, rng: &rng, dropLast: true)
        case .ownSeed: all = try batches(count: count, batchSize: batchSize, shuffle: true, rng: &own)
        }
        for (k, batch) in all.enumerated() {
            let inOrder = Array((k * batchSize)..<(k * batchSize + batch.count))
            let x = try inputs.indexSelect(axis: 0, indices: batch)
            let y = try targets.indexSelect(axis: 0, indices: inDataOrder == .targets ? inOrder : batch)
            let n = (inDataOrder == .lengths ? inOrder : batch).map { lengths[$0] }
            if zeroGrad == .beforeForward { optimizer.zeroGrad() }
            let logits = try model(x, strategy.masksEncoder && encoderMask ? n : nil)
            let loss: Tensor
            switch (strategy.masksLoss, lossMask) {
            case (false, _), (true, .none):
                loss = try crossEntropy(logits, y)
            case (true, .right):
                loss = try crossEntropy(logits, y, mask: lengthMask(lengths: n.map { $0 + 1 }, maxLength: steps))
            case (true, .symbolsOnly):
                loss = try crossEntropy(logits, y, mask: lengthMask(lengths: n, maxLength: steps))
            case (true, .averagedOverAll):
                let sum = try crossEntropy(logits, y, mask: lengthMask(lengths: n.map { $0 + 1 }, maxLength: steps), reduction: .sum)
                loss = sum / Float(y.count)
            }
            try loss.backward()
            if zeroGrad == .betweenBackwardAndStep { optimizer.zeroGrad() }
            optimizer.step()
            total += try loss.item()
            losses.append(slip.recordsRunningMean ? total / Float(k + 1) : try loss.item())
        }
        return losses
    }
    // END INSTRUCTOR

    /// Every exercise of lesson 3, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(padWithStops), AnyExercise(realMask), AnyExercise(stackedRNN), AnyExercise(stateAtOwnLastStep),
        AnyExercise(maskedCrossEntropy), AnyExercise(trainEpoch),
    ]
}
