import Autograd
import Grading
import Solution2
import XCTest

/// Lesson 2, exercises 2.5–2.8: correct implementations written differently from the
/// reference pass their graders (stricter probes must never reject a right answer), wrong
/// ones outside the catalogue of known mistakes are still rejected, and wrong ones that throw
/// are named as the known mistake that throws the same (wherever their line).
final class LessonTwoModelAndTrainingAlternativesTests: XCTestCase {
    func assertPasses<I>(_ exercise: Exercise<I>, _ name: String, _ implementation: I, file: StaticString = #filePath, line: UInt = #line) {
        let verdict = exercise.grade(implementation)
        XCTAssertEqual(verdict.status, .passed, "\(exercise.id), \(name): a correct alternative is rejected:\n\(verdict)", file: file, line: line)
    }

    /// A wrong implementation is rejected; `diagnosed`, when given, is the known mistake it must be named as.
    func assertFails<I>(_ exercise: Exercise<I>, _ name: String, _ implementation: I, diagnosed: String? = nil, file: StaticString = #filePath, line: UInt = #line) {
        let verdict = exercise.grade(implementation)
        XCTAssertEqual(verdict.status, .failed, "\(exercise.id), \(name): a wrong implementation passes:\n\(verdict)", file: file, line: line)
        if let diagnosed { XCTAssertEqual(verdict.mistake?.id, diagnosed, "\(exercise.id), \(name):\n\(verdict)", file: file, line: line) }
    }

    /// Every variant runs on the probe and differs from the reference.
    func assertVariantsRun<I>(_ exercise: Exercise<I>, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(exercise.variants.isEmpty, "\(exercise.id) has no variants", file: file, line: line)
        for variant in exercise.variants {
            guard case .outcome = exercise.report(variant.implementation) else {
                return XCTFail("\(exercise.id): variant \(variant.id) gives no outcome: \(exercise.report(variant.implementation))", file: file, line: line)
            }
            XCTAssertEqual(exercise.grade(variant.implementation).status, .failed, "\(exercise.id): variant \(variant.id) passes", file: file, line: line)
        }
    }

    func testVariantsRunAndDiffer() {
        assertVariantsRun(Lesson2Graders.encoderDecoder)
        assertVariantsRun(Lesson2Graders.sequenceCrossEntropy)
        assertVariantsRun(Lesson2Graders.copyTaskData)
        assertVariantsRun(Lesson2Graders.trainEpoch)
    }

    // MARK: - 2.5

    func test_2_5_alternatives() {
        // The two halves written out inline, step by step.
        assertPasses(Lesson2Graders.encoderDecoder, "encoder and decoder loops inline") { m, x in
            var h = try m.initialState.expand(to: [x.shape[0], m.hiddenSize])
            for t in 0..<x.shape[1] { h = try (m.encoderInput(x.select(axis: 1, index: t)) + m.encoderHidden(h)).tanh() }
            var outputs: [Tensor] = []
            for _ in 0..<x.shape[1] {
                h = try m.decoderHidden(h).tanh()
                outputs.append(try m.decoderOutput(h))
            }
            return try stack(outputs, axis: 1)
        }
        // One sequence at a time, the results concatenated along the batch; steps from the axis before the last.
        assertPasses(Lesson2Graders.encoderDecoder, "a loop over the batch") { m, x in
            try concat((0..<x.shape[0]).map { b in
                let one = try x.indexSelect(axis: 0, indices: [b])
                let h = try Solution2.encoderFinalState(one, inputToHidden: m.encoderInput, hiddenToHidden: m.encoderHidden, initialState: m.initialState)
                return try Solution2.decoderOutputs(from: h, steps: one.shape[one.rank - 2], hiddenToHidden: m.decoderHidden, hiddenToOutput: m.decoderOutput)
            }, axis: 0)
        }
    }

    func test_2_5_uncataloguedMistakesAreRejected() {
        func forward(start: @escaping (Solution2.EncoderDecoder) -> Tensor = { $0.initialState }, steps: @escaping (Tensor) -> Int = { $0.shape[1] },
                     handOver: @escaping (Tensor) -> Tensor = { $0 }) -> Lesson2Graders.Forward {
            { m, x in
                let h = try Solution2.encoderFinalState(x, inputToHidden: m.encoderInput, hiddenToHidden: m.encoderHidden, initialState: start(m))
                return try Solution2.decoderOutputs(from: handOver(h), steps: steps(x), hiddenToHidden: m.decoderHidden, hiddenToOutput: m.decoderOutput)
            }
        }
        assertFails(Lesson2Graders.encoderDecoder, "initial state detached", forward(start: { $0.initialState.detached() }))
        assertFails(Lesson2Graders.encoderDecoder, "state squashed again", forward(handOver: { $0.tanh() }))
        assertFails(Lesson2Graders.encoderDecoder, "at most 10 steps", forward(steps: { min($0.shape[1], 10) }))
    }

