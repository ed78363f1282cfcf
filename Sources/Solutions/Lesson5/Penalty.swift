import Autograd

// Lesson 5, exercise 5.8: keeping the activations small and smooth.
//
// Model 6 learns the training numbers by heart (its training loss falls to almost 0
// while its validation loss stays twenty times higher). Model 7 fights that three ways:
// dropout (5.6), tied weights (5.7), and two penalties added to the loss while training
// (Merity et al.'s AWD-LSTM, fastai's RNNRegularizer):
//
//   activation regularization (AR), on the output AFTER dropout: large activations cost
//       AR  = α · mean(dropped²)
//   temporal activation regularization (TAR), on the output BEFORE dropout: jumps from one
//   step to the next cost
//       TAR = β · mean((raw[:, t+1] − raw[:, t])²)   over t = 0 … T−2, every batch row and unit
//
// Both are means (over every value they see), so they do not grow with the batch or the
// length of the sequences. The chapter's model 7 uses α = 2, β = 1.

/// α · mean(dropped²) + β · mean((raw[:, t+1] − raw[:, t])²), a scalar tensor, for
/// `raw` and `dropped` of shape `[B, T, H]`. The differences are along the time axis,
/// axis 1. With T = 1 there is no pair of steps: TAR is 0 and the penalty is AR alone.
public func activationPenalty(raw: Tensor, dropped: Tensor, alpha: Float, beta: Float) throws -> Tensor {
    // TODO(5.8): AR = dropped.squared().mean() * alpha; with T = raw.shape[1] ≥ 2, the differences raw.slice(axis: 1, 1..<T) − raw.slice(axis: 1, 0..<T − 1), squared, mean, times beta; their sum.
    // BEGIN SOLUTION
    let ar = try dropped.squared().mean() * alpha
    let steps = raw.shape[1]
    guard steps >= 2 else { return ar }
    let change = try raw.slice(axis: 1, 1..<steps) - raw.slice(axis: 1, 0..<steps - 1)
    return try ar + change.squared().mean() * beta
    // END SOLUTION
}
