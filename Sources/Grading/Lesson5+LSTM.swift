import Autograd
import Solution5

// The graders of lesson 5, continued: the LSTM word model with dropout, weight tying, and
// the activation penalties.

extension Lesson5Graders {
    // MARK: - 5.6 the LSTM word model

    public typealias LSTMPass = (logits: Tensor, state: (h: Tensor, c: Tensor), raw: Tensor, dropped: Tensor)
    /// (words, state, embedding, LSTM, head, dropout p, training?, the model's rng).
    public typealias LSTMWords = (Tensor, (h: Tensor, c: Tensor)?, Embedding, LSTM, Linear, Float, Bool, inout RNG) throws -> LSTMPass

    /// The LSTM word model's layers from a fixed seed, with their names.
    static func lstmLayers(seed: UInt64) -> (embedding: Embedding, lstm: LSTM, head: Linear, named: [(String, Tensor)]) {
        var rng = RNG(seed: seed)
        let embedding = Embedding(6, 4, rng: &rng), lstm = LSTM(4, 4, numLayers: 2, rng: &rng), head = Linear(4, 6, rng: &rng)
        let named = [("embedding.weight", embedding.weight)] + lstm.namedParameters().map { ("lstm.\($0.name)", $0.tensor) }
            + [("head.weight", head.weight), ("head.bias", head.bias!)]
        return (embedding, lstm, head, named)
    }