    // MARK: - 2.6

    func test_2_6_alternatives() {
        // log-sum-exp by hand, with the row's maximum subtracted.
        assertPasses(Lesson2Graders.sequenceCrossEntropy, "stable log-sum-exp by hand") { z, y in
            let m = try z.max(axis: -1, keepDims: true).detached()
            let logSumExp = try m + (z - m).exp().sum(axis: -1, keepDims: true).log()
            return -(try (z - logSumExp).gather(axis: -1, index: y.unsqueeze(-1))).mean()
        }
        // The core's loss on [B·T, C] rows.
        assertPasses(Lesson2Graders.sequenceCrossEntropy, "crossEntropy on flattened rows") { z, y in
            try crossEntropy(z.reshape([y.count, z.shape[2]]), y.reshape([y.count]))
        }
        // One-hot targets: the product summed over the classes, then the mean over positions.
        assertPasses(Lesson2Graders.sequenceCrossEntropy, "one-hot product summed over classes") { z, y in
            -(try (oneHot(y, classes: z.shape[2]) * z.logSoftmax(axis: -1)).sum(axis: -1)).mean()
        }
    }

    func test_2_6_uncataloguedMistakesAreRejected() {
        func loss(shift: @escaping (Tensor) throws -> Tensor) -> Lesson2Graders.Loss {
            { z, y in
                let s = try z - shift(z)
                let logProbabilities = try s - s.exp().sum(axis: -1, keepDims: true).log()
                return -(try logProbabilities.gather(axis: -1, index: y.unsqueeze(-1))).mean()
            }
        }
        assertFails(Lesson2Graders.sequenceCrossEntropy, "the minimum subtracted", loss { z in -(try (-z).max(axis: -1, keepDims: true)) })
        assertFails(Lesson2Graders.sequenceCrossEntropy, "the mean subtracted", loss { try $0.mean(axis: -1, keepDims: true) })
        assertFails(Lesson2Graders.sequenceCrossEntropy, "the maximum of the whole tensor subtracted", loss { $0.max().detached() })
    }

    func test_2_6_aMistakeThatThrowsIsNamed() {
        // The one-hot product written with the targets' own largest class, as a student writes it.
        let fromTargets: Lesson2Graders.Loss = { z, y in
            let classes = Int(y.scalars.max() ?? 0) + 1
            let picked = try oneHot(y, classes: classes) * z.logSoftmax(axis: -1)
            return -(try picked.sum(axis: -1).mean())
        }
        assertFails(Lesson2Graders.sequenceCrossEntropy, "the number of classes taken from the targets", fromTargets, diagnosed: "classes-from-targets")
    }

    // MARK: - 2.7

    func test_2_7_alternatives() {
        // One-hot by broadcasting; each row's targets reversed by hand.
        assertPasses(Lesson2Graders.copyTaskData, "broadcast one-hot, rows reversed in a loop") { codes, a, reverse in
            let inputs = try codes.unsqueeze(-1).eq(Tensor.arange(a))
            guard reverse else { return (inputs, codes) }
            let (n, t) = (codes.shape[0], codes.shape[1])
            let rows = (0..<n).map { i in (0..<t).reversed().map { codes.indices[i * t + $0] } }
            return (inputs, try Tensor(indices: rows))
        }
        // The targets read back off the one-hot inputs.
        assertPasses(Lesson2Graders.copyTaskData, "targets from the inputs' argmax") { codes, a, reverse in
            let inputs = try oneHot(codes, classes: a)
            let back = try inputs.argmax(axis: -1)
            return (inputs, reverse ? try back.indexSelect(axis: 1, indices: Array((0..<codes.shape[1]).reversed())) : back)
        }
    }

