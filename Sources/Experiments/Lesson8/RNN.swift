import Autograd

// Lesson 2's encoder–decoder, on lesson 8's task, written with the core's layers (the same
// architecture as Lessons/Lesson2's EncoderDecoder, with tokens instead of one-hot rows):
//
//     encoder:  h₀ learned;  h_t = tanh(W_x · onehot(x_t) + b_x + W_h · h_{t−1} + b_h),  t = 1 … T
//     decoder:  from the encoder's last h, T steps with no input:  h = tanh(W_d · h + b_d),  scores_t = W_o · h + b_o
//
// Everything the decoder writes must pass through one vector of `hidden` numbers.

/// Lesson 2's RNN encoder–decoder: tokens [B, T] → scores [B, T, vocabulary].
final class RNNEncoderDecoder: SequenceModel {
    let encoderInput: Linear
    let encoderHidden: Linear
    let initialState: Tensor
    let decoderHidden: Linear
    let decoderOutput: Linear
    let vocabulary: Int
    var isTraining = true

    /// As lesson 2's: PyTorch's default Linear initialisation, h₀ from N(0, 0.01²).
    init(vocabulary: Int, hidden: Int, rng: inout RNG) {
        self.vocabulary = vocabulary
        encoderInput = Linear(vocabulary, hidden, rng: &rng)
        encoderHidden = Linear(hidden, hidden, rng: &rng)
        initialState = Tensor.randn([hidden], std: 0.01, requiresGrad: true, rng: &rng)
        decoderHidden = Linear(hidden, hidden, rng: &rng)
        decoderOutput = Linear(hidden, vocabulary, rng: &rng)
    }

    var ownParameters: [(name: String, tensor: Tensor)] { [("initialState", initialState)] }
    var submodules: [(name: String, module: any Module)] {
        [("encoderInput", encoderInput), ("encoderHidden", encoderHidden), ("decoderHidden", decoderHidden), ("decoderOutput", decoderOutput)]
    }

    func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        let x = try oneHot(tokens, classes: vocabulary)                     // [B, T, V]
        let (b, t) = (tokens.shape[0], tokens.shape[1])
        var h = try initialState.expand(to: [b, initialState.count])
        for step in 0..<t {
            h = try (encoderInput(x.select(axis: 1, index: step)) + encoderHidden(h)).tanh()
        }
        var outputs: [Tensor] = []
        for _ in 0..<t {
            h = try decoderHidden(h).tanh()
            outputs.append(try decoderOutput(h))
        }
        return try stack(outputs, axis: 1)
    }
}
