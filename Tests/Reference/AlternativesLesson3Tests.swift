import Autograd
import Grading
import XCTest

/// Correct implementations of lesson 3's exercises written differently from the reference
/// (loops instead of broadcasting, another stable formula, gradients zeroed after the
/// step…): every grader must pass them, so that stricter probes never reject a right answer.
/// (And a wrong one that throws is named as the known mistake that throws the same, wherever its line.)
final class LessonThreeAlternativesTests: XCTestCase {
    func test_3_1_padWithStops() {
        // A loop over the characters, the codes written into a flat array by hand.
        assertPasses(Lesson3Graders.padWithStops, { sequences in
            let alphabet = Array(Set(sequences.flatMap { Array($0) })).sorted()
            var code: [Character: Int] = [:]
            for (k, symbol) in alphabet.enumerated() { code[symbol] = k + 1 }
            let lengths = sequences.map(\.count)
            let steps = (lengths.max() ?? 0) + 1
            var values = [Float](repeating: 0, count: sequences.count * steps)
            for (i, sequence) in sequences.enumerated() {
                for (t, symbol) in sequence.enumerated() { values[i * steps + t] = Float(code[symbol]!) }
            }
            return (alphabet, try Tensor(values, shape: [sequences.count, steps]), lengths)
        }, "a loop writing the codes by hand")
        // One stop appended to every row, then padded to the longest row.
        assertPasses(Lesson3Graders.padWithStops, { sequences in
            let alphabet = Set(sequences.joined()).sorted()
            let rows = sequences.map { $0.map { alphabet.firstIndex(of: $0)! + 1 } + [0] }
            return (alphabet, try padSequences(rows), sequences.map(\.count))
        }, "a stop appended to every row, then padSequences")
    }

    func test_3_2_realMask() {
        assertPasses(Lesson3Graders.realMask, { lengths, steps in
            var rows: [[Float]] = []
            for n in lengths { rows.append((0..<steps).map { $0 < n ? 1 : 0 }) }
            return try Tensor(rows)
        }, "a loop over the rows")
        assertPasses(Lesson3Graders.realMask, { lengths, steps in
            try Tensor.arange(steps).lt(Tensor(indices: lengths).unsqueeze(1))
        }, "t < n with the positions on the left")
        assertPasses(Lesson3Graders.realMask, { try lengthMask(lengths: $0, maxLength: $1) }, "the core's lengthMask")
    }

    /// A stacked RNN with time in the outer loop and the layers inside, one state per layer,
    /// each `width(x, layer's weights)` wide.
    static func timeOutside(width: @escaping (Tensor, RecurrentWeights) -> Int) -> Lesson3Graders.StackedRNN {
        { x, layers in
            var states = layers.map { Tensor.zeros([x.shape[0], width(x, $0)]) }
            var tops: [Tensor] = []
            for t in 0..<x.shape[1] {
                var input = try x.select(axis: 1, index: t)
                for (l, w) in layers.enumerated() {
                    states[l] = try rnnCell(input, states[l], weights: w)
                    input = states[l]
                }
                tops.append(input)
            }
            return (try stack(tops, axis: 1), try stack(states, axis: 0))
        }
    }

    func test_3_3_aStateAsWideAsTheInputIsNamed() {
        // Time outside, layers inside, each state sized from x: it runs only while input = hidden.
        let verdict = Lesson3Graders.stackedRNN.grade(Self.timeOutside { x, _ in x.shape[2] })
        XCTAssertEqual(verdict.status, .failed, "\(verdict)")
        XCTAssertEqual(verdict.mistake?.id, "hidden-size-from-x", "\(verdict)")
    }

