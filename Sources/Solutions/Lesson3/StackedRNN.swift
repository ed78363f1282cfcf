import Autograd

// Lesson 3, exercise 3.3: what the core's RNN layer returns.
//
// `RNN(inputSize, hiddenSize, numLayers: L, rng: &rng)` runs L recurrent layers over a
// batch-first sequence: layer 0 reads the input, layer l reads the states of layer l − 1.
// It returns two tensors, as `torch.nn.RNN` does:
//
//                    t = 1     t = 2            t = T
//     layer L−1      h ──────► h ──── … ──────► h ───►  hidden[L−1]      output = this row,
//                    ▲         ▲                ▲                          every step
//     layer 1        h ──────► h ──── … ──────► h ───►  hidden[1]
//                    ▲         ▲                ▲
//     layer 0        h ──────► h ──── … ──────► h ───►  hidden[0]
//                    ▲         ▲                ▲
//     input          x_1       x_2              x_T
//
// `output` is the top row (every step, last layer); `hidden` is the right-hand column
// (last step, every layer). They share one corner: output[:, T−1] == hidden[L−1].

/// A stack of tanh RNN layers over a sequence, from zero initial states, returning what
/// the core's `RNN` layer returns.
/// x: `[B, T, I]`; layers: one `RecurrentWeights` per layer (layer 0 reads I inputs, the
/// others H). With h_t^(−1) = x_t and h_0^(l) = 0:
///
///     h_t^(l) = tanh(W_ih^(l) h_t^(l−1) + b_ih^(l) + W_hh^(l) h_{t−1}^(l) + b_hh^(l))
///
/// (one `rnnCell` call). Returns output `[B, T, H]` = h_t^(L−1) for every t, and
/// hidden `[L, B, H]` = h_T^(l) for every layer l.
public func stackedRNN(_ x: Tensor, layers: [RecurrentWeights]) throws -> (output: Tensor, hidden: Tensor) {
    // TODO(3.3): for each layer: start from zeros [B, H], run rnnCell over the steps of its input (select(axis: 1, index: t)), stack the states along axis 1 — that is the next layer's input; keep each layer's last state.
    // BEGIN SOLUTION
    let (batch, steps) = (x.shape[0], x.shape[1])
    var input = x                                             // [B, T, in]: what this layer reads
    var finals: [Tensor] = []
    for weights in layers {
        var h = Tensor.zeros([batch, weights.hiddenSize])
        var states: [Tensor] = []
        for t in 0..<steps {
            let xt = try input.select(axis: 1, index: t)      // [B, in]
            h = try rnnCell(xt, h, weights: weights)          // [B, H]
            states.append(h)
        }
        input = try stack(states, axis: 1)                    // [B, T, H]: the next layer's input
        finals.append(h)                                      // this layer's last state
    }
    return (input, try stack(finals, axis: 0))                // [B, T, H], [L, B, H]
    // END SOLUTION
}
