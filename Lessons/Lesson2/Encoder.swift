import Autograd

// Lesson 2, exercise 2.3: the encoder reads a whole sequence into one vector.
//
// The encoder is lesson 1's recurrent step with a nonlinearity: after each symbol the
// state is squashed by tanh, so it stays in (−1, 1) however long the sequence, and the
// network can make decisions (a linear map can only add things up). It returns only
// its last state: everything the decoder will know about the input must fit in it.

/// Reads one-hot sequences and returns the last hidden state.
/// x: `[batch, time, alphabet]`; initialState: `[hidden]` (learned, shared by the batch).
/// Returns h_T `[batch, hidden]`, where h_0 = initialState for every sequence and
///
///     h_t = tanh(W_xh · x_t + b_xh + W_hh · h_{t−1} + b_hh)      t = 1 … T
///
/// with inputToHidden = (W_xh, b_xh) and hiddenToHidden = (W_hh, b_hh).
public func encoderFinalState(
    _ x: Tensor, inputToHidden: Linear, hiddenToHidden: Linear, initialState: Tensor
) throws -> Tensor {
    // TODO(2.3): start from initialState expanded to [batch, hidden]; for each time step t take x.select(axis: 1, index: t) and apply the step; return the last h.
    throw TODO("2.3")
}
