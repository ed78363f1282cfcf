import Autograd
import Solution4

// The graders of lesson 4, continued: teacher forcing, the decoder trained on the true answer.

extension Lesson4Graders {
    // MARK: - 4.9 teacher forcing

    public typealias TeacherForcedLogits = (LSTM, LSTM, Linear, Tensor, Tensor) throws -> Tensor

    /// The probe's encoder–decoders: a seed, the batch, the question's length Tin, the answer's
    /// length T and the hidden size. T ≥ 3 and the batch never equals T (logits written
    /// [T, B, 10] have the wrong shape), Tin never equals T (the encoder's outputs fed to the
    /// decoder give the wrong number of steps); one case has H = 10, where that mistake runs
    /// instead of throwing. The seeds are chosen (with `teacherScales`) so that every known
    /// mistake's logits are far from the reference's, and from every other mistake's, on every
    /// case (Tests/Reference/AlternativesLesson4Tests.swift proves it).
    static let teacherCases: [(seed: UInt64, batch: Int, inLength: Int, steps: Int, hidden: Int)] = [
        (191, 4, 9, 5, 6), (192, 2, 6, 4, 10), (193, 5, 7, 3, 5),
    ]

    /// How far the probe's weights are scaled up from the core's initialisation (±1/√H), so
    /// that the question (the encoder), the digit read (the decoder's W_ih), the state carried
    /// (W_hh) and the head each move the scores by much more than the tolerance.
    static let teacherScales: (encoder: Float, inputs: Float, hidden: Float, head: Float) = (3, 4, 2, 4)

    /// Case `k` of the probe, made afresh: an encoder LSTM(12, H), a decoder LSTM(10, H), a head
    /// Linear(H, 10), the questions (one-hots of random symbols 0…11, [B, Tin, 12]) and the
    /// answers (random digits 0…9, [B, T]), from the case's seed.
    static func teacherCase(_ k: Int) throws -> (encoder: LSTM, decoder: LSTM, head: Linear, inputs: Tensor, targets: Tensor) {
        let c = teacherCases[k], s = teacherScales
        var rng = RNG(seed: c.seed)
        let encoder = LSTM(12, c.hidden, rng: &rng)
        let decoder = LSTM(10, c.hidden, rng: &rng)
        let head = Linear(c.hidden, 10, rng: &rng)
        let (e, d) = (encoder.weights[0], decoder.weights[0])
        for (t, scale) in [(e.weightIH, s.encoder), (e.weightHH, s.encoder), (e.biasIH!, s.encoder), (e.biasHH!, s.encoder),
                           (d.weightIH, s.inputs), (d.weightHH, s.hidden), (head.weight, s.head), (head.bias!, s.head)] {
            try t.assign(t.scalars.map { $0 * scale })
        }
        let symbols = (0..<c.batch).map { _ in (0..<c.inLength).map { _ in rng.int(below: 12) } }
        let digits = (0..<c.batch).map { _ in (0..<c.steps).map { _ in rng.int(below: 10) } }
        return (encoder, decoder, head, try oneHot(Tensor(indices: symbols), classes: 12), try Tensor(indices: digits))
    }

