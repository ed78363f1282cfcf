import Autograd
import Foundation
@testable import Grading
import XCTest

/// Correct implementations of lesson 1 written differently from the reference (loops for
/// tensor ops, another order of random draws, an equivalent formula, zeroGrad after the
/// step…): every grader must pass them, so stricter probes never reject a right answer.
final class LessonOneAlternativesTests: XCTestCase {
    func assertPasses<I>(_ exercise: Exercise<I>, _ alternatives: [(String, I)], file: StaticString = #filePath, line: UInt = #line) {
        for (name, implementation) in alternatives {
            let verdict = exercise.grade(implementation)
            XCTAssertEqual(verdict.status, .passed, "\(exercise.id), \(name): \(verdict)", file: file, line: line)
        }
    }

    // MARK: - 1.1

    /// Sums of sinusoids with every phase drawn first, the noise drawn afterwards as one
    /// block, and sin written as a shifted cosine: the same distribution, other draws.
    static func sinusoidsDrawnFirst(
        count: Int, frequencies: [Float], weights: [Float]?, steps: Int, sampleInterval: Float, noise: Float, rng: inout RNG
    ) throws -> Tensor {
        let k = frequencies.count
        let w = weights ?? Array(repeating: 1 / Float(k), count: k)
        let phases = (0..<count).map { _ in (0..<k).map { _ in rng.uniform(0, 2 * Float.pi) } }
        let noises = noise > 0 ? (0..<(count * steps)).map { _ in noise * rng.normal() } : Array(repeating: 0, count: count * steps)
        var values: [Float] = []
        for n in 0..<count {
            for t in 0..<steps {
                let time = sampleInterval * Float(t)
                let clean = zip(zip(frequencies, w), phases[n]).map { fw, phi in fw.1 * cos(2 * .pi * fw.0 * time + phi - .pi / 2) }
                values.append(clean.reduce(0, +) + noises[values.count])
            }
        }
        return try Tensor(values, shape: [count, steps])
    }

    /// The reference's order of draws, each row a matrix product: sin(angles) [steps, K] · w [K, 1].
    static func sinusoidsAsMatmul(
        count: Int, frequencies: [Float], weights: [Float]?, steps: Int, sampleInterval: Float, noise: Float, rng: inout RNG
    ) throws -> Tensor {
        let k = frequencies.count
        let w = try Tensor(weights ?? Array(repeating: 1 / Float(k), count: k), shape: [k, 1])
        var rows: [Tensor] = []
        for _ in 0..<count {
            let phases = frequencies.map { _ in 2 * Float.pi * rng.uniform() }
            var sines: [Float] = []  // [steps, K], row-major
            for t in 0..<steps {
                for j in 0..<k { sines.append(sin(2 * Float.pi * frequencies[j] * Float(t) * sampleInterval + phases[j])) }
            }
            var row = try Tensor(sines, shape: [steps, k]).matmul(w).squeeze(1)
            if noise > 0 { row = try row + Tensor((0..<steps).map { _ in noise * rng.normal() }) }
            rows.append(row)
        }
        return try stack(rows, axis: 0)
    }

    func test_1_1_alternatives() {
        assertPasses(Lesson1Graders.sinusoids, [
            ("phases drawn first, noise as one block, cos(θ − π/2)", { try Self.sinusoidsDrawnFirst(count: $0, frequencies: $1, weights: $2, steps: $3, sampleInterval: $4, noise: $5, rng: &$6) }),
            ("each row a matrix product sin(angles)·w", { try Self.sinusoidsAsMatmul(count: $0, frequencies: $1, weights: $2, steps: $3, sampleInterval: $4, noise: $5, rng: &$6) }),
        ])
    }

    // MARK: - 1.2

    func test_1_2_alternatives() {
        assertPasses(Lesson1Graders.nextStepPairs, [
            ("time-major slices, transposed back", { s in
                let u = try s.transpose(0, 1), t = u.shape[0]
                return (try u.slice(axis: 0, 0..<(t - 1)).transpose(0, 1).unsqueeze(2), try u.slice(axis: 0, 1..<t).transpose(0, 1).unsqueeze(2))
            }),
            ("one column at a time, stacked on the time axis", { s in
                let columns = try (0..<s.shape[1]).map { try s.select(axis: 1, index: $0).unsqueeze(1) }  // each [N, 1]
                return (try stack(Array(columns.dropLast()), axis: 1), try stack(Array(columns.dropFirst()), axis: 1))
            }),
        ])
    }

    // MARK: - 1.3 and 1.4

