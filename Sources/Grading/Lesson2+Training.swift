import Autograd
import Solution2

// The graders of lesson 2, continued: the copy and reverse data set, and training for an epoch.

extension Lesson2Graders {
    // MARK: - 2.7 the copy and reverse data set

    public typealias CopyTaskData = (Tensor, Int, Bool) throws -> (inputs: Tensor, targets: Tensor)

    // BEGIN INSTRUCTOR
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
    // END INSTRUCTOR

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
            Mistake("alphabet-from-distinct-codes", "the one-hot size is the number of distinct codes, so a batch with a gap in its codes is refused",
                    feedback: "A batch holding codes 0 and 2 has 2 distinct codes, and oneHot rightly refuses code 2 among 2 classes: counting what occurs says nothing about what could. The alphabet is given: pass alphabetSize to oneHot as the number of classes, then check again.",
                    dataWith(alphabet: { codes, _ in Set(codes.indices).count })),
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

    // MARK: - 2.8 training

    public typealias TrainEpoch = (Solution2.EncoderDecoder, any Optimizer, Tensor, Tensor, Int, inout RNG) throws -> [Float]

    /// The grader's run: the copy task with alphabet 3 and hidden size 20 (the notebook's),
    /// scaled down to sequences of 6 and 500 of them, 25 epochs of batches of 32 at lr 0.01.
    /// Measured: every one of 31 data/initialisation seeds reached ≥ 98.4% after 20 epochs.
    static let trainingEpochs = 25
    static let trainingBatch = 32
    static let requiredAccuracy: Float = 0.95

    /// The traced run, compared step by step with the reference's: 50 reverse-task
    /// sequences of 4, hidden size 8, three epochs of batches of 8 (the last holds 2).
    static let traced = (count: 50, length: 4, hidden: 8, batch: 8, epochs: 3)

    // BEGIN INSTRUCTOR
    /// Where an epoch calls optimizer.zeroGrad().
    enum ZeroGradPlace { case beforeLoss, never, betweenBackwardAndStep }

    /// An epoch like the reference's, with one thing changed: the batches (not shuffled,
    /// drawn from a copy of the rng, the last partial one dropped, a fixed size, the targets
    /// drawn apart), where the gradients are reset, or what is recorded for each batch
    /// (given its loss, the loss recomputed now, and the batch's size).
    static func epochWith(
        shuffle: Bool = true, copiesRNG: Bool = false, dropLast: Bool = false, fixedBatchSize: Int? = nil, targetsApart: Bool = false,
        zeroGrad: ZeroGradPlace = .beforeLoss,
        record: @escaping (_ loss: Tensor, _ again: () throws -> Tensor, _ size: Int) throws -> Float = { loss, _, _ in try loss.item() }
    ) -> TrainEpoch {
        { model, optimizer, x, y, batchSize, rng in
            let (n, b) = (x.shape[0], fixedBatchSize ?? batchSize)
            var copy = rng
            let xs = copiesRNG ? try batches(count: n, batchSize: b, shuffle: shuffle, rng: &copy, dropLast: dropLast)
                : try batches(count: n, batchSize: b, shuffle: shuffle, rng: &rng, dropLast: dropLast)
            let ys = targetsApart ? try batches(count: n, batchSize: b, shuffle: shuffle, rng: &rng, dropLast: dropLast) : xs
            var losses: [Float] = []
            for (xb, yb) in zip(xs, ys) {
                let inputs = try x.indexSelect(axis: 0, indices: xb), targets = try y.indexSelect(axis: 0, indices: yb)
                if zeroGrad == .beforeLoss { optimizer.zeroGrad() }
                let loss = try crossEntropy(model(inputs), targets)
                try loss.backward()
                if zeroGrad == .betweenBackwardAndStep { optimizer.zeroGrad() }
                optimizer.step()
                losses.append(try record(loss, { try noGrad { try crossEntropy(model(inputs), targets) } }, xb.count))
            }
            return losses
        }
    }
    // END INSTRUCTOR

