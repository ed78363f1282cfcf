import Autograd
import Solution5

// The graders of lesson 5, continued: the word models — three words written out, the
// loop with its state carried on, and a guess after every word.

extension Lesson5Graders {
    /// A word model's layers from a fixed seed (the embedding, the shared hidden layer, the
    /// head), with their names for the probe's gradients.
    static func wordLayers(seed: UInt64, vocabulary: Int, hidden: Int) -> (embedding: Embedding, hidden: Linear, head: Linear, named: [(String, Tensor)]) {
        var rng = RNG(seed: seed)
        let embedding = Embedding(vocabulary, hidden, rng: &rng)
        let layer = Linear(hidden, hidden, rng: &rng), head = Linear(hidden, vocabulary, rng: &rng)
        let named = [("embedding.weight", embedding.weight), ("hidden.weight", layer.weight), ("hidden.bias", layer.bias!),
                     ("head.weight", head.weight), ("head.bias", head.bias!)]
        return (embedding, layer, head, named)
    }

    /// Whether a state handed on has no history: no gradient, and no tape behind it (a
    /// tensor made by an op keeps its inputs alive, requiresGrad or not).
    static func hasNoHistory(_ t: Tensor) -> Bool { !t.requiresGrad && t.isLeaf }

    /// `[batch, steps]` word codes from `seed`, every code of the vocabulary likely to appear.
    static func wordCodes(_ batch: Int, _ steps: Int, vocabulary: Int, seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        return try! Tensor((0..<batch * steps).map { _ in Float(rng.int(below: vocabulary)) }, shape: [batch, steps])
    }

    // MARK: - 5.3 three words in, the fourth out

    public typealias ThreeWords = (Tensor, Embedding, Linear, Linear) throws -> Tensor

    // BEGIN INSTRUCTOR
    /// One change to the three-word model (5.3's known mistakes).
    enum ThreeWordsChange { case tanh, wordAddedAfterTheLayer, bagOfWords, reluAtTheEndOnly, reversed, lastWordOnly }

    static func threeWordsWith(_ change: ThreeWordsChange) -> ThreeWords {
        { x, embedding, hidden, head in
            let e = try embedding(x)
            func word(_ i: Int) throws -> Tensor { try e.select(axis: 1, index: change == .reversed ? 2 - i : i) }
            func act(_ t: Tensor) -> Tensor { change == .tanh ? t.tanh() : change == .reluAtTheEndOnly ? t : t.relu() }
            switch change {
            case .bagOfWords: return try head(hidden(word(0) + word(1) + word(2)).relu())
            case .lastWordOnly: return try head(hidden(word(2)).relu())
            case .wordAddedAfterTheLayer:
                var h = try hidden(word(0)).relu()
                h = try hidden(h).relu() + word(1)
                h = try hidden(h).relu() + word(2)
                return try head(h)
            default:
                var h = try act(hidden(word(0)))
                h = try act(hidden(h + word(1)))
                h = try act(hidden(h + word(2)))
                return try head(change == .reluAtTheEndOnly ? h.relu() : h)
            }
        }
    }
    // END INSTRUCTOR

