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

/// Compares the gradient of the scalar `f(inputs)` computed by `backward()` with central
/// finite differences, element by element, and reports the worst element.
///
/// The scalar is summed in `Double` and the step is a power of two, so the estimate is
/// good to about 1e-4 relative: the default tolerance (rtol 2e-3, atol 2e-4) catches a 1%
/// error in any gradient element of ordinary size. Keep inputs away from kinks (relu at 0).
///
///     let report = try gradCheck([x, w]) { t in try (t[0].matmul(t[1])).tanh().sum() }
///     XCTAssert(report.passed, "\(report)")
public func gradCheck(
    _ inputs: [Tensor], step: Float = 1.0 / 256, rtol: Float = 2e-3, atol: Float = 2e-4,
    _ f: ([Tensor]) throws -> Tensor
) throws -> GradCheckReport {
    for t in inputs { t.requiresGrad = true; t.zeroGrad() }
    let out = try f(inputs)
    guard out.count == 1 else {
        throw TensorError(op: "gradCheck", "f must return a scalar, got shape \(describe(out.shape))")
    }
    try out.backward()
    let analytic = inputs.map { $0.gradScalars ?? [Float](repeating: 0, count: $0.count) }

    func value() throws -> Double {
        try noGrad { try f(inputs) }.scalars.reduce(0.0) { $0 + Double($1) }
    }
    var worst = GradCheckReport(input: 0, element: 0, analytic: 0, numeric: 0, error: 0, checked: 0)
    var checked = 0
    for (i, t) in inputs.enumerated() {
        for e in 0..<t.count {
            let saved = t.scalars[e]
            t.scalars[e] = saved + step
            let up = try value()
            t.scalars[e] = saved - step
            let down = try value()
            t.scalars[e] = saved
            let numeric = Float((up - down) / (2 * Double(step)))
            let a = analytic[i][e]
            let err = Swift.abs(a - numeric) / (atol + rtol * Swift.abs(numeric))
            checked += 1
            if err > worst.error || !err.isFinite {
                worst = GradCheckReport(input: i, element: e, analytic: a, numeric: numeric, error: err.isFinite ? err : .infinity, checked: 0)
            }
        }
    }
    for t in inputs { t.zeroGrad() }
    return GradCheckReport(input: worst.input, element: worst.element, analytic: worst.analytic,
                           numeric: worst.numeric, error: worst.error, checked: checked)
}