    public static let trainEpoch = Exercise<TrainEpoch>(
        id: "2.8", title: "Training for an epoch", symbol: "trainEpoch(_:optimizer:inputs:targets:batchSize:rng:)", file: "Lessons/Lesson2/Training.swift",
        reference: { model, optimizer, x, y, b, rng in try Solution2.trainEpoch(model, optimizer: optimizer, inputs: x, targets: y, batchSize: b, rng: &rng) },
        mistakes: [
            Mistake("forgot-zero-grad", "the gradients are never reset, so every step adds up all the batches so far",
                    feedback: "backward() adds to .grad. Without optimizer.zeroGrad() each step follows the sum of every gradient since the start, stale directions from parameters long gone, and the model stalls. Call optimizer.zeroGrad() once per batch, before backward().",
                    epochWith(zeroGrad: .never)),
            Mistake("zero-grad-before-step", "the gradients are reset between backward() and step(), so the optimizer never sees one",
                    feedback: "The order matters: zeroGrad() wipes what backward() just computed, and step() skips a parameter without a gradient, so nothing ever moves (the loss stays at log 3 ≈ 1.10). Reset first, then backward(), then step().",
                    epochWith(zeroGrad: .betweenBackwardAndStep)),
            Mistake("not-shuffled", "the batches are never shuffled: every epoch visits the sequences in the same order",
                    feedback: "With shuffle: false every epoch cuts the data into the same batches, in the same order, so the model sees the same groups at the same point of every epoch and its steps repeat their noise. The lesson's epoch visits the sequences in a fresh random order: batches(count:batchSize:shuffle: true, rng: &rng).",
                    epochWith(shuffle: false)),
            Mistake("same-order-every-epoch", "the epoch shuffles with a copy of the rng, so every epoch draws the same order",
                    feedback: "`var r = rng` copies the generator: your shuffle draws from the copy, the caller's rng never moves, and the next epoch starts from the same state and draws the same permutation. Pass the rng itself, `rng: &rng`, so each epoch goes on where the last one stopped.",
                    epochWith(copiesRNG: true)),
            Mistake("dropped-last-batch", "the last, partial batch is dropped",
                    feedback: "When the batch size does not divide the number of sequences, the last batch is smaller (50 in batches of 8 leaves 2); dropping it (dropLast: true, or looping over N / batchSize full batches) leaves a few sequences out of every epoch. An epoch visits every sequence once: keep the partial batch, as batches(…) does by default.",
                    epochWith(dropLast: true)),
            Mistake("fixed-batch-size", "the batches hold 32 sequences whatever batchSize says",
                    feedback: "32 is the notebook's batch size, not the only one: the caller passes batchSize, and the experiment and the grader use others. Pass batchSize to batches(count:batchSize:shuffle:rng:).",
                    epochWith(fixedBatchSize: 32)),
            Mistake("targets-shuffled-apart", "the inputs and the targets are shuffled with two different permutations",
                    feedback: "Each call to batches(…) draws a new permutation: with one for the inputs and another for the targets, batch k's targets belong to other sequences than its inputs, and the model is asked to map each sequence to a random one, which it cannot learn. Draw the batches once and select the inputs and the targets with the same indices.",
                    epochWith(targetsApart: true)),
            Mistake("loss-after-step", "the recorded loss is recomputed after step(), on the updated model",
                    feedback: "A batch's loss is the one its gradient came from, computed before the step; recomputing it after optimizer.step() measures the moved model on the batch it was just fitted to, which flatters the curve. Append loss.item() of the loss you called backward() on.",
                    epochWith(record: { _, again, _ in try again().item() })),
            Mistake("loss-times-batch-size", "each recorded loss is multiplied by the batch size",
                    feedback: "loss.item() × batch size is how an epoch's total is summed to average it later (PyTorch's running_loss += loss.item() * x.size(0)); trainEpoch returns the loss of each batch as it is, the mean over its positions. Append loss.item().",
                    epochWith(record: { loss, _, size in try loss.item() * Float(size) })),
        ],
        criterion: .rule { got, want in tracedRunProblem(got, want) ?? longRunProblem(got, want) },
        variants: [
            Variant("no-zero-grad", "zeroGrad() never called", epochWith(zeroGrad: .never)),
            Variant("halved-losses", "each recorded loss halved", epochWith(record: { loss, _, _ in try loss.item() / 2 })),
        ]
    ) { train in
        var outcome = Outcome()
        try traceRun(train, into: &outcome)
        var rng = RNG(seed: 2024)
        let alphabet: [Character] = ["a", "b", "c"]
        let data = try copyData("2.8 long run", Solution2.randomSequences(count: 500, length: 6, alphabet: alphabet, rng: &rng), reverse: false)
        let fresh = try copyData("2.8 held out", Solution2.randomSequences(count: 500, length: 6, alphabet: alphabet, rng: &rng), reverse: false)
        let model = Solution2.EncoderDecoder(alphabetSize: 3, hiddenSize: 20, rng: &rng)
        let optimizer = try Adam(model.parameters(), learningRate: 0.01)
        var order = RNG(seed: 7)
        var losses: [Float] = []
        Probes.expose([("inputs", data.inputs), ("targets", data.targets)] + model.namedParameters().map { ($0.name, $0.tensor) })
        for _ in 0..<trainingEpochs {
            losses += try train(model, optimizer, data.inputs, data.targets, trainingBatch, &order)
        }
        let accuracy = try noGrad { try Solution2.symbolAccuracy(model(fresh.inputs), fresh.targets) }
        outcome.record("losses", losses)
        outcome.record("accuracy", accuracy)
        return outcome
    }

