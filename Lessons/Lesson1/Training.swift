import Autograd

// Lesson 1, exercise 1.5: training for next-step prediction.
//
// An epoch visits every training sequence once, a few at a time (a batch). For each
// batch: predict, measure the mean squared error against the targets, back-propagate,
// and let the optimizer move the weights. The loss of every batch is kept: with small
// batches the curve is noisy, but it shows how fast learning happens within one epoch.
//
// Evaluating is the same loop without learning. Here it is, as a worked example.

/// The loss of every test batch, in order, without learning: no shuffling, no gradients.
/// inputs, targets: [N, T, features]; model maps [B, T, features] → [B, T, features].
/// Returns ⌈N / batchSize⌉ losses, the mean squared error of each batch.
public func testLosses(
    model: (Tensor) throws -> Tensor, inputs: Tensor, targets: Tensor, batchSize: Int
) throws -> [Float] {
    var unused = RNG(seed: 0)
    return try noGrad {
        try batches(count: inputs.shape[0], batchSize: batchSize, shuffle: false, rng: &unused).map { idx in
            let x = try inputs.indexSelect(axis: 0, indices: idx)
            let y = try targets.indexSelect(axis: 0, indices: idx)
            return try mseLoss(model(x), y).item()
        }
    }
}

/// One epoch of training on next-step pairs. inputs, targets: [N, T, features].
/// Draw the batches with `batches(count: N, batchSize:, shuffle: true, rng: &rng)`; for each:
/// pick its rows (indexSelect on axis 0), loss = mseLoss(model(x), y), record loss.item(),
/// then zero the gradients, backward(), and optimizer.step().
/// Returns the loss of every batch, in order (⌈N / batchSize⌉ of them).
public func trainEpoch(
    model: (Tensor) throws -> Tensor, optimizer: any Optimizer, inputs: Tensor, targets: Tensor,
    batchSize: Int, rng: inout RNG
) throws -> [Float] {
    // TODO(1.5): loop over shuffled batches: forward, mseLoss against the targets, record the loss, zeroGrad → backward → step.
    throw TODO("1.5")
}
