import Foundation
import XCTest
@testable import Autograd

/// The optimizers, gradient clipping and learning-rate schedules against their published
/// formulas (Kingma & Ba for Adam, Loshchilov & Hutter for AdamW, Liu et al. for RAdam,
/// PyTorch's docs for SGD, clipping and the schedules), each worked out here in Double,
/// independently of the implementation.
final class OptimizersTests: XCTestCase {
    // MARK: - Helpers

    /// A parameter holding `values`, with `grad` as its gradient (as after `backward()`).
    func parameter(_ values: [Double], grad: [Double]? = nil) -> Tensor {
        let p = Tensor(values.map(Float.init), requiresGrad: true)
        p.gradScalars = grad.map { $0.map(Float.init) }
        return p
    }

    /// Asserts each value is within a relative tolerance of the expected one.
    func assertClose(_ got: [Float], _ want: [Double], rtol: Double = 2e-6, atol: Double = 1e-7, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        guard got.count == want.count else {
            XCTFail("\(what): expected \(want.count) values, got \(got.count)", file: file, line: line)
            return
        }
        for (i, (g, w)) in zip(got, want).enumerated() {
            let tol = atol + rtol * Swift.abs(w)
            if !(Swift.abs(Double(g) - w) <= tol) {
                XCTFail("\(what): element \(i): expected \(w), got \(g) (|diff| \(Swift.abs(Double(g) - w)) > tolerance \(tol))", file: file, line: line)
            }
        }
    }