    /// The copy (or reverse) task of `sequences` over "abc", as the reference's integerCodes
    /// and copyTaskData (exercises 2.1 and 2.7) make it; recorded as `name` for a student edition.
    static func copyData(_ name: String, _ sequences: [String], reverse: Bool) throws -> (inputs: Tensor, targets: Tensor) {
        let made = try Probes.recorded(["\(name): inputs", "\(name): targets"]) {
            let data = try Solution2.copyTaskData(codes: Solution2.integerCodes(sequences).codes, alphabetSize: 3, reverse: reverse)
            return [data.inputs, data.targets]
        }
        return (made[0], made[1])
    }

    /// Adam, watching the batches: at each step it notes which sequences sent a gradient to
    /// the inputs (the batch's rows, when the inputs require gradients), then forgets it.
    final class BatchWatcher: Optimizer {
        let adam: Adam
        let inputs: Tensor
        var batches: [[Int]] = []
        init(_ adam: Adam, inputs: Tensor) {
            self.adam = adam
            self.inputs = inputs
        }
        var parameters: [Tensor] { adam.parameters }
        var learningRate: Float {
            get { adam.learningRate }
            set { adam.learningRate = newValue }
        }
        func step() {
            let rows = inputs.shape[0], width = inputs.count / Swift.max(rows, 1)
            if let g = inputs.grad?.scalars { batches.append((0..<rows).filter { n in g[n * width..<(n + 1) * width].contains { $0 != 0 } }) }
            inputs.zeroGrad()
            adam.step()
        }
        func zeroGrad() { adam.zeroGrad() }
    }

