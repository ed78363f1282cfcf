import Autograd

// Lesson 4, exercise 4.6: one training step, with the gradient clipped.
//
// Most batches of sums are alike, but now and then the gradient of a recurrent network is
// much larger than usual — early in training, or on a batch whose carries ripple through
// every column — and one step along it can undo many. Clipping by the global norm caps the
// LENGTH of the step and keeps its direction. All gradients together are one long vector g:
//
//     ‖g‖ = √(Σ over every parameter, every element, g²)
//     if ‖g‖ > maxNorm:   g ← g · maxNorm / ‖g‖          (else g is left as it is)
//
// The core's `clipGradNorm(_:maxNorm:)` does exactly this (it is PyTorch's
// `clip_grad_norm_`) and returns ‖g‖ before clipping. Where it goes in the step matters:
//
//     zero the gradients → forward → loss → backward → CLIP → optimizer step

/// One training step of the adder on one batch, with the gradient clipped to `maxNorm`.
/// model: inputs `[B, T, 20]` → logits `[B, T, 10]`; parameters: the model's (what the
/// optimizer updates); inputs, targets: a batch from encodeSums. The loss is the
/// cross-entropy over every place (`crossEntropy(logits, targets)`). Returns the batch's
/// loss and the gradient's global norm before clipping.
public func trainStep(
    _ model: (Tensor) throws -> Tensor, parameters: [Tensor], optimizer: any Optimizer,
    inputs: Tensor, targets: Tensor, maxNorm: Float
) throws -> (loss: Float, gradientNorm: Float) {
    // TODO(4.6): zeroGrad; loss = crossEntropy(model(inputs), targets); backward; norm = clipGradNorm(parameters, maxNorm:) — after backward, before step; step; return (loss.item(), norm).
    throw TODO("4.6")
}