    /// Asserts that `body` throws a TensorError whose text holds `mention`.
    func assertThrows(_ what: String, mentions mention: String, file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("\(what): expected a TensorError mentioning \"\(mention)\", got no error", file: file, line: line)
        } catch {
            XCTAssertTrue("\(error)".contains(mention), "\(what): expected the error to mention \"\(mention)\", got \"\(error)\"", file: file, line: line)
        }
    }

    let w0: [Double] = [1, -2, 3, 0.5]
    /// Gradients for successive steps: mixed signs and scales (including a zero).
    let grads: [[Double]] = [[0.5, -0.25, 2, 0], [-0.3, 0.1, 1.5, 0.2], [0.7, 0.05, -1, -0.4],
                             [0.2, -0.6, 0.3, 0.1], [-0.1, 0.4, 0.9, -0.2], [0.6, 0.2, -0.5, 0.3],
                             [0.05, -0.3, 0.4, 0.8], [-0.4, 0.1, 0.2, -0.1]]

    /// Runs `steps` optimizer steps with `grads` and returns the parameter's values after each.
    func run(_ make: ([Tensor]) throws -> any Optimizer, steps: Int) throws -> [[Float]] {
        let p = parameter(w0)
        let opt = try make([p])
        var out: [[Float]] = []
        for k in 0..<steps {
            p.gradScalars = grads[k].map(Float.init)
            opt.step()
            XCTAssertTrue(opt.parameters[0] === p, "the optimizer must update the parameter in place")
            out.append(p.scalars)
        }
        return out
    }

    // MARK: - SGD

    func testSGDOneStep() throws {
        let got = try run({ try SGD($0, learningRate: 0.1) }, steps: 1)
        // w − lr · g
        assertClose(got[0], [1 - 0.05, -2 + 0.025, 3 - 0.2, 0.5], "SGD step")

        let decayed = try run({ try SGD($0, learningRate: 0.1, weightDecay: 0.01) }, steps: 1)
        assertClose(decayed[0], zip(w0, grads[0]).map { w, g in w - 0.1 * (g + 0.01 * w) }, "SGD step with weight decay")
    }

    func testSGDMomentumTwoSteps() throws {
        let (lr, mu, wd) = (0.1, 0.9, 0.01)
        for nesterov in [false, true] {
            let got = try run({ try SGD($0, learningRate: Float(lr), momentum: Float(mu), weightDecay: Float(wd), nesterov: nesterov) }, steps: 2)
            var w = w0, b = [Double](repeating: 0, count: 4)
            for k in 0..<2 {
                for j in 0..<4 {
                    let d = grads[k][j] + wd * w[j]
                    b[j] = k == 0 ? d : mu * b[j] + d      // buffer = d on the first step
                    w[j] -= lr * (nesterov ? d + mu * b[j] : b[j])
                }
                assertClose(got[k], w, "SGD momentum (nesterov \(nesterov)) after step \(k + 1)")
            }
        }
        // By hand, without weight decay: b1 = g1, b2 = 0.9 g1 + g2.
        let plain = try run({ try SGD($0, learningRate: 0.1, momentum: 0.9) }, steps: 2)
        let byHand = (0..<4).map { (j: Int) -> Double in
            let (g1, g2) = (grads[0][j], grads[1][j])
            return w0[j] - 0.1 * g1 - 0.1 * (0.9 * g1 + g2)
        }
        assertClose(plain[1], byHand, "SGD momentum by hand")
        // Dampening scales the gradient into the buffer after the first step.
        let damped = try run({ try SGD($0, learningRate: 0.1, momentum: 0.9, dampening: 0.5) }, steps: 2)
        let dampedByHand = (0..<4).map { (j: Int) -> Double in
            let (g1, g2) = (grads[0][j], grads[1][j])
            return w0[j] - 0.1 * g1 - 0.1 * (0.9 * g1 + 0.5 * g2)
        }
        assertClose(damped[1], dampedByHand, "SGD dampening")
    }

    // MARK: - Adam

    /// Adam as Kingma & Ba's Algorithm 1 (with L2 added to the gradient, as torch.optim.Adam).
    func adamReference(steps: Int, lr: Double, b1: Double, b2: Double, eps: Double, l2: Double = 0, decoupled: Double = 0) -> [[Double]] {
        var w = w0, m = [Double](repeating: 0, count: 4), v = m
        var out: [[Double]] = []
        for k in 0..<steps {
            let t = Double(k + 1)
            for j in 0..<4 {
                w[j] *= 1 - lr * decoupled
                let g = grads[k][j] + l2 * w[j]
                m[j] = b1 * m[j] + (1 - b1) * g
                v[j] = b2 * v[j] + (1 - b2) * g * g
                let mHat = m[j] / (1 - Foundation.pow(b1, t)), vHat = v[j] / (1 - Foundation.pow(b2, t))
                w[j] -= lr * mHat / (vHat.squareRoot() + eps)
            }
            out.append(w)
        }
        return out
    }

    func testAdamOneStep() throws {
        let got = try run({ try Adam($0, learningRate: 0.01) }, steps: 1)
        // m̂ = g and v̂ = g², so each element moves by lr · g / (|g| + eps) ≈ lr · sign(g).
        assertClose(got[0], [1 - 0.01, -2 + 0.01, 3 - 0.01, 0.5], rtol: 1e-6, "Adam first step ≈ lr · sign(g)")
        assertClose(got[0], zip(w0, grads[0]).map { w, g in w - 0.01 * g / (Swift.abs(g) + 1e-8) }, "Adam first step, exact")
    }

    func testAdamThreeSteps() throws {
        let got = try run({ try Adam($0, learningRate: 0.01, betas: (0.9, 0.999), eps: 1e-8) }, steps: 3)
        let want = adamReference(steps: 3, lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8)
        for k in 0..<3 { assertClose(got[k], want[k], "Adam after step \(k + 1)") }

        let l2 = try run({ try Adam($0, learningRate: 0.01, betas: (0.8, 0.99), eps: 1e-3, weightDecay: 0.1) }, steps: 3)
        let wantL2 = adamReference(steps: 3, lr: 0.01, b1: 0.8, b2: 0.99, eps: 1e-3, l2: 0.1)
        for k in 0..<3 { assertClose(l2[k], wantL2[k], "Adam with L2 weight decay after step \(k + 1)") }
    }

    func testAdamWOneStep() throws {
        let got = try run({ try AdamW($0, learningRate: 0.01, weightDecay: 0.1) }, steps: 1)
        // w · (1 − lr · wd) − lr · g / (|g| + eps): the decay does not go through m and v.
        assertClose(got[0], zip(w0, grads[0]).map { w, g in w * (1 - 0.001) - 0.01 * g / (Swift.abs(g) + 1e-8) }, "AdamW first step")
        XCTAssertEqual(try AdamW([parameter(w0)]).weightDecay, 0.01, "AdamW's default weight decay is PyTorch's")

        let three = try run({ try AdamW($0, learningRate: 0.01, weightDecay: 0.1) }, steps: 3)
        let want = adamReference(steps: 3, lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8, decoupled: 0.1)
        for k in 0..<3 { assertClose(three[k], want[k], "AdamW after step \(k + 1)") }
    }

    // MARK: - RAdam

    /// RAdam as in Liu et al. (Algorithm 2), with PyTorch's placement of eps.
    func radamReference(steps: Int, lr: Double, b1: Double, b2: Double, eps: Double, l2: Double = 0) -> (w: [[Double]], rho: [Double]) {
        var w = w0, m = [Double](repeating: 0, count: 4), v = m
        var out: [[Double]] = [], rhos: [Double] = []
        let rhoInf = 2 / (1 - b2) - 1
        for k in 0..<steps {
            let t = Double(k + 1)
            let rho = rhoInf - 2 * t * Foundation.pow(b2, t) / (1 - Foundation.pow(b2, t))
            rhos.append(rho)
            for j in 0..<4 {
                let g = grads[k][j] + l2 * w[j]
                m[j] = b1 * m[j] + (1 - b1) * g
                v[j] = b2 * v[j] + (1 - b2) * g * g
                let mHat = m[j] / (1 - Foundation.pow(b1, t))
                if rho > 5 {
                    let l = (1 - Foundation.pow(b2, t)).squareRoot() / (v[j].squareRoot() + eps)
                    let r = ((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho)).squareRoot()
                    w[j] -= lr * mHat * r * l
                } else {
                    w[j] -= lr * mHat
                }
            }
            out.append(w)
        }
        return (out, rhos)
    }

    func testRAdamBelowAndAboveRectificationThreshold() throws {
        let got = try run({ try RAdam($0, learningRate: 0.01) }, steps: 8)
        let (want, rho) = radamReference(steps: 8, lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8)
        XCTAssertTrue(rho[4] <= 5 && rho[5] > 5, "with β2 = 0.999, steps 1–5 are momentum steps and 6 on rectified (ρ = \(rho))")
        // Step 1 is plain momentum: m̂ = g, so w − lr · g.
        assertClose(got[0], zip(w0, grads[0]).map { w, g in w - 0.01 * g }, "RAdam step 1 (unrectified)")
        for k in 0..<8 { assertClose(got[k], want[k], rtol: 5e-6, "RAdam after step \(k + 1) (ρ = \(rho[k]))") }

        let l2 = try run({ try RAdam($0, learningRate: 0.01, betas: (0.8, 0.99), weightDecay: 0.1) }, steps: 8)
        let wantL2 = radamReference(steps: 8, lr: 0.01, b1: 0.8, b2: 0.99, eps: 1e-8, l2: 0.1).w
        for k in 0..<8 { assertClose(l2[k], wantL2[k], rtol: 5e-6, "RAdam with weight decay after step \(k + 1)") }
    }

    // MARK: - Behaviour shared by all optimizers

    func testParametersWithoutGradientAreSkippedAndKeepTheirState() throws {
        let makers: [(String, ([Tensor]) throws -> any Optimizer)] = [
            ("SGD", { try SGD($0, learningRate: 0.1, momentum: 0.9) }),
            ("Adam", { try Adam($0, learningRate: 0.1) }),
            ("AdamW", { try AdamW($0, learningRate: 0.1) }),
            ("RAdam", { try RAdam($0, learningRate: 0.1) }),
        ]
        for (name, make) in makers {
            let a = parameter([1, 2], grad: [1, -1]), b = parameter([3, 4])
            let opt = try make([a, b, a])
            XCTAssertEqual(opt.parameters.count, 2, "\(name): a parameter listed twice is kept once")
            opt.step()
            XCTAssertEqual(b.scalars, [3, 4], "\(name): a parameter without a gradient must not move")
            XCTAssertNotEqual(a.scalars, [1, 2], "\(name): a parameter with a gradient must move")
            // b's first gradient: its own first step (Adam: by lr · sign(g)).
            b.gradScalars = [2, -2]
            let before = a.scalars
            a.gradScalars = nil
            opt.step()
            XCTAssertEqual(a.scalars, before, "\(name): a parameter whose gradient was cleared must not move")
            if name == "Adam" { assertClose(b.scalars, [2.9, 4.1], "\(name): a parameter's first step counts from its first gradient") }
            opt.zeroGrad()
            XCTAssertNil(b.grad, "\(name): zeroGrad clears the gradients")
        }
    }

    func testBadHyperparametersThrow() {
        let p = parameter([1])
        assertThrows("negative rate", mentions: "learningRate") { _ = try SGD([p], learningRate: -1) }
        assertThrows("NaN rate", mentions: "learningRate") { _ = try Adam([p], learningRate: .nan) }
        assertThrows("nesterov without momentum", mentions: "Nesterov") { _ = try SGD([p], learningRate: 0.1, nesterov: true) }
        assertThrows("beta of 1", mentions: "betas.0") { _ = try Adam([p], betas: (1, 0.999)) }
        assertThrows("negative decay", mentions: "weightDecay") { _ = try AdamW([p], weightDecay: -0.1) }
        assertThrows("negative eps", mentions: "eps") { _ = try RAdam([p], eps: -1) }
        assertThrows("no parameters", mentions: "empty parameter list") { _ = try Adam([]) }
    }

    /// Each optimizer drives an ill-conditioned quadratic to its minimum, through `backward()`.
    func testOptimizersMinimiseAQuadratic() throws {
        let makers: [(String, Int, ([Tensor]) throws -> any Optimizer)] = [
            ("SGD", 200, { try SGD($0, learningRate: 0.05) }),
            ("SGD momentum", 200, { try SGD($0, learningRate: 0.02, momentum: 0.9) }),
            ("SGD nesterov", 200, { try SGD($0, learningRate: 0.02, momentum: 0.9, nesterov: true) }),
            ("Adam", 500, { try Adam($0, learningRate: 0.05) }),
            ("AdamW", 500, { try AdamW($0, learningRate: 0.05, weightDecay: 0) }),
            ("RAdam", 500, { try RAdam($0, learningRate: 0.05) }),
        ]
        let target = Tensor([1, -2, 0.5, 3]), scales = Tensor([1, 10, 0.5, 4])
        for (name, steps, make) in makers {
            let w = Tensor.zeros([4], requiresGrad: true)
            let opt = try make([w])
            func loss() throws -> Tensor { try ((w - target).squared() * scales).sum() }
            let start = try loss().item()
            for _ in 0..<steps {
                opt.zeroGrad()
                try loss().backward()
                opt.step()
            }
            let end = try loss().item()
            XCTAssertLessThan(end, 1e-3 * start, "\(name): loss went from \(start) to \(end) in \(steps) steps; expected below \(1e-3 * start)")
        }
    }

    // MARK: - Gradient clipping

    func testClipGradNorm() {
        let a = parameter([0, 0], grad: [3, 4]), b = parameter([0], grad: [12]), c = parameter([0])
        // ‖(3, 4, 12)‖ = 13; the parameter without a gradient does not count.
        let norm = clipGradNorm([a, b, c], maxNorm: 6.5)
        XCTAssertEqual(norm, 13, accuracy: 1e-5, "the total norm before clipping")
        let k = 6.5 / (13 + 1e-6)
        assertClose(a.gradScalars!, [3 * k, 4 * k], "clipped gradient of a")
        assertClose(b.gradScalars!, [12 * k], "clipped gradient of b")
        XCTAssertNil(c.gradScalars, "a parameter without a gradient stays without one")

        // Below the limit nothing changes.
        let d = parameter([0, 0], grad: [3, 4])
        XCTAssertEqual(clipGradNorm([d, d], maxNorm: 10), 5, accuracy: 1e-6, "a tensor listed twice is counted once")
        XCTAssertEqual(d.gradScalars!, [3, 4], "a norm under maxNorm leaves the gradients alone")
        XCTAssertEqual(clipGradNorm([c], maxNorm: 1), 0, "no gradients: norm 0")
    }

    // MARK: - Schedules

    func testStepLRSequence() throws {
        let opt = try SGD([parameter([1])], learningRate: 0.1)
        let schedule = try StepLR(opt, stepSize: 3, gamma: 0.5)
        var rates = [opt.learningRate]
        for _ in 0..<7 { schedule.step(); rates.append(opt.learningRate) }
        // PyTorch: lr = 0.1 · 0.5^⌊n / 3⌋ for n = 0 ... 7.
        assertClose(rates, [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025], "StepLR rates")
        XCTAssertEqual(schedule.learningRate, opt.learningRate, "the schedule reports the rate it set")
        XCTAssertEqual(schedule.stepCount, 7)
        assertThrows("zero step size", mentions: "stepSize") { _ = try StepLR(opt, stepSize: 0) }
    }

    func testLambdaLRWarmUp() throws {
        let opt = try Adam([parameter([1])], learningRate: 0.01)
        let schedule = LambdaLR(opt) { n in Swift.min(1, Float(n + 1) / 4) }
        var rates = [opt.learningRate]
        for _ in 0..<5 { schedule.step(); rates.append(opt.learningRate) }
        // PyTorch: lr = 0.01 · factor(n) from the schedule's making on (n = 0 ... 5).
        assertClose(rates, [0.0025, 0.005, 0.0075, 0.01, 0.01, 0.01], "LambdaLR linear warm-up rates")
        XCTAssertEqual(schedule.learningRate, opt.learningRate, "the schedule reports the rate it set")
        XCTAssertEqual(schedule.stepCount, 5)
    }

    func testOneCycleLRSequence() throws {
        let opt = try Adam([parameter([1])], learningRate: 123)
        let (peak, total) = (0.1, 100)
        let schedule = try OneCycleLR(opt, maxLearningRate: Float(peak), totalSteps: total)
        var rates = [opt.learningRate]
        for _ in 1..<total { try schedule.step(); rates.append(opt.learningRate) }

        // PyTorch's cosine annealing: from a to b over a phase, lr = b + (a − b)/2 · (1 + cos(π · pct)).
        func cosine(_ a: Double, _ b: Double, _ pct: Double) -> Double { b + (a - b) / 2 * (1 + Foundation.cos(Double.pi * pct)) }
        let initial = peak / 25, final = initial / 1e4
        let warmEnd = 0.3 * Double(total) - 1   // 29
        let want = (0..<total).map { n -> Double in
            let n = Double(n)
            return n <= warmEnd ? cosine(initial, peak, n / warmEnd) : cosine(peak, final, (n - warmEnd) / (Double(total - 1) - warmEnd))
        }
        assertClose(rates, want, rtol: 1e-5, atol: 1e-9, "OneCycleLR rates")
        assertClose([rates[0], rates[29], rates[99]], [0.004, 0.1, 4e-7], rtol: 1e-5, atol: 1e-10, "OneCycleLR starts at max/25, peaks at step 29, ends at max/(25·1e4)")
        XCTAssertEqual(rates.firstIndex(of: rates.max()!), 29, "the peak is at pctStart · totalSteps − 1")
        XCTAssertTrue(zip(rates, rates.dropFirst()).prefix(29).allSatisfy { $0 < $1 }, "warm-up rises")
        XCTAssertTrue(zip(rates, rates.dropFirst()).dropFirst(29).allSatisfy { $0 > $1 }, "annealing falls")

        // PyTorch allows step() until last_epoch = totalSteps, and refuses the next.
        try schedule.step()
        assertThrows("stepping past totalSteps", mentions: "totalSteps = 100") { try schedule.step() }
        assertThrows("pctStart out of range", mentions: "pctStart") { _ = try OneCycleLR(opt, maxLearningRate: 0.1, totalSteps: 10, pctStart: 1.5) }
        assertThrows("no steps", mentions: "totalSteps") { _ = try OneCycleLR(opt, maxLearningRate: 0.1, totalSteps: 0) }
    }

    /// PyTorch's cycle_momentum: the momentum goes max → base while the rate warms up and
    /// base → max while it anneals, by the same cosine; it is SGD's momentum or Adam's β1.
    func testOneCycleLRCyclesMomentumAgainstTheRate() throws {
        func cosine(_ a: Double, _ b: Double, _ pct: Double) -> Double { b + (a - b) / 2 * (1 + Foundation.cos(Double.pi * pct)) }
        let total = 50
        let warmEnd = 0.3 * Double(total) - 1   // 14
        let want = (0..<total).map { n -> Double in
            let n = Double(n)
            return n <= warmEnd ? cosine(0.95, 0.85, n / warmEnd) : cosine(0.85, 0.95, (n - warmEnd) / (Double(total - 1) - warmEnd))
        }
        let sgd = try SGD([parameter([1])], learningRate: 0.1)    // made without momentum: PyTorch sets it anyway
        let adam = try Adam([parameter([1])], betas: (0.5, 0.99))
        for (name, opt, read) in [("SGD momentum", sgd as any Optimizer, { sgd.momentum }), ("Adam β1", adam, { adam.betas.0 })] {
            let schedule = try OneCycleLR(opt, maxLearningRate: 0.1, totalSteps: total)
            var seen = [read()]
            for _ in 1..<total { try schedule.step(); seen.append(read()) }
            assertClose(seen, want, rtol: 1e-6, atol: 1e-7, "\(name) under OneCycleLR")
            assertClose([seen[0], seen[14], seen[49]], [0.95, 0.85, 0.95], rtol: 1e-6, atol: 1e-7, "\(name): max at the start and end, base at the rate's peak")
            XCTAssertEqual(schedule.momentum, seen.last, "the schedule reports the momentum it set")
        }
        XCTAssertEqual(adam.betas.1, 0.99, "β2 is left alone")

        let kept = try SGD([parameter([1])], learningRate: 0.1, momentum: 0.3)
        let off = try OneCycleLR(kept, maxLearningRate: 0.1, totalSteps: 10, cycleMomentum: false)
        try off.step()
        XCTAssertEqual(kept.momentum, 0.3, "cycleMomentum: false leaves the momentum")
        XCTAssertNil(off.momentum)

        final class Plain: Optimizer {
            let parameters: [Tensor] = []
            var learningRate: Float = 0.1
            func step() {}
        }
        assertThrows("an optimizer without momentum", mentions: "cycleMomentum") { _ = try OneCycleLR(Plain(), maxLearningRate: 0.1, totalSteps: 10) }
        XCTAssertNoThrow(try OneCycleLR(Plain(), maxLearningRate: 0.1, totalSteps: 10, cycleMomentum: false))
        assertThrows("base above max", mentions: "baseMomentum") { _ = try OneCycleLR(sgd, maxLearningRate: 0.1, totalSteps: 10, baseMomentum: 0.96) }
        assertThrows("momentum of 1", mentions: "maxMomentum") { _ = try OneCycleLR(sgd, maxLearningRate: 0.1, totalSteps: 10, maxMomentum: 1) }
    }
}
