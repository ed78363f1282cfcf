import Autograd
import Foundation
import Lesson3
import Plots

// The pieces of the training experiment: the data, the four ways to train, one run
// (train a copier, score it after every epoch), and the scores by sequence length.

// MARK: - Data

/// The notebook's task: sequences over "abc" of lengths 3…14, padded with stops to
/// T = 15, as codes and one-hot inputs; a training set and a fresh test set.
struct CopyData {
    let alphabet: [Character]
    let train: Split
    let test: Split
    /// Classes: the alphabet and the stop symbol.
    var classes: Int { alphabet.count + 1 }
    var steps: Int { train.codes.shape[1] }

    struct Split {
        let texts: [String]
        let codes: Tensor          // [N, T]
        let inputs: Tensor         // [N, T, C] one-hot
        let lengths: [Int]
    }

    /// Pads train and test together (one alphabet, one T) with the student's padWithStops.
    init(train trainTexts: [String], test testTexts: [String]) throws {
        let (alphabet, codes, lengths) = try padWithStops(trainTexts + testTexts)
        let n = trainTexts.count
        let classes = alphabet.count + 1
        func split(_ range: Range<Int>, _ texts: [String]) throws -> Split {
            let c = try codes.slice(axis: 0, range)
            return Split(texts: texts, codes: c, inputs: try oneHot(c, classes: classes), lengths: Array(lengths[range]))
        }
        self.alphabet = alphabet
        train = try split(0..<n, trainTexts)
        test = try split(n..<(n + testTexts.count), testTexts)
    }
}

// MARK: - Four ways to train

/// A training strategy of exercise 3.6, and which state the masked encoder hands over.
struct Variant {
    let name: String
    let strategy: Strategy
    /// The notebook's choice: the state at index n (after reading the first stop)
    /// instead of n − 1 (after the last symbol).
    let afterFirstStop: Bool

    static let all = [
        Variant(name: "padded", strategy: .padded, afterFirstStop: false),
        Variant(name: "masked enc", strategy: .maskedEncoder, afterFirstStop: false),
        Variant(name: "masked enc+loss", strategy: .maskedEncoderAndLoss, afterFirstStop: false),
        Variant(name: "at stop+loss", strategy: .maskedEncoderAndLoss, afterFirstStop: true),
    ]

    /// The model's forward pass for this variant: lengths n, or n + 1 to read the state
    /// after the first stop (stateAtOwnLastStep then picks index n).
    func forward(_ model: Copier) -> (Tensor, [Int]?) throws -> Tensor {
        let shift = afterFirstStop
        return { x, n in try model(x, lengths: shift ? n.map { $0.map { $0 + 1 } } : n) }
    }
}

// MARK: - One run

/// What one trained model did on the test set.
struct RunResult {
    /// Scores after 0, 1, …, epochs epochs.
    var curve: [CopyScores] = []
    /// Every training batch's loss.
    var losses: [Float] = []
    /// The final predictions on the test set, `[N, T]` codes.
    var predicted: Tensor? = nil
    /// Mean cross-entropy on the test set by part of the sequence.
    var lossByPart = LossByPart()
    var final: CopyScores { curve.last! }
}

/// Scores and predictions of a model on a split, in chunks (no gradients).
func evaluate(_ forward: (Tensor, [Int]?) throws -> Tensor, masked: Bool, on split: CopyData.Split)
    throws -> (scores: CopyScores, predicted: Tensor, logits: Tensor) {
    try noGrad {
        var parts: [Tensor] = []
        let n = split.codes.shape[0]
        for start in stride(from: 0, to: n, by: 500) {
            let range = start..<Swift.min(start + 500, n)
            let x = try split.inputs.slice(axis: 0, range)
            parts.append(try forward(x, masked ? Array(split.lengths[range]) : nil))
        }
        let logits = try concat(parts, axis: 0)
        let predicted = try logits.argmax(axis: -1)
        return (try copyScores(predicted: predicted, targets: split.codes, lengths: split.lengths), predicted, logits)
    }
}

