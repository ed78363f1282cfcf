import Autograd

// Lesson 1, exercise 1.6: free-running generation.
//
// The model was trained to predict the next sample from the true signal. To make it
// *generate*, close the loop: feed each prediction back in as the next input. First it
// reads a prefix of a real signal (so its state knows where in the cycle it is), then it
// runs on its own output alone. Nothing forces this to work: the model never saw its own
// predictions during training, and small errors are fed back and can grow.

extension LinearRNN {
    /// Reads `prefix` [batch, P, input] step by step from `initialHidden` (P ≥ 1), then
    /// free-runs: each output becomes the next input. Returns [batch, steps, output]:
    /// entry 0 is the prediction made after the last prefix sample, entry k the output
    /// of the k-th free-running step. Needs input size == output size. Runs in `noGrad`.
    public func generate(prefix: Tensor, steps: Int) throws -> Tensor {
        // TODO(1.6): step through the prefix carrying the state; then repeat `steps` times: keep the output, feed it back in as x.
        throw TODO("1.6")
    }
}
