/// Checks gradients against finite differences: the test every op must pass, and a
/// tool for a student who writes an op of their own.

/// What `gradCheck` found: the worst element over all inputs.
public struct GradCheckReport: CustomStringConvertible, Sendable {
    /// Which input (position in the list) and which element of it was worst.
    public let input: Int, element: Int
    /// The gradient `backward()` computed there, and the finite-difference estimate.
    public let analytic: Float, numeric: Float
    /// |analytic − numeric| / (atol + rtol·|numeric|): at most 1 passes.
    public let error: Float
    /// How many gradient elements were compared.
    public let checked: Int

    public var passed: Bool { error <= 1 }

    public var description: String {
        "\(passed ? "ok" : "MISMATCH"): worst at input \(input), element \(element): analytic \(analytic), numeric \(numeric) (\(checked) elements checked, error \(error) of tolerance)"
    }
}

/// Compares the gradients that `backward()` computes for `f(inputs)` with central finite
/// differences, element by element, and reports the worst element.
///
/// `f` may return a tensor of any shape: the check uses the scalar Σ wᵢ·yᵢ with fixed
/// weights in [0.5, 1.5) (so no symmetry hides an error), summed in `Double`; the step
/// is a power of two. The estimate is then good to about 1e-4 relative, and the default
/// tolerance (rtol 2e-3, atol 2e-4) catches a 1% error in any gradient element of
/// ordinary size. Keep inputs away from kinks (relu at 0). Inputs made by other ops are
/// checked as fresh leaves with their values.
///
///     let report = try gradCheck([x, w]) { t in try t[0].matmul(t[1]).tanh() }
///     XCTAssert(report.passed, "\(report)")
public func gradCheck(
    _ inputs: [Tensor], step: Float = 1.0 / 256, rtol: Float = 2e-3, atol: Float = 2e-4,
    _ f: ([Tensor]) throws -> Tensor
) throws -> GradCheckReport {
    let leaves = inputs.map { $0.isLeaf ? $0 : $0.detached() }
    let wasRequiring = leaves.map(\.requiresGrad)
    defer { for (t, r) in zip(leaves, wasRequiring) { t.requiresGrad = r; t.zeroGrad() } }
    for t in leaves { t.requiresGrad = true; t.zeroGrad() }
    let out = try f(leaves)
    var rng = RNG(seed: 0x6772_6164)
    let weights = (0..<out.count).map { _ in rng.uniform(0.5, 1.5) }
    guard out.requiresGrad else {
        throw TensorError(op: "gradCheck", "f's result does not depend on its inputs through recorded ops")
    }
    try out.backward(Tensor(shape: out.shape, scalars: weights))
    let analytic = leaves.map { $0.gradScalars ?? [Float](repeating: 0, count: $0.count) }

    func value() throws -> Double {
        let y = try noGrad { try f(leaves) }.scalars
        var s = 0.0
        for (w, v) in zip(weights, y) { s += Double(w) * Double(v) }
        return s
    }
    var worst = (input: 0, element: 0, analytic: Float(0), numeric: Float(0), error: Float(0))
    var checked = 0
    for (i, t) in leaves.enumerated() {
        for e in 0..<t.count {
            let saved = t.scalars[e]
            t.scalars[e] = saved + step
            let up = try value()
            t.scalars[e] = saved - step
            let down = try value()
            t.scalars[e] = saved
            let numeric = Float((up - down) / (2 * Double(step)))
            let a = analytic[i][e]
            var err = Swift.abs(a - numeric) / (atol + rtol * Swift.abs(numeric))
            if !err.isFinite { err = .infinity }
            checked += 1
            if err > worst.error || (checked == 1) { worst = (i, e, a, numeric, err) }
        }
    }
    return GradCheckReport(input: worst.input, element: worst.element, analytic: worst.analytic,
                           numeric: worst.numeric, error: worst.error, checked: checked)
}
