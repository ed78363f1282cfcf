import Autograd
import ExperimentKit
import Foundation
import Lesson1
import Plots

// `swift run tutor run 1`: a linear RNN models sinusoids, with the student's own code.
//   1. the signals: sums of sinusoids with random phases;
//   2. next-step prediction with 1, 2 and 4 hidden units (the notebook's setting: 1000
//      signals of 100 samples, f = 1, Δ = 0.1, batches of 2, Adam at 1e-3, 5 epochs);
//   3. free-running generation after a prefix of 20 samples (and after 1, as the notebook);
//   4. the closed loop A = W_hh + W_xh·W_hy and its eigenvalues: why 1 unit cannot oscillate;
//   5. two frequencies (f = 1 and 0.5) with 2 and 4 hidden units, 30 epochs.
// `--full`: five seeds, 20 epochs for one frequency and 60 for two.

let experiment = Experiment(lesson: 1, parts: [
    .init("signals", "sums of sinusoids with random phases"),
    .init("prediction", "next-step prediction with 1, 2 and 4 hidden units"),
    .init("generation", "free-running generation after a prefix", needs: ["prediction"]),
    .init("loops", "the closed loops and their eigenvalues", needs: ["prediction"]),
    .init("two-frequencies", "two frequencies with 2 and 4 hidden units"),
])
let seeds = experiment.full ? (0..<5).map { experiment.seed + UInt64($0) } : [experiment.seed]
let epochs = experiment.full ? 20 : 5
let twoFrequencyEpochs = experiment.full ? 60 : 30
let hiddenSizes = [1, 2, 4]

// MARK: - 1. The signals

experiment.part("signals", "The signals: sums of sinusoids with random phases", uses: ["1.1"]) {
    var rng = RNG(seed: experiment.seed)
    let one = try sinusoids(count: 3, rng: &rng)
    let two = try sinusoids(count: 2, frequencies: [1, 0.5], rng: &rng)
    print("f = 1 and Δ = 0.1: 10 samples a period, so 100 samples hold 10 periods.")
    print("Every signal starts at its own random phase.")
    var plot = LinePlot(title: "Three signals with f = 1, and two with f = 1 and 0.5", xLabel: "step", yLabel: "x")
    for r in 0..<3 { plot.add("f = 1, #\(r + 1)", series(one, row: r)) }
    for r in 0..<2 { plot.add("f = 1 + 0.5, #\(r + 1)", series(two, row: r), dashed: true) }
    var first = plot
    first.series = first.series.map { s in
        LinePlot.Series(name: s.name, x: Array(s.x.prefix(40)), y: Array(s.y.prefix(40)), dashed: s.dashed)
    }
    first.title = "The first 40 steps of each signal"
    print(first.terminal(height: 12))
    experiment.save(plot.svg(), as: "signals")
}

// MARK: - 2. Next-step prediction

var single: [UInt64: SignalSet] = [:]
var runs: [Run] = []  // one per hidden size and seed, in that order

experiment.part("prediction", "Next-step prediction with 1, 2 and 4 hidden units (\(epochs) epochs)", uses: ["1.1", "1.2", "1.3", "1.4", "1.5"]) {
    for seed in seeds { single[seed] = try SignalSet(frequencies: [1], seed: seed) }
    // Every (seed, hidden size) training is independent: they share the machine's cores.
    runs = try trainAll(seeds.flatMap { seed in hiddenSizes.map { (hidden: $0, data: single[seed]!, seed: seed) } },
                        epochs: epochs, label: "train", workers: experiment.workers)
    print("(In the table: the test MSE by time step — where the error is.)")
    let data = single[seeds[0]]!
    let mine = runs.filter { $0.seed == seeds[0] }
    print("\nCopy baseline (predict x[t+1] = x[t]): test MSE \(Table.number(try copyBaselineMSE(data)))")
    var table = Table(header: ["hidden", "test MSE", "at step 0", "steps 1-9", "steps 10-98", "train s"])
    for run in mine {
        let byStep = try errorByStep(run.model, data)
        table.add([
            "\(run.hidden)", Table.number(run.testMSE), Table.number(byStep[0]), Table.number(mean(Array(byStep[1..<10]))),
            Table.number(mean(Array(byStep[10...]))), String(format: "%.1f", run.seconds),
        ])
    }
    print(table.render())

    var loss = LinePlot(title: "Training loss (mean of 50 batches)", xLabel: "batch", yLabel: "MSE", logY: true)
    var test = LinePlot(title: "Test loss of every test batch, after each epoch", xLabel: "test batch", yLabel: "MSE", logY: true)
    for run in mine {
        loss.add("hidden \(run.hidden)", smoothed(run.trainLosses, window: 50))
        test.add("hidden \(run.hidden)", Array(run.testLosses.dropFirst().joined()))
    }
    print(loss.terminal(height: 12))
    experiment.save(loss.svg(), as: "train-loss")
    experiment.save(test.svg(), as: "test-loss")

    // Prediction against target: output t predicts x[t+1], so it runs one step ahead of x[t].
    var prediction = LinePlot(title: "Test signal 0: the input, the target, and the predictions", xLabel: "step t", yLabel: "x")
    prediction.add("current x[t]", series(data.testX, row: 0))
    prediction.add("next x[t+1]", series(data.testY, row: 0), dashed: true)
    for run in mine {
        prediction.add("prediction, hidden \(run.hidden)", series(try noGrad { try run.model(data.testX.slice(axis: 0, 0..<1)) }, row: 0))
    }
    prediction.series = prediction.series.map { s in
        LinePlot.Series(name: s.name, x: Array(s.x.prefix(30)), y: Array(s.y.prefix(30)), dashed: s.dashed)
    }
    var zoom = prediction
    zoom.series = zoom.series.filter { !$0.name.hasSuffix("hidden 4") }.map { s in
        LinePlot.Series(name: s.name, x: Array(s.x.prefix(25)), y: Array(s.y.prefix(25)), dashed: s.dashed)
    }
    zoom.title = "Test signal 0, steps 0-24: \"next\" runs one step ahead of \"current\""
    print(zoom.terminal(height: 14))
    prediction.title = "Test signal 0, steps 0-29: the input, the target, and the predictions"
    experiment.save(prediction.svg(width: 800), as: "prediction")
}