    /// The logits on every case, and their gradients with respect to every weight of the
    /// encoder, the decoder and the head.
    static func teacherProbe(_ logits: TeacherForcedLogits) throws -> Outcome {
        var outcome = Outcome()
        for k in teacherCases.indices {
            let c = try teacherCase(k)
            let suffix = " (inputs #\(k + 1))"
            let named = c.encoder.namedParameters().map { ("encoder.\($0.name)", $0.tensor) }
                + c.decoder.namedParameters().map { ("decoder.\($0.name)", $0.tensor) }
                + c.head.namedParameters().map { ("head.\($0.name)", $0.tensor) }
            Probes.expose([("inputs", c.inputs), ("targets", c.targets)] + named)
            let name = "logits, \(c.targets.shape[1]) steps of a batch of \(c.targets.shape[0])\(suffix)"
            try Probes.attempt(name, into: &outcome) { outcome in
                let out = try logits(c.encoder, c.decoder, c.head, c.inputs, c.targets)
                try Probes.record(out, as: name, gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to teacher forcing (4.9's known mistakes).
    enum TeacherChange {
        case right, answerLeaked, encoderStateIgnored, cellNotPassed, zerosForAllSteps, digitZeroFirst, shiftedLeft, encoderOutputsFed
        case probabilities, lastStepOnly, timeFirst
    }

    /// The reference's teacher forcing with one `TeacherChange`.
    static func teacherForcedWith(_ encoder: LSTM, _ decoder: LSTM, _ head: Linear, _ inputs: Tensor, _ targets: Tensor,
                                  _ change: TeacherChange) throws -> Tensor {
        let (batch, steps) = (targets.shape[0], targets.shape[1])
        let run = try encoder(inputs)
        let zeros = Tensor.zeros([batch, 1, 10])
        let first = try oneHot(targets.narrow(axis: 1, start: 0, length: steps - 1), classes: 10)
        let read: Tensor
        switch change {
        case .answerLeaked: read = try oneHot(targets, classes: 10)
        case .zerosForAllSteps: read = Tensor.zeros([batch, steps, 10])
        case .digitZeroFirst: read = try concat([oneHot(Tensor.zeros([batch, 1]), classes: 10), first], axis: 1)
        case .shiftedLeft: read = try concat([oneHot(targets.narrow(axis: 1, start: 1, length: steps - 1), classes: 10), zeros], axis: 1)
        case .encoderOutputsFed: read = run.output
        default: read = try concat([zeros, first], axis: 1)
        }
        let state: (h: Tensor, c: Tensor)?
        switch change {
        case .encoderStateIgnored: state = nil
        case .cellNotPassed: state = (run.state.h, Tensor.zeros(run.state.c.shape))
        default: state = run.state
        }
        let logits = try head(decoder(read, state).output)                     // [B, T, 10]
        switch change {
        case .probabilities: return try logits.softmax(axis: -1)
        case .lastStepOnly: return try logits.select(axis: 1, index: logits.shape[1] - 1)
        case .timeFirst: return try logits.transpose(0, 1)
        default: return logits
        }
    }
    // END INSTRUCTOR

    public static let teacherForcedLogits = Exercise<TeacherForcedLogits>(
        id: "4.9", title: "Teacher forcing: training a decoder on the true answer",
        symbol: "teacherForcedLogits(encoder:decoder:head:inputs:targets:)", file: "Lessons/Lesson4/Teacher.swift",
        reference: { try Solution4.teacherForcedLogits(encoder: $0, decoder: $1, head: $2, inputs: $3, targets: $4) },
        mistakes: [
            Mistake("answer-leaked", "step t reads the one-hot of targets[:, t] — the very digit it is scored on",
                    feedback: "Fed the digit it must write, the decoder only has to copy its input: the training loss falls to near 0 while it learns nothing about adding, and at test time (4.7) there is no answer to copy. Step t reads the digit BEFORE: zeros at step 0, then targets[:, 0 ..< T − 1] — narrow(axis: 1, start: 0, length: T − 1), one-hot, after the zeros.") {
                try teacherForcedWith($0, $1, $2, $3, $4, .answerLeaked)
            },
            Mistake("encoder-state-ignored", "the decoder starts from a zero state: the encoder's state is never passed to it",
                    feedback: "The encoder's final state is the only way the question reaches the decoder: started from zeros, it writes the same scores for every sum with the same answer, and the encoder gets no gradient at all. Pass the state the encoder returns as the decoder's second argument: decoder(previous, encoder(inputs).state).") {
                try teacherForcedWith($0, $1, $2, $3, $4, .encoderStateIgnored)
            },
            Mistake("cell-not-passed", "only the encoder's h is passed on: the decoder's cell c starts from zeros",
                    feedback: "An LSTM's memory is mostly its cell c; h is a squashed, gated view of it. Handing over h alone throws away most of what the encoder kept of the question. Pass the whole state, (h, c), as the encoder returns it.") {
                try teacherForcedWith($0, $1, $2, $3, $4, .cellNotPassed)
            },
            Mistake("zeros-for-all-steps", "the decoder reads zeros [B, T, 10] at every step: it is never fed the previous digit",
                    feedback: "A decoder that reads nothing is the source notebook's; this one is trained to read the digit before, the way 4.7 decodes it. Only step 0 reads zeros; step t > 0 reads oneHot(targets[:, t − 1]): concat zeros [B, 1, 10] and the one-hot of targets.narrow(axis: 1, start: 0, length: T − 1) along axis 1.") {
                try teacherForcedWith($0, $1, $2, $3, $4, .zerosForAllSteps)
            },
            Mistake("digit-zero-first", "step 0 reads the one-hot of the digit 0 instead of zeros",
                    feedback: "At step 0 no digit has been written yet, and greedy decoding (4.7) feeds zeros there. The one-hot of 0 says \"the digit before was a 0\": trained on it, the decoder meets at test time a first input it never read. Put Tensor.zeros([B, 1, 10]) in front, and one-hots only from step 1 on.") {
                try teacherForcedWith($0, $1, $2, $3, $4, .digitZeroFirst)
            },
            Mistake("shifted-the-wrong-way", "step t reads targets[:, t + 1], the digit after the one it writes (zeros at the end)",
                    feedback: "The shift goes to the right: step t reads what was written before it, targets[:, t − 1], and the last digit is never read. Shifted left, step t reads the digit AFTER its own — one that greedy decoding has not written yet. Zeros first, then targets.narrow(axis: 1, start: 0, length: T − 1), not start: 1.") {
                try teacherForcedWith($0, $1, $2, $3, $4, .shiftedLeft)
            },
            Mistake("encoder-outputs-fed", "the decoder reads the encoder's output sequence instead of the previous digits",
                    feedback: "The encoder hands the decoder its final STATE; its outputs [B, Tin, H] are one per question symbol, not one per answer digit (Tin steps, not T), and they are not what 4.7 feeds. The decoder's input is the previous digits, one-hot [B, T, 10]; the encoder's only part in it is the state: decoder(previous, encoder(inputs).state).") {
                try teacherForcedWith($0, $1, $2, $3, $4, .encoderOutputsFed)
            },
            Mistake("probabilities", "the scores go through a softmax: the function returns probabilities, not logits",
                    feedback: "crossEntropy takes LOGITS and applies the log-softmax itself; probabilities passed to it are softmaxed a second time, and the loss can then never approach 0. Return the head's output as it is: leave the softmax to the loss.") {
                try teacherForcedWith($0, $1, $2, $3, $4, .probabilities)
            },
            Mistake("last-step-only", "only the last step's scores [B, 10] are returned",
                    feedback: "Every step writes a digit and every digit is scored: the loss needs T scores per sum. Apply the head to the decoder's whole output [B, T, H] — Linear works on the last axis — and return [B, T, 10].") {
                try teacherForcedWith($0, $1, $2, $3, $4, .lastStepOnly)
            },
            Mistake("logits-time-first", "the logits are returned [T, B, 10], time first",
                    feedback: "The core's layers are batch-first, as the targets [B, T] are: crossEntropy pairs logits[b, t] with targets[b, t]. Return the head's output [B, T, 10] without transposing it; if you stacked per-step scores, stack them along axis 1.") {
                try teacherForcedWith($0, $1, $2, $3, $4, .timeFirst)
            },
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-4, rtol: 1e-3)),
        probe: teacherProbe
    )
}
