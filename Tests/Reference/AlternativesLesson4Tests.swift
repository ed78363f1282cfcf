import Autograd
import Foundation
@testable import Grading
import XCTest

/// Correct implementations of lesson 4's exercises written differently from the reference
/// (other keys and another order of draws, strings instead of arithmetic, the gates sliced
/// from the weights, the core's fused sequence op, loops instead of tensor ops, a decoder
/// stepped with the cell, a schedule in Float or read from a table): every grader must pass them. And wrong ones written differently
/// are still named.
final class LessonFourAlternativesTests: XCTestCase {
    /// A split with Int keys of the sorted pair, y drawn before x, and one draw per pair
    /// (an index into range × range); `holdsSwaps: false` keys the pair as drawn.
    static func splitByIndex(holdsSwaps: Bool = true) -> Lesson4Graders.SplitSums {
        { trainCount, testCount, range, rng in
            let n = range.count
            func draw() -> (x: Int, y: Int) {
                let k = rng.int(below: n * n)
                return (x: range.lowerBound + k % n, y: range.lowerBound + k / n)
            }
            func key(_ p: (x: Int, y: Int)) -> Int { holdsSwaps ? Swift.min(p.x, p.y) * 1_000_000 + Swift.max(p.x, p.y) : p.x * 1_000_000 + p.y }
            var held = Set<Int>(), test: [(x: Int, y: Int)] = [], train: [(x: Int, y: Int)] = []
            while test.count < testCount {
                let p = draw()
                if held.insert(key(p)).inserted { test.append(p) }
            }
            while train.count < trainCount {
                let p = draw()
                if !held.contains(key(p)) { train.append(p) }
            }
            return (train, test)
        }
    }

    func test_4_1_splitSums() {
        assertPasses(Lesson4Graders.splitSums, Self.splitByIndex(), "sorted-pair Int keys, one draw per pair")
        // Test pairs drawn as x then y, kept in an array checked by scanning; training drawn with y first.
        assertPasses(Lesson4Graders.splitSums, { trainCount, testCount, range, rng in
            var test: [(x: Int, y: Int)] = []
            while test.count < testCount {
                let x = Int.random(in: range, using: &rng), y = Int.random(in: range, using: &rng)
                if !test.contains(where: { ($0.x == x && $0.y == y) || ($0.x == y && $0.y == x) }) { test.append((x, y)) }
            }
            let held = Set(test.map { [Swift.min($0.x, $0.y), Swift.max($0.x, $0.y)] })
            var train: [(x: Int, y: Int)] = []
            while train.count < trainCount {
                let y = Int.random(in: range, using: &rng), x = Int.random(in: range, using: &rng)
                if !held.contains([Swift.min(x, y), Swift.max(x, y)]) { train.append((x, y)) }
            }
            return (train, test)
        }, "Int.random(in:using:), a scan for repeats, sorted keys")
        // The swap forgotten, written the other way: still named.
        assertDiagnosed(Lesson4Graders.splitSums, Self.splitByIndex(holdsSwaps: false), as: "swap-seen-in-training")
    }