    func test_3_3_stackedRNN() {
        // Time outside, layers inside, one state per layer.
        assertPasses(Lesson3Graders.stackedRNN, Self.timeOutside { _, w in w.hiddenSize }, "time outside, the layers inside, one state per layer")
        // The cell written out with matmul, and hidden taken from each layer's states.
        assertPasses(Lesson3Graders.stackedRNN, { x, layers in
            var input = x, finals: [Tensor] = []
            for w in layers {
                var h = Tensor.zeros([x.shape[0], w.hiddenSize]), states: [Tensor] = []
                for t in 0..<x.shape[1] {
                    var pre = try input.select(axis: 1, index: t).matmul(w.weightIH.T) + h.matmul(w.weightHH.T)
                    if let b = w.biasIH { pre = try pre + b }
                    if let b = w.biasHH { pre = try pre + b }
                    h = pre.tanh()
                    states.append(h)
                }
                input = try stack(states, axis: 1)
                finals.append(try input.select(axis: 1, index: x.shape[1] - 1))
            }
            return (input, try stack(finals, axis: 0))
        }, "the cell with matmul, hidden read from the states")
    }

    func test_3_4_stateAtOwnLastStep() {
        assertPasses(Lesson3Graders.stateAtOwnLastStep, { output, lengths in
            try stack(lengths.enumerated().map { b, n in try output.select(axis: 0, index: b).select(axis: 0, index: n - 1) }, axis: 0)
        }, "row by row, then stacked")
        assertPasses(Lesson3Graders.stateAtOwnLastStep, { output, lengths in
            let steps = output.shape[1]
            let last = try lengthMask(lengths: lengths, maxLength: steps) - lengthMask(lengths: lengths.map { $0 - 1 }, maxLength: steps)
            return try (output * last.unsqueeze(2)).sum(axis: 1)
        }, "a mask that is 1 at t = n − 1 only, summed over time")
    }

    func test_3_5_maskedCrossEntropy() {
        // One-hot targets and a log-sum-exp written out, stable by the row's max.
        assertPasses(Lesson3Graders.maskedCrossEntropy, { logits, targets, mask in
            let m = try logits.max(axis: -1, keepDims: true).detached()
            let logSumExp = try (logits - m).exp().sum(axis: -1, keepDims: true).log() + m
            let picked = try (oneHot(targets, classes: logits.shape[2]) * (logits - logSumExp)).sum(axis: -1)
            return try -(picked * mask).sum() / mask.sum()
        }, "one-hot targets, log-sum-exp minus the max")
        assertPasses(Lesson3Graders.maskedCrossEntropy, { try crossEntropy($0, $1, mask: $2) }, "the core's crossEntropy with a mask")
    }

    func test_3_6_trainEpoch() {
        // zeroGrad after the step, a permutation drawn by hand, the loss with a mask of 1s.
        assertPasses(Lesson3Graders.trainEpoch, { model, optimizer, inputs, targets, lengths, strategy, batchSize, rng in
            let order = Array(0..<inputs.shape[0]).shuffled(using: &rng)
            var losses: [Float] = []
            for start in stride(from: 0, to: order.count, by: batchSize) {
                let batch = Array(order[start..<min(start + batchSize, order.count)])
                let n = batch.map { lengths[$0] }
                let logits = try model(inputs.indexSelect(axis: 0, indices: batch), strategy.masksEncoder ? n : nil)
                let steps = targets.shape[1]
                let mask = try lengthMask(lengths: strategy.masksLoss ? n.map { $0 + 1 } : n.map { _ in steps }, maxLength: steps)
                let loss = try crossEntropy(logits, targets.indexSelect(axis: 0, indices: batch), mask: mask)
                try loss.backward()
                optimizer.step()
                optimizer.zeroGrad()
                losses.append(try loss.item())
            }
            return losses
        }, "zeroGrad after the step, a permutation by hand")
    }

    /// The variants the automatic diagnosis will try run on the probe and are told apart
    /// from the reference (a variant equal to it would name a change that changes nothing).
    func testVariantsRunAndDifferFromTheReference() throws {
        assertVariantsDiffer(Lesson3Graders.stackedRNN)
        assertVariantsDiffer(Lesson3Graders.stateAtOwnLastStep)
        assertVariantsDiffer(Lesson3Graders.maskedCrossEntropy)
        XCTAssertFalse(Lesson3Graders.stackedRNN.variants.isEmpty)
    }
}
