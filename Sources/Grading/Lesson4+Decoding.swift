import Autograd
import Solution4

// The graders of lesson 4, continued: greedy decoding, the decoder fed its own answers.

extension Lesson4Graders {
    // MARK: - 4.7 greedy decoding

    public typealias GreedyDecode = (LSTM, Linear, (h: Tensor, c: Tensor), Int) throws -> Tensor

    /// The probe's decoders: a seed, the batch, the hidden size and the steps to write. Batches
    /// of 1 to 8, one step only in one case; the batch never equals the steps, so that codes
    /// written [steps, B] have the wrong shape. The seeds are chosen (with `decodeScales`) so
    /// that every known mistake writes other digits than the reference on every case where it
    /// can, the reference writes 4 digits or more, and its best two scores are never within
    /// 0.15 of each other, so that a right answer computed in another order writes the same
    /// digits (Tests/Reference/AlternativesLesson4Tests.swift proves all three).
    static let decodeCases: [(seed: UInt64, batch: Int, hidden: Int, steps: Int)] = [
        (157, 6, 8, 5), (23, 3, 5, 7), (161, 8, 6, 1), (8, 1, 7, 6),
    ]

    /// How far the probe's weights are scaled up from the core's initialisation (±1/√H), so that
    /// the digit read (W_ih), the state carried (W_hh) and the head each change which digit
    /// wins, and by a clear margin.
    static let decodeScales: (inputs: Float, hidden: Float, bias: Float, head: Float, state: Float) = (10, 3, 1, 10, 2)

    /// Case `k` of the probe, made afresh: a decoder LSTM(10, H), a head Linear(H, 10) and an
    /// encoder state (h, c), each [1, B, H] (h in −1…1, as an LSTM's h is; c wider), from the
    /// case's seed.
    static func decodeCase(_ k: Int) throws -> (decoder: LSTM, head: Linear, state: (h: Tensor, c: Tensor), steps: Int) {
        let c = decodeCases[k], s = decodeScales
        var rng = RNG(seed: c.seed)
        let decoder = LSTM(10, c.hidden, rng: &rng)
        let head = Linear(c.hidden, 10, rng: &rng)
        let w = decoder.weights[0]
        for (t, scale) in [(w.weightIH, s.inputs), (w.weightHH, s.hidden), (w.biasIH!, s.bias), (w.biasHH!, s.bias), (head.weight, s.head), (head.bias!, s.head)] {
            try t.assign(t.scalars.map { $0 * scale })
        }
        let h = Tensor.uniform([1, c.batch, c.hidden], -1, 1, rng: &rng)
        let cell = Tensor.uniform([1, c.batch, c.hidden], -s.state, s.state, rng: &rng)
        return (decoder, head, (h, cell), c.steps)
    }

