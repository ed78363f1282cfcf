import Autograd

// Lesson 3, exercise 3.6: training with and without masks.
//
// The same loop as lesson 2's, with two switches: which state the encoder hands over,
// and which positions the loss counts. The experiment trains one model per strategy,
// with the same data, the same steps and the same seeds, and compares.

/// What a training run masks.
public enum Strategy: String, CaseIterable, Sendable {
    /// The notebook's first try: the encoder reads all T steps (hidden = the state after
    /// the last padded step) and the loss counts all B·T positions.
    case padded
    /// The encoder hands over each sequence's own last state; the loss still counts
    /// every position.
    case maskedEncoder
    /// The masked encoder, and a loss that counts only each sequence's symbols and the
    /// stop right after them (positions t ≤ n).
    case maskedEncoderAndLoss

    /// Whether the model is given the lengths (the encoder's own-last-step state).
    public var masksEncoder: Bool { self != .padded }
    /// Whether the loss counts only positions t ≤ n.
    public var masksLoss: Bool { self == .maskedEncoderAndLoss }
}

/// Trains for one epoch and returns the loss of each batch, in order.
/// model: the forward pass, (one-hot inputs `[B, T, C]`, lengths or nil) → logits
/// `[B, T, C]` (a `Copier`: `{ try copier($0, lengths: $1) }`); inputs: one-hot
/// `[N, T, C]`; targets: `[N, T]` codes; lengths: the N lengths. For each batch of
/// `batches(count: N, batchSize:, shuffle: true, rng:)`:
///
///     zero the gradients
///     logits = model(x, the batch's lengths if strategy.masksEncoder, else nil)
///     loss   = crossEntropy(logits, y), with mask: lengthMask(n + 1, T) if strategy.masksLoss
///     backward, optimizer.step()
///
/// The mask of the loss is 1 for t ≤ n: the real symbols and the first stop, so the
/// model still learns where each sequence ends.
public func trainEpoch(
    _ model: (Tensor, [Int]?) throws -> Tensor, optimizer: any Optimizer,
    inputs: Tensor, targets: Tensor, lengths: [Int], strategy: Strategy, batchSize: Int, rng: inout RNG
) throws -> [Float] {
    // TODO(3.6): for each shuffled batch: indexSelect the inputs, targets and lengths; zeroGrad; logits from the model (lengths only if the strategy masks the encoder); crossEntropy, with a mask of t ≤ n if it masks the loss; backward; step; record the loss.
    // BEGIN SOLUTION
    var losses: [Float] = []
    let steps = targets.shape[1]
    for batch in try batches(count: inputs.shape[0], batchSize: batchSize, shuffle: true, rng: &rng) {
        let x = try inputs.indexSelect(axis: 0, indices: batch)             // [B, T, C]
        let y = try targets.indexSelect(axis: 0, indices: batch)            // [B, T]
        let n = batch.map { lengths[$0] }
        optimizer.zeroGrad()
        let logits = try model(x, strategy.masksEncoder ? n : nil)
        let mask = strategy.masksLoss ? try lengthMask(lengths: n.map { $0 + 1 }, maxLength: steps) : nil
        let loss = try crossEntropy(logits, y, mask: mask)
        try loss.backward()
        optimizer.step()
        losses.append(try loss.item())
    }
    return losses
    // END SOLUTION
}
