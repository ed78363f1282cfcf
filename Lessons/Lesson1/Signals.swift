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
    throw TODO("1.1")
}

/// Inputs and targets for next-step prediction, with a feature axis of size 1.
/// signals: [N, T] → inputs [N, T − 1, 1] (samples 0 ..< T − 1) and
/// targets [N, T − 1, 1] (samples 1 ..< T): the target at step t is the input at t + 1.
public func nextStepPairs(_ signals: Tensor) throws -> (inputs: Tensor, targets: Tensor) {
    // TODO(1.2): slice the time axis twice (one step apart), then add a last axis of size 1 to each.
    throw TODO("1.2")
}
