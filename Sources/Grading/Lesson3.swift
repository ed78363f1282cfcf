import Autograd
import Foundation
import Solution3

/// The graders of lesson 3: variable lengths — padding, stop symbols and masks.
public enum Lesson3Graders {
    // MARK: - 3.1 padding with a stop symbol

    public typealias PadWithStops = ([String]) throws -> (alphabet: [Character], codes: Tensor, lengths: [Int])

    /// The probe's sequences: ragged, one of them the longest alone, symbols in no order.
    static let padProbes: [[String]] = [["cab", "b", "abcab", "ca"], ["zx", "y", "xzzy", "zyx", "x"]]

    public static let padWithStops = Exercise<PadWithStops>(
        id: "3.1", title: "Padding with a stop symbol", symbol: "padWithStops(_:)", file: "Lessons/Lesson3/Padding.swift",
        reference: Solution3.padWithStops,
        mistakes: [
            Mistake("codes-not-shifted", "the symbols keep lesson 2's codes 0, 1, 2, …, so the first symbol and the stop share code 0",
                    feedback: "Code 0 is reserved for the stop symbol, so the symbols must start at 1: alphabet[k] gets code k + 1. With 0-based codes every \"a\" looks exactly like padding, and nothing can tell \"ab\" from \"b\" followed by a stop. Add 1 to each symbol's index.") { sequences in
                let alphabet = Set(sequences.joined()).sorted()
                let code = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })
                let rows = sequences.map { $0.map { code[$0]! } }
                return (alphabet, try padSequences(rows, length: (rows.map(\.count).max() ?? 0) + 1), rows.map(\.count))
            },
            Mistake("no-room-for-a-stop", "the rows are as long as the longest sequence, so that sequence has no stop symbol",
                    feedback: "Padding to the longest length leaves the longest sequences without a stop: the network never sees where they end, and the loss can't teach it to stop there. Make T one longer than the longest sequence, so every row ends with at least one 0.") { sequences in
                let alphabet = Set(sequences.joined()).sorted()
                let code = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0 + 1) })
                let rows = sequences.map { $0.map { code[$0]! } }
                return (alphabet, try padSequences(rows), rows.map(\.count))
            },
            Mistake("padded-on-the-left", "the stops come before the symbols instead of after them",
                    feedback: "A stop symbol says \"the sequence is over\", so it goes after the symbols: row i holds its n_i codes in positions 0 … n_i − 1, then zeros. (Left padding exists — for decoders that must end together — but then the mask and the last-step index change too.) Write each sequence from position 0.") { sequences in
                let alphabet = Set(sequences.joined()).sorted()
                let code = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0 + 1) })
                let rows = sequences.map { $0.map { code[$0]! } }
                let steps = (rows.map(\.count).max() ?? 0) + 1
                let left = rows.map { [Int](repeating: 0, count: steps - $0.count) + $0 }
                return (alphabet, try padSequences(left), rows.map(\.count))
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
        ]
    ) { mask in
        var outcome = Outcome()
        for (lengths, steps) in [([3, 1, 6, 2], 6), ([2, 5], 7)] {
            outcome.record("mask for lengths \(lengths), steps \(steps)", try mask(lengths, steps))
        }
        return outcome
    }

    // MARK: - 3.3 a stack of RNN layers

    public typealias StackedRNN = (Tensor, [RecurrentWeights]) throws -> (output: Tensor, hidden: Tensor)

    /// A 3-layer RNN's weights (input size = hidden size, so that every way of wiring the
    /// layers runs and can be told apart), and a `[2, 5, 4]` input.
    static func stackedProbe(seed: UInt64) -> (x: Tensor, layer: RNN) {
        var rng = RNG(seed: seed)
        let layer = RNN(4, 4, numLayers: 3, rng: &rng)
        return (Tensor.uniform([2, 5, 4], -1.5, 1.5, requiresGrad: true, rng: &rng), layer)
    }

    public static let stackedRNN = Exercise<StackedRNN>(
        id: "3.3", title: "What the RNN layer returns: output and hidden", symbol: "stackedRNN(_:layers:)", file: "Lessons/Lesson3/StackedRNN.swift",
        reference: Solution3.stackedRNN,
        mistakes: [
            Mistake("every-layer-reads-x", "every layer reads the input sequence x, not the states of the layer below",
                    feedback: "Stacking means layer l reads what layer l − 1 produced: its states at every step, [B, T, H]. Feeding x to every layer makes L independent RNNs side by side, and only the last one shows. After running a layer, make its stacked states the next layer's input.") { x, layers in
                var finals: [Tensor] = []
                var top = x
                for w in layers {
                    var h = Tensor.zeros([x.shape[0], w.hiddenSize])
                    var states: [Tensor] = []
                    for t in 0..<x.shape[1] {
                        h = try rnnCell(x.select(axis: 1, index: t), h, weights: w)
                        states.append(h)
                    }
                    top = try stack(states, axis: 1)
                    finals.append(h)
                }
                return (top, try stack(finals, axis: 0))
            },
            Mistake("output-of-the-first-layer", "output holds the first layer's states instead of the last layer's",
                    feedback: "output is what the stack hands to whatever comes next: the TOP layer's state at every step. The first layer's states are only an intermediate result. Return the states of the last layer you ran.") { x, layers in
                var input = x, finals: [Tensor] = [], first: Tensor? = nil
                for w in layers {
                    var h = Tensor.zeros([x.shape[0], w.hiddenSize])
                    var states: [Tensor] = []
                    for t in 0..<x.shape[1] {
                        h = try rnnCell(input.select(axis: 1, index: t), h, weights: w)
                        states.append(h)
                    }
                    input = try stack(states, axis: 1)
                    first = first ?? input
                    finals.append(h)
                }
                return (first!, try stack(finals, axis: 0))
            },
            Mistake("hidden-of-the-top-layer-only", "hidden holds only the top layer's last state, [1, B, H]",
                    feedback: "hidden is the state a stack would need to carry on: the last state of EVERY layer, [numLayers, B, H]. The top layer's last state alone is already in output (its last step). Keep each layer's final h and stack them along a new axis 0.") { x, layers in
                var input = x, last = Tensor.zeros([1])
                for w in layers {
                    var h = Tensor.zeros([x.shape[0], w.hiddenSize])
                    var states: [Tensor] = []
                    for t in 0..<x.shape[1] {
                        h = try rnnCell(input.select(axis: 1, index: t), h, weights: w)
                        states.append(h)
                    }
                    input = try stack(states, axis: 1)
                    last = h
                }
                return (input, try last.unsqueeze(0))
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
        ]
    ) { run in
        var outcome = Outcome()
        for seed: UInt64 in [31, 32] {
            let (x, layer) = stackedProbe(seed: seed)
            let (output, hidden) = try run(x, layer.weights)
            let suffix = " (inputs #\(seed))"
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
                try output.gather(axis: 1, index: lastStepIndex(lengths: lengths.map { $0 + 1 }, hidden: output.shape[2])).squeeze(1)
            },
        ]
    ) { pick in
        var outcome = Outcome()
        for (seed, shape, lengths) in [(UInt64(41), [4, 6, 3], [3, 5, 1, 4]), (42, [3, 4, 2], [2, 3, 1])] {
            let output = Probes.input(shape, seed: seed)
            let state = try pick(output, lengths)
            try Probes.record(state, as: "state for lengths \(lengths)", gradientsOf: [("output for lengths \(lengths)", output)], into: &outcome)
        }
        return outcome
    }

    // MARK: - 3.5 the masked cross-entropy

    public typealias MaskedLoss = (Tensor, Tensor, Tensor) throws -> Tensor

    public static let maskedCrossEntropy = Exercise<MaskedLoss>(
        id: "3.5", title: "A masked cross-entropy", symbol: "maskedCrossEntropy(_:_:mask:)", file: "Lessons/Lesson3/MaskedLoss.swift",
        reference: Solution3.maskedCrossEntropy,
        mistakes: [
            Mistake("averaged-over-padding", "the masked losses are summed, then divided by all B·T positions",
                    feedback: "Zeroing the padded losses is half the job: dividing by B·T still counts each padded position as a perfect 0 in the mean, so a batch of short sequences gets a small loss and small gradients just for being short. Divide by the number of positions that count: the sum of the mask.") { logits, targets, mask in
                let lp = try logits.logSoftmax(axis: -1).gather(axis: -1, index: targets.unsqueeze(-1)).squeeze(-1)
                let total = try (lp * mask).sum()
                return -total / Float(mask.count)
            },
            Mistake("no-mask", "the mask is not used: the mean runs over every position, padding included",
                    feedback: "This is the plain cross-entropy of the padded model: every stop symbol after the end counts as much as a real symbol, and predicting stops is easy. Multiply each position's loss by the mask before summing, and divide by the mask's sum.") { logits, targets, _ in
                let lp = try logits.logSoftmax(axis: -1).gather(axis: -1, index: targets.unsqueeze(-1))
                return -lp.mean()
            },
            Mistake("classes-on-the-wrong-axis", "the softmax runs over the time axis (axis 1), not over the classes",
                    feedback: "logits are [B, T, C]: the C scores of ONE position are a distribution over the classes, so the log-softmax runs over the last axis. Over axis 1 it compares one class across time steps, which means nothing. Use logSoftmax(axis: -1).") { logits, targets, mask in
                let lp = try logits.logSoftmax(axis: 1).gather(axis: -1, index: targets.unsqueeze(-1)).squeeze(-1)
                let total = try (lp * mask).sum()
                return -total / mask.sum().scalars[0]
            },
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
            let value = try loss(logits, targets, mask)
            try Probes.record(value, as: "loss for lengths \(lengths)", gradientsOf: [("logits for lengths \(lengths)", logits)], into: &outcome)
        }
        return outcome
    }

    // MARK: - 3.6 training with and without masks

    public typealias TrainEpoch = ((Tensor, [Int]?) throws -> Tensor, any Optimizer, Tensor, Tensor, [Int], Strategy, Int, inout RNG) throws -> [Float]

    /// A small copy task: lengths 1…4 over "abc" (T = 5), 256 training and 200 held-out
    /// sequences, from fixed seeds. Small enough to train in a fraction of a second.
    static let smallTask: (train: (x: Tensor, y: Tensor, n: [Int]), test: (x: Tensor, y: Tensor, n: [Int])) = {
        var rng = RNG(seed: 33)
        let texts = Solution3.randomSequences(count: 456, lengths: 1...4, alphabet: ["a", "b", "c"], rng: &rng)
        let (_, codes, lengths) = try! Solution3.padWithStops(texts)
        let train = try! codes.slice(axis: 0, 0..<256), test = try! codes.slice(axis: 0, 256..<456)
        return ((try! oneHot(train, classes: 4), train, Array(lengths[0..<256])),
                (try! oneHot(test, classes: 4), test, Array(lengths[256...])))
    }()

    /// Trains a fresh small tanh copier (hidden 32, Adam 0.01, batches of 16) for 20 epochs
    /// with each strategy, recording every batch's loss and the held-out accuracy on real
    /// symbols.
    static func trainingProbe(_ train: TrainEpoch) throws -> Outcome {
        var outcome = Outcome()
        let task = smallTask
        for strategy in Strategy.allCases {
            var rng = RNG(seed: 7)
            let model = Copier(cell: .tanh, classes: 4, hiddenSize: 32, rng: &rng)
            let optimizer = try Adam(model.parameters(), learningRate: 0.01)
            var losses: [Float] = []
            for _ in 0..<20 {
                losses += try train({ try model($0, lengths: $1) }, optimizer, task.train.x, task.train.y, task.train.n, strategy, 16, &rng)
            }
            let scores = try noGrad {
                try copyScores(predicted: model(task.test.x, lengths: strategy.masksEncoder ? task.test.n : nil).argmax(axis: -1),
                               targets: task.test.y, lengths: task.test.n)
            }
            outcome.record("losses (\(strategy))", losses)
            outcome.record("held-out accuracy on real symbols (\(strategy))", scores.realSymbols)
        }
        return outcome
    }

    /// Passes when, for every strategy, the first batch's loss is the reference's (same
    /// weights, same batch: the loss and the model's inputs are right) and training
    /// reaches the reference's held-out accuracy within 0.1.
    static func trainingRule(_ got: Outcome, _ want: Outcome) -> String? {
        for strategy in Strategy.allCases {
            guard let losses = got["losses (\(strategy))"]?.values, let wantLosses = want["losses (\(strategy))"]?.values,
                  let accuracy = got["held-out accuracy on real symbols (\(strategy))"]?.values.first,
                  let wantAccuracy = want["held-out accuracy on real symbols (\(strategy))"]?.values.first
            else { return "trainEpoch returned nothing to grade for strategy .\(strategy)" }
            guard losses.count == wantLosses.count else {
                return "with .\(strategy), 20 epochs recorded \(losses.count) losses; 16 batches an epoch make \(wantLosses.count): record loss.item() once per batch"
            }
            guard let first = losses.first, let wantFirst = wantLosses.first, Swift.abs(first - wantFirst) <= 1e-4 + 1e-3 * Swift.abs(wantFirst) else {
                return "with .\(strategy), the first batch's loss is \(format(losses.first ?? .nan)), expected \(format(wantLosses.first ?? .nan)) — same weights, same first batch: check what the model is given and which positions the loss counts for this strategy"
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
                    feedback: "backward() adds to every parameter's .grad. Without optimizer.zeroGrad() before each backward, step k follows the sum of k gradients, mostly stale ones, and training wanders off. Call optimizer.zeroGrad() at the top of each batch.") { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
                try mistakenEpoch(model, optimizer, inputs, targets, lengths, strategy, batchSize, &rng, zeroGrad: false)
            },
            Mistake("ignores-the-loss-mask", "the loss counts every position for every strategy, even .maskedEncoderAndLoss",
                    feedback: "With .maskedEncoderAndLoss the loss must count only t ≤ n — each sequence's symbols and its first stop — or the padding still dominates the mean. When strategy.masksLoss, pass mask: lengthMask(lengths: n + 1, maxLength: T) to crossEntropy.") { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
                try mistakenEpoch(model, optimizer, inputs, targets, lengths, strategy, batchSize, &rng, lossMask: .none)
            },
            Mistake("ignores-the-encoder-mask", "the model is never given the lengths, so the encoder always hands over its state after the padding",
                    feedback: "The masked strategies work by telling the model each sequence's length, so that the encoder hands over the state at its own last step. When strategy.masksEncoder, call model(x, the batch's lengths); only .padded passes nil.") { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
                try mistakenEpoch(model, optimizer, inputs, targets, lengths, strategy, batchSize, &rng, encoderMask: false)
            },
            Mistake("averaged-over-padding", "the masked losses are summed and divided by B·T, so padding still counts in the mean",
                    feedback: "A mask that zeroes the padded losses but a mean over all B·T positions still lets the padding in: short sequences get small losses and small gradients. crossEntropy(logits, y, mask:) with the default reduction divides by the mask's sum — use it as is.") { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
                try mistakenEpoch(model, optimizer, inputs, targets, lengths, strategy, batchSize, &rng, lossMask: .averagedOverAll)
            },
            Mistake("loss-mask-without-the-stop", "the loss mask is t < n: the model is never taught to stop",
                    feedback: "If the loss counts only the symbols, nothing ever rewards the stop at t = n, and the decoder can't tell where a copy ends. The mask of the loss is 1 for t ≤ n: lengthMask(lengths: n + 1, maxLength: T), one more than the real symbols.") { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
                try mistakenEpoch(model, optimizer, inputs, targets, lengths, strategy, batchSize, &rng, lossMask: .symbolsOnly)
            },
        ],
        criterion: .rule(trainingRule),
        probe: trainingProbe
    )

    /// The ways a training epoch goes wrong (the known mistakes of 3.6).
    enum LossMask { case right, none, averagedOverAll, symbolsOnly }

    static func mistakenEpoch(
        _ model: (Tensor, [Int]?) throws -> Tensor, _ optimizer: any Optimizer, _ inputs: Tensor, _ targets: Tensor,
        _ lengths: [Int], _ strategy: Strategy, _ batchSize: Int, _ rng: inout RNG,
        zeroGrad: Bool = true, encoderMask: Bool = true, lossMask: LossMask = .right
    ) throws -> [Float] {
        var losses: [Float] = []
        let steps = targets.shape[1]
        for batch in try batches(count: inputs.shape[0], batchSize: batchSize, shuffle: true, rng: &rng) {
            let x = try inputs.indexSelect(axis: 0, indices: batch)
            let y = try targets.indexSelect(axis: 0, indices: batch)
            let n = batch.map { lengths[$0] }
            if zeroGrad { optimizer.zeroGrad() }
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
            optimizer.step()
            losses.append(try loss.item())
        }
        return losses
    }

    /// Every exercise of lesson 3, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(padWithStops), AnyExercise(realMask), AnyExercise(stackedRNN), AnyExercise(stateAtOwnLastStep),
        AnyExercise(maskedCrossEntropy), AnyExercise(trainEpoch),
    ]
}
