import XCTest
@testable import Autograd

/// The gradient checker itself: it must catch a 1% error in any single element.
final class GradCheckTests: XCTestCase {
    /// y = x² with a pullback wrong by `factor` in element `bad` only.
    func plantedSquare(_ x: Tensor, bad: Int, factor: Float) -> Tensor {
        let v = x.scalars
        return Tensor.make("planted", shape: x.shape, scalars: v.map { $0 * $0 }, inputs: [x]) { g in
            [g.indices.map { i in g[i] * 2 * v[i] * (i == bad ? factor : 1) }]
        }
    }

    func testCatchesAOnePercentErrorInAnyElement() throws {
        var rng = RNG(seed: 11)
        for bad in 0..<6 {
            let x = Tensor.uniform([6], 0.3, 2, rng: &rng)
            let honest = try gradCheck([x]) { self.plantedSquare($0[0], bad: bad, factor: 1) }
            XCTAssertTrue(honest.passed, "the correct gradient must pass: \(honest)")
            let wrong = try gradCheck([x]) { self.plantedSquare($0[0], bad: bad, factor: 1.01) }
            XCTAssertFalse(wrong.passed, "a 1% error in element \(bad) went unnoticed: \(wrong)")
            XCTAssertEqual(wrong.element, bad, "the report must point at the wrong element")
        }
    }
}
