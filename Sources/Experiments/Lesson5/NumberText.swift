import Autograd
import Foundation
import Lesson5

// The chapter's data, from the student's text (5.1) and batches (5.2): the number text as
// codes, its samples in the two shapes the models read, the chapter's 80 % cut of them,
// and the batches of each model's layout.

/// A sample: the codes a model reads and the codes it should guess (one for a window of
/// three words, sixteen for a sequence).
struct Sample: Sendable {
    let x: [Int]
    let y: [Int]
}

/// A batch as the models read it: `x` `[B, T]` codes, `y` `[B]` or `[B, T]` targets.
struct Batch: @unchecked Sendable {
    let x: Tensor
    let y: Tensor
}

/// The number text (train.txt and valid.txt read into one, as the chapter does) and its
/// samples: windows of three words with the fourth as target (models 1–3), and sequences
/// of 16 words with the same 16 shifted by one as targets (models 4–7).
struct NumberText: Sendable {
    static let sequenceLength = 16
    let tokens: [String]
    let vocabulary: Vocabulary
    let codes: [Int]
    /// The chapter's `range(0, len(nums) - 4, 3)`: words i…i+2, then word i+3.
    let windows: [Sample]
    /// The chapter's `range(0, len(nums) - sl - 1, sl)`: words i…i+15, then i+1…i+16.
    let sequences: [Sample]

    init() throws {
        tokens = try numberTokens()
        vocabulary = Vocabulary(tokens)
        codes = vocabulary.codes(tokens)
        let codes = self.codes
        windows = stride(from: 0, to: codes.count - 4, by: 3).map { Sample(x: Array(codes[$0..<$0 + 3]), y: [codes[$0 + 3]]) }
        sequences = shiftedSequences(codes, length: Self.sequenceLength)
    }

    /// The chapter's cut: the first 80 % of the samples train, the rest validate
    /// (`cut = int(len(seqs) * 0.8)`), wherever that falls in the text.
    static func cut(_ samples: [Sample]) -> Int { Int(Double(samples.count) * 0.8) }

    /// The token where valid.txt's first line (8001) begins: the one after the dot that
    /// ends train.txt's last line, 7999 (the 7999th dot).
    var validFileStart: Int {
        let lastTrainLine = numberLines.firstIndex(of: 7999)!
        return tokens.indices.filter { tokens[$0] == "." }[lastTrainLine] + 1
    }

    /// The number whose line token `i` belongs to (a dot belongs to the number before it).
    func number(at i: Int) -> Int {
        numberLines[tokens[..<i].filter { $0 == "." }.count]
    }
}

/// Sequences of `length` codes, one every `length` (the chapter's `range(0, len(nums) - sl - 1,
/// sl)`), each with the same codes shifted by one as its targets: words and characters alike.
func shiftedSequences(_ codes: [Int], length: Int) -> [Sample] {
    stride(from: 0, to: codes.count - length - 1, by: length).map {
        Sample(x: Array(codes[$0..<$0 + length]), y: Array(codes[$0 + 1...$0 + length]))
    }
}

/// How a model's samples are batched, as the chapter's DataLoaders do it.
enum Layout: Sendable {
    /// Windows of three in text order (models 1 and 2): training drops its short last
    /// batch, validation keeps it (fastai's defaults, no shuffling).
    case windows
    /// Windows of three laid out by `groupChunks` (5.2) so that row j of a batch continues
    /// row j of the batch before (model 3); both sides drop a short last batch.
    case groupedWindows
    /// Sequences of 16 laid out by `groupChunks` (models 4–7), short last batches dropped.
    case sequences
}

/// The training and validation batches of `layout`, `batchSize` samples each.
func batches(_ layout: Layout, of text: NumberText, batchSize: Int) throws -> (train: [Batch], valid: [Batch]) {
    let samples = layout == .sequences ? text.sequences : text.windows
    let cut = NumberText.cut(samples)
    let (train, valid) = (Array(samples[..<cut]), Array(samples[cut...]))
    switch layout {
    case .windows:
        return (try batch(train, size: batchSize, dropLast: true), try batch(valid, size: batchSize, dropLast: false))
    case .groupedWindows, .sequences:
        return (try batch(groupChunks(train, batchSize: batchSize), size: batchSize, dropLast: true),
                try batch(groupChunks(valid, batchSize: batchSize), size: batchSize, dropLast: true))
    }
}

/// Consecutive batches of `size` samples in order; with `dropLast`, a short last one is left out.
func batch(_ samples: [Sample], size: Int, dropLast: Bool) throws -> [Batch] {
    try stride(from: 0, to: samples.count, by: size).compactMap { start -> Batch? in
        let part = samples[start..<min(start + size, samples.count)]
        if dropLast && part.count < size { return nil }
        let (steps, targets) = (part.first!.x.count, part.first!.y.count)
        let x = try Tensor(part.flatMap { $0.x.map(Float.init) }, shape: [part.count, steps])
        let y = try Tensor(part.flatMap { $0.y.map(Float.init) }, shape: targets == 1 ? [part.count] : [part.count, targets])
        return Batch(x: x, y: y)
    }
}

/// The code most frequent among `targets`, and the share of them it is: the accuracy of
/// a model that always guesses it.
func mostFrequent(_ targets: [Int]) -> (code: Int, share: Double) {
    var counts: [Int: Int] = [:]
    for t in targets { counts[t, default: 0] += 1 }
    let best = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!
    return (best.key, Double(best.value) / Double(targets.count))
}