    func test_2_7_uncataloguedMistakesAreRejected() {
        func data(alphabet: @escaping (Tensor, Int) -> Int = { _, a in a }, targets: @escaping (Tensor, Bool) throws -> Tensor) -> Lesson2Graders.CopyTaskData {
            { codes, a, reverse in (try oneHot(codes, classes: alphabet(codes, a)), try targets(codes, reverse)) }
        }
        let backwards = { (c: Tensor) in try c.indexSelect(axis: 1, indices: Array((0..<c.shape[1]).reversed())) }
        assertFails(Lesson2Graders.copyTaskData, "the flag ignored", data { c, _ in c })
        assertFails(Lesson2Graders.copyTaskData, "the flag inverted", data { c, r in r ? c : try backwards(c) })
        assertFails(Lesson2Graders.copyTaskData, "the code values reversed", data { c, r in r ? Float(c.scalars.max() ?? 0) - c : c })
    }

    func test_2_7_aMistakeThatThrowsIsNamed() {
        let backwards = { (c: Tensor) in try c.indexSelect(axis: 1, indices: Array((0..<c.shape[1]).reversed())) }
        assertFails(Lesson2Graders.copyTaskData, "alphabet from the distinct codes", { codes, _, reverse in
            let alphabet = Set(codes.scalars).count
            return (try oneHot(codes, classes: alphabet), reverse ? try backwards(codes) : codes)
        }, diagnosed: "alphabet-from-distinct-codes")
    }

    // MARK: - 2.8

    func test_2_8_alternatives() {
        // zeroGrad after the step: the gradients are clean before the next backward all the same.
        assertPasses(Lesson2Graders.trainEpoch, "zeroGrad after step") { model, optimizer, x, y, b, rng in
            var losses: [Float] = []
            for batch in try batches(count: x.shape[0], batchSize: b, shuffle: true, rng: &rng) {
                let loss = try crossEntropy(model(x.indexSelect(axis: 0, indices: batch)), y.indexSelect(axis: 0, indices: batch))
                try loss.backward()
                optimizer.step()
                optimizer.zeroGrad()
                losses.append(try loss.item())
            }
            return losses
        }
        // The permutation drawn by hand and cut with stride; the batch's rows copied out of the
        // scalars (so no gradient reaches the inputs), the loss read before backward.
        assertPasses(Lesson2Graders.trainEpoch, "hand-made batches of copied rows") { model, optimizer, x, y, b, rng in
            let order = rng.permutation(x.shape[0])
            let (xw, yw) = (x.count / x.shape[0], y.count / y.shape[0])
            func rows(_ t: Tensor, _ w: Int, _ picked: ArraySlice<Int>) throws -> Tensor {
                try Tensor(picked.flatMap { t.scalars[$0 * w..<($0 + 1) * w] }, shape: [picked.count] + t.shape.dropFirst())
            }
            var losses: [Float] = []
            for start in stride(from: 0, to: order.count, by: b) {
                let picked = order[start..<min(start + b, order.count)]
                optimizer.zeroGrad()
                let loss = try crossEntropy(model(rows(x, xw, picked)), rows(y, yw, picked))
                losses.append(try loss.item())
                try loss.backward()
                optimizer.step()
            }
            return losses
        }
    }

    func test_2_8_uncataloguedMistakesAreRejected() {
        func epoch(wholeData: Bool = false, freshRNG: Bool = false, record: @escaping (Float, Int) -> Float = { loss, _ in loss }) -> Lesson2Graders.TrainEpoch {
            { model, optimizer, x, y, b, rng in
                var own = RNG(seed: 0)
                let list = freshRNG ? try batches(count: x.shape[0], batchSize: b, shuffle: true, rng: &own)
                    : try batches(count: x.shape[0], batchSize: b, shuffle: true, rng: &rng)
                var losses: [Float] = []
                for batch in list {
                    let (xb, yb) = wholeData ? (x, y) : (try x.indexSelect(axis: 0, indices: batch), try y.indexSelect(axis: 0, indices: batch))
                    optimizer.zeroGrad()
                    let loss = try crossEntropy(model(xb), yb)
                    try loss.backward()
                    optimizer.step()
                    losses.append(record(try loss.item(), losses.count))
                }
                return losses
            }
        }
        var previous: Float = 0
        assertFails(Lesson2Graders.trainEpoch, "halved losses", epoch { loss, _ in loss / 2 })
        assertFails(Lesson2Graders.trainEpoch, "smoothed losses", epoch { loss, k in
            previous = k == 0 ? loss : 0.9 * previous + 0.1 * loss
            return previous
        })
        assertFails(Lesson2Graders.trainEpoch, "a fresh RNG(seed: 0) every epoch", epoch(freshRNG: true))
        assertFails(Lesson2Graders.trainEpoch, "the whole data set at every step", epoch(wholeData: true))
    }
}