// MARK: - 3. Free-running generation

experiment.part("generation", "Free-running generation: 100 steps on the model's own output", uses: ["1.6"]) {
    guard !runs.isEmpty, let data = single[seeds[0]] else { print("Needs the trained models of the part above."); return }
    print("Each model reads the first 20 samples of 100 fresh signals, then feeds its")
    print("output back in for 100 steps. The MSE compares with the true continuation")
    print("(always predicting 0 scores 0.5).")
    var table = Table(header: ["hidden", "gen MSE (prefix 20)", "gen MSE (prefix 1)", "RMS steps 90-99"])
    var plot = LinePlot(title: "Test signal 0 after a prefix of 20: truth and generation", xLabel: "free-running step", yLabel: "x")
    for run in runs where run.seed == seeds[0] {
        let (generated, truth, mse) = try generate(run.model, from: data.generation, prefix: 20)
        let (_, _, fromOne) = try generate(run.model, from: data.generation, prefix: 1)
        let tail = try generated.slice(axis: 1, 90..<100)
        let rms = try tail.squared().mean().item().squareRoot()
        table.add(["\(run.hidden)", Table.number(mse), Table.number(fromOne), Table.number(rms)])
        if run.hidden == 1 { plot.add("truth", series(truth, row: 0)) }
        plot.add("hidden \(run.hidden)", series(generated, row: 0), dashed: run.hidden == 4)
    }
    print(table.render())
    print("(A sinusoid of amplitude 1 has RMS 0.707.)")
    var zoom = plot
    zoom.series = zoom.series.map { s in LinePlot.Series(name: s.name, x: Array(s.x.prefix(40)), y: Array(s.y.prefix(40)), dashed: s.dashed)
    }
    zoom.title = "The first 40 generated steps of test signal 0"
    print(zoom.terminal(height: 12))
    experiment.save(plot.svg(), as: "generation")
}

// MARK: - 4. The closed loop

experiment.part("loops", "The closed loop h' = A·h + c and its eigenvalues", uses: ["1.7", "1.8"]) {
    guard !runs.isEmpty else { print("Needs the trained models of part 2."); return }
    print("The signal turns by 2π/10 = 0.6283 rad a step (period: 10 steps). Each")
    print("eigenvalue λ of A scales its part of the state by |λ| and turns it by its")
    print("angle, at every step.")
    var table = Table(header: ["h", "λ", "|λ|", "angle", "period", "|λ|^100", "each step"])
    for run in runs where run.seed == seeds[0] {
        let (a, c) = try closedLoop(of: run.model)
        for e in onePerPair(try eigenvalues(of: a)) {
            table.add([
                "\(run.hidden)", valueText(e), String(format: "%.4f", e.modulus), String(format: "%.4f", e.angle),
                e.period.map { String(format: "%.2f", $0) } ?? "-", Table.number(Foundation.pow(e.modulus, 100), significant: 3),
                behaviour(e),
            ])
        }
        if run.hidden == 1 {
            // A 1-D loop has a fixed point h* = c/(1 − λ): the generation settles at its output.
            let lambda = a.scalars[0], hStar = c.scalars[0] / (1 - lambda)
            let yStar = run.model.hiddenToOutput.weight.scalars[0] * hStar + run.model.hiddenToOutput.bias!.scalars[0]
            print(String(format: "hidden 1: A = %.4f, c = %.4f; the fixed point h* = c/(1 − A) = %.4f", lambda, c.scalars[0], hStar))
            print(String(format: "          gives y* = W_hy·h* + b_hy = %.4f, where generation settles.", yStar))
        }
    }
    print(table.render())
    print("(h: hidden units. A complex pair is listed once, as re ± im·i.)")
    if experiment.full { printSeedSummary() }
}

