import Autograd
import Solution4

// The graders of lesson 4, continued: the LSTM cell from scratch, and the adder unrolled.

extension Lesson4Graders {
    // MARK: - 4.3 an LSTM cell from scratch

    public typealias LSTMStep = (Tensor, Tensor, Tensor, RecurrentWeights) throws -> (h: Tensor, c: Tensor)

    // BEGIN INSTRUCTOR
    /// One change to an LSTM step (4.3's known mistakes and variants).
    enum CellChange { case right, gatesIFOG, gatesFIGO, sigmoidCandidate, noTanhOnCell, oneBias, forgetAndInputSwapped, oldCellInH, tanhGates }

    /// The reference's LSTM step with one `CellChange`.
    static func lstmWith(_ x: Tensor, _ h: Tensor, _ c: Tensor, _ w: RecurrentWeights, _ change: CellChange) throws -> (h: Tensor, c: Tensor) {
        let z = try linear(x, weight: w.weightIH, bias: w.biasIH) + linear(h, weight: w.weightHH, bias: change == .oneBias ? nil : w.biasHH)
        let p = try z.chunk(4, axis: 1)
        let order: [Int]
        switch change {
        case .gatesIFOG: order = [0, 1, 3, 2]
        case .gatesFIGO: order = [1, 0, 2, 3]
        default: order = [0, 1, 2, 3]
        }
        let gate = { (t: Tensor) in change == .tanhGates ? t.tanh() : t.sigmoid() }
        let (i, f, o) = (gate(p[order[0]]), gate(p[order[1]]), gate(p[order[3]]))
        let g = change == .sigmoidCandidate ? p[order[2]].sigmoid() : p[order[2]].tanh()
        let c2 = change == .forgetAndInputSwapped ? try i * c + f * g : try f * c + i * g
        let shown = change == .noTanhOnCell ? c2 : change == .oldCellInH ? c.tanh() : c2.tanh()
        return (try o * shown, c2)
    }
    // END INSTRUCTOR