    public static let threeWords = Exercise<ThreeWords>(
        id: "5.3", title: "Three words in, the fourth out", symbol: "threeWords(_:model:)", file: "Lessons/Lesson5/ThreeWords.swift",
        reference: { try Solution5.threeWords($0, model: WordModel(embedding: $1, hidden: $2, head: $3)) },
        mistakes: [
            Mistake("tanh-for-relu", "tanh where the chapter's model has relu",
                    feedback: "Both bend the line, and a tanh model learns too — but it is another model: the chapter's LMModel1 uses relu after each step, and the weights the grader gives expect it. Use .relu() after each application of the hidden layer.",
                    threeWordsWith(.tanh)),
            Mistake("word-added-after-the-layer", "each later word is added after the hidden layer, h = relu(hidden(h)) + e_i, not before it",
                    feedback: "Added after the layer, the third word reaches the head without passing through any layer: the model cannot combine it with what came before, only add its vector to the result. Add the word's vector to h BEFORE the layer: h = relu(hidden(h + e_i)), so that every word is mixed in by the same layer.",
                    threeWordsWith(.wordAddedAfterTheLayer)),
            Mistake("bag-of-words", "the three vectors are summed and go through the layer once: the order of the words is lost",
                    feedback: "hidden(e0 + e1 + e2) gives the same guess for \"one hundred two\" and \"two hundred one\": a sum does not know which word came first. The model reads the words one after another — first word alone, then the result plus the second, then that plus the third — each step through the layer, so that order counts.",
                    threeWordsWith(.bagOfWords)),
            Mistake("relu-at-the-end-only", "relu only once, after the last step: the three steps are linear",
                    feedback: "Without a relu between them, three applications of the hidden layer are one linear map of the three vectors (W³e0 + W²e1 + We2 plus biases): the steps add nothing a single matrix could not do. Apply .relu() after EACH application of the layer.",
                    threeWordsWith(.reluAtTheEndOnly)),
            Mistake("words-reversed", "the words are read last first: e2, then e1, then e0",
                    feedback: "The window [x0, x1, x2] holds the words in the order of the text, and the fourth word follows x2. Read in reverse, the word just before the guess is the first one fed in, the furthest from the head. Read word 0 first, word 2 last.",
                    threeWordsWith(.reversed)),
            Mistake("last-word-only", "only the third word is read",
                    feedback: "A guess from the last word alone cannot tell \"… thousand\" (then a unit) from \"… hundred\" (then a ten, a unit or a dot) when the words before decide. Read all three, one step each: h = relu(hidden(e0)); h = relu(hidden(h + e1)); h = relu(hidden(h + e2)).",
                    threeWordsWith(.lastWordOnly)),
        ]
    ) { model in
        var outcome = Outcome()
        for (k, (seed, batch, hidden)): (Int, (UInt64, Int, Int)) in [(71, 4, 5), (72, 3, 6)].enumerated() {
            let (embedding, layer, head, named) = wordLayers(seed: seed, vocabulary: 7, hidden: hidden)
            let x = wordCodes(batch, 3, vocabulary: 7, seed: seed + 10)
            Probes.expose(named)
            let suffix = " (inputs #\(k + 1))"
            try Probes.record(model(x, embedding, layer, head), as: "logits\(suffix)", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
        }
        return outcome
    }

    // MARK: - 5.4 and 5.5 the loop, its state carried on

    public typealias WordLoop = (Tensor, Tensor?, Embedding, Linear, Linear) throws -> (logits: Tensor, state: Tensor)

    /// A loop on three cases: from no state (5.4's equals 5.3's logits there), from a given
    /// state, and two batches in a row, the second from the state the first returned — where
    /// a state handed on with its history sends the second batch's gradient into the first.
    /// The given state is as a last batch hands it on, values without a history, so that a
    /// loop may detach it again on the way in (PyTorch's repackage_hidden) and still pass.
    /// Records the logits, the returned state, whether it has a history (requiresGrad
    /// switched off is not enough: a state with a tape behind it keeps every batch's graph
    /// alive), and the gradients. The two batches have the given state's batch size, and the
    /// first starts from no state: a loop that keeps its last state between calls (in a
    /// global) and starts from it there gives other logits.
    static func loopProbe(_ loop: WordLoop) throws -> Outcome {
        var outcome = Outcome()
        for (k, (seed, batch, steps, given)): (Int, (UInt64, Int, Int, Bool)) in [(81, 3, 3, false), (82, 2, 5, true)].enumerated() {
            let (embedding, layer, head, named) = wordLayers(seed: seed, vocabulary: 7, hidden: 5)
            let x = wordCodes(batch, steps, vocabulary: 7, seed: seed + 10)
            let state = given ? Probes.input([batch, 5], seed: seed + 20, -1...1).detached() : nil
            Probes.expose(named + (state.map { [("the given state", $0)] } ?? []))
            let suffix = " (inputs #\(k + 1))"
            let (logits, next) = try loop(x, state, embedding, layer, head)
            outcome.record("the returned state\(suffix)", next)
            outcome.record("the returned state has no history (1: detached; requiresGrad switched off is not enough)\(suffix)", hasNoHistory(next) ? 1 : 0)
            try Probes.record(logits, as: "logits\(suffix)", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
        }
        let (embedding, layer, head, named) = wordLayers(seed: 83, vocabulary: 7, hidden: 5)
        let first = try loop(wordCodes(2, 4, vocabulary: 7, seed: 93), nil, embedding, layer, head)
        outcome.record("logits of the first batch (two batches in a row; the first from no state: zeros, whatever ran before)", first.logits)
        let second = try loop(wordCodes(2, 4, vocabulary: 7, seed: 94), first.state, embedding, layer, head)
        let suffix = " (two batches in a row: the second's loss)"
        try Probes.record(second.logits, as: "logits of the second batch", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the loop (5.4's and 5.5's known mistakes).
    enum LoopChange { case right, notDetached, stateIgnored, logitsFromDetached, detachedEveryStep, stateNotUpdated, logitsBeforeTheStep, lastLogitsRepeated, stackedOnAxis0 }

    /// The reference's loop, a guess after the last word (5.4) or after every word (5.5),
    /// with one `LoopChange`.
    static func loopWith(everyWord: Bool, _ change: LoopChange) -> WordLoop {
        { x, state, embedding, hidden, head in
            let e = try embedding(x)
            let zeros = Tensor.zeros([x.shape[0], hidden.outFeatures])
            var h = change == .stateIgnored ? nil : state
            var after: [Tensor] = [], before: [Tensor] = []
            for t in 0..<x.shape[1] {
                let word = try e.select(axis: 1, index: t)
                before.append(h ?? zeros)
                let previous = change == .detachedEveryStep ? h?.detached() : h
                let next = try hidden(previous.map { try $0 + word } ?? word).relu()
                after.append(next)
                h = next
            }
            let last = h!
            let handedOn = change == .notDetached ? last : change == .stateNotUpdated ? (state ?? zeros).detached() : last.detached()
            guard everyWord else { return (try head(change == .logitsFromDetached ? last.detached() : last), handedOn) }
            var read = change == .logitsBeforeTheStep ? before : after
            if change == .lastLogitsRepeated { read = [Tensor](repeating: last, count: read.count) }
            if change == .logitsFromDetached { read = read.map { $0.detached() } }
            return (try head(stack(read, axis: change == .stackedOnAxis0 ? 0 : 1)), handedOn)
        }
    }
    // END INSTRUCTOR

    static let notDetachedFeedback = "A state handed on with its history ties the next batch's graph to this one: the next backward pass runs back through every batch of the epoch, each step slower than the last, and the tape is never freed. Return the state's values without their history — h.detached() — and keep the undetached h for this batch's logits."

    public static let wordLoop = Exercise<WordLoop>(
        id: "5.4", title: "The same as a loop, the state carried on", symbol: "wordLoop(_:state:model:)", file: "Lessons/Lesson5/Loop.swift",
        reference: { try Solution5.wordLoop($0, state: $1, model: WordModel(embedding: $2, hidden: $3, head: $4)) },
        mistakes: [
            Mistake("state-not-detached", "the state is handed on with its history", feedback: notDetachedFeedback, loopWith(everyWord: false, .notDetached)),
            Mistake("state-ignored", "the loop starts from zero whatever state it is given",
                    feedback: "Starting every batch from zero is model 2: each window is read as if nothing came before it. The point of carrying the state is that row j of this batch continues row j of the last one: start h from the state you are given (when there is one), h = relu(hidden(state + e_0)).",
                    loopWith(everyWord: false, .stateIgnored)),
            Mistake("logits-from-the-detached-state", "the head reads the detached state, so no gradient reaches the embedding or the hidden layer",
                    feedback: "detached() cuts the history: a head applied to it sends its gradient nowhere, and only the head learns. Detach the copy you hand on to the NEXT batch; compute this batch's logits from h as it is, so the gradient flows back through every step of the batch.",
                    loopWith(everyWord: false, .logitsFromDetached)),
            Mistake("detached-every-step", "h is detached before every step: the gradient crosses one step only",
                    feedback: "Detaching inside the loop stops the gradient at every step, so the hidden layer never learns how the first word of the window should shape the guess. Truncate between batches, not between steps: detach once, the state you return.",
                    loopWith(everyWord: false, .detachedEveryStep)),
            Mistake("state-not-updated", "the state returned is the one given (zeros at first), not the loop's last h",
                    feedback: "The next batch must start from where this one stopped: the h after the last word. Returning the state you were given leaves every batch starting from the first batch's start. Return the last h of the loop, detached.",
                    loopWith(everyWord: false, .stateNotUpdated)),
        ],
        probe: loopProbe
    )

    public static let everyWord = Exercise<WordLoop>(
        id: "5.5", title: "A prediction after every word", symbol: "everyWord(_:state:model:)", file: "Lessons/Lesson5/EveryWord.swift",
        reference: { try Solution5.everyWord($0, state: $1, model: WordModel(embedding: $2, hidden: $3, head: $4)) },
        mistakes: [
            Mistake("guess-before-the-word", "the guess at position t is made from the state before word t was read",
                    feedback: "The target at position t is word t + 1, and the state that has read word t is the one that can guess it. Scored before the step, position 0 guesses from no word at all and every guess is one word late. Run the step for word t, then keep the new h for position t.",
                    loopWith(everyWord: true, .logitsBeforeTheStep)),
            Mistake("last-guess-repeated", "the guess after the last word is used at every position",
                    feedback: "Every position has its own target, the word after it, and needs the state after its own word. Keep each step's h in an array as the loop runs, and stack them along axis 1 before the head.",
                    loopWith(everyWord: true, .lastLogitsRepeated)),
            Mistake("stacked-on-axis-0", "the steps are stacked along axis 0: [T, B, vocabulary]",
                    feedback: "The targets are [B, T], so the logits must be [B, T, vocabulary]: batch first, then time. stack(states, axis: 1) puts the T states of shape [B, H] side by side along time.",
                    loopWith(everyWord: true, .stackedOnAxis0)),
            Mistake("state-not-detached", "the state is handed on with its history", feedback: notDetachedFeedback, loopWith(everyWord: true, .notDetached)),
            Mistake("state-ignored", "the loop starts from zero whatever state it is given",
                    feedback: "The sequences of a batch continue the last batch's row by row; starting from zero throws away everything read so far. Start h from the state you are given, when there is one.",
                    loopWith(everyWord: true, .stateIgnored)),
            Mistake("detached-every-step", "h is detached before every step: the gradient crosses one step only",
                    feedback: "Detaching inside the loop stops the gradient at every step: the loss at position 15 then teaches nothing about how word 3 should have been remembered. Detach once, the state you return for the next batch.",
                    loopWith(everyWord: true, .detachedEveryStep)),
        ],
        probe: loopProbe
    )
}
