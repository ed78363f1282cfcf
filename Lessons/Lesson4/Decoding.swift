import Autograd

// Lesson 4, exercise 4.7: greedy decoding — the decoder fed its own answers.
//
// An encoder–decoder reads the whole question first (4567+123, into the encoder's final
// state) and then writes the answer one digit per step. The decoder's input at step t is
// the digit before it. In training that digit is the TRUE one, read from the targets
// (teacher forcing); at test time there is no target to read, and the decoder must be fed
// the digit it wrote itself:
//
//     step                  0          1          2          3          4
//     reads               zeros        d₀         d₁         d₂         d₃       one-hot [B, 1, 10]
//                           │          │          │          │          │
//     encoder's (h, c) ─► [LSTM] ──► [LSTM] ──► [LSTM] ──► [LSTM] ──► [LSTM]   (h, c) carried
//                           │          │          │          │          │
//     head, argmax          d₀         d₁         d₂         d₃         d₄       d_t is read at step t + 1
//
// Greedy: each digit is the argmax of its step's scores, taken at once and never revisited.

/// The answer digits a decoder writes when it is fed its own previous digit.
/// decoder: an LSTM whose input is a one-hot digit (inputSize 10); head: Linear(H, 10);
/// state: the encoder's final (h, c), each [1, B, H]; steps: how many digits to write.
/// Step 0 reads zeros [B, 1, 10] (no digit yet: exactly what training feeds it at step 0);
/// step t > 0 reads the one-hot of the digit written at step t − 1 (the argmax of its scores);
/// the state carries from each step to the next. Returns the codes [B, steps] (Float codes 0…9, as argmax gives them).
public func greedyDecode(_ decoder: LSTM, head: Linear, state: (h: Tensor, c: Tensor), steps: Int) throws -> Tensor {
    // TODO(4.7): input = zeros [B, 1, 10]; for each step: (output, state) = decoder(input, state); code = head(output).argmax(axis: -1), [B, 1]; keep it; the next input is oneHot(code, classes: 10); concat the codes along axis 1.
    throw TODO("4.7")
}