/// With `--full`: every seed's test and generation MSE and whether a pair turns at the signal's rate.
func printSeedSummary() {
    print("\nAll seeds (\(seeds.count)), \(epochs) epochs:")
    var table = Table(header: ["hidden", "test MSE min/mean/max", "gen MSE min/mean/max", "period 10"])
    for h in hiddenSizes {
        let mine = runs.filter { $0.hidden == h }
        let tests = mine.map(\.testMSE)
        let gens = mine.compactMap { run in try? generate(run.model, from: single[run.seed]!.generation, prefix: 20).mse }
        let turning = mine.filter { run in
            (run.eigenvalues.last ?? []).contains { $0.im > 0 && $0.modulus > 0.95 && Swift.abs(($0.period ?? 0) - 10) < 0.5 }
        }.count
        func span(_ xs: [Float]) -> String {
            xs.isEmpty ? "-" : [xs.min()!, mean(xs), xs.max()!].map { Table.number($0, significant: 3) }.joined(separator: " / ")
        }
        table.add(["\(h)", span(tests), span(gens), "\(turning) of \(mine.count)"])
    }
    print(table.render())
    print("(period 10: seeds with a pair |λ| > 0.95 turning every 10 ± 0.5 steps)")
    let ones = runs.filter { $0.hidden == 1 }.map { run in run.eigenvalues.last.map { valueText($0[0]) } ?? "-" }
    print("hidden 1, λ of each seed: \(ones.joined(separator: ", "))")
}

// MARK: - 5. Two frequencies

experiment.part(
    "two-frequencies", "Two frequencies: f = 1 and 0.5 (periods 10 and 20 steps), \(twoFrequencyEpochs) epochs",
    uses: ["1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]
) {
    let sets = try seeds.map { try SignalSet(frequencies: [1, 0.5], seed: $0) }
    let data: SignalSet? = sets.first
    let two = try trainAll(zip(seeds, sets).flatMap { seed, d in [2, 4].map { (hidden: $0, data: d, seed: seed) } },
                           epochs: twoFrequencyEpochs, label: "train", workers: experiment.workers)
    var table = Table(header: ["hidden", "test MSE", "gen MSE (prefix 20)", "turning modes: period (|λ|)"])
    var plot = LinePlot(title: "Two frequencies, test signal 0 after a prefix of 20", xLabel: "free-running step", yLabel: "x")
    for run in two where run.seed == seeds[0] {
        let (generated, truth, mse) = try generate(run.model, from: data!.generation, prefix: 20)
        table.add([
            "\(run.hidden)", Table.number(run.testMSE), Table.number(mse), run.eigenvalues.last.map(oscillations) ?? "(write 1.7, 1.8)",
        ])
        if run.hidden == 2 { plot.add("truth", series(truth, row: 0)) }
        plot.add("hidden \(run.hidden)", series(generated, row: 0), dashed: run.hidden == 2)
    }
    print(table.render())
    if let four = two.first(where: { $0.hidden == 4 && $0.seed == seeds[0] }), !four.eigenvalues.isEmpty {
        print("\nHidden 4, epoch by epoch: the test MSE and the turning modes (|λ| > 0.9)")
        var byEpoch = Table(header: ["epoch", "test MSE", "turning modes: period (|λ|)"])
        for epoch in [1, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60] where epoch <= twoFrequencyEpochs {
            byEpoch.add(["\(epoch)", Table.number(mean(four.testLosses[epoch])), oscillations(four.eigenvalues[epoch - 1])])
        }
        print(byEpoch.render())
    }
    print(plot.terminal(height: 12))
    experiment.save(plot.svg(), as: "two-frequencies")
    if seeds.count > 1 {
        for h in [2, 4] {
            let both = two.filter {
                $0.hidden == h && onePerPair($0.eigenvalues.last ?? []).filter { $0.im != 0 && $0.modulus > 0.95 }.count >= 2
            }
            print("hidden \(h): two turning modes with |λ| > 0.95 in \(both.count) of \(seeds.count) seeds")
        }
    }
}

experiment.finish()
