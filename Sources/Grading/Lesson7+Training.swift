import Autograd
import Solution7

// The graders of lesson 7, continued: the online training step, the epoch, and the recital.
// The probes build the model's two layers from fixed seeds (6 letters, hidden 8: small and
// fast) and hand them to the student's function as a Memoriser.

extension Lesson7Graders {
    /// The layers of a Memoriser with `letters` letters and `hidden` units from `seed`
    /// (PyTorch's initialisation).
    static func layers(seed: UInt64, letters: Int = 6, hidden: Int = 8) -> (cell: LSTMCell, head: Linear) {
        var rng = RNG(seed: seed)
        return (LSTMCell(letters, hidden, rng: &rng), Linear(hidden, letters, rng: &rng))
    }

    /// The parameters of both layers, named as the Memoriser names them.
    static func named(_ cell: LSTMCell, _ head: Linear) -> [(String, Tensor)] {
        cell.namedParameters().map { ("lstm.\($0.name)", $0.tensor) } + head.namedParameters().map { ("lin.\($0.name)", $0.tensor) }
    }

    /// A cyclic string over 6 letters where 3 is followed by 1, 5 and 0: a network that
    /// sees one letter cannot learn it, and carrying the state changes every later loss.
    static let stepCodes = [0, 3, 1, 3, 5, 2, 4, 3, 0, 1]

    /// Whether a tensor has no history: a leaf that does not require a gradient.
    static func hasNoHistory(_ t: Tensor) -> Bool { !t.requiresGrad && t.isLeaf }

    // MARK: - 7.3 one online training step

    /// (cell, head, optimizer, input, target, state) → (loss, new state).
    public typealias TrainStep = (LSTMCell, Linear, any Optimizer, Int, Int, (h: Tensor, c: Tensor)) throws -> (loss: Float, state: (h: Tensor, c: Tensor))

