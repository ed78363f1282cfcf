import Autograd

// Lesson 2, exercise 2.8: training, one epoch at a time.
//
// An epoch visits every training sequence once, in a new random order, a batch at a
// time. For each batch: forget the old gradients, compute the loss, back-propagate,
// and let the optimizer move the parameters.

/// Trains `model` for one epoch and returns the loss of each batch, in order.
/// inputs: one-hot `[N, T, A]`; targets: `[N, T]` codes. The batches are
/// `batches(count: N, batchSize:, shuffle: true, rng:)`; for each batch of indices,
///
///     zero the gradients → loss = crossEntropy(model(x), y) → backward → optimizer.step()
public func trainEpoch(
    _ model: EncoderDecoder, optimizer: any Optimizer, inputs: Tensor, targets: Tensor,
    batchSize: Int, rng: inout RNG
) throws -> [Float] {
    // TODO(2.8): for each shuffled batch of indices: x, y = indexSelect(axis: 0) of inputs and targets; zeroGrad, crossEntropy(model(x), y), backward, step; record loss.item().
    // BEGIN SOLUTION
    var losses: [Float] = []
    for batch in try batches(count: inputs.shape[0], batchSize: batchSize, shuffle: true, rng: &rng) {
        let x = try inputs.indexSelect(axis: 0, indices: batch)
        let y = try targets.indexSelect(axis: 0, indices: batch)
        optimizer.zeroGrad()
        let loss = try crossEntropy(model(x), y)
        try loss.backward()
        optimizer.step()
        losses.append(try loss.item())
    }
    return losses
    // END SOLUTION
}