    /// The codes written on every case, each decoded under `noGrad` as the experiment does
    /// (decoding needs no gradient).
    static func greedyProbe(_ decode: GreedyDecode) throws -> Outcome {
        var outcome = Outcome()
        for k in decodeCases.indices {
            let c = try decodeCase(k)
            let name = "codes, \(c.steps) step\(c.steps == 1 ? "" : "s") of a batch of \(c.state.h.shape[1]) (inputs #\(k + 1))"
            Probes.expose([("h", c.state.h), ("c", c.state.c)]
                          + c.decoder.namedParameters().map { ("decoder.\($0.name)", $0.tensor) }
                          + c.head.namedParameters().map { ("head.\($0.name)", $0.tensor) })
            try Probes.attempt(name, into: &outcome) { outcome in
                outcome.record(name, try noGrad { try decode(c.decoder, c.head, c.state, c.steps) })
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to greedy decoding (4.7's known mistakes).
    enum DecodeChange {
        case right, stateNotCarried, encoderStateIgnored, zerosForAllSteps, digitZeroFirst, softmaxFed, scoresFed, laggedTwoSteps
        case codesReadNotWritten, scoresReturned, timeFirst
    }

    /// The reference's greedy decoding with one `DecodeChange`.
    static func decodedWith(_ decoder: LSTM, _ head: Linear, _ state: (h: Tensor, c: Tensor), _ steps: Int, _ change: DecodeChange) throws -> Tensor {
        let batch = state.h.shape[1]
        let zeros = Tensor.zeros([batch, 1, 10])
        if change == .zerosForAllSteps { return try head(decoder(Tensor.zeros([batch, steps, 10]), state).output).argmax(axis: -1) }
        var input = change == .digitZeroFirst ? try oneHot(Tensor.zeros([batch, 1]), classes: 10) : zeros
        var carried: (h: Tensor, c: Tensor)? = change == .encoderStateIgnored ? nil : state
        var codes: [Tensor] = [], scores: [Tensor] = []
        for t in 0..<steps {
            let (output, next) = try decoder(input, carried)
            let s = try head(output)                                    // [B, 1, 10]
            let code = try s.argmax(axis: -1)                           // [B, 1]
            scores.append(s)
            codes.append(code)
            if change != .stateNotCarried { carried = next }
            switch change {
            case .softmaxFed: input = try s.softmax(axis: -1)
            case .scoresFed: input = s
            case .laggedTwoSteps: input = t == 0 ? zeros : try oneHot(codes[t - 1], classes: 10)
            default: input = try oneHot(code, classes: 10)
            }
        }
        switch change {
        case .scoresReturned: return try concat(scores, axis: 1)
        case .timeFirst: return try concat(codes, axis: 1).transpose(0, 1)
        case .codesReadNotWritten: return try concat([Tensor.zeros([batch, 1])] + codes.dropLast(), axis: 1)
        default: return try concat(codes, axis: 1)
        }
    }
    // END INSTRUCTOR

    public static let greedyDecode = Exercise<GreedyDecode>(
        id: "4.7", title: "Greedy decoding: the decoder fed its own answers", symbol: "greedyDecode(_:head:state:steps:)", file: "Lessons/Lesson4/Decoding.swift",
        reference: { try Solution4.greedyDecode($0, head: $1, state: $2, steps: $3) },
        mistakes: [
            Mistake("state-not-carried", "every step starts again from the encoder's state: the state the decoder returns is thrown away",
                    feedback: "The state is where the decoder keeps what it has written and what is left to write — the carry among it. Started again from the encoder's state at every step, each digit is written as if it were the first, knowing only the digit before it. Keep the state each call returns (in a `var`: the parameter is a `let`) and pass it to the next call.") {
                try decodedWith($0, $1, $2, $3, .stateNotCarried)
            },
            Mistake("encoder-state-ignored", "the decoder starts from a zero state: the encoder's state is never passed to it",
                    feedback: "The encoder's final state is the only way the question reaches the decoder: without it the decoder writes the same answer for every sum. Pass `state` to the first call, decoder(input, state), then the state each call returns to the next.") {
                try decodedWith($0, $1, $2, $3, .encoderStateIgnored)
            },
            Mistake("zeros-for-all-steps", "the decoder runs once over zeros [B, steps, 10]: it never reads its own answers",
                    feedback: "One call over zeros is a decoder that reads nothing — the source notebook's. This decoder was trained to read the digit before, and here every step after the first reads zeros where that digit belongs. Decode one step at a time: call the decoder on a [B, 1, 10] input, take the argmax of the head's scores, and feed its one-hot to the next call.") {
                try decodedWith($0, $1, $2, $3, .zerosForAllSteps)
            },
            Mistake("digit-zero-first", "step 0 reads the one-hot of the digit 0 instead of zeros",
                    feedback: "At step 0 no digit has been written yet, and training fed zeros there. The one-hot of 0 tells the decoder that the digit before was a 0 — at step 0, an input it never read in training — and its first digit, and every digit after, can change with it. Start from Tensor.zeros([B, 1, 10]); one-hots only from step 1 on.") {
                try decodedWith($0, $1, $2, $3, .digitZeroFirst)
            },
            Mistake("softmax-fed-back", "the next step reads the softmax of the scores, not the one-hot of the digit written",
                    feedback: "In training the decoder read one-hots: a single 1 among ten. Probabilities are a blend of digits it never read, and they are not what it wrote: greedy decoding commits to the argmax. Feed oneHot(code, classes: 10) of the argmax, the same code you return.") {
                try decodedWith($0, $1, $2, $3, .softmaxFed)
            },
            Mistake("scores-fed-back", "the next step reads the head's raw scores, not the one-hot of the digit written",
                    feedback: "The scores are ten unbounded numbers, nothing like the one-hots the decoder read in training, and they are not a digit: the digit written is their argmax. Feed oneHot(code, classes: 10) of the argmax, the same code you return.") {
                try decodedWith($0, $1, $2, $3, .scoresFed)
            },
            Mistake("lagged-two-steps", "step t reads the digit written at step t − 2: the next input is set from the code kept before this step's",
                    feedback: "Setting the next input from the code kept at the step before, and only then keeping the new code, makes step 1 read zeros again and every later step read a digit one step old. Step t + 1 reads what step t has just written: right after taking a step's argmax, make its one-hot the next input.") {
                try decodedWith($0, $1, $2, $3, .laggedTwoSteps)
            },
            Mistake("codes-read-not-written", "the codes returned are the digits each step read (a 0 at step 0), not the ones it wrote",
                    feedback: "Keeping each step's input digit instead of its output shifts the answer one place: position t holds digit t − 1, position 0 a 0 nothing wrote, and the last digit written is lost. Keep the argmax of each step's scores — the digit it writes, which the next step then reads.") {
                try decodedWith($0, $1, $2, $3, .codesReadNotWritten)
            },
            Mistake("scores-returned", "the head's scores [B, steps, 10] are returned instead of the codes [B, steps]",
                    feedback: "The caller compares digits with the targets (additionScores, decodeSums): scores are for a loss, and a decoder fed its own answers has no loss to compute. Return each step's argmax — the code you feed back — concatenated along axis 1 into [B, steps].") {
                try decodedWith($0, $1, $2, $3, .scoresReturned)
            },
            Mistake("codes-time-first", "the codes are [steps, B]: a row per step, not a row per sum",
                    feedback: "Each row must be one sum's answer, least significant digit first, as the targets [B, places] are, so that additionScores and decodeSums read it. Concatenate the [B, 1] codes along axis 1 (or stack [B] codes along axis 1), not along axis 0.") {
                try decodedWith($0, $1, $2, $3, .timeFirst)
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0)),
        probe: greedyProbe
    )
}
