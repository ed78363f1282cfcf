import Autograd

// Lesson 4, exercise 4.9: teacher forcing — training a decoder on the true answer.
//
// The decoder writes digit t at step t, and at step t it reads the digit before, t − 1. In
// training that digit is not the one the decoder wrote (maybe wrong, and not written yet
// while every step runs in one call): it is the TRUE one, read from the targets. The
// decoder's inputs are the targets shifted one step to the right, zeros in front:
//
//     targets          [B, T]        d₀      d₁      d₂      d₃      d₄
//                                      ╲       ╲       ╲       ╲
//     decoder reads    [B, T, 10]   zeros   (d₀)    (d₁)    (d₂)    (d₃)     (d) = oneHot(d, classes: 10)
//                                     │       │       │       │       │
//     encoder's (h, c) ─────────► [LSTM, all T steps in one call] ─────────►
//                                     │       │       │       │       │
//     head                          s₀      s₁      s₂      s₃      s₄      logits [B, T, 10], s_t scores d_t
//
// Step t never reads d_t, the digit it is scored on: fed that, it would learn to copy its
// input, its loss would fall to near 0, and at test time (4.7), with no answer to copy, it
// would write nothing of use.

/// The encoder–decoder's scores while training. The encoder reads the question
/// inputs [B, Tin, 12]; its final state (h, c) starts the decoder; the decoder reads, at
/// step 0, zeros [B, 1, 10] (no digit written yet) and at step t > 0 the one-hot of the TRUE
/// digit targets[:, t − 1] — teacher forcing — all T steps in one call; the head turns every
/// decoder output into 10 scores. targets: [B, T] digit codes. Returns logits [B, T, 10].
public func teacherForcedLogits(encoder: LSTM, decoder: LSTM, head: Linear, inputs: Tensor, targets: Tensor) throws -> Tensor {
    // TODO(4.9): state = encoder(inputs).state; the decoder reads concat([zeros [B, 1, 10], oneHot(targets.narrow(axis: 1, start: 0, length: T − 1), classes: 10)], axis: 1); return head(decoder(that, state).output).
    throw TODO("4.9")
}