    /// Three cases: training with dropout from no state, evaluation from a given state (as a
    /// last batch hands it on, without a history: detaching it again on the way in is
    /// right), and two training batches in a row, the first from no state with the given
    /// state's batch size (where a state kept between calls would show).
    /// Records the logits, raw and dropped outputs, the returned h and c and whether each
    /// has a history (see `hasNoHistory`), and the gradients.
    static func lstmProbe(_ pass: LSTMWords) throws -> Outcome {
        var outcome = Outcome()
        for (k, (seed, batch, steps, training, given)): (Int, (UInt64, Int, Int, Bool, Bool)) in [(111, 3, 4, true, false), (112, 2, 3, false, true)].enumerated() {
            let (embedding, lstm, head, named) = lstmLayers(seed: seed)
            let x = wordCodes(batch, steps, vocabulary: 6, seed: seed + 10)
            let state = given
                ? (h: Probes.input([2, batch, 4], seed: seed + 20, -1...1).detached(), c: Probes.input([2, batch, 4], seed: seed + 30, -2...2).detached()) : nil
            Probes.expose(named + (state.map { [("the given h", $0.h), ("the given c", $0.c)] } ?? []))
            var rng = RNG(seed: seed + 40)
            let result = try pass(x, state, embedding, lstm, head, 0.4, training, &rng)
            let suffix = " (\(training ? "training" : "evaluation"), inputs #\(k + 1))"
            outcome.record("raw\(suffix)", result.raw)
            outcome.record("dropped\(suffix)", result.dropped)
            outcome.record("the returned h\(suffix)", result.state.h)
            outcome.record("the returned c\(suffix)", result.state.c)
            outcome.record("the returned h and c have no history (1: detached; requiresGrad switched off is not enough)\(suffix)", [hasNoHistory(result.state.h) ? 1 : 0, hasNoHistory(result.state.c) ? 1 : 0])
            try Probes.record(result.logits, as: "logits\(suffix)", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
        }
        let (embedding, lstm, head, named) = lstmLayers(seed: 113)
        var rng = RNG(seed: 153)
        let first = try pass(wordCodes(2, 3, vocabulary: 6, seed: 123), nil, embedding, lstm, head, 0.4, true, &rng)
        outcome.record("logits of the first batch (two batches in a row; the first from no state: zeros, whatever ran before)", first.logits)
        let second = try pass(wordCodes(2, 3, vocabulary: 6, seed: 124), first.state, embedding, lstm, head, 0.4, true, &rng)
        let suffix = " (two batches in a row: the second's loss)"
        try Probes.record(second.logits, as: "logits of the second batch", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the LSTM word model's pass (5.6's known mistakes).
    enum LSTMChange { case cellNotDetached, notDetached, stateIgnored, dropoutInEvaluation, noDropout, dropoutOnTheEmbedding, headOnRaw, dropoutLayer }

    static func lstmWordsWith(_ change: LSTMChange) -> LSTMWords {
        { x, state, embedding, lstm, head, p, training, rng in
            var e = try embedding(x)
            if change == .dropoutOnTheEmbedding { e = try dropout(e, p: p, training: training, rng: &rng) }
            let (raw, next) = try lstm(e, change == .stateIgnored ? nil : state)
            let dropped: Tensor
            switch change {
            case .noDropout, .dropoutOnTheEmbedding: dropped = raw
            case .dropoutLayer:
                let layer = Dropout(p: p, rng: &rng)
                layer.isTraining = training
                dropped = try layer(raw)
            default: dropped = try dropout(raw, p: p, training: training || change == .dropoutInEvaluation, rng: &rng)
            }
            let handedOn = change == .notDetached ? next : change == .cellNotDetached ? (next.h.detached(), next.c) : (next.h.detached(), next.c.detached())
            return (try head(change == .headOnRaw ? raw : dropped), handedOn, raw, dropped)
        }
    }
    // END INSTRUCTOR

    public static let lstmWords = Exercise<LSTMWords>(
        id: "5.6", title: "An LSTM language model, its state carried on", symbol: "lstmWords(_:state:model:)", file: "Lessons/Lesson5/LSTMWords.swift",
        reference: { x, state, embedding, lstm, head, p, training, rng in
            let model = Solution5.LSTMWordModel(embedding: embedding, lstm: lstm, head: head, dropout: p, rng: rng)
            model.isTraining = training
            defer { rng = model.rng }
            return try Solution5.lstmWords(x, state: state, model: model)
        },
        mistakes: [
            Mistake("cell-not-detached", "h is detached but the cell c is handed on with its history",
                    feedback: "The LSTM's state is two tensors, and the next batch's gradient reaches back through either: a cell with its history ties every batch of the epoch together as surely as h would. Detach both: (next.h.detached(), next.c.detached()).",
                    lstmWordsWith(.cellNotDetached)),
            Mistake("state-not-detached", "the state is handed on with its history", feedback: notDetachedFeedback, lstmWordsWith(.notDetached)),
            Mistake("state-ignored", "the LSTM starts from zeros whatever state it is given",
                    feedback: "model.lstm(x) without a state starts from zeros: each batch forgets the text before it. Pass the state you are given as the LSTM's second argument (nil is fine: zeros).",
                    lstmWordsWith(.stateIgnored)),
            Mistake("dropout-in-evaluation", "dropout zeroes values in evaluation too",
                    feedback: "Dropout is a training device: it makes the head learn not to lean on any one unit. When the model is evaluated (or generates text) every unit should count — dropout must be the identity then. Pass training: model.isTraining to dropout.",
                    lstmWordsWith(.dropoutInEvaluation)),
            Mistake("no-dropout", "dropout is left out: the head reads the LSTM's output as it is",
                    feedback: "Model 7's first defence against learning the numbers by heart is dropout on the LSTM's output while training. Apply dropout(raw, p: model.dropout, training: model.isTraining, rng: &model.rng) and let the head read its result.",
                    lstmWordsWith(.noDropout)),
            Mistake("dropout-on-the-embedding", "dropout is applied to the embedded words, before the LSTM, not to its output",
                    feedback: "AWD-LSTM does use dropout on embeddings too, but this model's is on the LSTM's OUTPUT: the head must not lean on any one unit of the state. Apply dropout to raw, the LSTM's output, and return raw and the dropped result.",
                    lstmWordsWith(.dropoutOnTheEmbedding)),
            Mistake("head-on-raw", "dropout is computed, but the head reads the LSTM's output before it",
                    feedback: "dropped is worked out and returned, but the head scores raw, so the dropout changes nothing the loss sees. The head must read dropped.",
                    lstmWordsWith(.headOnRaw)),
            Mistake("dropout-layer", "a Dropout layer made inside the function draws the masks, not the model's rng itself",
                    feedback: "A Dropout layer made here (as nn.Dropout would be in PyTorch) takes a generator split off model.rng, so its masks are as random but not the ones the course's runs are drawn with: the grader compares exact masks, and the experiment's figures are reproduced with them. Call the core's function on the model's own generator: dropout(raw, p: model.dropout, training: model.isTraining, rng: &model.rng).",
                    lstmWordsWith(.dropoutLayer)),
        ],
        probe: lstmProbe
    )

    // MARK: - 5.7 weight tying

    public typealias Tie = (Linear, Embedding) throws -> Linear

    /// A module holding an embedding and a head, to count their parameters together.
    final class Holder: Module {
        let parts: [(name: String, module: any Module)]
        var isTraining = true
        init(_ parts: [(name: String, module: any Module)]) { self.parts = parts }
        var submodules: [(name: String, module: any Module)] { parts }
    }

    // BEGIN INSTRUCTOR
    /// One change to the tying (5.7's known mistakes).
    enum TieChange { case copied, biasDropped, headUnchanged, transposed, biasZeroed }

    static func tiedWith(_ change: TieChange) -> Tie {
        { head, embedding in
            let w = embedding.weight
            switch change {
            case .copied: return Linear(weight: try Tensor(w.scalars, shape: w.shape, requiresGrad: true), bias: head.bias)
            case .biasDropped: return Linear(weight: w, bias: nil)
            case .headUnchanged: return head
            case .transposed: return Linear(weight: try w.transpose(0, 1), bias: head.bias)
            case .biasZeroed: return Linear(weight: w, bias: Tensor.zeros([w.shape[0]], requiresGrad: true))
            }
        }
    }
    // END INSTRUCTOR

    public static let tie = Exercise<Tie>(
        id: "5.7", title: "Weight tying: one table to read and write words", symbol: "tie(_:to:)", file: "Lessons/Lesson5/Tying.swift",
        reference: { try Solution5.tie($0, to: $1) },
        mistakes: [
            Mistake("values-copied", "the head gets a copy of the embedding's values, not the tensor itself",
                    feedback: "A copy starts equal and drifts apart at the first optimizer step: the two tables learn separately, and the model has as many parameters as before. The head's weight must be the very tensor embedding.weight, so that reading and writing both pull on it. Pass embedding.weight itself to Linear(weight:bias:).",
                    tiedWith(.copied)),
            Mistake("bias-dropped", "the tied head has no bias",
                    feedback: "Tying shares the weight; the head keeps its own bias, which lets it learn how common each word is whatever the state (\".\" and \"thousand\" are frequent). Pass head.bias as the bias.",
                    tiedWith(.biasDropped)),
            Mistake("head-unchanged", "the head is returned as it was: nothing is tied",
                    feedback: "The head's own weight is still a separate [vocabulary, hidden] table. Build a new Linear whose weight is embedding.weight and whose bias is head.bias, and return that.",
                    tiedWith(.headUnchanged)),
            Mistake("weight-transposed", "the embedding's table is transposed before it becomes the head's weight",
                    feedback: "No transpose is needed: an embedding's table is [vocabulary, hidden], and a Linear from hidden to vocabulary keeps its weight as [out, in] = [vocabulary, hidden] and computes h · Wᵀ itself. Use embedding.weight as it is.",
                    tiedWith(.transposed)),
            Mistake("bias-zeroed", "the tied head gets a new bias of zeros instead of the head's bias",
                    feedback: "The head you are given has a bias drawn as PyTorch's Linear draws it; the tied head should keep it (PyTorch replaces only the weight: self.h_o.weight = self.i_h.weight). Pass head.bias.",
                    tiedWith(.biasZeroed)),
        ]
    ) { tie in
        var outcome = Outcome()
        // A vocabulary larger than the hidden size, and a square table (where a transposed
        // weight runs and can be named).
        for (k, (seed, vocabulary, hidden)): (Int, (UInt64, Int, Int)) in [(131, 6, 4), (132, 5, 5)].enumerated() {
            let suffix = " (inputs #\(k + 1))"
            try Probes.attempt("logits\(suffix)", into: &outcome) { o in
                var rng = RNG(seed: seed)
                let embedding = Embedding(vocabulary, hidden, rng: &rng), head = Linear(hidden, vocabulary, rng: &rng)
                let tied = try tie(head, embedding)
                o.record("the head's weight is the embedding's tensor (1: the same)\(suffix)", tied.weight === embedding.weight ? 1 : 0)
                o.record("parameters of the embedding and the head together\(suffix)", Float(Holder([("i_h", embedding), ("h_o", tied)]).parameterCount))
                // Read and write: codes → embedding → tanh → the tied head.
                let x = wordCodes(3, 2, vocabulary: vocabulary, seed: seed + 10)
                let logits = try tied(embedding(x).tanh())
                var wrt = [("embedding.weight\(suffix)", embedding.weight)]
                if let bias = tied.bias { wrt.append(("the head's bias\(suffix)", bias)) }
                try Probes.record(logits, as: "logits\(suffix)", gradientsOf: wrt, into: &o)
            }
        }
        return outcome
    }

    // MARK: - 5.8 the activation penalties

    public typealias Penalty = (Tensor, Tensor, Float, Float) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// One change to the penalty (5.8's known mistakes).
    enum PenaltyChange { case arOnRaw, tarOnDropped, differenceOverBatch, sums, swapped, tarNotSquared }

    static func penaltyWith(_ change: PenaltyChange) -> Penalty {
        { raw, dropped, alpha, beta in
            let (a, b) = change == .swapped ? (beta, alpha) : (alpha, beta)
            let reduce = { (t: Tensor) in change == .sums ? t.sum() : t.mean() }
            let ar = reduce((change == .arOnRaw ? raw : dropped).squared()) * a
            let source = change == .tarOnDropped ? dropped : raw
            let axis = change == .differenceOverBatch ? 0 : 1
            let n = source.shape[axis]
            guard n >= 2 else { return ar }
            let change2 = try source.slice(axis: axis, 1..<n) - source.slice(axis: axis, 0..<n - 1)
            return try ar + reduce(change == .tarNotSquared ? change2 : change2.squared()) * b
        }
    }
    // END INSTRUCTOR

    public static let activationPenalty = Exercise<Penalty>(
        id: "5.8", title: "Keeping the activations small and smooth", symbol: "activationPenalty(raw:dropped:alpha:beta:)", file: "Lessons/Lesson5/Penalty.swift",
        reference: { try Solution5.activationPenalty(raw: $0, dropped: $1, alpha: $2, beta: $3) },
        mistakes: [
            Mistake("ar-on-raw", "AR is taken on raw, the output before dropout",
                    feedback: "AR keeps small what the head actually reads, the output after dropout (whose kept values are scaled by 1/(1 − p)); fastai's RNNRegularizer takes it on the dropped output. AR = α · mean(dropped²).",
                    penaltyWith(.arOnRaw)),
            Mistake("tar-on-dropped", "TAR is taken on the dropped output",
                    feedback: "Dropout zeroes different units at each step, so the dropped output jumps from step to step however smooth the LSTM is: TAR would punish the dropout's noise. TAR is on raw, the LSTM's own output: β · mean((raw[:, t+1] − raw[:, t])²).",
                    penaltyWith(.tarOnDropped)),
            Mistake("difference-over-the-batch", "the differences are taken along axis 0, between batch rows, not along time",
                    feedback: "Rows of a batch are different streams of the text; nothing says neighbouring rows should be alike. TAR compares each step with the next step of the SAME row: slice along axis 1 (time) — raw.slice(axis: 1, 1..<T) − raw.slice(axis: 1, 0..<T − 1).",
                    penaltyWith(.differenceOverBatch)),
            Mistake("sums-not-means", "the squares are summed instead of averaged",
                    feedback: "A sum grows with the batch, the length of the sequences and the width of the layer: with 64 × 16 × 64 values the penalty would swamp the loss, and α, β would need new values for every size. Both terms are means: .mean(), not .sum().",
                    penaltyWith(.sums)),
            Mistake("alpha-and-beta-swapped", "α multiplies TAR and β multiplies AR",
                    feedback: "α weighs AR (the size of the dropped output), β weighs TAR (the change of raw from step to step): the chapter's α = 2, β = 1 punish size twice as hard as change. Multiply AR by alpha and TAR by beta.",
                    penaltyWith(.swapped)),
            Mistake("differences-not-squared", "TAR averages the differences themselves, not their squares",
                    feedback: "Differences up and down cancel in a mean: a state that swings wildly can have a mean change of 0. Square each difference before the mean, as for AR: (raw[:, t+1] − raw[:, t])².",
                    penaltyWith(.tarNotSquared)),
        ]
    ) { penalty in
        var outcome = Outcome()
        // Batch ≠ time ≠ hidden; raw and dropped independent (so that either read for the other
        // shows); one case with a single step, where there is no change to penalize.
        for (k, (seed, shape, alpha, beta)): (Int, (UInt64, [Int], Float, Float)) in
            [(141, [2, 5, 3], 2, 1), (142, [3, 2, 4], 0.5, 3), (143, [2, 1, 3], 2, 1)].enumerated() {
            let suffix = " (inputs #\(k + 1))"
            try Probes.attempt("penalty\(suffix)", into: &outcome) { o in
                let raw = Probes.input(shape, seed: seed, -1...1), dropped = Probes.input(shape, seed: seed + 100, -2...2)
                Probes.expose([("raw", raw), ("dropped", dropped)])
                try Probes.record(penalty(raw, dropped, alpha, beta), as: "penalty\(suffix)", gradientsOf: [("raw\(suffix)", raw), ("dropped\(suffix)", dropped)], into: &o)
            }
        }
        return outcome
    }
}