    func test_4_2_encodeSums() {
        // The digits from the text, reversed and padded with "0"; one-hots from the core.
        assertPasses(Lesson4Graders.encodeSums, { pairs, places in
            func digits(_ n: Int) -> [Int] {
                let written = String(String(n).reversed()).map { Int(String($0))! }
                return (0..<places).map { $0 < written.count ? written[$0] : 0 }
            }
            let xs = try Tensor(indices: pairs.map { digits($0.x) }), ys = try Tensor(indices: pairs.map { digits($0.y) })
            let inputs = try concat([oneHot(xs, classes: 10), oneHot(ys, classes: 10)], axis: 2)
            return (inputs, try Tensor(indices: pairs.map { digits($0.x + $0.y) }))
        }, "digits from the text, the core's oneHot and concat")
        // Column addition with an explicit carry, the way it is done on paper.
        assertPasses(Lesson4Graders.encodeSums, { pairs, places in
            var inputs: [[[Float]]] = [], targets: [[Int]] = []
            for p in pairs {
                var (x, y, carry) = (p.x, p.y, 0)
                var steps: [[Float]] = [], answer: [Int] = []
                for _ in 0..<places {
                    var row = [Float](repeating: 0, count: 20)
                    row[x % 10] = 1
                    row[10 + y % 10] = 1
                    steps.append(row)
                    let s = x % 10 + y % 10 + carry
                    answer.append(s % 10)
                    carry = s / 10
                    (x, y) = (x / 10, y / 10)
                }
                inputs.append(steps)
                targets.append(answer)
            }
            return (try Tensor(inputs.flatMap { $0.flatMap { $0 } }, shape: [pairs.count, places, 20]), try Tensor(indices: targets))
        }, "column addition with a carry")
    }

    func test_4_3_lstmStep() {
        // Each gate from its own rows of the weights, with matmul and the transposes.
        assertPasses(Lesson4Graders.lstmStep, { x, h, c, w in
            let size = w.hiddenSize
            func gate(_ k: Int) throws -> Tensor {
                var z = try x.matmul(w.weightIH.narrow(axis: 0, start: k * size, length: size).T)
                    + h.matmul(w.weightHH.narrow(axis: 0, start: k * size, length: size).T)
                if let b = w.biasIH { z = try z + b.narrow(axis: 0, start: k * size, length: size) }
                if let b = w.biasHH { z = try z + b.narrow(axis: 0, start: k * size, length: size) }
                return z
            }
            let (i, f, g, o) = (try gate(0).sigmoid(), try gate(1).sigmoid(), try gate(2).tanh(), try gate(3).sigmoid())
            let next = try f * c + i * g
            return (try o * next.tanh(), next)
        }, "each gate's rows sliced, matmul with the transposes")
        // σ written as (1 + tanh(z/2)) / 2.
        assertPasses(Lesson4Graders.lstmStep, { x, h, c, w in
            let z = try linear(x, weight: w.weightIH, bias: w.biasIH) + linear(h, weight: w.weightHH, bias: w.biasHH)
            let p = try z.chunk(4, axis: 1)
            let sigma = { (t: Tensor) throws -> Tensor in try ((t * 0.5).tanh() + 1) * 0.5 }
            let next = try sigma(p[1]) * c + sigma(p[0]) * p[2].tanh()
            return (try sigma(p[3]) * next.tanh(), next)
        }, "σ(z) = (1 + tanh(z/2)) / 2")
        assertPasses(Lesson4Graders.lstmStep, { try lstmCell($0, $1, $2, weights: $3) }, "the core's lstmCell")
    }

    func test_4_4_unrollAdder() {
        // The core's fused sequence op, then the head on all steps at once.
        assertPasses(Lesson4Graders.unrollAdder, { x, cell, head in
            let zeros = Tensor.zeros([x.shape[0], cell.hiddenSize])
            return try head(lstmSequence(x, h0: zeros, c0: zeros, weights: cell).output)
        }, "lstmSequence, then the head on [B, T, H]")
        // The states collected first, the head applied to their stack.
        assertPasses(Lesson4Graders.unrollAdder, { x, cell, head in
            var state = (h: Tensor.zeros([x.shape[0], cell.hiddenSize]), c: Tensor.zeros([x.shape[0], cell.hiddenSize]))
            var hs: [Tensor] = []
            for t in 0..<x.shape[1] {
                state = try lstmCell(x.narrow(axis: 1, start: t, length: 1).squeeze(1), state.h, state.c, weights: cell)
                hs.append(state.h)
            }
            return try head(stack(hs, axis: 1))
        }, "the states stacked, then one head call")
    }

