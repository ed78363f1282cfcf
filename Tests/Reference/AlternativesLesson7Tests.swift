import Autograd
import Foundation
@testable import Grading
import XCTest

/// Correct implementations of lesson 7's exercises written differently from the reference
/// (pairs by zipping the codes with themselves rotated, ambiguous positions by comparing
/// every two positions, the loss as a log-softmax picked by hand, the state copied out
/// instead of detached, the epoch and the recital without the model's helpers, the longest
/// common substring by brute force): every grader must pass them. Wrong ones written
/// differently are still named, and shortcuts fail.
final class LessonSevenAlternativesTests: XCTestCase {
    /// Lesson 7's alphabet.
    static let capitals = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    /// A one-hot row [1, letters].
    static func oneHot(_ code: Int, _ letters: Int) throws -> Tensor {
        try Tensor((0..<letters).map { $0 == code ? 1 : 0 }, shape: [1, letters])
    }

    // MARK: - 7.1 pairs

    struct Missing: Error {}

    func test_7_1_cyclicPairs() {
        let exercise = Lesson7Graders.cyclicPairs
        assertPasses(exercise, { text, alphabet in
            let letters = Array(alphabet)
            let codes = try text.map { c -> Int in
                guard let k = letters.firstIndex(of: c) else { throw Missing() }
                return k
            }
            return Array(zip(codes, codes.dropFirst() + codes.prefix(1))).map { (input: $0.0, target: $0.1) }
        }, "firstIndex(of:), zipped with the codes rotated by one")
        assertPasses(exercise, { text, alphabet in
            var result: [(input: Int, target: Int)] = []
            let letters = Array(text)
            for i in letters.indices {
                guard let a = alphabet.firstIndex(of: letters[i]), let b = alphabet.firstIndex(of: letters[i == letters.count - 1 ? 0 : i + 1]) else { throw Missing() }
                result.append((alphabet.distance(from: alphabet.startIndex, to: a), alphabet.distance(from: alphabet.startIndex, to: b)))
            }
            return result
        }, "a loop over the letters, the next one by a condition")
        assertDiagnosed(exercise, { text, alphabet in
            let codes = text.compactMap { Array(alphabet).firstIndex(of: $0) }
            return Array(zip(codes, codes.dropFirst())).map { (input: $0.0, target: $0.1) }
        }, as: "no-wrap-pair")
        assertDiagnosed(exercise, { text, _ in
            let codes = text.unicodeScalars.map { Int($0.value) - Int(("A" as Unicode.Scalar).value) }
            return codes.indices.map { (codes[$0], codes[($0 + 1) % codes.count]) }
        }, as: "ascii-codes")
        // Codes that ignore the alphabet but are right on "A…Z" texts alone, with a lookup
        // that does not throw: wrong on the probe's other alphabets.
        let verdict = exercise.grade { text, _ in
            let codes = text.map { Self.capitals.firstIndex(of: $0) ?? 0 }
            return codes.indices.map { (codes[$0], codes[($0 + 1) % codes.count]) }
        }
        XCTAssertEqual(verdict.status, .failed, "\(verdict)")
    }

    // MARK: - 7.2 ambiguous positions

    func test_7_2_ambiguousPositions() {
        let exercise = Lesson7Graders.ambiguousPositions
        /// The context of position j as a string, read backwards from j.
        func context(_ codes: [Int], _ j: Int, _ order: Int) -> String {
            let n = codes.count
            return (0..<order).map { String(codes[(j - $0 + order * n) % n]) }.joined(separator: ",")
        }
        assertPasses(exercise, { codes, order in
            let n = codes.count
            var count = 0
            for j in 0..<n {
                let clash = (0..<n).contains { i in context(codes, i, order) == context(codes, j, order) && codes[(i + 1) % n] != codes[(j + 1) % n] }
                if clash { count += 1 }
            }
            return count
        }, "every two positions compared, contexts as strings read backwards")
        assertPasses(exercise, { codes, order in
            let n = codes.count
            guard n > 0 else { return 0 }
            let contexts = (0..<n).map { context(codes, $0, order) }
            let firstFollower = Dictionary(zip(contexts, (0..<n).map { codes[($0 + 1) % n] }), uniquingKeysWith: { a, _ in a })
            var clashing = Set<String>()
            for j in 0..<n where firstFollower[contexts[j]] != codes[(j + 1) % n] { clashing.insert(contexts[j]) }
            return contexts.filter(clashing.contains).count
        }, "the contexts that clash with their first follower, then every position of them")
        assertDiagnosed(exercise, { codes, order in
            let n = codes.count
            var count = 0
            for j in 0..<n {
                if (0..<n).contains(where: { $0 != j && context(codes, $0, order) == context(codes, j, order) }) { count += 1 }
            }
            return count
        }, as: "repeats-whatever-follows")
        assertDiagnosed(exercise, { codes, order in
            let n = codes.count
            var followers: [String: Set<Int>] = [:]
            for j in 0..<n { followers[context(codes, j, order), default: []].insert(codes[(j + 1) % n]) }
            return followers.values.filter { $0.count > 1 }.count
        }, as: "counts-contexts")
        // The notebook's strings answered from a table: the probe's other strings catch it.
        let table: [Int: Int] = [26: 2, 31: 10, 30: 21]
        XCTAssertEqual(exercise.grade { codes, order in order == 1 ? table[codes.count] ?? 0 : 0 }.status, .failed)
    }

