import Autograd
import Foundation
import Lesson2
import Plots

// What every part of the experiment does with the student's code: make a task's data,
// train a model on it epoch by epoch, and measure it on fresh sequences.

/// The first `size` letters: the alphabet of a run.
func letters(_ size: Int) -> [Character] { Array("abcdefghijklmnopqrstuvwxyz".prefix(size)) }

/// Inputs and targets of `count` random sequences (none of them in `excluding`), with
/// the strings they came from.
struct TaskData {
    let strings: [String]
    let inputs: Tensor
    let targets: Tensor

    init(count: Int, length: Int, alphabet: [Character], reverse: Bool, excluding: Set<String> = [], rng: inout RNG) throws {
        var strings: [String] = []
        while strings.count < count {
            let more = randomSequences(count: count - strings.count, length: length, alphabet: alphabet, rng: &rng)
            strings += more.filter { !excluding.contains($0) }
        }
        let (found, codes) = try integerCodes(strings)
        // Codes mean the same symbols only if every symbol occurs; with ≥ 1000 symbols drawn it always does.
        guard found == alphabet else {
            throw TensorError(op: "TaskData", "the data's alphabet \(found) is not the task's \(alphabet): draw more sequences")
        }
        let data = try copyTaskData(codes: codes, alphabetSize: alphabet.count, reverse: reverse)
        self.strings = strings
        inputs = data.inputs
        targets = data.targets
    }
}

/// A trained model and what its training looked like.
struct Run {
    let model: EncoderDecoder
    let alphabet: [Character]
    let reverse: Bool
    /// The loss of every batch.
    var losses: [Float] = []
    /// Symbol accuracy on fresh sequences after each epoch.
    var accuracyByEpoch: [Float] = []
    var seconds: Double = 0

    var finalAccuracy: Float { accuracyByEpoch.last ?? .nan }

    /// The first epoch after which fresh accuracy was ≥ `level`, if any.
    func firstEpoch(reaching level: Float) -> Int? {
        accuracyByEpoch.firstIndex { $0 >= level }.map { $0 + 1 }
    }

    var task: String { reverse ? "reverse" : "copy" }
}

/// Trains an encoder–decoder on `count` sequences of `length` symbols for `epochs`
/// epochs (Adam, batches of 32), measuring accuracy on 1000 fresh sequences after each.
func train(
    reverse: Bool, alphabetSize: Int = 3, hiddenSize: Int = 20, length: Int = 10, count: Int = 1000,
    epochs: Int, learningRate: Float = 1e-3, seed: UInt64, progress label: String? = nil
) throws -> Run {
    let start = Date()
    var rng = RNG(seed: seed)
    let alphabet = letters(alphabetSize)
    let data = try TaskData(count: count, length: length, alphabet: alphabet, reverse: reverse, rng: &rng)
    let fresh = try TaskData(count: 1000, length: length, alphabet: alphabet, reverse: reverse, excluding: Set(data.strings), rng: &rng)
    var run = Run(model: EncoderDecoder(alphabetSize: alphabetSize, hiddenSize: hiddenSize, rng: &rng), alphabet: alphabet, reverse: reverse)
    let optimizer = try Adam(run.model.parameters(), learningRate: learningRate)
    let bar = label.map { ProgressBar(total: epochs, label: $0) }
    for epoch in 1...epochs {
        let losses = try trainEpoch(run.model, optimizer: optimizer, inputs: data.inputs, targets: data.targets, batchSize: 32, rng: &rng)
        run.losses += losses
        let accuracy = try noGrad { try symbolAccuracy(run.model(fresh.inputs), fresh.targets) }
        run.accuracyByEpoch.append(accuracy)
        let mean = losses.reduce(0, +) / Float(max(losses.count, 1))
        bar?.update(step: epoch, message: String(format: "loss %.4f, fresh %.1f%%", mean, 100 * accuracy))
    }
    bar?.finish()
    run.seconds = Date().timeIntervalSince(start)
    return run
}

/// Accuracy of a trained model on `count` fresh sequences of another length: overall,
/// and at each output position.
func evaluate(_ run: Run, length: Int, count: Int = 1000, seed: UInt64) throws -> (accuracy: Float, byPosition: [Float]) {
    var rng = RNG(seed: seed)
    let data = try TaskData(count: count, length: length, alphabet: run.alphabet, reverse: run.reverse, rng: &rng)
    let logits = try noGrad { try run.model(data.inputs) }
    return (try symbolAccuracy(logits, data.targets), try accuracyByPosition(logits, data.targets))
}

/// A few fresh sequences of `length` with what the model writes, and a caret under each
/// wrong symbol.
func samples(_ run: Run, length: Int, count: Int, seed: UInt64) throws -> String {
    var rng = RNG(seed: seed)
    let data = try TaskData(count: count, length: length, alphabet: run.alphabet, reverse: run.reverse, rng: &rng)
    let written = decodeSymbols(try noGrad { try run.model(data.inputs) }.argmax(axis: -1), alphabet: run.alphabet)
    let wanted = decodeSymbols(data.targets, alphabet: run.alphabet)
    var table = Table(header: ["input", "target", "written", "wrong"], alignments: [.left, .left, .left, .left])
    for i in 0..<count {
        let marks = String(zip(written[i], wanted[i]).map { $0 == $1 ? "·" : "^" })
        let wrong = marks.filter { $0 == "^" }.count
        table.add([data.strings[i], wanted[i], written[i], wrong == 0 ? "none" : "\(wrong): \(marks)"])
    }
    return table.render()
}

/// "97.3%".
func percent(_ x: Float) -> String { x.isFinite ? String(format: "%.1f%%", 100 * x) : "—" }

/// How often the copy model, fed `length` symbols, writes at output position t the input
/// symbol at t + (length − 10): the fraction that agrees with "the sequence as if it had
/// been 10 long", over the positions where that input exists.
func shiftedAgreement(_ run: Run, length: Int, trainedLength: Int = 10, count: Int = 1000, seed: UInt64) throws -> Float {
    var rng = RNG(seed: seed)
    let data = try TaskData(count: count, length: length, alphabet: run.alphabet, reverse: false, rng: &rng)
    let written = try noGrad { try run.model(data.inputs) }.argmax(axis: -1).indices
    let read = data.targets.indices
    let shift = length - trainedLength
    var agree = 0, total = 0
    for n in 0..<count {
        for t in 0..<length where (0..<length).contains(t + shift) {
            total += 1
            if written[n * length + t] == read[n * length + t + shift] { agree += 1 }
        }
    }
    return total == 0 ? .nan : Float(agree) / Float(total)
}