    public static let lstmStep = Exercise<LSTMStep>(
        id: "4.3", title: "An LSTM cell from scratch", symbol: "lstmStep(_:_:_:weights:)", file: "Lessons/Lesson4/LSTMStep.swift",
        reference: { try Solution4.lstmStep($0, $1, $2, weights: $3) },
        mistakes: [
            Mistake("gates-i-f-o-g", "the four chunks are read as i, f, o, g: the candidate and the output gate swapped",
                    feedback: "PyTorch (and the core, and every checkpoint you will load) stacks the gates as i, f, g, o: chunk 2 is the candidate g, chunk 3 the output gate o. Some papers write i, f, o, g, and with those weights the cell computes something else. Take g from chunk 2 and o from chunk 3.") {
                try lstmWith($0, $1, $2, $3, .gatesIFOG)
            },
            Mistake("sigmoid-on-the-candidate", "the candidate g goes through σ instead of tanh",
                    feedback: "g is what the cell may ADD, and it must be able to add a negative amount: tanh gives −1 … 1, σ only 0 … 1, so with σ the cell can only grow. The three gates i, f, o are σ (how much, 0 to 1); the candidate g is tanh.") {
                try lstmWith($0, $1, $2, $3, .sigmoidCandidate)
            },
            Mistake("no-tanh-on-the-cell", "h' = o ⊙ c': the cell is shown without its tanh",
                    feedback: "The cell is a running sum and can grow past ±1; h' is what the next step and the head read, and tanh keeps it in −1 … 1. h' = o ⊙ tanh(c'): squash the new cell, then let the output gate choose how much of it to show.") {
                try lstmWith($0, $1, $2, $3, .noTanhOnCell)
            },
            Mistake("one-bias-only", "b_hh is left out: only b_ih is added",
                    feedback: "PyTorch's LSTM has two bias vectors, b_ih and b_hh, and adds both (their sum is what matters, but a checkpoint holds both, and the grader's weights have both non-zero). z = W_ih x + b_ih + W_hh h + b_hh: pass biasHH to the second linear too.") {
                try lstmWith($0, $1, $2, $3, .oneBias)
            },
            Mistake("forget-and-input-swapped", "c' = i ⊙ c + f ⊙ g: the input gate keeps the old cell and the forget gate lets the candidate in",
                    feedback: "The forget gate f decides how much of the OLD cell survives (f ⊙ c), the input gate i how much of the candidate enters (i ⊙ g). Swapped, the names are only names — but the weights you are given were trained (or initialised, in PyTorch's layout) with f on the old cell. c' = f ⊙ c + i ⊙ g.") {
                try lstmWith($0, $1, $2, $3, .forgetAndInputSwapped)
            },
            Mistake("old-cell-in-h", "h' = o ⊙ tanh(c): the output reads the old cell, not the new one",
                    feedback: "The new h shows the cell AFTER this step's update: what the step just added (i ⊙ g) must reach the output at once, or every answer comes one step late. Compute c' first, then h' = o ⊙ tanh(c').") {
                try lstmWith($0, $1, $2, $3, .oldCellInH)
            },
        ],
        variants: [
            Variant("gates-f-i-g-o", "the input and forget chunks read the other way round (f first)", { try lstmWith($0, $1, $2, $3, .gatesFIGO) }),
            Variant("tanh-for-sigmoid", "tanh where the gates have σ", { try lstmWith($0, $1, $2, $3, .tanhGates) }),
        ]
    ) { step in
        var outcome = Outcome()
        // Input size ≠ hidden size in two cases (sizes taken from the wrong tensor fail); equal
        // in one (so that a transposed W_hh runs and can be named).
        for (seed, batch, input, hidden): (UInt64, Int, Int, Int) in [(61, 2, 3, 4), (62, 3, 4, 4), (63, 2, 5, 2)] {
            var rng = RNG(seed: seed)
            let cell = LSTMCell(input, hidden, rng: &rng)
            // Biases away from 0, so that leaving one out shows.
            for p in [cell.biasIH!, cell.biasHH!] { try p.assign(p.scalars.map { $0 + 0.3 }) }
            let x = Tensor.uniform([batch, input], -1.5, 1.5, requiresGrad: true, rng: &rng)
            let h = Tensor.uniform([batch, hidden], -1, 1, requiresGrad: true, rng: &rng)
            let c = Tensor.uniform([batch, hidden], -2, 2, requiresGrad: true, rng: &rng)
            let named = cell.namedParameters().map { ($0.name, $0.tensor) }
            Probes.expose([("x", x), ("h", h), ("c", c)] + named)
            let (h2, c2) = try step(x, h, c, cell.weights)
            let suffix = " (inputs #\(seed % 10))"
            outcome.record("h'\(suffix)", h2)
            outcome.record("c'\(suffix)", c2)
            let both = try concat([h2.flatten(), c2.flatten()], axis: 0)
            try Probes.record(both, as: "h' and c', flattened\(suffix)",
                              gradientsOf: [("x\(suffix)", x), ("h\(suffix)", h), ("c\(suffix)", c)] + named.map { ("\($0.0)\(suffix)", $0.1) },
                              into: &outcome)
        }
        return outcome
    }

    // MARK: - 4.4 the adder unrolled

    public typealias UnrollAdder = (Tensor, RecurrentWeights, Linear) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// One change to how the adder is unrolled (4.4's known mistakes and variants).
    enum UnrollChange { case right, stateResetEveryStep, cellResetEveryStep, softmaxScores, headOnTheCell, scoresBeforeTheStep, headOnTheLastStepOnly, backwards }

    /// The reference's unrolled adder with one `UnrollChange`.
    static func unrolledWith(_ x: Tensor, _ w: RecurrentWeights, _ head: Linear, _ change: UnrollChange) throws -> Tensor {
        let zeros = Tensor.zeros([x.shape[0], w.hiddenSize])
        var (h, c) = (zeros, zeros)
        var scores: [Tensor] = []
        let steps = Array(0..<x.shape[1])
        for t in change == .backwards ? steps.reversed() : steps {
            if change == .stateResetEveryStep { (h, c) = (zeros, zeros) }
            if change == .cellResetEveryStep { c = zeros }
            let before = h
            (h, c) = try lstmCell(x.select(axis: 1, index: t), h, c, weights: w)
            scores.append(try head(change == .headOnTheCell ? c : change == .scoresBeforeTheStep ? before : h))
        }
        if change == .backwards { scores.reverse() }
        if change == .headOnTheLastStepOnly { scores = [Tensor](repeating: scores[scores.count - 1], count: scores.count) }
        let logits = try stack(scores, axis: 1)
        return change == .softmaxScores ? try logits.softmax(axis: -1) : logits
    }
    // END INSTRUCTOR

