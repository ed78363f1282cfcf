import Autograd
import Foundation
import Lesson1
import ExperimentKit
import Plots

// The pieces the experiment of lesson 1 repeats: data sets, training runs side by side under
// one progress bar, generation after a prefix, and numbers for the tables.

/// Training, test and generation signals for one setting.
struct SignalSet {
    let frequencies: [Float]
    /// Next-step pairs, [N, 99, 1].
    let trainX: Tensor, trainY: Tensor, testX: Tensor, testY: Tensor
    /// 100 longer signals (a prefix + 100 steps), [100, 120], for generation.
    let generation: Tensor

    /// The notebook's data: 1000 training and 100 test signals of 100 samples, Δ = 0.1.
    init(frequencies: [Float], seed: UInt64) throws {
        self.frequencies = frequencies
        var rng = RNG(seed: 1000 + seed)
        (trainX, trainY) = try nextStepPairs(sinusoids(count: 1000, frequencies: frequencies, rng: &rng))
        (testX, testY) = try nextStepPairs(sinusoids(count: 100, frequencies: frequencies, rng: &rng))
        generation = try sinusoids(count: 100, frequencies: frequencies, steps: 120, rng: &rng)
    }
}

/// One trained model and what its training recorded.
struct Run {
    let hidden: Int
    let seed: UInt64
    let model: LinearRNN
    /// The loss of every training batch, in order.
    var trainLosses: [Float] = []
    /// After each epoch, the loss of every test batch (epoch 0: before training).
    var testLosses: [[Float]] = []
    /// After each epoch, the closed loop's eigenvalues (empty when 1.7 or 1.8 is not written).
    var eigenvalues: [[Eigenvalue]] = []
    var seconds = 0.0

    /// The mean test loss after the last epoch.
    var testMSE: Float { mean(testLosses.last ?? []) }
}

/// Trains a fresh `LinearRNN(hidden:)` with Adam (the notebook's rate 1e-3) in batches of 2,
/// evaluating on the test set after every epoch, with a progress bar.
func train(hidden: Int, on data: SignalSet, epochs: Int, seed: UInt64,
           progress: (_ batches: Int, _ testMSE: Float) -> Void) throws -> Run {
    var rng = RNG(seed: 10 * seed + UInt64(hidden))
    let model = LinearRNN(hidden: hidden, rng: &rng)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
    let forward = { (x: Tensor) in try model(x) }
    var run = Run(hidden: hidden, seed: seed, model: model)
    let start = Date()
    run.testLosses.append(try testLosses(model: forward, inputs: data.testX, targets: data.testY, batchSize: 10))
    for _ in 1...epochs {
        let losses = try trainEpoch(
            model: forward, optimizer: optimizer, inputs: data.trainX, targets: data.trainY, batchSize: 2, rng: &rng)
        run.trainLosses += losses
        run.testLosses.append(try testLosses(model: forward, inputs: data.testX, targets: data.testY, batchSize: 10))
        if let values = try? eigenvalues(of: closedLoop(of: model).matrix) { run.eigenvalues.append(values) }
        progress(losses.count, run.testMSE)
    }
    run.seconds = Date().timeIntervalSince(start)
    return run
}

/// One model trained for each (hidden size, data, seed), side by side on `workers`, under
/// one progress bar; the runs come back in the order asked for.
func trainAll(_ trainings: [(hidden: Int, data: SignalSet, seed: UInt64)], epochs: Int, label: String,
              workers: Workers) throws -> [Run] {
    let perEpoch = trainings.map { ($0.data.trainX.shape[0] + 1) / 2 }.reduce(0, +)
    let bar = ProgressBar(total: epochs * perEpoch, label: label)
    let runs = try workers.map(trainings) { t in
        try train(hidden: t.hidden, on: t.data, epochs: epochs, seed: t.seed) { batches, mse in
            bar.advance(by: batches, message: "hidden \(t.hidden) seed \(t.seed): test MSE \(Table.number(mse, significant: 3))")
        }
    }
    bar.finish()
    return runs
}

/// Reads the first `prefix` samples of each generation signal, then free-runs 100 steps.
/// Returns the generated [100, 100, 1], the true continuation, and their MSE.
func generate(_ model: LinearRNN, from signals: Tensor, prefix: Int) throws -> (generated: Tensor, truth: Tensor, mse: Float) {
    let start = try signals.slice(axis: 1, 0..<prefix).unsqueeze(2)
    let truth = try signals.slice(axis: 1, prefix..<(prefix + 100)).unsqueeze(2)
    let generated = try model.generate(prefix: start, steps: 100)
    return (generated, truth, try mseLoss(generated, truth).item())
}

/// The test MSE at each time step (averaged over the test signals): where the error is.
func errorByStep(_ model: LinearRNN, _ data: SignalSet) throws -> [Float] {
    let out = try noGrad { try model(data.testX) }
    let (n, t) = (out.shape[0], out.shape[1])
    return (0..<t).map { step in
        (0..<n).reduce(0) { sum, b in
            let d = out.scalars[b * t + step] - data.testY.scalars[b * t + step]
            return sum + d * d
        } / Float(n)
    }
}

/// The MSE of the copy baseline: predict that the next sample equals the current one.
func copyBaselineMSE(_ data: SignalSet) throws -> Float { try mseLoss(data.testX, data.testY).item() }

/// Row `row` of a [N, T, 1] or [N, T] tensor as numbers.
func series(_ t: Tensor, row: Int) -> [Float] {
    let width = t.shape[1]
    return Array(t.scalars[(row * width)..<(row * width + width)])
}

func mean(_ xs: [Float]) -> Float { xs.isEmpty ? .nan : xs.reduce(0, +) / Float(xs.count) }

/// The running mean over `window` values (a readable loss curve from noisy batch losses).
func smoothed(_ xs: [Float], window: Int) -> [Float] {
    var out: [Float] = [], sum: Float = 0
    for (i, x) in xs.enumerated() {
        sum += x
        if i >= window { sum -= xs[i - window] }
        out.append(sum / Float(Swift.min(i + 1, window)))
    }
    return out
}

/// "0.8061 ± 0.5889i" for a complex eigenvalue, "0.7696" for a real one.
func valueText(_ e: Eigenvalue) -> String {
    e.im == 0 ? String(format: "%.4f", e.re) : String(format: "%.4f ± %.4fi", e.re, Swift.abs(e.im))
}

/// Eigenvalues with each complex pair once (the one with im > 0).
func onePerPair(_ values: [Eigenvalue]) -> [Eigenvalue] { values.filter { $0.im >= 0 } }

/// What an eigenvalue does each step, in words.
func behaviour(_ e: Eigenvalue) -> String {
    let size = e.modulus > 1.001 ? "grows" : (e.modulus < 0.999 ? "decays" : "keeps size")
    if e.im != 0 { return "turns, \(size)" }
    return e.re < 0 ? "flips, \(size)" : size
}

/// The oscillating modes: complex eigenvalues (one per pair) that keep most of their size
/// over 10 steps (|λ| > 0.9), as "9.96 (0.998)": the period in steps and |λ|.
func oscillations(_ values: [Eigenvalue]) -> String {
    let modes = onePerPair(values).filter { $0.im != 0 && $0.modulus > 0.9 }
    if modes.isEmpty { return "none" }
    return modes.map { String(format: "%.2f (%.3f)", $0.period ?? .nan, $0.modulus) }.joined(separator: ", ")
}