    func test_4_5_additionScores() {
        // Row by row, with loops.
        assertPasses(Lesson4Graders.additionScores, { predicted, targets in
            let (p, t, places) = (predicted.indices, targets.indices, targets.shape[1])
            var exact = 0, right = 0
            for row in 0..<targets.shape[0] {
                let r = (row * places)..<((row + 1) * places)
                let n = r.filter { p[$0] == t[$0] }.count
                right += n
                if n == places { exact += 1 }
            }
            return (Float(exact) / Float(targets.shape[0]), Float(right) / Float(t.count))
        }, "loops over the rows")
        // The wrong places counted per row; a row with none is exact.
        assertPasses(Lesson4Graders.additionScores, { predicted, targets in
            let wrong = try -predicted.eq(targets) + 1
            let exact = try wrong.sum(axis: 1).eq(0).mean().item()
            return (exact, try 1 - wrong.mean().item())
        }, "the wrong places counted per row")
        // The shortcut, written with tensor ops: still named.
        assertDiagnosed(Lesson4Graders.additionScores, { predicted, targets in
            let accuracy = try predicted.eq(targets).mean().item()
            return (accuracy, accuracy)
        }, as: "digits-for-exact")
    }

    func test_4_6_trainStep() {
        // The gradients zeroed after the step; the norm measured by hand from each .grad.
        assertPasses(Lesson4Graders.trainStep, { model, parameters, optimizer, inputs, targets, maxNorm in
            let loss = try crossEntropy(model(inputs), targets)
            try loss.backward()
            let norm = parameters.compactMap(\.grad).flatMap(\.scalars).reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
            clipGradNorm(parameters, maxNorm: maxNorm)
            optimizer.step()
            optimizer.zeroGrad()
            return (try loss.item(), norm)
        }, "zeroGrad after the step, the norm by hand")
        // The loss summed over places and divided by hand.
        assertPasses(Lesson4Graders.trainStep, { model, parameters, optimizer, inputs, targets, maxNorm in
            optimizer.zeroGrad()
            let loss = try crossEntropy(model(inputs), targets, reduction: .sum) / Float(targets.count)
            try loss.backward()
            let norm = clipGradNorm(parameters, maxNorm: maxNorm)
            optimizer.step()
            return (try loss.item(), norm)
        }, "a summed loss divided by B·T")
    }

    /// Greedy decoding one step at a time with the core's cell on the decoder's weights, h and
    /// c `[B, H]`, the `[B]` codes stacked along `axis`; `carries: false` starts every step
    /// from the encoder's state.
    static func decodeWithCell(carries: Bool = true, axis: Int = 1) -> Lesson4Graders.GreedyDecode {
        { decoder, head, state, steps in
            let (h0, c0) = (try state.h.squeeze(0), try state.c.squeeze(0))              // [B, H]
            var (h, c) = (h0, c0)
            var x = Tensor.zeros([h0.shape[0], 10])
            var codes: [Tensor] = []
            for _ in 0..<steps {
                (h, c) = try lstmCell(x, carries ? h : h0, carries ? c : c0, weights: decoder.weights[0])
                let code = try head(h).argmax(axis: 1)                                      // [B]
                codes.append(code)
                x = try oneHot(code, classes: 10)
            }
            return try stack(codes, axis: axis)
        }
    }