    public static let unrollAdder = Exercise<UnrollAdder>(
        id: "4.4", title: "The adder: an LSTM unrolled over the columns", symbol: "unrollAdder(_:cell:head:)", file: "Lessons/Lesson4/Adder.swift",
        reference: { try Solution4.unrollAdder($0, cell: $1, head: $2) },
        mistakes: [
            Mistake("state-reset-every-step", "h and c start from zeros at every step, so nothing is carried from one column to the next",
                    feedback: "The state is how the carry gets from the units to the tens: reset at every step, each column is added on its own, and 7 + 3 can never make the next digit one larger. Start from zeros ONCE, before the loop, and let each step's (h, c) be the next step's state.") {
                try unrolledWith($0, $1, $2, .stateResetEveryStep)
            },
            Mistake("cell-reset-every-step", "h is carried from step to step but c starts from zeros at every step",
                    feedback: "An LSTM's memory is mostly its cell c: h is a squashed, gated view of it. Carrying h alone throws away what the cell kept, so the model is a weaker tanh-RNN-like cell. Carry both: (h, c) = lstmCell(x_t, h, c, …), and pass both on.") {
                try unrolledWith($0, $1, $2, .cellResetEveryStep)
            },
            Mistake("softmax-scores", "the scores go through a softmax: the function returns probabilities, not logits",
                    feedback: "crossEntropy takes LOGITS and applies the log-softmax itself; probabilities passed to it are softmaxed a second time, and the loss can then never approach 0. The head's output is what this function returns: leave the softmax to the loss (and to whoever wants probabilities).") {
                try unrolledWith($0, $1, $2, .softmaxScores)
            },
            Mistake("head-on-the-cell", "the head reads the cell c instead of h",
                    feedback: "The cell is the LSTM's private memory, unbounded; what the LSTM shows to the next layer or a head is h = o ⊙ tanh(c), as torch.nn.LSTM's output holds h. Apply the head to the new h of each step.") {
                try unrolledWith($0, $1, $2, .headOnTheCell)
            },
            Mistake("scores-before-the-step", "the scores at step t come from the state before reading column t",
                    feedback: "Digit t of the sum depends on column t (and the carry into it): the score at step t must come from the state AFTER the cell has read x_t. Recording h before the step makes every answer digit one column late, and step 0 answers from the zero state. Run the cell, then apply the head to its new h.") {
                try unrolledWith($0, $1, $2, .scoresBeforeTheStep)
            },
            Mistake("last-state-everywhere", "the head is applied to the last state only, and its scores repeated at every step",
                    feedback: "This is the encoder's habit — one summary after the whole sequence — but the adder answers as it reads: step t writes digit t. Apply the head to the new h after EVERY step and stack those scores along axis 1.") {
                try unrolledWith($0, $1, $2, .headOnTheLastStepOnly)
            },
        ],
        variants: [
            Variant("reads-backwards", "the columns read from the last to the first", { try unrolledWith($0, $1, $2, .backwards) }),
        ]
    ) { unroll in
        var outcome = Outcome()
        for (seed, batch, steps, hidden): (UInt64, Int, Int, Int) in [(71, 3, 4, 5), (72, 2, 6, 3)] {
            var rng = RNG(seed: seed)
            let cell = LSTMCell(20, hidden, rng: &rng)
            let head = Linear(hidden, 10, rng: &rng)
            let x = Tensor.uniform([batch, steps, 20], 0, 1, requiresGrad: true, rng: &rng)
            let named = cell.namedParameters().map { ($0.name, $0.tensor) } + head.namedParameters().map { ("head.\($0.name)", $0.tensor) }
            Probes.expose([("x", x)] + named)
            let logits = try unroll(x, cell.weights, head)
            let suffix = " (inputs #\(seed % 10))"
            try Probes.record(logits, as: "logits\(suffix)", gradientsOf: [("x\(suffix)", x)] + named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
        }
        return outcome
    }
}
