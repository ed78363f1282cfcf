import Foundation
import XCTest
@testable import Autograd

/// Known values and gradients of the losses.
final class LossesTests: XCTestCase {
    func testCrossEntropyOfUniformLogitsIsLogC() throws {
        for c in [2, 3, 10, 30] {
            let logits = Tensor.zeros([4, c])
            let loss = try crossEntropy(logits, Tensor(indices: [0, 1, 0, 1]))
            XCTAssertEqual(try loss.item(), Foundation.log(Float(c)), accuracy: 1e-5, "C = \(c)")
        }
    }

    func testCrossEntropyKnownValueAndSequenceShape() throws {
        // -log softmax([1, 2, 3])[2] = log(e + e² + e³) − 3
        let logits = try Tensor([[1, 2, 3]])
        let want = Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)) - 3
        XCTAssertEqual(try crossEntropy(logits, Tensor(indices: [2])).item(), Float(want), accuracy: 1e-5)
        // [B, T, C] equals the flattened [B·T, C].
        var rng = RNG(seed: 1)
        let seq = Tensor.randn([2, 3, 5], rng: &rng)
        let targets = try Tensor(indices: [[0, 4, 2], [1, 1, 3]])
        let a = try crossEntropy(seq, targets).item()
        let b = try crossEntropy(seq.reshape([6, 5]), targets.reshape([6])).item()
        XCTAssertEqual(a, b, accuracy: 1e-6)
    }

    func testCrossEntropyRefusesClassesOnTheWrongAxis() throws {
        let logits = Tensor.zeros([2, 5, 3])  // [B, C, T] as PyTorch wants it
        XCTAssertThrowsError(try crossEntropy(logits, Tensor.zeros([2, 3]))) { error in
            XCTAssertTrue("\(error)".contains("wrong axis"), "\(error)")
        }
    }

    func testIgnoreIndexMaskAndReductions() throws {
        var rng = RNG(seed: 2)
        let logits = Tensor.randn([4, 3], rng: &rng)
        let targets = Tensor(indices: [0, 2, 1, 0])
        let each = try crossEntropy(logits, targets, reduction: .none)
        XCTAssertEqual(each.shape, [4])
        let ignored = try crossEntropy(logits, targets, ignoreIndex: 0)
        XCTAssertEqual(try ignored.item(), (each.scalars[1] + each.scalars[2]) / 2, accuracy: 1e-6, "mean over the two positions not ignored")
        let masked = try crossEntropy(logits, targets, mask: Tensor([1, 1, 0, 0]), reduction: .sum)
        XCTAssertEqual(try masked.item(), each.scalars[0] + each.scalars[1], accuracy: 1e-6)
        let none = try crossEntropy(logits, targets, mask: Tensor([0, 0, 0, 0]))
        XCTAssertEqual(try none.item(), 0)
        XCTAssertThrowsError(try crossEntropy(logits, Tensor(indices: [0, 3, 1, 0])), "target 3 of 3 classes")
    }

    func testLossGradients() throws {
        var rng = RNG(seed: 3)
        let logits = Tensor.randn([2, 3, 4], rng: &rng)
        let targets = try Tensor(indices: [[0, 3, 1], [2, 2, 0]])
        let mask = try Tensor([[1, 1, 0], [1, 0, 1]])
        for reduction in [Reduction.mean, .sum] {
            let report = try gradCheck([logits]) { try crossEntropy($0[0], targets, ignoreIndex: 3, mask: mask, reduction: reduction) }
            XCTAssertTrue(report.passed, "crossEntropy \(reduction): \(report)")
        }
        let noneReport = try gradCheck([logits]) { t in
            try (crossEntropy(t[0], targets, reduction: .none) * Tensor([[1, 2, 3], [4, 5, 6]])).sum()
        }
        XCTAssertTrue(noneReport.passed, "crossEntropy none: \(noneReport)")
        let lp = try logits.logSoftmax()
        let nll = try gradCheck([lp]) { try nllLoss($0[0], targets) }
        XCTAssertTrue(nll.passed, "nllLoss: \(nll)")
        let (p, y) = (Tensor.randn([3, 2], rng: &rng), Tensor.randn([3, 2], rng: &rng))
        let mse = try gradCheck([p, y]) { try mseLoss($0[0], $0[1]) }
        XCTAssertTrue(mse.passed, "mseLoss: \(mse)")
        XCTAssertEqual(try mseLoss(Tensor([1, 2]), Tensor([3, 2])).item(), 2)
        XCTAssertThrowsError(try mseLoss(Tensor.zeros([3, 1]), Tensor.zeros([3])), "shapes must match")
    }
}
