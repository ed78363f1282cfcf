import Autograd

/// Building blocks for probes: fixed random inputs, and recording an output together
/// with the gradients it sends back to named tensors.
public enum Probes {
    /// Uniform values in `range`, from a fixed seed, requiring gradients.
    public static func input(_ shape: [Int], seed: UInt64, _ range: ClosedRange<Float> = -2...2) -> Tensor {
        var rng = RNG(seed: seed)
        return Tensor.uniform(shape, range.lowerBound, range.upperBound, requiresGrad: true, rng: &rng)
    }

    /// Records `output` as `name`, then back-propagates fixed random weights
    /// (Σ wᵢ·outputᵢ, w in [0.5, 1.5)) and records the gradient of each tensor in `wrt` as
    /// "∂<its name>". A tensor that no gradient reached is left out, which the comparison
    /// reports as missing.
    public static func record(
        _ output: Tensor, as name: String = "output", gradientsOf wrt: [(String, Tensor)], into outcome: inout Outcome, seed: UInt64 = 7
    ) throws {
        outcome.record(name, output)
        for (_, t) in wrt { t.zeroGrad() }
        guard output.requiresGrad, !wrt.isEmpty else { return }
        var rng = RNG(seed: seed)
        try output.backward(Tensor.uniform(output.shape, 0.5, 1.5, rng: &rng))
        for (n, t) in wrt {
            if let g = t.grad { outcome.record("∂\(n)", g) }
            t.zeroGrad()
        }
    }

    /// Runs one case of a probe so that its error does not hide the other cases: what it
    /// records, or, if it throws, one empty entry "`name` threw: <error>" (file and line
    /// left out). A case the contract allows but a shortcut cannot handle (codes of another
    /// rank) then fails with its own message, and a mistake that throws only there still
    /// has a fingerprint. `TODO` is not caught: an unwritten exercise stays unwritten.
    public static func attempt(_ name: String, into outcome: inout Outcome, _ body: (inout Outcome) throws -> Void) throws {
        var attempt = outcome
        do {
            try body(&attempt)
            outcome = attempt
        } catch let todo as TODO {
            throw todo
        } catch {
            outcome.entries.append(Outcome.Entry(name: "\(name)\(Outcome.caseThrew)\(Outcome.withoutLocation("\(error)"))", shape: [0], values: []))
        }
    }

    /// The outcome of a function of tensors on inputs of the given shapes, one set of
    /// inputs per seed: each output and the gradient with respect to each input.
    public static func function(
        _ f: ([Tensor]) throws -> Tensor, inputs: [(name: String, shape: [Int])], seeds: [UInt64],
        range: ClosedRange<Float> = -2...2
    ) throws -> Outcome {
        var outcome = Outcome()
        for (n, seed) in seeds.enumerated() {
            let xs = inputs.enumerated().map { i, spec in input(spec.shape, seed: seed &* 1000 &+ UInt64(i), range) }
            expose(zip(inputs, xs).map { ($0.name, $1) })
            let y = try f(xs)
            let suffix = seeds.count > 1 ? " (inputs #\(n + 1))" : ""
            try record(y, as: "output\(suffix)", gradientsOf: zip(inputs, xs).map { ("\($0.name)\(suffix)", $1) }, into: &outcome)
        }
        return outcome
    }
}
