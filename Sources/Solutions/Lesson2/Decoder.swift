import Autograd

// Lesson 2, exercise 2.4: the decoder unrolls one vector into a sequence.
//
// The decoder has no input at all. It starts from the state the encoder left, and at
// every step it moves its state on and reads a prediction off it: the whole output
// sequence is written in that first state, and the decoder's weights say how to read it.

/// Runs `steps` decoder steps from the state h and returns the scores of every step.
/// h: `[batch, hidden]`. Returns logits `[batch, steps, alphabet]`, where h_0 = h and
///
///     h_t = tanh(W_hh · h_{t−1} + b_hh)        y_t = W_hy · h_t + b_hy      t = 1 … steps
///
/// with hiddenToHidden = (W_hh, b_hh) and hiddenToOutput = (W_hy, b_hy). The scores y_t
/// are logits (no softmax): the loss takes care of that.
public func decoderOutputs(from h: Tensor, steps: Int, hiddenToHidden: Linear, hiddenToOutput: Linear) throws -> Tensor {
    // TODO(2.4): loop steps times: move the state on with tanh, read the logits off the new state; stack the outputs along the time axis (axis 1).
    // BEGIN SOLUTION
    var h = h
    var outputs: [Tensor] = []
    for _ in 0..<steps {
        h = try hiddenToHidden(h).tanh()                // [batch, hidden]
        outputs.append(try hiddenToOutput(h))           // [batch, alphabet]
    }
    return try stack(outputs, axis: 1)                  // [batch, steps, alphabet]
    // END SOLUTION
}
