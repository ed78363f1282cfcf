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
}
