import XCTest
@testable import Autograd

/// A student's mistake is an error naming the op, the shapes and the student's line,
/// and it fails only the code that made it.
final class ErrorsTests: XCTestCase {
    /// What a student might write: a step of a model with the weight the wrong way round.
    func studentStep(_ x: Tensor, _ w: Tensor) throws -> Tensor {
        try x.matmul(w).tanh()  // the line the error must name
    }

    func testShapeMismatchNamesOpShapesAndCallersLine() {
        let line = #line - 4
        let x = Tensor.zeros([32, 20]), w = Tensor.zeros([3, 20])
        XCTAssertThrowsError(try studentStep(x, w)) { error in
            guard let e = error as? TensorError else { return XCTFail("not a TensorError: \(error)") }
            XCTAssertEqual(e.op, "matmul")
            XCTAssertEqual(e.line, line)
            XCTAssertEqual("\(e)", "ErrorsTests.swift:\(line): matmul: [32, 20] × [3, 20]: inner sizes 20 and 3 differ")
        }
        // The process goes on: the next computation works.
        XCTAssertEqual(try studentStep(x, Tensor.zeros([20, 3])).shape, [32, 3])
    }

    func testBadAxesAndIndicesThrow() {
        let x = Tensor.zeros([2, 3])
        XCTAssertThrowsError(try x.sum(axis: 2))
        XCTAssertThrowsError(try x.select(axis: 1, index: 3))
        XCTAssertThrowsError(try x.indexSelect(axis: 0, indices: [2]))
        XCTAssertThrowsError(try x.reshape([4, -1]))
        XCTAssertThrowsError(try x + Tensor.zeros([2]))
        XCTAssertThrowsError(try Tensor([1, 2, 3], shape: [2, 2]))
        XCTAssertThrowsError(try x.permute([0, 0]))
        XCTAssertThrowsError(try concat([x, Tensor.zeros([3, 3])], axis: 1))
        XCTAssertThrowsError(try x.item())
        XCTAssertThrowsError(try x.gather(axis: 1, index: Tensor([5, 0], shape: [2, 1])))
    }

    /// A layer asked for with sizes it cannot have does not stop the program: the layer is
    /// made, and its first call throws, naming the sizes and the line that made it.
    func testImpossibleLayerSizesThrowWhenCalledNamingTheLineThatMadeThem() {
        var rng = RNG(seed: 0)
        let x2 = Tensor.zeros([2, 3]), x3 = Tensor.zeros([2, 4, 3])
        let made = #line + 1
        let cases: [(layer: String, why: String, call: () throws -> Any)] = [
            ("Linear(3, -2)", "outFeatures -2 must not be negative", { [l = Linear(3, -2, rng: &rng)] in try l(x2) }),
            ("Embedding(-1, 4)", "count -1 must not be negative", { [l = Embedding(-1, 4, rng: &rng)] in try l(Tensor([0], shape: [1])) }),
            ("RNNCell(3, 0)", "hiddenSize 0 must be at least 1", { [l = RNNCell(3, 0, rng: &rng)] in try l(x2) }),
            ("GRUCell(-3, 4)", "inputSize -3 must not be negative", { [l = GRUCell(-3, 4, rng: &rng)] in try l(x2) }),
            ("LSTMCell(3, -4)", "hiddenSize -4 must be at least 1", { [l = LSTMCell(3, -4, rng: &rng)] in try l(x2) }),
            ("RNN(3, 5)", "numLayers 0 must be at least 1", { [l = RNN(3, 5, numLayers: 0, rng: &rng)] in try l(x3) }),
            ("GRU(3, -5)", "hiddenSize -5 must be at least 1", { [l = GRU(3, -5, rng: &rng)] in try l(x3) }),
            ("LSTM(3, 5)", "numLayers -1 must be at least 1", { [l = LSTM(3, 5, numLayers: -1, rng: &rng)] in try l(x3) }),
        ]
        for (offset, c) in cases.enumerated() {
            XCTAssertThrowsError(try c.call(), c.layer) { error in
                guard let e = error as? TensorError else { return XCTFail("\(c.layer): not a TensorError: \(error)") }
                XCTAssertEqual("\(e)", "ErrorsTests.swift:\(made + 1 + offset): \(c.layer): \(c.why); the layer was made here")
            }
        }
        // The process goes on, and well-made layers work.
        XCTAssertEqual(try LSTM(3, 5, rng: &rng)(x3).output.shape, [2, 4, 5])
    }
}