    /// One step as explicit matrix products: x·W_xhᵀ + h·W_hhᵀ + (b_xh + b_hh), then h′·W_hyᵀ + b_hy.
    static func stepByHand(_ p: LinearRNNParts, _ x: Tensor, _ h: Tensor) throws -> (output: Tensor, hidden: Tensor) {
        let rows = h.rank == 1 ? try h.unsqueeze(0) : h
        let biases = try p.inputToHidden.bias! + p.hiddenToHidden.bias!
        let new = try rows.matmul(p.hiddenToHidden.weight.transpose(0, 1)) + x.matmul(p.inputToHidden.weight.transpose(0, 1)) + biases
        return (try new.matmul(p.hiddenToOutput.weight.transpose(0, 1)) + p.hiddenToOutput.bias!, new)
    }

    func test_1_3_alternatives() {
        assertPasses(Lesson1Graders.step, [("explicit matmuls, the biases added together", { p, x, h in try Self.stepByHand(p, x, h) })])
    }

    func test_1_4_alternatives() {
        assertPasses(Lesson1Graders.unroll, [
            ("state expanded over the batch first, outputs stacked time-major then transposed", { p, x in
                var h = try p.initialHidden.expand(to: [x.shape[0], p.initialHidden.shape[0]])
                var outputs: [Tensor] = []
                for t in 0..<x.shape[1] {
                    let (y, next) = try Self.stepByHand(p, x.select(axis: 1, index: t), h)
                    outputs.append(y)
                    h = next
                }
                return try stack(outputs, axis: 0).transpose(0, 1)
            })
        ])
    }

    // MARK: - 1.5

    func test_1_5_alternatives() {
        assertPasses(Lesson1Graders.trainEpoch, [
            ("own permutation cut into batches, hand-written MSE, zeroGrad after the step", { model, optimizer, inputs, targets, batchSize, rng in
                let order = rng.permutation(inputs.shape[0])
                var losses: [Float] = []
                for start in stride(from: 0, to: order.count, by: batchSize) {
                    let idx = Array(order[start..<min(start + batchSize, order.count)])
                    let error = try model(inputs.indexSelect(axis: 0, indices: idx)) - targets.indexSelect(axis: 0, indices: idx)
                    let loss = try (error * error).mean()
                    try loss.backward()
                    optimizer.step()
                    optimizer.zeroGrad()
                    losses.append(try loss.item())
                }
                return losses
            }),
            ("batches(…), the loss recorded after the step from the same tensor", { model, optimizer, inputs, targets, batchSize, rng in
                try batches(count: inputs.shape[0], batchSize: batchSize, shuffle: true, rng: &rng).map { idx in
                    optimizer.zeroGrad()
                    let loss = try mseLoss(model(inputs.indexSelect(axis: 0, indices: idx)), targets.indexSelect(axis: 0, indices: idx))
                    try loss.backward()
                    optimizer.step()
                    return try loss.item()
                }
            }),
        ])
    }

    // MARK: - 1.6

    func test_1_6_alternatives() {
        assertPasses(Lesson1Graders.generate, [
            ("the prefix but its last sample read first, that sample then fed like a prediction", { p, prefix, steps in
                try noGrad {
                    var h = p.initialHidden
                    for t in 0..<(prefix.shape[1] - 1) { h = try Self.stepByHand(p, prefix.select(axis: 1, index: t), h).hidden }
                    var x = try prefix.select(axis: 1, index: prefix.shape[1] - 1)
                    var outputs: [Tensor] = []
                    while outputs.count < steps {
                        let (y, next) = try Self.stepByHand(p, x, h)
                        outputs.append(y)
                        (x, h) = (y, next)
                    }
                    return try stack(outputs, axis: 1)
                }
            }),
            ("with gradients on, every output detached", { p, prefix, steps in
                var (y, h) = (Tensor.zeros([0]), p.initialHidden)
                for t in 0..<prefix.shape[1] { (y, h) = try Self.stepByHand(p, prefix.select(axis: 1, index: t), h.detached()) }
                var outputs: [Tensor] = []
                for _ in 0..<steps {
                    outputs.append(y.detached())
                    (y, h) = try Self.stepByHand(p, y.detached(), h.detached())
                }
                return try stack(outputs, axis: 1)
            }),
        ])
    }

    // MARK: - 1.7

