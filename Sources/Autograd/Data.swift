/// Batching: index batches for an epoch, and padding variable-length sequences into
/// one tensor with a mask of the positions that are real.
///
/// A batch of sequences of different lengths becomes a `[B, T]` tensor of codes, padded
/// on the right to the longest, plus a `[B, T]` mask (1 on real steps, 0 on padding) that
/// a loss uses so padding never counts:
///
///     for idx in try batches(count: data.count, batchSize: 32, shuffle: true, rng: &rng) {
///         let batch = try padBatch(idx.map { data[$0] })     // codes, lengths, mask
///         let loss = try crossEntropy(logits, targets, mask: batch.mask)
///     }

// MARK: - Index batches

/// The indices 0..<count cut into batches of `batchSize` (the last may be smaller, or
/// dropped with `dropLast`), as a `torch.utils.data.DataLoader` draws them. Every index
/// appears exactly once (unless dropped).
///
/// - shuffle: a new random order from `rng` (a fixed seed gives a fixed order; the
///   generator moves on, so the next epoch differs). Without it `rng` is not used.
public func batches(
    count: Int, batchSize: Int, shuffle: Bool, rng: inout RNG, dropLast: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) throws -> [[Int]] {
    guard count >= 0 else {
        throw TensorError(op: "batches", "count = \(count) must be ≥ 0", file: file, line: line)
    }
    guard batchSize > 0 else {
        throw TensorError(op: "batches", "batchSize = \(batchSize) must be positive", file: file, line: line)
    }
    let order = shuffle ? rng.permutation(count) : Array(0..<count)
    let end = dropLast ? count - count % batchSize : count
    return stride(from: 0, to: end, by: batchSize).map { Array(order[$0..<Swift.min($0 + batchSize, count)]) }
}

/// Index batches of sequences of similar length, so a padded batch wastes little: the
/// indices are ordered by `lengths` (ties in random order when shuffling), cut into
/// batches, and the batches shuffled. (torchtext's bucket iterator, in its simplest form.)
public func batchesByLength(
    lengths: [Int], batchSize: Int, shuffle: Bool, rng: inout RNG, dropLast: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
) throws -> [[Int]] {
    guard batchSize > 0 else {
        throw TensorError(op: "batchesByLength", "batchSize = \(batchSize) must be positive", file: file, line: line)
    }
    let start = shuffle ? rng.permutation(lengths.count) : Array(lengths.indices)
    let rank = Dictionary(uniqueKeysWithValues: start.enumerated().map { ($1, $0) })
    let order = start.sorted { (lengths[$0], rank[$0]!) < (lengths[$1], rank[$1]!) }
    let end = dropLast ? order.count - order.count % batchSize : order.count
    var result = stride(from: 0, to: end, by: batchSize).map { Array(order[$0..<Swift.min($0 + batchSize, order.count)]) }
    if shuffle { result.shuffle(using: &rng) }
    return result
}

// MARK: - Padding and masks

/// Sequences of integer codes as one `[B, T]` tensor, each padded on the right with
/// `padValue` (as `torch.nn.utils.rnn.pad_sequence(batch_first=True)`).
///
/// T is the longest sequence's length, or `length` when given: longer sequences are then
/// cut to their first `length` codes. A pad value of −100 (or any `ignoreIndex`) makes
/// padded targets for `crossEntropy`.
///
///     padSequences([[5, 6, 7], [8]])  →  [[5, 6, 7], [8, 0, 0]]
public func padSequences(
    _ sequences: [[Int]], padValue: Int = 0, length: Int? = nil,
    file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    if let length, length < 0 {
        throw TensorError(op: "padSequences", "length = \(length) must be ≥ 0", file: file, line: line)
    }
    let t = length ?? sequences.map(\.count).max() ?? 0
    var values = [Float](repeating: Float(padValue), count: sequences.count * t)
    for (b, seq) in sequences.enumerated() {
        for (i, code) in seq.prefix(t).enumerated() { values[b * t + i] = Float(code) }
    }
    return Tensor(shape: [sequences.count, t], scalars: values)
}

/// A `[B, T]` mask of the real steps: 1 where t < lengths[b], 0 on padding. T is
/// `maxLength`, or the longest length when nil; a length beyond T fills its row.
///
///     lengthMask(lengths: [3, 1], maxLength: 4)  →  [[1, 1, 1, 0], [1, 0, 0, 0]]
public func lengthMask(
    lengths: [Int], maxLength: Int? = nil, file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    if let bad = lengths.firstIndex(where: { $0 < 0 }) {
        throw TensorError(op: "lengthMask", "lengths[\(bad)] = \(lengths[bad]) must be ≥ 0", file: file, line: line)
    }
    if let maxLength, maxLength < 0 {
        throw TensorError(op: "lengthMask", "maxLength = \(maxLength) must be ≥ 0", file: file, line: line)
    }
    let t = maxLength ?? lengths.max() ?? 0
    var values = [Float](repeating: 0, count: lengths.count * t)
    for (b, n) in lengths.enumerated() {
        for i in 0..<Swift.min(n, t) { values[b * t + i] = 1 }
    }
    return Tensor(shape: [lengths.count, t], scalars: values)
}

/// A batch of variable-length sequences, padded: what a sequence model and its masked
/// loss need together.
public struct PaddedBatch {
    /// `[B, T]` codes, padded on the right.
    public let codes: Tensor
    /// Each sequence's length (before padding; at most T).
    public let lengths: [Int]
    /// `[B, T]`: 1 on real steps, 0 on padding.
    public let mask: Tensor
}

/// Pads `sequences` (see `padSequences`) and records their lengths and mask.
public func padBatch(
    _ sequences: [[Int]], padValue: Int = 0, length: Int? = nil,
    file: StaticString = #fileID, line: UInt = #line
) throws -> PaddedBatch {
    let codes = try padSequences(sequences, padValue: padValue, length: length, file: file, line: line)
    let t = codes.shape[1]
    let lengths = sequences.map { Swift.min($0.count, t) }
    return PaddedBatch(codes: codes, lengths: lengths, mask: try lengthMask(lengths: lengths, maxLength: t, file: file, line: line))
}

/// Each sequence's last real step, as the index `gather(axis: 1, index:)` needs to pick
/// it from RNN outputs `[B, T, H]`: shape `[B, 1, hidden]`, row b filled with
/// lengths[b] − 1. (For a packed sequence's final state without packing.)
///
///     let last = try outputs.gather(axis: 1, index: lastStepIndex(lengths: n, hidden: H)).squeeze(1)
public func lastStepIndex(
    lengths: [Int], hidden: Int, file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    if let bad = lengths.firstIndex(where: { $0 < 1 }) {
        throw TensorError(op: "lastStepIndex", "lengths[\(bad)] = \(lengths[bad]): a sequence needs at least one step to have a last one", file: file, line: line)
    }
    guard hidden >= 0 else {
        throw TensorError(op: "lastStepIndex", "hidden = \(hidden) must be ≥ 0", file: file, line: line)
    }
    let values = lengths.flatMap { [Float](repeating: Float($0 - 1), count: hidden) }
    return Tensor(shape: [lengths.count, 1, hidden], scalars: values)
}