    func test_4_7_greedyDecode() {
        assertPasses(Lesson4Graders.greedyDecode, Self.decodeWithCell(), "lstmCell on decoder.weights[0], h and c [B, H], the codes stacked")
        // The one-hot built by hand from the scores' values; the codes kept as Swift Ints.
        assertPasses(Lesson4Graders.greedyDecode, { decoder, head, state, steps in
            let batch = state.h.shape[1]
            var rows = [[Int]](repeating: [], count: batch)
            var input = Tensor.zeros([batch, 1, 10]), carried = state
            for _ in 0..<steps {
                let run = try decoder(input, carried)
                carried = run.state
                let scores = try head(run.output).scalars                                    // B·10, row by row
                var hot = [Float](repeating: 0, count: batch * 10)
                for b in 0..<batch {
                    let row = Array(scores[(b * 10)..<(b * 10 + 10)])
                    let best = row.indices.max { row[$0] < row[$1] }!
                    rows[b].append(best)
                    hot[b * 10 + best] = 1
                }
                input = try Tensor(hot, shape: [batch, 1, 10])
            }
            return try Tensor(indices: rows)
        }, "the argmax and the one-hot by hand, the codes in a Swift array")
        // The whole answer so far read again from the encoder's state at every step.
        assertPasses(Lesson4Graders.greedyDecode, { decoder, head, state, steps in
            var read = [Tensor.zeros([state.h.shape[1], 1, 10])], codes: [Tensor] = []
            for t in 0..<steps {
                let output = try decoder(concat(read, axis: 1), state).output                // [B, t + 1, H]
                let code = try head(output.select(axis: 1, index: t)).argmax(axis: -1)      // [B]
                codes.append(code)
                read.append(try oneHot(code.unsqueeze(1), classes: 10))
            }
            return try stack(codes, axis: 1)
        }, "the answer so far re-read at every step")
        // The state not carried, and the codes stacked time first, written other ways: still named.
        assertDiagnosed(Lesson4Graders.greedyDecode, Self.decodeWithCell(carries: false), as: "state-not-carried")
        assertDiagnosed(Lesson4Graders.greedyDecode, Self.decodeWithCell(axis: 0), as: "codes-time-first")
    }

    /// 4.7's probe decides every digit by a clear margin (a right answer that sums in another
    /// order writes the same digits), and every known mistake writes other digits than the
    /// reference on every case where it can: all but those that only differ after step 0, on
    /// the case of one step.
    func test_4_7_theProbeTellsEveryMistakeOnEveryCase() throws {
        let exercise = Lesson4Graders.greedyDecode
        let sameOnOneStep: Set<String> = ["state-not-carried", "zeros-for-all-steps", "softmax-fed-back", "scores-fed-back", "lagged-two-steps"]
        for k in Lesson4Graders.decodeCases.indices {
            // The reference's scores at every step, and the smallest gap between the best two.
            var c = try Lesson4Graders.decodeCase(k)
            var input = Tensor.zeros([c.state.h.shape[1], 1, 10]), state = c.state, gap = Float.infinity, written = Set<Float>()
            for _ in 0..<c.steps {
                let run = try noGrad { try c.decoder(input, state) }
                state = run.state
                let scores = try noGrad { try c.head(run.output) }
                for b in 0..<scores.shape[0] {
                    let row = scores.scalars[(b * 10)..<(b * 10 + 10)].sorted(by: >)
                    gap = Swift.min(gap, row[0] - row[1])
                }
                let code = try scores.argmax(axis: -1)
                written.formUnion(code.scalars)
                input = try oneHot(code, classes: 10)
            }
            XCTAssertGreaterThan(gap, 0.15, "case #\(k + 1): the best two scores of some step are \(gap) apart: a right answer computed in another order could write another digit")
            XCTAssertGreaterThanOrEqual(written.count, Swift.min(4, c.steps * c.state.h.shape[1]), "case #\(k + 1) writes only the digits \(written.sorted())")
            let reference = try noGrad { try exercise.reference(c.decoder, c.head, c.state, c.steps) }
            for m in exercise.mistakes where !(c.steps == 1 && sameOnOneStep.contains(m.id)) {
                c = try Lesson4Graders.decodeCase(k)
                let codes = try noGrad { try m.implementation(c.decoder, c.head, c.state, c.steps) }
                XCTAssertFalse(codes.shape == reference.shape && codes.scalars == reference.scalars,
                               "case #\(k + 1): the mistake \(m.id) writes the reference's digits \(reference.scalars)")
            }
        }
    }