    func test_1_7_alternatives() {
        assertPasses(Lesson1Graders.closedLoop, [
            ("read off the map itself: c = f(0), A[:, j] = f(e_j) − c", { p in
                let hidden = p.initialHidden.shape[0]
                // One closed-loop step: the output read off h is the next input.
                let f = { (h: Tensor) in try noGrad { try Self.stepByHand(p, p.hiddenToOutput(h), h).hidden } }
                let c = try f(Tensor.zeros([1, hidden]))
                let columns = try (0..<hidden).map { j in
                    try (f(Tensor((0..<hidden).map { $0 == j ? 1 : 0 }, shape: [1, hidden])) - c).squeeze(0)
                }
                return (try stack(columns, axis: 1), try c.squeeze(0))
            }),
            ("the row form h·Aᵀ, transposed at the end", { p in
                let (wxh, whh, why) = (p.inputToHidden.weight, p.hiddenToHidden.weight, p.hiddenToOutput.weight)
                let rowMatrix = try whh.transpose(0, 1) + why.transpose(0, 1).matmul(wxh.transpose(0, 1))
                let offset = try p.hiddenToOutput.bias!.unsqueeze(0).matmul(wxh.transpose(0, 1)).squeeze(0) + p.hiddenToHidden.bias! + p.inputToHidden.bias!
                return (try rowMatrix.transpose(0, 1), offset)
            }),
        ])
    }

    // MARK: - 1.8

    func test_1_8_alternatives() {
        assertPasses(Lesson1Graders.eigenvalues2x2, [
            ("discriminant as ((p − s)/2)² + q·r, in Double", { a in
                let v = a.scalars.map(Double.init)
                let m = (v[0] + v[3]) / 2, half = (v[0] - v[3]) / 2, d = half * half + v[1] * v[2]
                return d < 0 ? [(m, (-d).squareRoot()), (m, -(-d).squareRoot())] : [(m - d.squareRoot(), 0), (m + d.squareRoot(), 0)]
            }),
            ("the same stable discriminant in Float (it cannot cancel or overflow here)", { a in
                let v = a.scalars
                let m = (v[0] + v[3]) / 2, half = (v[0] - v[3]) / 2, d = half * half + v[1] * v[2]
                let r = Double(Swift.abs(d).squareRoot())
                return d < 0 ? [(Double(m), -r), (Double(m), r)] : [(Double(m) + r, 0), (Double(m) - r, 0)]
            }),
            ("the larger real root first, the other from the product of the roots (det)", { a in
                let v = a.scalars.map(Double.init)
                let m = (v[0] + v[3]) / 2, det = v[0] * v[3] - v[1] * v[2], d = m * m - det
                guard d >= 0 else { return [(m, -(-d).squareRoot()), (m, (-d).squareRoot())] }
                let big = m >= 0 ? m + d.squareRoot() : m - d.squareRoot()
                return [(big, 0), (big == 0 ? 0 : det / big, 0)]
            }),
        ])
    }
}

/// Shortcuts that passed lesson 1's graders before their probes were widened: each must
/// fail now. Those that throw on the new probes are known mistakes, named wherever their
/// line (written here as a student would, not as the grader's catalogue writes them); the
/// others are a variation of a known mistake, and no known mistake names them.
final class LessonOneShortcutsTests: XCTestCase {
    func assertFails<I>(_ exercise: Exercise<I>, _ shortcuts: [(String, I)], file: StaticString = #filePath, line: UInt = #line) {
        for (name, implementation) in shortcuts {
            let verdict = exercise.grade(implementation)
            XCTAssertEqual(verdict.status, .failed, "\(exercise.id) accepts the shortcut \(name): \(verdict)", file: file, line: line)
        }
    }

    /// Each shortcut fails, and is named as the known mistake `id`.
    func assertNamed<I>(_ exercise: Exercise<I>, _ id: String, _ shortcuts: [(String, I)], file: StaticString = #filePath, line: UInt = #line) {
        for (name, implementation) in shortcuts {
            let verdict = exercise.grade(implementation)
            XCTAssertEqual(verdict.status, .failed, "\(exercise.id) accepts the shortcut \(name): \(verdict)", file: file, line: line)
            XCTAssertEqual(verdict.mistake?.id, id, "\(exercise.id), \(name) is not named as \(id):\n\(verdict)", file: file, line: line)
        }
    }

    /// A step written for a batch of rows only (h.matmul needs h 2-D), its output
    /// optionally reshaped to the input's shape "to be safe" (fits only when input = output).
    static func rowsOnlyStep(_ p: LinearRNNParts, _ x: Tensor, _ h: Tensor, reshapedLikeInput: Bool = false) throws -> (output: Tensor, hidden: Tensor) {
        let new = try x.matmul(p.inputToHidden.weight.transpose(0, 1)) + h.matmul(p.hiddenToHidden.weight.transpose(0, 1))
            + p.inputToHidden.bias! + p.hiddenToHidden.bias!
        let y = try p.hiddenToOutput(new)
        return (reshapedLikeInput ? try y.reshape(x.shape) : y, new)
    }