    // MARK: - 7.3 the training step

    func test_7_3_trainStep() {
        let exercise = Lesson7Graders.trainStep
        assertPasses(exercise, { cell, head, optimizer, input, target, state in
            let next = try cell(try Self.oneHot(input, head.outFeatures), state)
            let logProbabilities = try head(next.h).logSoftmax(axis: -1)
            let loss = try -logProbabilities.select(axis: 1, index: target).sum()
            cell.zeroGrad()
            head.zeroGrad()
            try loss.backward()
            optimizer.step()
            return (try loss.item(), (try Tensor(next.h.scalars, shape: next.h.shape), try Tensor(next.c.scalars, shape: next.c.shape)))
        }, "the layers called directly, the loss a log-softmax picked by hand, the state copied out")
        assertDiagnosed(exercise, { cell, head, optimizer, input, target, state in
            let next = try cell(try Self.oneHot(input, head.outFeatures), state)
            let loss = try crossEntropy(head(next.h), Tensor(indices: [target]))
            try loss.backward()
            optimizer.zeroGrad()
            optimizer.step()
            return (try loss.item(), (next.h.detached(), next.c.detached()))
        }, as: "zero-grad-after-backward")
        assertDiagnosed(exercise, { cell, head, optimizer, input, target, state in
            let next = try cell(try Self.oneHot(input, head.outFeatures), state)
            let loss = try crossEntropy(head(next.h), Tensor(indices: [target]))
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
            return (try loss.item(), next)
        }, as: "state-not-detached")
        // Gradients switched off but the history kept: not detached.
        XCTAssertEqual(exercise.grade { cell, head, optimizer, input, target, state in
            let next = try cell(try Self.oneHot(input, head.outFeatures), state)
            let loss = try crossEntropy(head(next.h), Tensor(indices: [target]))
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
            return (try loss.item(), (next.h * 1, next.c * 1))
        }.status, .failed)
    }

    // MARK: - 7.4 the epoch

    /// The reference's step, written out (7.4 calls the student's 7.3; these call this).
    static func step(_ cell: LSTMCell, _ head: Linear, _ optimizer: any Optimizer, _ input: Int, _ target: Int, _ state: (h: Tensor, c: Tensor)) throws -> (loss: Float, state: (h: Tensor, c: Tensor)) {
        let next = try cell(try oneHot(input, head.outFeatures), state)
        let loss = try crossEntropy(head(next.h), Tensor(indices: [target]))
        optimizer.zeroGrad()
        try loss.backward()
        optimizer.step()
        return (try loss.item(), (next.h.detached(), next.c.detached()))
    }

    func test_7_4_trainEpoch() {
        let exercise = Lesson7Graders.trainEpoch
        assertPasses(exercise, { cell, head, optimizer, pairs, oneStep in
            let zeros = { (Tensor.zeros([1, cell.hiddenSize]), Tensor.zeros([1, cell.hiddenSize])) }
            var carried: (h: Tensor, c: Tensor)? = nil
            return try pairs.map { pair in
                let result = try Self.step(cell, head, optimizer, pair.input, pair.target, oneStep ? zeros() : carried ?? zeros())
                carried = result.state
                return result.loss
            }
        }, "map over the pairs, the state an optional that starts nil")
        // Over a step whose loss is a log-softmax picked by hand (equal to the reference's within
        // rounding): twenty steps of Adam later, still within the grader's tolerance.
        assertPasses(exercise, { cell, head, optimizer, pairs, oneStep in
            var state = (h: Tensor.zeros([1, cell.hiddenSize]), c: Tensor.zeros([1, cell.hiddenSize]))
            var losses: [Float] = []
            for pair in pairs {
                if oneStep { state = (Tensor.zeros([1, cell.hiddenSize]), Tensor.zeros([1, cell.hiddenSize])) }
                let next = try cell(try Self.oneHot(pair.input, head.outFeatures), state)
                let loss = try -head(next.h).logSoftmax(axis: -1).select(axis: 1, index: pair.target).sum()
                head.zeroGrad()
                cell.zeroGrad()
                try loss.backward()
                optimizer.step()
                losses.append(try loss.item())
                state = (next.h.detached(), next.c.detached())
            }
            return losses
        }, "a loop with its own step, the loss a log-softmax picked by hand")
        assertDiagnosed(exercise, { cell, head, optimizer, pairs, _ in
            var state = (h: Tensor.zeros([1, cell.hiddenSize]), c: Tensor.zeros([1, cell.hiddenSize]))
            var losses: [Float] = []
            for pair in pairs {
                let result = try Self.step(cell, head, optimizer, pair.input, pair.target, state)
                losses.append(result.loss)
                state = result.state
            }
            return losses
        }, as: "one-step-ignored")
        assertDiagnosed(exercise, { cell, head, optimizer, pairs, _ in
            try pairs.map { try Self.step(cell, head, optimizer, $0.input, $0.target, (Tensor.zeros([1, cell.hiddenSize]), Tensor.zeros([1, cell.hiddenSize]))).loss }
        }, as: "always-reset")
    }

