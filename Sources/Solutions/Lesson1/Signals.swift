import Autograd
import Foundation

// Lesson 1, exercises 1.1 and 1.2: the data.
//
// A signal is a sum of sinusoids sampled every Δ time units. Each sinusoid has a
// frequency f (periods per time unit), a weight w and a phase φ. The phases are drawn
// at random, one per sequence and per frequency, so that no two sequences start at the
// same point of their cycle: a model must read the phase from the signal itself.
//
// For next-step prediction, a sequence of T samples gives T − 1 pairs: the input at
// step t is sample t, the target is sample t + 1.

/// `count` sums of sinusoids, each `steps` samples long, with random phases.
/// Returns [count, steps]:
///
///     x[n, t] = Σₖ wₖ · sin(2π · fₖ · t·Δ + φ[n, k])  +  noise · ε[n, t]
///
/// - frequencies fₖ: periods per time unit (f = 1 and Δ = 0.1 give 10 samples a period);
/// - weights wₖ: one per frequency; nil means equal weights 1/K, so the sum stays in [−1, 1];
/// - sampleInterval Δ: the time between two samples (the notebook's `sample_frequency`);
/// - phases φ[n, k] = 2π·u with u = rng.uniform(), drawn afresh for every sequence n and
///   every frequency k; noise ε[n, t] = rng.normal(), one per sample, only when noise > 0.
public func sinusoids(
    count: Int, frequencies: [Float] = [1], weights: [Float]? = nil, steps: Int = 100,
    sampleInterval: Float = 0.1, noise: Float = 0, rng: inout RNG
) throws -> Tensor {
    // TODO(1.1): weights default to 1/K each; per sequence draw K phases 2π·u; add the weighted sines at times t·Δ; add noise·normal() if noise > 0.
    // BEGIN SOLUTION
    let w = weights ?? [Float](repeating: 1 / Float(frequencies.count), count: frequencies.count)
    guard w.count == frequencies.count else {
        throw TensorError(op: "sinusoids", "\(w.count) weights for \(frequencies.count) frequencies")
    }
    var values = [Float](repeating: 0, count: count * steps)
    for n in 0..<count {
        let phases = frequencies.map { _ in 2 * Float.pi * rng.uniform() }
        for t in 0..<steps {
            let time = Float(t) * sampleInterval
            var x: Float = 0
            for k in frequencies.indices {
                x += w[k] * Foundation.sin(2 * Float.pi * frequencies[k] * time + phases[k])
            }
            values[n * steps + t] = x
        }
        if noise > 0 {
            for t in 0..<steps { values[n * steps + t] += noise * rng.normal() }
        }
    }
    return try Tensor(values, shape: [count, steps])
    // END SOLUTION
}

/// Inputs and targets for next-step prediction, with a feature axis of size 1.
/// signals: [N, T] → inputs [N, T − 1, 1] (samples 0 ..< T − 1) and
/// targets [N, T − 1, 1] (samples 1 ..< T): the target at step t is the input at t + 1.
public func nextStepPairs(_ signals: Tensor) throws -> (inputs: Tensor, targets: Tensor) {
    // TODO(1.2): slice the time axis twice (one step apart), then add a last axis of size 1 to each.
    // BEGIN SOLUTION
    guard signals.rank == 2 else { throw TensorError(op: "nextStepPairs", "signals must be [N, T], got \(signals.shape)") }
    let t = signals.shape[1]
    let inputs = try signals.slice(axis: 1, 0..<(t - 1)).unsqueeze(2)
    let targets = try signals.slice(axis: 1, 1..<t).unsqueeze(2)
    return (inputs, targets)
    // END SOLUTION
}