/// Trains a fresh copier with `variant` for `epochs` epochs (Adam, lr 1e-3, batches of
/// 32, as the notebook), scoring it on the test set before training and after each epoch.
func run(_ variant: Variant, cell: Cell, hidden: Int, seed: UInt64, epochs: Int, data: CopyData,
         progress: (_ batches: Int, _ loss: Float) -> Void) throws -> RunResult {
    var rng = RNG(seed: seed)
    let model = Copier(cell: cell, classes: data.classes, hiddenSize: hidden, rng: &rng)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
    let forward = variant.forward(model)
    let masked = variant.strategy.masksEncoder
    var result = RunResult()
    result.curve.append(try evaluate(forward, masked: masked, on: data.test).scores)
    for _ in 0..<epochs {
        let losses = try trainEpoch(forward, optimizer: optimizer, inputs: data.train.inputs, targets: data.train.codes,
                                    lengths: data.train.lengths, strategy: variant.strategy, batchSize: 32, rng: &rng)
        result.losses += losses
        progress(losses.count, losses.suffix(50).reduce(0, +) / Float(Swift.max(1, Swift.min(50, losses.count))))
        result.curve.append(try evaluate(forward, masked: masked, on: data.test).scores)
    }
    let (_, predicted, logits) = try evaluate(forward, masked: masked, on: data.test)
    result.predicted = predicted
    result.lossByPart = try lossByPart(logits, data.test)
    return result
}

/// Mean cross-entropy at the symbols (t < n), at the first stop (t = n), on the padding
/// after it (t > n); and the two means a loss can take: over all positions, and over t ≤ n.
struct LossByPart {
    var symbols: Float = 0, stop: Float = 0, padding: Float = 0, all: Float = 0, upToStop: Float = 0
}

func lossByPart(_ logits: Tensor, _ split: CopyData.Split) throws -> LossByPart {
    let steps = split.codes.shape[1]
    let each = try crossEntropy(logits, split.codes, reduction: .none).scalars      // [N·T]
    var sums = [Float](repeating: 0, count: 3), counts = [Float](repeating: 0, count: 3)
    for (p, loss) in each.enumerated() {
        let (t, n) = (p % steps, split.lengths[p / steps])
        let part = t < n ? 0 : (t == n ? 1 : 2)
        sums[part] += loss
        counts[part] += 1
    }
    return LossByPart(symbols: sums[0] / counts[0], stop: sums[1] / counts[1], padding: counts[2] > 0 ? sums[2] / counts[2] : .nan,
                      all: sums.reduce(0, +) / counts.reduce(0, +), upToStop: (sums[0] + sums[1]) / (counts[0] + counts[1]))
}

/// The accuracy on real symbols of the sequences of each length in `lengths`.
func realAccuracyByLength(_ predicted: Tensor, _ split: CopyData.Split, lengths: ClosedRange<Int>) -> [Float] {
    let steps = split.codes.shape[1]
    let (p, y) = (predicted.indices, split.codes.indices)
    var right = [Float](repeating: 0, count: lengths.count), total = [Float](repeating: 0, count: lengths.count)
    for (i, n) in split.lengths.enumerated() where lengths.contains(n) {
        for t in 0..<n {
            total[n - lengths.lowerBound] += 1
            if p[i * steps + t] == y[i * steps + t] { right[n - lengths.lowerBound] += 1 }
        }
    }
    return zip(right, total).map { $1 > 0 ? $0 / $1 : .nan }
}

// MARK: - Summaries

/// Mean and standard deviation of a few numbers.
func meanAndSD(_ xs: [Float]) -> (mean: Float, sd: Float) {
    let m = xs.reduce(0, +) / Float(Swift.max(xs.count, 1))
    let v = xs.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Float(Swift.max(xs.count - 1, 1))
    return (m, v.squareRoot())
}

/// "0.973 ± 0.004".
func meanSD(_ xs: [Float]) -> String {
    let (m, sd) = meanAndSD(xs)
    return String(format: "%.3f ± %.3f", m, sd)
}