    /// Twelve steps in a row over `stepCodes`, each from the state the last one returned,
    /// with Adam at lr 0.01; every parameter's gradient holds junk before the first (what a
    /// previous backward left); the first run from zeros, the second from a random state.
    /// Records the losses, whether the returned states have a history, and the parameters after.
    static func stepProbe(_ step: TrainStep) throws -> Outcome {
        var outcome = Outcome()
        for (k, randomStart) in [false, true].enumerated() {
            let suffix = " (inputs #\(k + 1))"
            try Probes.attempt("the loss of each step\(suffix)", into: &outcome) { o in
                let (cell, head) = layers(seed: 731 + UInt64(k))
                let parameters = named(cell, head)
                let optimizer = try Adam(parameters.map(\.1), learningRate: 0.01)
                for (i, (_, p)) in parameters.enumerated() {
                    try (p * Probes.input(p.shape, seed: 741 + UInt64(i), -1...1).detached()).sum().backward()
                }
                var state: (h: Tensor, c: Tensor) = randomStart
                    ? (Probes.input([1, 8], seed: 751, -0.5...0.5).detached(), Probes.input([1, 8], seed: 752, -1...1).detached())
                    : (Tensor.zeros([1, 8]), Tensor.zeros([1, 8]))
                var losses: [Float] = [], cut: [Float] = []
                for j in 0..<12 {
                    let result = try step(cell, head, optimizer, stepCodes[j % stepCodes.count], stepCodes[(j + 1) % stepCodes.count], state)
                    losses.append(result.loss)
                    cut += [hasNoHistory(result.state.h) ? 1 : 0, hasNoHistory(result.state.c) ? 1 : 0]
                    state = result.state
                }
                o.record("the loss of each step\(suffix)", losses)
                o.record("the returned h and c have no history, step by step (1: detached)\(suffix)", cut)
                o.record("the returned h after the last step\(suffix)", state.h.detached())
                for (name, p) in parameters { o.record("\(name) after the 12 steps\(suffix)", p.detached()) }
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the training step (7.3's known mistakes).
    enum StepChange { case notDetached, cellNotDetached, noZeroGrad, zeroGradAfterBackward, softmaxThenCrossEntropy }

    static func stepWith(_ change: StepChange) -> TrainStep {
        { cell, head, optimizer, input, target, state in
            let model = Solution7.Memoriser(cell: cell, head: head)
            let (scores, next) = try model(input, state)
            let loss = try crossEntropy(change == .softmaxThenCrossEntropy ? scores.softmax() : scores, Tensor(indices: [target]))
            if change != .noZeroGrad && change != .zeroGradAfterBackward { optimizer.zeroGrad() }
            try loss.backward()
            if change == .zeroGradAfterBackward { optimizer.zeroGrad() }
            optimizer.step()
            switch change {
            case .notDetached: return (try loss.item(), next)
            case .cellNotDetached: return (try loss.item(), (next.h.detached(), next.c))
            default: return (try loss.item(), (next.h.detached(), next.c.detached()))
            }
        }
    }
    // END INSTRUCTOR

    public static let trainStep = Exercise<TrainStep>(
        id: "7.3", title: "One online training step", symbol: "trainStep(_:optimizer:input:target:state:)", file: "Lessons/Lesson7/TrainStep.swift",
        reference: { try Solution7.trainStep(Solution7.Memoriser(cell: $0, head: $1), optimizer: $2, input: $3, target: $4, state: $5) },
        mistakes: [
            Mistake("state-not-detached", "the new state is handed on with its history",
                    feedback: "This is what the notebook's code does (it stores hidden and c_n as they are). Then the next letter's backward runs back through this step, and the one after through both: by the end of the string each step backpropagates through every letter since the start, ever slower — and PyTorch since 1.5 refuses outright (the optimizer changed the weights those old steps used). Return next.h.detached() and next.c.detached(): the values go on, the history stops.",
                    stepWith(.notDetached)),
            Mistake("cell-not-detached", "h is detached, but c is handed on with its history",
                    feedback: "The LSTM's state is two tensors, and a gradient reaches back through either: c with its history ties every step of the epoch together as surely as h would (the cell state is the LSTM's long memory, the path gradients travel best). Detach both.",
                    stepWith(.cellNotDetached)),
            Mistake("no-zero-grad", "the gradients are never zeroed: each step adds to what the last one left",
                    feedback: "backward() ADDS into every .grad. Without zeroGrad, step 2 follows the sum of steps 1 and 2's gradients, step 12 the sum of twelve — and whatever an earlier backward left before the first. Call optimizer.zeroGrad() before loss.backward().",
                    stepWith(.noZeroGrad)),
            Mistake("zero-grad-after-backward", "zeroGrad comes between backward and step: the step has no gradient to follow",
                    feedback: "The order is forget, compute, follow: zeroGrad(), then backward() fills the gradients, then step() uses them. Zeroed after backward, the gradients are gone when step() looks, and nothing learns. Move optimizer.zeroGrad() before loss.backward().",
                    stepWith(.zeroGradAfterBackward)),
            Mistake("softmax-then-cross-entropy", "the loss is the cross-entropy of the softmax of the scores (the notebook's nn.Softmax then nn.CrossEntropyLoss)",
                    feedback: "crossEntropy applies log-softmax itself; given probabilities, it takes a softmax of numbers in [0, 1], which can never be sure: the loss cannot fall below log(1 + 25/e) ≈ 2.32 for 26 letters, and its gradient is squashed — the notebook's slow and failing cases come from this. Pass the scores themselves: crossEntropy(scores, Tensor(indices: [target])).",
                    stepWith(.softmaxThenCrossEntropy)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-4, rtol: 1e-3)),
        probe: stepProbe
    )

    // MARK: - 7.4 an epoch

    /// (cell, head, optimizer, pairs, oneStep) → the loss of every step.
    public typealias TrainEpoch = (LSTMCell, Linear, any Optimizer, [(input: Int, target: Int)], Bool) throws -> [Float]

    /// Two epochs in a row (the same model and optimizer), carried and then one-step, each
    /// from its own seed, over `stepCodes`' pairs; and an epoch over no pairs.
    static func epochProbe(_ epoch: TrainEpoch) throws -> Outcome {
        var outcome = Outcome()
        let codes = stepCodes
        let pairs = codes.indices.map { (input: codes[$0], target: codes[($0 + 1) % codes.count]) }
        for (k, oneStep) in [false, true].enumerated() {
            let mode = oneStep ? "one-step" : "carried"
            try Probes.attempt("the losses of epoch 1, \(mode)", into: &outcome) { o in
                let (cell, head) = layers(seed: 761 + UInt64(k))
                let optimizer = try Adam(named(cell, head).map(\.1), learningRate: 0.01)
                o.record("the losses of epoch 1, \(mode)", try epoch(cell, head, optimizer, pairs, oneStep))
                o.record("the losses of epoch 2 (the same model, called again), \(mode)", try epoch(cell, head, optimizer, pairs, oneStep))
            }
        }
        try Probes.attempt("the losses of an epoch over no pairs", into: &outcome) { o in
            let (cell, head) = layers(seed: 763)
            o.record("the losses of an epoch over no pairs", try epoch(cell, head, try Adam(named(cell, head).map(\.1)), [], false))
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the epoch (7.4's known mistakes).
    enum EpochChange { case oneStepIgnored, alwaysReset, modesSwapped }

    static func epochWith(_ change: EpochChange) -> TrainEpoch {
        { cell, head, optimizer, pairs, oneStep in
            let model = Solution7.Memoriser(cell: cell, head: head)
            let reset = change == .oneStepIgnored ? false : change == .alwaysReset ? true : change == .modesSwapped ? !oneStep : oneStep
            var state = model.zeroState()
            var losses: [Float] = []
            for pair in pairs {
                if reset { state = model.zeroState() }
                let step = try Solution7.trainStep(model, optimizer: optimizer, input: pair.input, target: pair.target, state: state)
                losses.append(step.loss)
                state = step.state
            }
            return losses
        }
    }
    // END INSTRUCTOR

    public static let trainEpoch = Exercise<TrainEpoch>(
        id: "7.4", title: "An epoch, the state carried or reset", symbol: "trainEpoch(_:optimizer:pairs:oneStep:)", file: "Lessons/Lesson7/TrainEpoch.swift",
        reference: { try Solution7.trainEpoch(Solution7.Memoriser(cell: $0, head: $1), optimizer: $2, pairs: $3, oneStep: $4) },
        mistakes: [
            Mistake("one-step-ignored", "oneStep changes nothing: the state is carried in both modes",
                    feedback: "One-step mode is the notebook's feed-forward network: the state is reset to zeros before EVERY letter, so the network sees one letter and nothing before it. When oneStep is true, set state = model.zeroState() at the top of each pair's step.",
                    epochWith(.oneStepIgnored)),
            Mistake("always-reset", "the state is reset before every pair in both modes: nothing is ever carried",
                    feedback: "Carried mode is the point of the lesson: the state a step returns is what the next letter starts from, so the network can tell the H before I from the H before R by what came before. Reset before each pair only when oneStep is true; otherwise hand each step's returned state to the next.",
                    epochWith(.alwaysReset)),
            Mistake("modes-swapped", "the modes are swapped: reset when carried, carried when one-step",
                    feedback: "oneStep == true means reset before every letter (the feed-forward network); false means carry the state through the epoch. Check the condition of your reset: if oneStep { state = model.zeroState() }.",
                    epochWith(.modesSwapped)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-4, rtol: 1e-3)),
        probe: epochProbe
    )

    // MARK: - 7.5 reciting

    /// (cell, head, first, count, oneStep) → the recited codes.
    public typealias Generate = (LSTMCell, Linear, Int, Int, Bool) throws -> [Int]

    /// The layers of a small model (seed `seed`) after `epochs` epochs on `stepCodes`, the
    /// state carried: a model that has learnt part of the string, whose recital depends on
    /// its state (from 3 it goes on "1 0 3 5 2…" carried, but "1 3 1 3…" or "5 2 4 3 5…"
    /// one-step). The grader's own loop, so that the probe does not depend on 7.3 or 7.4.
    static func trainedLayers(seed: UInt64, epochs: Int) throws -> (cell: LSTMCell, head: Linear) {
        let (cell, head) = layers(seed: seed)
        let optimizer = try Adam(named(cell, head).map(\.1), learningRate: 0.02)
        for _ in 0..<epochs {
            var (h, c) = (Tensor.zeros([1, 8]), Tensor.zeros([1, 8]))
            for (j, code) in stepCodes.enumerated() {
                var row = [Float](repeating: 0, count: 6)
                row[code] = 1
                let next = try lstmCell(try Tensor(row, shape: [1, 6]), h, c, weights: cell.weights)
                let loss = try crossEntropy(try head(next.h), Tensor(indices: [stepCodes[(j + 1) % stepCodes.count]]))
                cell.zeroGrad()
                head.zeroGrad()
                try loss.backward()
                optimizer.step()
                (h, c) = (next.h.detached(), next.c.detached())
            }
        }
        return (cell, head)
    }

    /// (seed, epochs of training, first, count, oneStep).
    static let generateCases: [(seed: UInt64, epochs: Int, first: Int, count: Int, oneStep: Bool)] = [
        (771, 20, 0, 14, false), (771, 20, 3, 14, false), (771, 20, 0, 14, true), (772, 20, 3, 14, false), (772, 20, 3, 14, true),
        (773, 40, 3, 12, false), (773, 40, 0, 12, true), (773, 40, 4, 1, false), (773, 40, 1, 0, false),
    ]

    static func generateProbe(_ generate: Generate) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in generateCases.enumerated() {
            let name = "the letters recited from \(c.first), \(c.count) of them, \(c.oneStep ? "one-step" : "carried") (inputs #\(k + 1))"
            try Probes.attempt(name, into: &outcome) { o in
                let (cell, head) = try trainedLayers(seed: c.seed, epochs: c.epochs)
                let recited = try generate(cell, head, c.first, c.count, c.oneStep)
                o.record(name, recited.map(Float.init))
                let again = try generate(cell, head, c.first, c.count, c.oneStep)
                o.record("a second call recites the same (1: yes) (inputs #\(k + 1))", again == recited ? 1 : 0)
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the recital (7.5's known mistakes).
    enum GenerateChange { case oneTooFew, firstIncluded, alwaysReset, oneStepIgnored }

    static func generatedWith(_ change: GenerateChange) -> Generate {
        { cell, head, first, count, oneStep in
            let model = Solution7.Memoriser(cell: cell, head: head)
            var state = model.zeroState()
            var code = first
            var recited: [Int] = change == .firstIncluded ? [first] : []
            let steps = change == .oneTooFew || change == .firstIncluded ? max(0, count - 1) : count
            for _ in 0..<steps {
                if change == .alwaysReset || (oneStep && change != .oneStepIgnored) { state = model.zeroState() }
                let (scores, next) = try model(code, state)
                code = try scores.argmax(axis: -1).indices[0]
                recited.append(code)
                state = next
            }
            return recited
        }
    }
    // END INSTRUCTOR

    public static let generate = Exercise<Generate>(
        id: "7.5", title: "Reciting: the network fed its own guesses", symbol: "generate(_:from:count:oneStep:)", file: "Lessons/Lesson7/Generate.swift",
        reference: { try Solution7.generate(Solution7.Memoriser(cell: $0, head: $1), from: $2, count: $3, oneStep: $4) },
        mistakes: [
            Mistake("one-too-few", "count − 1 letters are recited",
                    feedback: "Each step reads one letter and guesses the next: from the first letter, count steps give count guesses — the whole cycle is n guesses, back to the first letter. (The notebook checked n − 1, and never the step back to the start.) Loop count times.",
                    generatedWith(.oneTooFew)),
            Mistake("first-included", "the first letter is returned as if recited, before the guesses",
                    feedback: "The first letter is given, not predicted: the recital is what the network adds, and it is compared with the letters AFTER the first. Return only the guesses, count of them.",
                    generatedWith(.firstIncluded)),
            Mistake("always-reset", "the state is reset before every letter in both modes",
                    feedback: "A network trained with its state carried needs the state to know where it is (which H this is): reset before every letter, it is asked to recite as the feed-forward network it never was. Reset only when oneStep is true; otherwise carry the state each step returns.",
                    generatedWith(.alwaysReset)),
            Mistake("one-step-ignored", "the state is carried in one-step mode too",
                    feedback: "A one-step network was trained from a zero state before every letter; a carried state shows it inputs it never saw in training. Recite it as it was trained: if oneStep, reset the state to zeros before each letter.",
                    generatedWith(.oneStepIgnored)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        probe: generateProbe
    )
}
