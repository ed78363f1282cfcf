import Autograd

// Lesson 1, exercises 1.3 and 1.4: the smallest recurrent network.
//
// An RNN carries a hidden state h from one time step to the next. At each step it mixes
// the new input into the state, and reads its output off the new state. Here every map
// is linear (affine): no tanh, nothing but matrices and biases. That makes it a linear
// dynamical system, which we can understand completely (exercises 1.7 and 1.8).

/// A linear RNN: three affine maps and a learnable initial state, as the notebook's `LinRNN`.
///
///     h' = W_xh·x + b_xh + W_hh·h + b_hh        (new hidden state)
///     y  = W_hy·h' + b_hy                       (output, read from the NEW state)
///
/// Each W is a `Linear` layer (weight [out, in], bias [out]); `initialHidden` [hidden] is
/// the state before the first step, learned like any weight.
public final class LinearRNN: Module {
    /// W_xh, b_xh: input → hidden.
    public let inputToHidden: Linear
    /// W_hh, b_hh: hidden → hidden.
    public let hiddenToHidden: Linear
    /// W_hy, b_hy: hidden → output.
    public let hiddenToOutput: Linear
    /// h₀ [hidden], drawn from N(0, 0.01²) and trained.
    public let initialHidden: Tensor
    public var isTraining = true

    public var inputSize: Int { inputToHidden.inFeatures }
    public var hiddenSize: Int { hiddenToHidden.inFeatures }
    public var outputSize: Int { hiddenToOutput.outFeatures }

    /// A fresh model with PyTorch's initialisation.
    public init(input: Int = 1, hidden: Int, output: Int = 1, rng: inout RNG) {
        inputToHidden = Linear(input, hidden, rng: &rng)
        hiddenToHidden = Linear(hidden, hidden, rng: &rng)
        hiddenToOutput = Linear(hidden, output, rng: &rng)
        initialHidden = Tensor.randn([hidden], std: 0.01, requiresGrad: true, rng: &rng)
    }

    /// A model made of existing layers (to load weights, or to share them).
    public init(inputToHidden: Linear, hiddenToHidden: Linear, hiddenToOutput: Linear, initialHidden: Tensor) {
        self.inputToHidden = inputToHidden
        self.hiddenToHidden = hiddenToHidden
        self.hiddenToOutput = hiddenToOutput
        self.initialHidden = initialHidden
    }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("initial_hidden", initialHidden)] }
    public var submodules: [(name: String, module: any Module)] {
        [("input_to_hidden", inputToHidden), ("hidden_to_hidden", hiddenToHidden), ("hidden_to_output", hiddenToOutput)]
    }

    /// One time step. x: [batch, input]; h: [batch, hidden] (or [hidden], broadcast).
    /// Returns the output y [batch, output] and the new state h' [batch, hidden]:
    /// h' = W_xh·x + b_xh + W_hh·h + b_hh, then y = W_hy·h' + b_hy.
    public func step(_ x: Tensor, _ h: Tensor) throws -> (output: Tensor, hidden: Tensor) {
        // TODO(1.3): the new state is the sum of two layers (input and hidden); the output is the third layer applied to the new state.
        throw TODO("1.3")
    }

    /// The whole sequence, one step at a time. x: [batch, time, input] → outputs
    /// [batch, time, output], where outputs[:, t] is the step's output after reading x[:, t].
    /// The state starts at `initialHidden` for every sequence of the batch and is carried
    /// from each step to the next.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank == 3 else { throw TensorError(op: "LinearRNN", "input must be [batch, time, features], got \(x.shape)") }
        // TODO(1.4): h = initialHidden; for each t: step(x[:, t], h), keep the output, carry the state; stack the outputs on the time axis.
        throw TODO("1.4")
    }
}