    /// Runs `train` for the traced run's epochs and records, step by step, the losses it
    /// returns, the sequences each step trained on, and the parameters at the end.
    static func traceRun(_ train: TrainEpoch, into outcome: inout Outcome) throws {
        var rng = RNG(seed: 2028)
        let data = try copyData("2.8 traced run", Solution2.randomSequences(count: traced.count, length: traced.length, alphabet: ["a", "b", "c"], rng: &rng), reverse: true)
        let inputs = try Tensor(data.inputs.scalars, shape: data.inputs.shape, requiresGrad: true)
        let model = Solution2.EncoderDecoder(alphabetSize: 3, hiddenSize: traced.hidden, rng: &rng)
        let watcher = BatchWatcher(try Adam(model.parameters(), learningRate: 0.01), inputs: inputs)
        var order = RNG(seed: 8)
        var losses: [Float] = [], lossesPerEpoch: [Float] = [], stepsPerEpoch: [Float] = []
        Probes.expose([("inputs", inputs), ("targets", data.targets)] + model.namedParameters().map { ($0.name, $0.tensor) })
        for _ in 0..<traced.epochs {
            let before = watcher.batches.count
            let epoch = try train(model, watcher, inputs, data.targets, traced.batch, &order)
            losses += epoch
            lossesPerEpoch.append(Float(epoch.count))
            stepsPerEpoch.append(Float(watcher.batches.count - before))
        }
        outcome.record("traced run: losses, step by step", losses)
        outcome.record("traced run: losses returned per epoch", lossesPerEpoch)
        outcome.record("traced run: steps per epoch", stepsPerEpoch)
        outcome.record("traced run: sequences per step", watcher.batches.map { Float($0.count) })
        outcome.record("traced run: sequences of each step", watcher.batches.flatMap { $0.map(Float.init) })
        outcome.record("traced run: parameters after", model.parameters().flatMap(\.scalars))
    }

    /// The traced run's batches, epoch by epoch (nil when no gradient reached the inputs,
    /// so the batches could not be seen).
    static func tracedBatches(_ o: Outcome) -> [[[Int]]]? {
        guard let perEpoch = o["traced run: steps per epoch"]?.values.map({ Int($0) }), let sizes = o["traced run: sequences per step"]?.values.map({ Int($0) }),
              var flat = o["traced run: sequences of each step"]?.values.map({ Int($0) })[...], !flat.isEmpty, perEpoch.reduce(0, +) == sizes.count
        else { return nil }
        var steps = sizes.map { size in defer { flat = flat.dropFirst(size) }; return Array(flat.prefix(size)) }[...]
        return perEpoch.map { n in defer { steps = steps.dropFirst(n) }; return Array(steps.prefix(n)) }
    }

