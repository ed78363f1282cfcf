import Autograd

// Lesson 2, exercise 2.5: the encoder–decoder.
//
//     x_1 x_2 … x_T  ──encoder──►  h_T  ──decoder──►  y_1 y_2 … y_T
//
// The model owns both halves' weights and the learned initial state. Its forward pass
// is two calls: encode, then decode as many steps as the input has.

/// An encoder–decoder of one-hot sequences: a tanh encoder whose last state starts a
/// tanh decoder without input. Parameters (for alphabet A and hidden size H):
/// `initialState [H]`; `encoderInput` (W_xh `[H, A]`, b `[H]`), `encoderHidden`
/// (W_hh `[H, H]`, b `[H]`); `decoderHidden` (`[H, H]`, `[H]`), `decoderOutput`
/// (W_hy `[A, H]`, b `[A]`).
public final class EncoderDecoder: Module {
    public let encoderInput: Linear
    public let encoderHidden: Linear
    public let initialState: Tensor
    public let decoderHidden: Linear
    public let decoderOutput: Linear
    public var isTraining = true

    /// A fresh model: PyTorch's default `Linear` initialisation, and an initial state
    /// drawn from N(0, 0.01²).
    public init(alphabetSize: Int, hiddenSize: Int, rng: inout RNG) {
        encoderInput = Linear(alphabetSize, hiddenSize, rng: &rng)
        encoderHidden = Linear(hiddenSize, hiddenSize, rng: &rng)
        initialState = Tensor.randn([hiddenSize], std: 0.01, requiresGrad: true, rng: &rng)
        decoderHidden = Linear(hiddenSize, hiddenSize, rng: &rng)
        decoderOutput = Linear(hiddenSize, alphabetSize, rng: &rng)
    }

    /// A model made of these parts (shared, not copied).
    public init(encoderInput: Linear, encoderHidden: Linear, initialState: Tensor, decoderHidden: Linear, decoderOutput: Linear) {
        self.encoderInput = encoderInput
        self.encoderHidden = encoderHidden
        self.initialState = initialState
        self.decoderHidden = decoderHidden
        self.decoderOutput = decoderOutput
    }

    public var alphabetSize: Int { decoderOutput.outFeatures }
    public var hiddenSize: Int { initialState.count }

    public var ownParameters: [(name: String, tensor: Tensor)] { [("initialState", initialState)] }
    public var submodules: [(name: String, module: any Module)] {
        [("encoderInput", encoderInput), ("encoderHidden", encoderHidden),
         ("decoderHidden", decoderHidden), ("decoderOutput", decoderOutput)]
    }

    /// Encodes x and decodes as many steps as x has.
    /// x: one-hot `[batch, time, alphabet]`. Returns logits `[batch, time, alphabet]`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        // TODO(2.5): h = encoderFinalState(x, …) with this model's encoder parts; then decoderOutputs(from: h, steps: …) with the decoder parts, for as many steps as x has time steps.
        throw TODO("2.5")
    }
}
