import Autograd

// Lesson 2, exercise 2.6: cross-entropy over a sequence, and which axis holds the classes.
//
// The decoder scores every symbol of the alphabet at every step: logits [B, T, C]. The
// targets are codes [B, T]. Cross-entropy is a softmax over the C scores of ONE
// position, so it must run along the axis that holds the classes — here the last.
// (PyTorch's F.cross_entropy wants them on axis 1 and makes you permute to [B, C, T];
// this core's crossEntropy, like the formula below, wants them last.)

/// The mean cross-entropy of a batch of sequences.
/// logits: `[B, T, C]`, classes on the last axis; targets: `[B, T]` integer codes.
/// Returns a scalar:
///
///     L = −1/(B·T) · Σ_b Σ_t log softmax(logits[b, t, :])[targets[b, t]]
///
/// Write it from logSoftmax and gather (the core's `crossEntropy(logits, targets)`
/// computes the same: use it everywhere after this exercise).
public func sequenceCrossEntropy(_ logits: Tensor, _ targets: Tensor) throws -> Tensor {
    // TODO(2.6): logSoftmax over the classes axis; gather each position's target along that axis (targets need a last axis of size 1); mean, negated.
    throw TODO("2.6")
}

/// The fraction of positions whose highest score is the target symbol.
/// logits: `[B, T, C]`; targets: `[B, T]`. The prediction is the argmax over the
/// classes — the last axis, the same one the loss normalises over.
public func symbolAccuracy(_ logits: Tensor, _ targets: Tensor) throws -> Float {
    let predicted = try logits.argmax(axis: -1)           // [B, T] codes
    return try predicted.eq(targets).mean().item()
}

/// The accuracy at each output position, over the batch.
/// logits: `[B, T, C]`; targets: `[B, T]`. Returns `[T]` fractions.
public func accuracyByPosition(_ logits: Tensor, _ targets: Tensor) throws -> [Float] {
    let correct = try logits.argmax(axis: -1).eq(targets)  // [B, T] of 0/1
    return try correct.mean(axis: 0).scalars               // over the batch
}