    /// What is wrong with the traced run, said as specifically as the batches allow; nil
    /// when it matches the reference step by step.
    static func tracedRunProblem(_ got: Outcome, _ want: Outcome) -> String? {
        guard let losses = got["traced run: losses, step by step"]?.values, let expected = want["traced run: losses, step by step"]?.values,
              let perEpoch = got["traced run: losses returned per epoch"]?.values
        else { return "trainEpoch returned nothing to grade" }
        let (n, b) = (traced.count, traced.batch)
        let setting = "\(n) sequences in batches of \(b)"
        if let epochs = tracedBatches(got) {
            for (e, steps) in epochs.enumerated() {
                let seen = steps.flatMap { $0 }
                if let big = steps.first(where: { $0.count > b }) {
                    return big.count == n ? "epoch \(e + 1) of the grader's traced run (\(setting)) trains every step on all \(n) sequences: select each batch's rows of the inputs and targets (indexSelect on axis 0), not the whole data set"
                        : "epoch \(e + 1) of the grader's traced run (\(setting)) has a step on \(big.count) sequences: the batches must hold batchSize sequences (here \(b)), the last one what is left"
                }
                if let twice = Set(seen.filter { i in seen.filter { $0 == i }.count > 1 }).sorted().first {
                    return "in epoch \(e + 1) of the grader's traced run (\(setting)) sequence \(twice) is trained on more than once: an epoch visits every sequence exactly once"
                }
                let missing = Set(0..<n).subtracting(seen).sorted()
                if !missing.isEmpty {
                    let partial = missing.count == n % b ? " — the last, partial batch of \(n % b) (keep it: batches(…) does unless asked to drop it)" : ""
                    return "epoch \(e + 1) of the grader's traced run (\(setting)) never trains on \(missing.count) of them\(partial): an epoch visits every sequence once"
                }
                if seen == Array(0..<n) {
                    return "epoch \(e + 1) of the grader's traced run (\(setting)) visits the sequences in order 0, 1, 2, …: an epoch visits them in a fresh random order, batches(count:batchSize:shuffle: true, rng: &rng)"
                }
            }
            if let e = epochs.indices.dropFirst().first(where: { epochs[$0] == epochs[$0 - 1] }) {
                return "epochs \(e) and \(e + 1) of the grader's traced run visit the sequences in the same order: each epoch must draw a fresh order from the rng it is given (pass it on with rng: &rng, do not copy it)"
            }
        }
        guard perEpoch.map({ Int($0) }) == want["traced run: losses returned per epoch"]?.values.map({ Int($0) }) else {
            return "trainEpoch returned \(perEpoch.map { String(Int($0)) }.joined(separator: ", ")) losses in the epochs of the grader's traced run (\(setting)): return one loss per batch, \((n + b - 1) / b) per epoch"
        }
        let tolerance = Tolerance(atol: 1e-4, rtol: 1e-3)
        let close = { (g: Float, w: Float) in Swift.abs(g - w) <= tolerance.atol + tolerance.rtol * Swift.abs(w) }
        let parametersMatch = got["traced run: parameters after"].map { p in zip(p.values, want["traced run: parameters after"]?.values ?? []).allSatisfy(close) && p.values.count == want["traced run: parameters after"]?.values.count } ?? false
        guard let k = losses.indices.first(where: { $0 >= expected.count || !close(losses[$0], expected[$0]) }) else {
            return parametersMatch ? nil : "every loss of the grader's traced run matches the reference's, but the model after it does not: one optimizer.step() per batch, and nothing after the last"
        }
        let at = "the loss of step \(k + 1) of the grader's traced run (\(setting), reverse task) is \(format(losses[k])) where the reference's is \(format(expected[k]))"
        guard let mine = tracedBatches(got), let reference = tracedBatches(want) else {
            return "\(at): draw the batches with batches(count:batchSize:shuffle: true, rng: &rng), then zeroGrad → loss → backward → step and append loss.item() for each"
        }
        // The batches up to the first wrong loss are the reference's, or they explain it.
        if Array(mine.joined().prefix(k + 1)) != Array(reference.joined().prefix(k + 1)) {
            return "\(at): every epoch visits each sequence once, shuffled, but not in the order batches(count:batchSize:shuffle:rng:) draws from the rng it is given. The grader compares the losses step by step with the reference's, so draw the batches with batches(count: N, batchSize: batchSize, shuffle: true, rng: &rng), once per epoch"
        }
        if parametersMatch {
            return "\(at), yet the model trains exactly as the reference's: the numbers you return are not the batches' losses. Append loss.item() of the loss you called backward() on, nothing else"
        }
        return "\(at), on the same batches of inputs: select the targets with the same indices as the inputs, and for each batch zeroGrad → loss → backward → step"
    }

    /// What is wrong with the long run: the loss count and the accuracy it reaches.
    static func longRunProblem(_ got: Outcome, _ want: Outcome) -> String? {
        guard let losses = got["losses"]?.values, let accuracy = got["accuracy"]?.values.first,
              let expected = want["losses"]?.values.count, let reference = want["accuracy"]?.values.first
        else { return "trainEpoch returned nothing to grade" }
        guard losses.count == expected else {
            return "\(losses.count) losses over \(trainingEpochs) epochs of \(expected / trainingEpochs) batches: return one loss per batch (loss.item() after each step)"
        }
        guard losses.allSatisfy(\.isFinite) else { return "the loss became \(losses.first { !$0.isFinite }!): training diverged" }
        if accuracy < requiredAccuracy {
            let firstEpoch = losses.prefix(expected / trainingEpochs), lastEpoch = losses.suffix(expected / trainingEpochs)
            let mean = { (xs: ArraySlice<Float>) in xs.reduce(0, +) / Float(xs.count) }
            return "after \(trainingEpochs) epochs the model copies \(percent(accuracy)) of the symbols of fresh sequences (the reference: \(percent(reference)); at least \(percent(requiredAccuracy)) passes); the mean loss went from \(format(mean(firstEpoch))) in the first epoch to \(format(mean(lastEpoch))) in the last"
        }
        return nil
    }

    static func percent(_ x: Float) -> String { "\(format(100 * x))%" }
}
