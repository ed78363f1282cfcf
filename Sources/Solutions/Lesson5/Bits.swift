import Autograd
import Foundation

// Lesson 5, exercise 5.10: how many bits does the model need per character?
//
// A model that gives the true next character probability p has, in a sense, to be told
// the rest: −log₂ p bits. Averaged over a held-out text, that is the model's BITS PER
// CHARACTER — the length of the text if the model were used to compress it. Two bits per
// character means the model narrows each character to about 2² = 4 equal choices; a model
// that knows nothing, over a vocabulary of V characters, needs log₂ V bits (for 90
// characters, 6.5).
//
// The training loss, cross-entropy, is the same quantity in nats: −ln p. One bit is ln 2 ≈
// 0.693 nats, so bits = nats / ln 2.
//
//     p of the true next character    1      0.5    0.25    0.1     0.01
//     bits                            0      1      2       3.32    6.64

/// The mean of −log₂ p(target) over every position: `logits` `[…, V]` (e.g. [B, T, V]),
/// `targets` the codes of the true next characters, `[…]` (e.g. [B, T]). Logits can be
/// large (±100 and beyond): work through the log-softmax (the core's `crossEntropy` does),
/// never through exp of a raw logit.
public func bitsPerCharacter(logits: Tensor, targets: Tensor) throws -> Float {
    // TODO(5.10): crossEntropy(logits, targets) is the mean of −ln p in nats; divide by ln 2 (Float(log(2.0))).
    // BEGIN SOLUTION
    return try crossEntropy(logits, targets).item() / Float(log(2.0))
    // END SOLUTION
}
