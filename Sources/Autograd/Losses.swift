/// Losses: mean squared error, negative log-likelihood and cross-entropy.
///
/// Classes are on the **last** axis: logits `[N, C]` or `[B, T, C]`, targets `[N]` or
/// `[B, T]` of integer codes. (PyTorch's `F.cross_entropy` wants `[B, C, T]`, classes on
/// axis 1; the common idiom `F.cross_entropy(out.view(-1, C), y.view(-1))` is what this
/// computes.) Logits whose leading shape does not match the targets are refused with
/// both shapes: the usual sign that the classes are on the wrong axis.

/// How a loss over many positions becomes one number.
public enum Reduction: Sendable {
    /// The mean over the positions that count (not ignored, not masked out).
    case mean
    /// The sum over the positions that count.
    case sum
    /// One loss per position, shaped like the targets (0 where a position does not count).
    case none
}

/// The mean (or sum) of (prediction − target)². Shapes must be equal: a `[B, 1]`
/// prediction against a `[B]` target would silently broadcast to `[B, B]` in NumPy.
public func mseLoss(_ prediction: Tensor, _ target: Tensor, reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    guard prediction.shape == target.shape else {
        throw TensorError(op: "mseLoss", "prediction \(describe(prediction.shape)) and target \(describe(target.shape)) must have the same shape", file: file, line: line)
    }
    let d = try (prediction - target).squared()
    switch reduction {
    case .mean: return d.mean()
    case .sum: return d.sum()
    case .none: return d
    }
}

/// −log p[target] per position, from log-probabilities `[..., C]` and targets `[...]`.
///
/// - ignoreIndex: a target code that does not count (a padding symbol, say).
/// - mask: 0/1 (or weights) shaped like the targets; only weighted positions count.
/// - reduction `.mean` divides by the number of positions that count (the sum of the
///   weights), as PyTorch does with `ignore_index`; with none counting the loss is 0.
public func nllLoss(
    _ logProbabilities: Tensor, _ targets: Tensor, ignoreIndex: Int? = nil, mask: Tensor? = nil,
    reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    let lp = logProbabilities
    func fail(_ why: String) -> TensorError { TensorError(op: "nllLoss", why, file: file, line: line) }
    guard lp.rank >= 1, let c = lp.shape.last else { throw fail("log-probabilities must have a class axis, got \(describe(lp.shape))") }
    guard Array(lp.shape.dropLast()) == targets.shape else {
        throw fail("logits \(describe(lp.shape)) and targets \(describe(targets.shape)): classes must be the last axis, and the other axes must match the targets (did you put the classes on the wrong axis?)")
    }
    if let mask, mask.shape != targets.shape {
        throw fail("mask \(describe(mask.shape)) must have the targets' shape \(describe(targets.shape))")
    }
    let codes = targets.indices
    var weights = mask?.scalars ?? [Float](repeating: 1, count: codes.count)
    for (p, t) in codes.enumerated() {
        if t == ignoreIndex { weights[p] = 0; continue }
        guard t >= 0, t < c else { throw fail("target \(t) at position \(p) is outside the \(c) classes 0..<\(c)") }
    }
    let total = weights.reduce(0, +)
    let scale: Float = reduction == .mean ? (total > 0 ? 1 / total : 0) : 1
    let x = lp.scalars
    let losses = makeArray(codes.count) { p in weights[p] == 0 ? 0 : -weights[p] * x[p * c + codes[p]] }
    let (shape, n) = (targets.shape, lp.count)
    let pullback: ([Float]) -> [[Float]?] = { g in
        var r = [Float](repeating: 0, count: n)
        for p in 0..<codes.count where weights[p] != 0 {
            r[p * c + codes[p]] = -weights[p] * scale * (reduction == .none ? g[p] : g[0])
        }
        return [r]
    }
    switch reduction {
    case .none:
        return Tensor.make("nllLoss", shape: shape, scalars: losses, inputs: [lp], pullback: pullback)
    case .mean, .sum:
        return Tensor.make("nllLoss", shape: [], scalars: [losses.reduce(0, +) * scale], inputs: [lp], pullback: pullback)
    }
}

/// Cross-entropy from raw scores (logits) `[..., C]` and integer targets `[...]`:
/// log-softmax over the classes, then `nllLoss` (see there for `ignoreIndex`, `mask`
/// and `reduction`). Uniform logits give log C.
public func crossEntropy(
    _ logits: Tensor, _ targets: Tensor, ignoreIndex: Int? = nil, mask: Tensor? = nil,
    reduction: Reduction = .mean, file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    guard logits.rank >= 1, Array(logits.shape.dropLast()) == targets.shape else {
        throw TensorError(op: "crossEntropy", "logits \(describe(logits.shape)) and targets \(describe(targets.shape)): classes must be the last axis, and the other axes must match the targets (did you put the classes on the wrong axis?)", file: file, line: line)
    }
    return try nllLoss(logits.logSoftmax(axis: -1, file: file, line: line), targets, ignoreIndex: ignoreIndex, mask: mask, reduction: reduction, file: file, line: line)
}

// MARK: - Dropout

/// Zeroes each value with probability `p` and scales the rest by 1/(1−p) while
/// training; the identity otherwise (inverted dropout, as PyTorch).
public func dropout(_ x: Tensor, p: Float, training: Bool, rng: inout RNG, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    guard p >= 0, p < 1 else { throw TensorError(op: "dropout", "p = \(p) must be in [0, 1)", file: file, line: line) }
    guard training, p > 0 else { return x }
    let keep = 1 / (1 - p)
    let mask = Tensor(shape: x.shape, scalars: (0..<x.count).map { _ in rng.uniform() < p ? 0 : keep })
    return try x * mask
}