    /// A cosine schedule read from a table made once per (steps, base, floor), its cosines
    /// cos(kπ/steps) by the recurrence cos((k + 1)θ) = 2 cos θ · cos kθ − cos((k − 1)θ).
    static func scheduleTable() -> Lesson4Graders.CosineRate {
        final class Tables { var made: [String: [Float]] = [:] }
        let tables = Tables()
        return { step, steps, base, floor in
            let key = "\(steps) \(base) \(floor)"
            if tables.made[key] == nil {
                let theta = Double.pi / Double(steps)
                var cosines = [1.0, Foundation.cos(theta)]
                while cosines.count < steps { cosines.append(2 * cosines[1] * cosines[cosines.count - 1] - cosines[cosines.count - 2]) }
                tables.made[key] = cosines.prefix(steps).map { base * (Float(floor) + (1 - Float(floor)) * Float((1 + $0) / 2)) }
            }
            return tables.made[key]![step]
        }
    }

    func test_4_8_cosineRate() {
        let exercise = Lesson4Graders.cosineRate
        assertPasses(exercise, { step, steps, base, floor in
            let f = Float(floor)
            return base * (f + (1 - f) * 0.5 * (1 + Foundation.cos(Float.pi * Float(step) / Float(steps))))
        }, "Float arithmetic throughout")
        assertPasses(exercise, { step, steps, base, floor in
            let x = Double.pi * Double(step) / Double(steps)
            return base * Float(floor + (1 - floor) * (1 + Foundation.sin(Double.pi / 2 - x)) / 2)
        }, "cos x written as sin(π/2 − x)")
        assertPasses(exercise, { step, steps, base, floor in
            let half = Float((1 + Foundation.cos(Double.pi * Double(step) / Double(steps))) / 2)
            return base * Float(floor) + base * Float(1 - floor) * half
        }, "base · floor + base · (1 − floor) · (1 + cos)/2")
        assertPasses(exercise, Self.scheduleTable(), "a table made once, its cosines by a recurrence")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { step, steps, base, floor in
            base * Float(floor + (1 - floor) * (1 - Double(step) / Double(steps)))
        }, as: "linear-decay")
        assertDiagnosed(exercise, { step, steps, base, floor in
            base * Float(floor + (1 - floor) * 0.5 * (1 + Foundation.cos(Double.pi * Double(step / steps))))
        }, as: "integer-division")
        assertDiagnosed(exercise, { step, steps, base, floor in
            base * Float(floor + (1 - floor) * 0.5 * (1 + Foundation.cos(Double.pi * Double(step) / Double(steps - 1))))
        }, as: "steps-minus-one")
        // PyTorch's CosineAnnealingLR, with floor for its eta_min.
        assertDiagnosed(exercise, { step, steps, base, floor in
            let f = Float(floor)
            return f + (base - f) * (1 + Foundation.cos(Float.pi * Float(step) / Float(steps))) / 2
        }, as: "floor-added")
    }

    /// 4.8's reference is the schedule the experiment computed in its own two loops before it
    /// called cosineRate (main.swift's adding part, Designs.swift's trainDesign), bit for bit,
    /// over every step of the adder's 2 000 and the ablation's 4 000: the figures the README
    /// quotes do not move. (That is why the floor is a Double: a Float 0.01 is 0.0099999998,
    /// and with it the last bit of the rate differs at 40 of 2 000 steps.)
    func test_4_8_theReferenceIsTheExperimentsScheduleBitForBit() throws {
        let base: Float = 3e-3
        for steps in [2000, 4000] {
            var differ: [Int] = []
            for step in 0..<steps {
                let progress = Double(step) / Double(steps)
                let experiment = base * Float(0.01 + 0.99 * 0.5 * (1 + Foundation.cos(Double.pi * progress)))
                let reference = try Lesson4Graders.cosineRate.reference(step, steps, base, 0.01)
                if reference.bitPattern != experiment.bitPattern { differ.append(step) }
            }
            XCTAssertEqual(differ, [], "over \(steps) steps, the reference's rate differs from the experiment's at steps \(differ.prefix(10))")
        }
    }

    /// 4.8's probe tells each known mistake from the reference on every case where it can:
    /// the cases where a mistake gives the reference's rates are exactly these (one step: only
    /// the rate at step 0, which most mistakes get right; two steps: p = ½, where a straight line
    /// meets the cosine; a floor of 0, where leaving it out or adding it changes nothing).
    func test_4_8_theProbeTellsEveryMistakeOnEveryCase() throws {
        let exercise = Lesson4Graders.cosineRate
        func sameAsReference(_ id: String, _ c: (steps: Int, base: Float, floor: Double)) -> Bool {
            if c.steps == 1 { return !["rising", "steps-minus-one"].contains(id) }
            if c.steps == 2, id == "linear-decay" { return true }
            return c.floor == 0 && ["floor-ignored", "floor-added"].contains(id)
        }
        for (k, c) in Lesson4Graders.scheduleCases.enumerated() {
            let reference = try (0..<c.steps).map { try exercise.reference($0, c.steps, c.base, c.floor) / c.base }
            for m in exercise.mistakes {
                let rates = try (0..<c.steps).map { try m.implementation($0, c.steps, c.base, c.floor) / c.base }
                let differs = zip(rates, reference).contains { !(Swift.abs($0 - $1) <= 1e-6) }
                XCTAssertEqual(differs, !sameAsReference(m.id, c), "case #\(k + 1) \(c): the mistake \(m.id) \(differs ? "differs from" : "gives") the reference's rates")
            }
        }
        // The mistake that reaches the floor one step early does so: its last rate is the floor.
        let last = Lesson4Graders.scheduleCases.last!
        let early = try exercise.mistakes.first { $0.id == "steps-minus-one" }!.implementation(last.steps - 1, last.steps, last.base, last.floor)
        XCTAssertEqual(early / last.base, Float(last.floor), accuracy: 1e-6)
    }

    /// Teacher forcing stepped one call at a time, the state carried; `read` is the step whose
    /// target step t reads (t − 1 is right), `passesC: false` hands the decoder h only.
    static func teacherStepped(read: @escaping (Int) -> Int = { $0 - 1 }, passesC: Bool = true) -> Lesson4Graders.TeacherForcedLogits {
        { encoder, decoder, head, inputs, targets in
            let (batch, steps) = (targets.shape[0], targets.shape[1])
            let encoded = try encoder(inputs).state
            var state = passesC ? encoded : (encoded.h, Tensor.zeros(encoded.c.shape))
            var scores: [Tensor] = []
            for t in 0..<steps {
                let k = read(t)
                let x = k < 0 || k >= steps ? Tensor.zeros([batch, 1, 10]) : try oneHot(targets.narrow(axis: 1, start: k, length: 1), classes: 10)
                let run = try decoder(x, state)
                state = run.state
                scores.append(try head(run.output).squeeze(1))                           // [B, 10]
            }
            return try stack(scores, axis: 1)
        }
    }

    func test_4_9_teacherForcedLogits() {
        assertPasses(Lesson4Graders.teacherForcedLogits, Self.teacherStepped(), "one decoder call per step, the state carried, the scores stacked")
        // The shifted one-hots built by hand from the codes.
        assertPasses(Lesson4Graders.teacherForcedLogits, { encoder, decoder, head, inputs, targets in
            let (batch, steps, codes) = (targets.shape[0], targets.shape[1], targets.indices)
            var hot = [Float](repeating: 0, count: batch * steps * 10)
            for b in 0..<batch {
                for t in 1..<steps { hot[(b * steps + t) * 10 + codes[b * steps + t - 1]] = 1 }
            }
            let run = try encoder(inputs, nil)
            return try head(decoder(Tensor(hot, shape: [batch, steps, 10]), run.state).output)
        }, "the shifted one-hots written by hand")
        // The core's cell on both LSTMs' weights, h and c [B, H], the head on each step, concatenated.
        assertPasses(Lesson4Graders.teacherForcedLogits, { encoder, decoder, head, inputs, targets in
            let (batch, hidden) = (inputs.shape[0], encoder.hiddenSize)
            var (h, c) = (Tensor.zeros([batch, hidden]), Tensor.zeros([batch, hidden]))
            for t in 0..<inputs.shape[1] { (h, c) = try lstmCell(inputs.select(axis: 1, index: t), h, c, weights: encoder.weights[0]) }
            let previous = try oneHot(targets, classes: 10)
            var scores: [Tensor] = []
            for t in 0..<targets.shape[1] {
                let x = t == 0 ? Tensor.zeros([batch, 10]) : try previous.select(axis: 1, index: t - 1)
                (h, c) = try lstmCell(x, h, c, weights: decoder.weights[0])
                scores.append(try head(h).unsqueeze(1))                                 // [B, 1, 10]
            }
            return try concat(scores, axis: 1)
        }, "lstmCell on both LSTMs' weights, the scores concatenated")
        // Wrong ones written the stepped way: still named.
        assertDiagnosed(Lesson4Graders.teacherForcedLogits, Self.teacherStepped(read: { $0 }), as: "answer-leaked")
        assertDiagnosed(Lesson4Graders.teacherForcedLogits, Self.teacherStepped(read: { $0 + 1 }), as: "shifted-the-wrong-way")
        assertDiagnosed(Lesson4Graders.teacherForcedLogits, Self.teacherStepped(passesC: false), as: "cell-not-passed")
    }

    /// 4.9's probe moves the logits by far more than the tolerance with every known mistake, on
    /// every case where the mistake runs, and no two mistakes are alike: each is named, and
    /// none passes for another (the encoder's outputs fed to the decoder throw where H ≠ 10).
    func test_4_9_theProbeTellsEveryMistakeOnEveryCase() throws {
        let exercise = Lesson4Graders.teacherForcedLogits
        for k in Lesson4Graders.teacherCases.indices {
            func logits(_ f: Lesson4Graders.TeacherForcedLogits) -> Tensor? {
                guard let c = try? Lesson4Graders.teacherCase(k) else { return nil }
                return try? noGrad { try f(c.encoder, c.decoder, c.head, c.inputs, c.targets) }
            }
            let reference = try XCTUnwrap(logits(exercise.reference))
            var seen: [(id: String, logits: Tensor)] = [("the reference", reference)]
            for m in exercise.mistakes {
                guard let got = logits(m.implementation) else {
                    XCTAssertEqual(m.id, "encoder-outputs-fed", "case #\(k + 1): the mistake \(m.id) throws")
                    XCTAssertNotEqual(Lesson4Graders.teacherCases[k].hidden, 10, "case #\(k + 1): \(m.id) throws with H = 10")
                    continue
                }
                for other in seen where other.logits.shape == got.shape {
                    let gap = zip(got.scalars, other.logits.scalars).map { abs($0 - $1) }.max() ?? 0
                    XCTAssertGreaterThan(gap, 0.05, "case #\(k + 1): the mistake \(m.id) is within \(gap) of \(other.id)")
                }
                seen.append((m.id, got))
            }
        }
    }

    /// The variants the automatic diagnosis will try run on the probe and differ from the reference.
    func testVariantsRunAndDifferFromTheReference() throws {
        assertVariantsDiffer(Lesson4Graders.lstmStep)
        assertVariantsDiffer(Lesson4Graders.unrollAdder)
        XCTAssertFalse(Lesson4Graders.lstmStep.variants.isEmpty)
    }
}
