import Autograd

// Lesson 5, exercise 5.2: batches in which the state can carry on.
//
// From model 3 on, the hidden state is not thrown away after a batch: row j of the next
// batch starts where row j of this batch stopped, with the state it left. That only makes
// sense if row j of batch k + 1 really is the text that follows row j of batch k. Cut the
// text's samples into batchSize equal streams, one per row, and deal them out in step:
//
//     samples 0 1 2 3 4 5 6 7 8 9 10 11 (12 samples, batchSize 3: m = 4 batches)
//     streams   row 0: 0 1 2 3    row 1: 4 5 6 7    row 2: 8 9 10 11
//
//     batch 0: [0, 4, 8]   batch 1: [1, 5, 9]   batch 2: [2, 6, 10]   batch 3: [3, 7, 11]
//     returned: 0 4 8 1 5 9 2 6 10 3 7 11  — cut it into batches of 3 in order
//
// Row j of every batch reads stream j, sample after sample, so the state row j leaves
// at the end of a batch is the right one to start the next batch's row j from.

/// The samples reordered so that consecutive batches of `batchSize` continue each other
/// row by row (fastai's `group_chunks`): with m = samples.count / batchSize (rounded
/// down), element i · batchSize + j of the result is samples[j · m + i], for i in 0..<m
/// and j in 0..<batchSize. The samples past m · batchSize, which cannot fill a stream to
/// the end, are dropped: the result has m · batchSize elements.
public func groupChunks<Sample>(_ samples: [Sample], batchSize: Int) throws -> [Sample] {
    // TODO(5.2): m = samples.count / batchSize; for each batch i in 0..<m and each row j in 0..<batchSize, append samples[j * m + i].
    throw TODO("5.2")
}
