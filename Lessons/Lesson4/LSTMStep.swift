import Autograd

// Lesson 4, exercise 4.3: an LSTM cell from scratch.
//
// A tanh RNN overwrites its whole state at every step. An LSTM keeps a second state, the
// cell c, that it changes only by what its gates allow: a forget gate f says how much of
// the old cell to keep, an input gate i how much of the candidate g to add, and an output
// gate o how much of the cell to show as h. One matrix product per input computes all
// four gates at once, stacked in PyTorch's order i, f, g, o:
//
//     z  = W_ih x + b_ih + W_hh h + b_hh               [B, 4H]   (W_ih [4H, in], W_hh [4H, H])
//     i, f, g, o = the four chunks of z, H each, in that order
//     i  = σ(i)     f = σ(f)     g = tanh(g)     o = σ(o)
//     c' = f ⊙ c + i ⊙ g
//     h' = o ⊙ tanh(c')
//
//            c ──── ⊙ f ──── + ──────────────────┬──► c'
//                            │                   │
//                          i ⊙ g               tanh
//                                                │
//                                         o ⊙ ───┴──► h'
//
// The cell is a sum, not a squashing: a carry put into c stays there for as many steps
// as f stays near 1, and the gradient flows back through c' = f ⊙ c + … multiplied by f
// alone. That is what lets an LSTM keep a carry — or anything — for a while.

/// One LSTM step, written from the core's primitives (the core's `lstmCell` is the answer
/// to compare with). x: `[B, in]`; h, c: `[B, H]`; weights: an LSTM's `RecurrentWeights`
/// (weightIH `[4H, in]`, weightHH `[4H, H]`, biasIH and biasHH `[4H]`, gates i, f, g, o).
/// Returns (h', c'), each `[B, H]`.
public func lstmStep(_ x: Tensor, _ h: Tensor, _ c: Tensor, weights w: RecurrentWeights) throws -> (h: Tensor, c: Tensor) {
    // TODO(4.3): z = linear(x, W_ih, b_ih) + linear(h, W_hh, b_hh); chunk it in 4 along axis 1 (i, f, g, o); σ on i, f, o and tanh on g; c' = f·c + i·g; h' = o·tanh(c').
    throw TODO("4.3")
}
