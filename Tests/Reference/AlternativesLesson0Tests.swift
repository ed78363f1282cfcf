import Autograd
import Foundation
import Grading
import XCTest

/// Correct implementations of lesson 0 written differently from the reference: every
/// grader must pass them, so that stricter probes never start rejecting right answers. (And
/// a wrong one that throws is named as the known mistake that throws the same, wherever its line.)
/// (No "Lesson0" in the name: `swift test --filter Lesson0` is the student's command.)
final class LessonZeroAlternativesTests: XCTestCase {
    func assertPasses<I>(_ exercise: Exercise<I>, _ alternatives: [(String, I)], file: StaticString = #filePath, line: UInt = #line) {
        for (name, implementation) in alternatives {
            let verdict = exercise.grade(implementation)
            XCTAssertEqual(verdict.status, .passed, "\(exercise.id), \(name):\n\(verdict)", file: file, line: line)
        }
    }

    // MARK: - 0.1

    /// An elementwise primitive from a forward formula and a pullback in (g, x, y).
    static func primitive(_ forward: @escaping (Float) -> Float, _ pullback: @escaping (Float, Float, Float) -> Float) -> (Tensor) throws -> Tensor {
        { x in
            let xs = x.scalars, ys = xs.map(forward)
            return try Tensor.primitive("sigmoid", inputs: [x], shape: x.shape, scalars: ys) { g in [(0..<g.count).map { pullback(g[$0], xs[$0], ys[$0]) }] }
        }
    }

    /// σ branching on the sign, so that exp never sees a positive argument.
    static func stableSigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }

    func testEquivalentSigmoidsPass() {
        assertPasses(Lesson0Graders.sigmoid, [
            ("branching on the sign", Self.primitive(Self.stableSigmoid) { g, _, y in g * y * (1 - y) }),
            ("(1 + tanh(x/2)) / 2", Self.primitive({ (1 + Foundation.tanh($0 / 2)) / 2 }) { g, _, y in g * y * (1 - y) }),
            ("σ′ from x as σ(x)·σ(−x)", Self.primitive(Self.stableSigmoid) { g, x, _ in g * Self.stableSigmoid(x) * Self.stableSigmoid(-x) }),
            ("in Double", Self.primitive({ Float(1 / (1 + Foundation.exp(-Double($0)))) }) { g, _, y in Float(Double(g) * Double(y) * (1 - Double(y))) }),
        ])
    }

    // MARK: - 0.2

    func testEquivalentNumericalGradientsPass() {
        assertPasses(Lesson0Graders.numericalGradient, [
            ("one copy, put back after each element", { f, x, h in
                var v = x.scalars, g = [Float](repeating: 0, count: x.count)
                for i in 0..<x.count {
                    let old = v[i]
                    v[i] = old + h
                    let up = try f(Tensor(v, shape: x.shape)).item()
                    v[i] = old - h
                    let down = try f(Tensor(v, shape: x.shape)).item()
                    v[i] = old
                    g[i] = (up - down) / (2 * h)
                }
                return try Tensor(g, shape: x.shape)
            }),
            ("x nudged in place and put back", { f, x, h in
                let original = x.scalars
                var g = [Float](repeating: 0, count: x.count)
                for i in 0..<x.count {
                    var v = original
                    v[i] = original[i] + h
                    try x.assign(v)
                    let up = try f(x).item()
                    v[i] = original[i] - h
                    try x.assign(v)
                    g[i] = (up - (try f(x).item())) / (2 * h)
                }
                try x.assign(original)
                return try Tensor(g, shape: x.shape)
            }),
            ("h·eᵢ as a tensor, differences in Double", { f, x, h in
                let base = x.detached()
                let g = try (0..<x.count).map { i -> Float in
                    var e = [Float](repeating: 0, count: x.count)
                    e[i] = h
                    let step = try Tensor(e, shape: x.shape)
                    let up = Double(try f(base + step).item()), down = Double(try f(base - step).item())
                    return Float((up - down) / (2 * Double(h)))
                }
                return try Tensor(g, shape: x.shape)
            }),
        ])
    }

    // MARK: - 0.3

    func testEquivalentSoftmaxesPass() {
        assertPasses(Lesson0Graders.softmax, [
            ("max not detached (its gradient cancels)", { x in
                let e = try (x - x.max(axis: -1, keepDims: true)).exp()
                return try e / e.sum(axis: -1, keepDims: true)
            }),
            ("exp of a stable log-softmax", { x in
                let m = try x.max(axis: -1, keepDims: true).detached()
                let shifted = try x - m
                return try (shifted - shifted.exp().sum(axis: -1, keepDims: true).log()).exp()
            }),
            ("max over axis rank − 1", { x in
                let m = try x.max(axis: x.rank - 1, keepDims: true).detached()
                let e = try (x - m).exp()
                return try e / e.sum(axis: x.rank - 1, keepDims: true)
            }),
        ])
    }

    func testASoftmaxOverAHardCodedAxisIsNamed() {
        // Written as a student writes it, for [batch, classes] only: a [5] row has no axis 1.
        let verdict = Lesson0Graders.softmax.grade { x in
            let shifted = try x - x.max(axis: 1, keepDims: true).detached()
            let e = shifted.exp()
            return try e / e.sum(axis: 1, keepDims: true)
        }
        XCTAssertEqual(verdict.status, .failed, "\(verdict)")
        XCTAssertEqual(verdict.mistake?.id, "hard-coded-axis-1", "\(verdict)")
    }

    // MARK: - 0.4

    func testEquivalentLineFitsPass() {
        assertPasses(Lesson0Graders.fitLine, [
            ("zeroGrad before backward, parameters in a list", { xs, ys, steps, lr in
                let x = Tensor(xs), y = Tensor(ys)
                let parameters = [Tensor(scalar: 0, requiresGrad: true), Tensor(scalar: 0, requiresGrad: true)]
                var losses: [Float] = []
                for _ in 0..<steps {
                    parameters.forEach { $0.zeroGrad() }
                    let loss = try mseLoss(parameters[0] * x + parameters[1], y)
                    losses.append(try loss.item())
                    try loss.backward()
                    try noGrad { for p in parameters { try p.assign(p - p.grad! * lr) } }
                }
                return .init(w: parameters[0].scalars[0], b: parameters[1].scalars[0], losses: losses)
            }),
            ("gradients by hand, no autograd", { xs, ys, steps, lr in
                var w: Float = 0, b: Float = 0, losses: [Float] = []
                let n = Float(xs.count)
                for _ in 0..<steps {
                    let errors = zip(xs, ys).map { x, y in w * x + b - y }
                    losses.append(errors.reduce(0) { $0 + $1 * $1 } / n)
                    let dw = zip(errors, xs).reduce(0) { $0 + 2 * $1.0 * $1.1 } / n
                    let db = errors.reduce(0) { $0 + 2 * $1 } / n
                    w -= lr * dw
                    b -= lr * db
                }
                return .init(w: w, b: b, losses: losses)
            }),
        ])
    }
}