    // MARK: - 7.5 the recital

    func test_7_5_generate() {
        let exercise = Lesson7Graders.generate
        /// The recital written recursively, with gradients on (no noGrad).
        func recite(_ cell: LSTMCell, _ head: Linear, _ code: Int, _ left: Int, _ oneStep: Bool, _ state: (h: Tensor, c: Tensor)?) throws -> [Int] {
            guard left > 0 else { return [] }
            let next = try cell(try Self.oneHot(code, head.outFeatures), oneStep ? nil : state)
            let scores = try head(next.h).scalars
            let guess = scores.indices.max { scores[$0] < scores[$1] || (scores[$0] == scores[$1] && $0 > $1) }!
            return [guess] + (try recite(cell, head, guess, left - 1, oneStep, next))
        }
        assertPasses(exercise, { cell, head, first, count, oneStep in try recite(cell, head, first, count, oneStep, nil) },
                     "recursion, gradients left on, the argmax of the scores' values")
        assertDiagnosed(exercise, { cell, head, first, count, oneStep in
            Array(try recite(cell, head, first, count, oneStep, nil).dropLast())
        }, as: "one-too-few")
        assertDiagnosed(exercise, { cell, head, first, count, _ in try recite(cell, head, first, count, true, nil) }, as: "always-reset")
    }

    // MARK: - 7.6 the scores

    func test_7_6_score() {
        let exercise = Lesson7Graders.score
        assertPasses(exercise, { target, generated in
            var steps = 0
            while steps < min(target.count, generated.count) && target[steps] == generated[steps] { steps += 1 }
            var longest = 0
            for i in target.indices {
                for j in generated.indices {
                    var k = 0
                    while i + k < target.count && j + k < generated.count && target[i + k] == generated[j + k] { k += 1 }
                    longest = max(longest, k)
                }
            }
            return (steps, longest)
        }, "a while loop, and every start of each compared by brute force")
        assertPasses(exercise, { target, generated in
            let steps = Array(zip(target, generated)).firstIndex { $0 != $1 } ?? min(target.count, generated.count)
            // Grow the length while some substring of that length of the target occurs in the recital.
            func occurs(_ length: Int) -> Bool {
                guard length > 0 else { return true }
                let pieces = Set((0...(generated.count - length)).map { Array(generated[$0..<$0 + length]) })
                return (0...(target.count - length)).contains { pieces.contains(Array(target[$0..<$0 + length])) }
            }
            var longest = 0
            while longest < min(target.count, generated.count), occurs(longest + 1) { longest += 1 }
            return (steps, longest)
        }, "the first difference by firstIndex; the length grown while a common substring of it exists")
        assertDiagnosed(exercise, { target, generated in
            let steps = zip(target, generated).prefix { $0 == $1 }.count
            var memo: [[Int]: Int] = [:]
            func lcs(_ i: Int, _ j: Int) -> Int {
                if i == target.count || j == generated.count { return 0 }
                if let m = memo[[i, j]] { return m }
                let v = target[i] == generated[j] ? 1 + lcs(i + 1, j + 1) : max(lcs(i + 1, j), lcs(i, j + 1))
                memo[[i, j]] = v
                return v
            }
            return (steps, lcs(0, 0))
        }, as: "subsequence")
        assertDiagnosed(exercise, { target, generated in
            var (best, run) = (0, 0)
            for (t, g) in zip(target, generated) {
                run = t == g ? run + 1 : 0
                best = max(best, run)
            }
            return (zip(target, generated).prefix { $0 == $1 }.count, best)
        }, as: "aligned-run")
    }
}
