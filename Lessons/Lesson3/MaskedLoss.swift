import Autograd

// Lesson 3, exercise 3.5: a loss that only counts the positions that matter.
//
// Cross-entropy over a padded batch averages over B·T positions, most of them padding
// for short sequences. Predicting "stop" there is easy, and the mean rewards it as much
// as getting a real symbol right. A mask m (1 where a position counts, 0 elsewhere)
// fixes the sum AND the count:
//
//     L = Σ_b Σ_t m[b, t] · ℓ[b, t]  /  Σ_b Σ_t m[b, t]        ℓ = −log softmax(logits)[target]
//
// Padded positions then add nothing to the loss and send no gradient, and the mean is
// over the positions that count — so a batch of short sequences weighs as much, per
// symbol, as a batch of long ones.

/// The mean cross-entropy over the positions where `mask` is 1.
/// logits: `[B, T, C]`, classes on the last axis; targets: `[B, T]` codes;
/// mask: `[B, T]` of 0 and 1. Returns a scalar, L above. (The core's
/// `crossEntropy(logits, targets, mask:)` computes the same: use it after this.)
public func maskedCrossEntropy(_ logits: Tensor, _ targets: Tensor, mask: Tensor) throws -> Tensor {
    // TODO(3.5): ℓ = −(logSoftmax over the classes, gathered at the targets); multiply by the mask, sum, and divide by the mask's sum — not by B·T.
    throw TODO("3.5")
}

// MARK: - Scores

/// How well a copier's predictions match the targets, three ways.
public struct CopyScores: Sendable {
    /// The fraction of real symbols (t < n) predicted right: what copying is about.
    public var realSymbols: Float
    /// The fraction of all B·T positions predicted right, padding included.
    public var allPositions: Float
    /// The fraction of sequences copied exactly: every real symbol, and the stop after them.
    public var wholeSequences: Float

    public init(realSymbols: Float, allPositions: Float, wholeSequences: Float) {
        self.realSymbols = realSymbols
        self.allPositions = allPositions
        self.wholeSequences = wholeSequences
    }
}

/// Scores predictions against targets. predicted, targets: `[B, T]` codes; lengths: the
/// B lengths n_b (positions t < n_b are real, t = n_b is the first stop).
public func copyScores(predicted: Tensor, targets: Tensor, lengths: [Int]) throws -> CopyScores {
    let steps = targets.shape[1]
    let right = try predicted.eq(targets)                                   // [B, T] of 0/1
    let real = try lengthMask(lengths: lengths, maxLength: steps)           // t < n
    let withStop = try lengthMask(lengths: lengths.map { $0 + 1 }, maxLength: steps)   // t ≤ n
    let realRight = try (right * real).sum().scalars[0] / real.sum().scalars[0]
    // A sequence is exact when no position up to its first stop is wrong.
    let wrongUpToStop = try ((1 - right) * withStop).sum(axis: 1).scalars
    let exact = Float(wrongUpToStop.filter { $0 == 0 }.count) / Float(Swift.max(lengths.count, 1))
    return CopyScores(realSymbols: realRight, allPositions: right.mean().scalars[0], wholeSequences: exact)
}