    func test_1_3_and_1_4_shortcuts() {
        assertNamed(Lesson1Graders.step, "state-as-rows-only", [
            ("h.matmul(W_hhᵀ): a state [hidden] does not go through", { p, x, h in try Self.rowsOnlyStep(p, x, h) }),
        ])
        assertNamed(Lesson1Graders.step, "output-reshaped-like-input", [
            ("the output reshaped to x's shape", { p, x, h in
                let (y, new) = try LessonOneAlternativesTests.stepByHand(p, x, h)
                return (try y.reshape(x.shape), new)
            }),
            ("rows only, and the output reshaped to x's shape", { p, x, h in try Self.rowsOnlyStep(p, x, h, reshapedLikeInput: true) }),
        ])
        assertNamed(Lesson1Graders.unroll, "outputs-reshaped-like-input", [
            ("the outputs reshaped to x's shape", { p, x in
                var (h, outputs) = (p.initialHidden, [Tensor]())
                for t in 0..<x.shape[1] {
                    let (y, next) = try LessonOneAlternativesTests.stepByHand(p, x.select(axis: 1, index: t), h)
                    (h, outputs) = (next, outputs + [y])
                }
                return try stack(outputs, axis: 1).reshape(x.shape)
            })
        ])
    }

    func test_1_5_shortcuts() {
        /// The reference loop with its batch size fixed, or the loss recorded again after the step.
        func loop(fixedBatch: Int? = nil, recordAfterStep: Bool = false) -> Lesson1Graders.TrainEpoch {
            { model, optimizer, inputs, targets, batchSize, rng in
                try batches(count: inputs.shape[0], batchSize: fixedBatch ?? batchSize, shuffle: true, rng: &rng).map { idx in
                    let (x, y) = (try inputs.indexSelect(axis: 0, indices: idx), try targets.indexSelect(axis: 0, indices: idx))
                    let loss = try mseLoss(model(x), y)
                    optimizer.zeroGrad()
                    try loss.backward()
                    optimizer.step()
                    return recordAfterStep ? try noGrad { try mseLoss(model(x), y).item() } : try loss.item()
                }
            }
        }
        assertFails(Lesson1Graders.trainEpoch, [("batches of 4 whatever batchSize says", loop(fixedBatch: 4)), ("the loss recorded after the step", loop(recordAfterStep: true))])
    }

    func test_1_6_shortcuts() {
        assertNamed(Lesson1Graders.generate, "one-feature-only", [
            ("the result reshaped to one feature", { p, prefix, steps in
                try Lesson1Graders.generateWith(p, prefix, steps).reshape([prefix.shape[0], steps, 1])
            })
        ])
    }

    func test_1_7_shortcuts() {
        /// A with W_xh * W_hy (elementwise: an outer product only when input = output = 1), or c
        /// with W_xh.squeeze(1) * b_hy (W_xh·b_hy only for one feature).
        func loop(elementwise: Bool = false, squeezedOffset: Bool = false) -> Lesson1Graders.ClosedLoop {
            { p in
                let (wxh, whh, why, bhy) = (p.inputToHidden.weight, p.hiddenToHidden.weight, p.hiddenToOutput.weight, p.hiddenToOutput.bias!)
                let a = try whh + (elementwise ? wxh * why : wxh.matmul(why))
                let pushed = squeezedOffset ? try wxh.squeeze(1) * bhy : try wxh.matmul(bhy.unsqueeze(1)).squeeze(1)
                return (a, try pushed + p.inputToHidden.bias! + p.hiddenToHidden.bias!)
            }
        }
        assertFails(Lesson1Graders.closedLoop, [("W_xh * W_hy", loop(elementwise: true))])
        assertNamed(Lesson1Graders.closedLoop, "squeezed-offset", [("W_xh.squeeze(1) * b_hy", loop(squeezedOffset: true))])
    }

    func test_1_8_shortcuts() {
        assertFails(Lesson1Graders.eigenvalues2x2, [
            ("the textbook formula (tr ± √(tr² − 4·det))/2 in Float", { a in
                let v = a.scalars
                let tr = v[0] + v[3], d = tr * tr - 4 * (v[0] * v[3] - v[1] * v[2])
                let root = Swift.abs(d).squareRoot() / 2
                return d >= 0 ? [(Double(tr / 2 + root), 0), (Double(tr / 2 - root), 0)] : [(Double(tr / 2), Double(root)), (Double(tr / 2), -Double(root))]
            })
        ])
    }
}
