import Autograd

// Lesson 3, exercise 3.4: the masked encoder hands over each sequence's own last state.
//
// The encoder runs over the whole padded batch, so for a short sequence it keeps on
// reading stop symbols after the real ones. Its state at the last step, T − 1, has seen
// "c a b ⏹ ⏹ ⏹ ⏹ …": each stop moves the state on, and what the sequence said fades.
// The state we want is the one right after the last real symbol — step n − 1 for a
// sequence of n symbols — and it sits in `output`, which holds the state after every step:
//
//     t                     0    1    2    3    4    …    14       "cab": n = 3, T = 15
//     state after reading   c    a    b    ⏹    ⏹    …    ⏹
//                                     ▲                   ▲
//                                     │                   └─ T − 1: hidden, after 12 stops
//                                     └─ n − 1: its own last step
//
// (The notebook takes index n instead — the state after reading the first stop. See the
// README for why this lesson takes n − 1, and what the experiment says about both.)

/// Each sequence's state at its own last real step.
/// output: `[B, T, H]`, the encoder's state at every step; lengths: B lengths, each in
/// 1…T. Returns `[B, H]` with row b = output[b, lengths[b] − 1, :].
/// Gradients flow back to the picked states only.
public func stateAtOwnLastStep(_ output: Tensor, lengths: [Int]) throws -> Tensor {
    // TODO(3.4): gather along the time axis (axis 1) with an index [B, 1, H] filled with lengths[b] − 1 (lastStepIndex builds it), then squeeze the time axis.
    throw TODO("3.4")
}
