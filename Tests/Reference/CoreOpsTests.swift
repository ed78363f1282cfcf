import XCTest
@testable import Autograd

/// Every differentiable primitive and composite of the core, gradient-checked against
/// finite differences, plus known values and the rules of broadcasting.
final class CoreOpsTests: XCTestCase {
    /// Values in [lo, hi), away from zero when `awayFromZero` (for log, sqrt, abs, relu kinks).
    func input(_ shape: [Int], seed: UInt64, _ lo: Float = -1, _ hi: Float = 1, awayFromZero: Bool = false) -> Tensor {
        var rng = RNG(seed: seed)
        let t = Tensor.uniform(shape, lo, hi, rng: &rng)
        if awayFromZero { t.scalars = t.scalars.map { $0 >= 0 ? $0 + 0.2 : $0 - 0.2 } }
        return t
    }

    func assertGradients(_ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                         _ f: @escaping ([Tensor]) throws -> Tensor) throws {
        let report = try gradCheck(inputs, f)
        XCTAssertTrue(report.passed, "\(name): \(report)", file: file, line: line)
        XCTAssertGreaterThan(report.checked, 0, "\(name): nothing checked", file: file, line: line)
    }

    func testUnaryOpsGradients() throws {
        let cases: [(String, Bool, (Tensor) throws -> Tensor)] = [
            ("neg", false, { -$0 }), ("exp", false, { $0.exp() }), ("log", true, { $0.abs().log() }),
            ("tanh", false, { $0.tanh() }), ("sigmoid", false, { $0.sigmoid() }), ("relu", true, { $0.relu() }),
            ("sqrt", true, { $0.abs().sqrt() }), ("abs", true, { $0.abs() }), ("pow3", false, { $0.pow(3) }),
            ("pow-half", true, { $0.abs().pow(-0.5) }), ("squared", false, { $0.squared() }),
            ("clamp", true, { $0.clamp(min: -0.5, max: 0.5) }), ("scalar ops", false, { 2 - (3 * $0 + 1) / 4 }),
            ("rdiv", true, { 1 / $0 }),
        ]
        for (name, away, f) in cases {
            for (seed, shape) in [(1, [5]), (2, [2, 3]), (3, [2, 1, 3])] as [(UInt64, [Int])] {
                try assertGradients("\(name) \(shape)", [input(shape, seed: seed, awayFromZero: away)]) { try f($0[0]) }
            }
        }
    }

    func testBinaryOpsGradientsWithBroadcasting() throws {
        let shapes: [([Int], [Int])] = [([2, 3], [2, 3]), ([2, 3], [3]), ([4, 1], [1, 5]), ([2, 3, 4], [3, 1]), ([], [2, 2]), ([3, 1, 2], [2])]
        let ops: [(String, (Tensor, Tensor) throws -> Tensor)] = [("add", +), ("sub", -), ("mul", *), ("div", /)]
        for (name, op) in ops {
            for (i, (sa, sb)) in shapes.enumerated() {
                let a = input(sa, seed: UInt64(10 + i)), b = input(sb, seed: UInt64(20 + i), awayFromZero: name == "div")
                try assertGradients("\(name) \(sa) \(sb)", [a, b]) { try op($0[0], $0[1]) }
            }
        }
    }

    func testBroadcastShapesFollowNumPy() throws {
        let cases: [([Int], [Int], [Int]?)] = [
            ([2, 3], [3], [2, 3]), ([4, 1], [1, 5], [4, 5]), ([], [2], [2]), ([2, 1, 3], [4, 1], [2, 4, 3]),
            ([2, 3], [2], nil), ([3, 4], [4, 3], nil), ([1], [7], [7]),
        ]
        for (a, b, want) in cases {
            XCTAssertEqual(Broadcast.shape(a, b), want, "broadcast \(a) with \(b)")
        }
        let x = try Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), row = Tensor([10, 20, 30])
        XCTAssertEqual(try (x + row).scalars, [11, 22, 33, 14, 25, 36])
        let col = try Tensor([100, 200], shape: [2, 1])
        XCTAssertEqual(try (x + col).scalars, [101, 102, 103, 204, 205, 206])
    }

    func testReductionsGradientsAndValues() throws {
        let x = input([2, 3, 4], seed: 5)
        for axes in [[0], [1], [2], [0, 2], [-1], [0, 1, 2]] {
            for keep in [false, true] {
                try assertGradients("sum \(axes) keep \(keep)", [x]) { try $0[0].sum(axes: axes, keepDims: keep) }
                try assertGradients("mean \(axes) keep \(keep)", [x]) { try $0[0].mean(axes: axes, keepDims: keep) }
            }
        }
        for axis in [0, 1, 2] {
            try assertGradients("max axis \(axis)", [x]) { try $0[0].max(axis: axis) }
        }
        let m = try Tensor([1, 5, 3, 4, 2, 6], shape: [2, 3])
        XCTAssertEqual(try m.sum(axis: 0).scalars, [5, 7, 9])
        XCTAssertEqual(try m.sum(axis: 1, keepDims: true).shape, [2, 1])
        XCTAssertEqual(try m.mean(axis: 1).scalars, [3, 4])
        XCTAssertEqual(try m.max(axis: 1).scalars, [5, 6])
        XCTAssertEqual(m.max().scalars, [6])
        XCTAssertEqual(try m.argmax(axis: 1).scalars, [1, 2])
        XCTAssertEqual(try m.argmax(axis: 0).scalars, [1, 0, 1])
    }

    func testMatmulGradientsAndValues() throws {
        let cases: [([Int], [Int])] = [([3, 4], [4, 2]), ([2, 3, 4], [2, 4, 5]), ([2, 3, 4], [4, 5]), ([1, 1], [1, 1])]
        for (i, (sa, sb)) in cases.enumerated() {
            try assertGradients("matmul \(sa) × \(sb)", [input(sa, seed: UInt64(30 + i)), input(sb, seed: UInt64(40 + i))]) {
                try $0[0].matmul($0[1])
            }
        }
        let a = try Tensor([[1, 2], [3, 4]]), b = try Tensor([[5, 6], [7, 8]])
        XCTAssertEqual(try a.matmul(b).scalars, [19, 22, 43, 50])
        try assertGradients("linear", [input([2, 3, 4], seed: 50), input([5, 4], seed: 51), input([5], seed: 52)]) {
            try linear($0[0], weight: $0[1], bias: $0[2])
        }
        // linear equals matmul by the transpose plus the bias.
        let (x, w, bias) = (input([3, 4], seed: 53), input([2, 4], seed: 54), input([2], seed: 55))
        let fused = try linear(x, weight: w, bias: bias), composite = try x.matmul(w.T) + bias
        for (p, q) in zip(fused.scalars, composite.scalars) { XCTAssertEqual(p, q, accuracy: 1e-6) }
    }

    func testShapeOpsGradients() throws {
        let x = input([2, 3, 4], seed: 60)
        try assertGradients("reshape", [x]) { try $0[0].reshape([4, -1]) }
        try assertGradients("flatten", [x]) { try $0[0].flatten(from: 1) }
        try assertGradients("permute", [x]) { try $0[0].permute([2, 0, 1]) }
        try assertGradients("transpose", [x]) { try $0[0].transpose(0, 2) }
        try assertGradients("narrow", [x]) { try $0[0].narrow(axis: 2, start: 1, length: 2) }
        try assertGradients("select", [x]) { try $0[0].select(axis: 1, index: -1) }
        try assertGradients("chunk", [x]) { t in try concat(t[0].chunk(2, axis: 2).reversed(), axis: 2) }
        try assertGradients("split", [x]) { t in try t[0].split(sizes: [1, 2], axis: 1)[1] }
        try assertGradients("concat", [x, input([2, 1, 4], seed: 61)]) { try concat($0, axis: 1) }
        try assertGradients("stack", [input([2, 3], seed: 62), input([2, 3], seed: 63)]) { try stack($0, axis: 1) }
        try assertGradients("unsqueeze/squeeze", [x]) { try $0[0].unsqueeze(1).squeeze(1) }
        try assertGradients("expand", [input([3, 1], seed: 64)]) { try $0[0].expand(to: [2, 3, 4]) }
        try assertGradients("indexSelect", [x]) { try $0[0].indexSelect(axis: 1, indices: [2, 0, 2]) }
        let index = try Tensor([0, 2, 1, 1, 0, 3], shape: [2, 3, 1])
        try assertGradients("gather", [x]) { try $0[0].gather(axis: 2, index: index) }
    }

    func testShapeOpsValues() throws {
        let x = try Tensor((0..<6).map(Float.init), shape: [2, 3])
        XCTAssertEqual(x.T.scalars, [0, 3, 1, 4, 2, 5])
        XCTAssertEqual(try x.select(axis: 1, index: 2).scalars, [2, 5])
        XCTAssertEqual(try x.slice(axis: 1, 1..<3).scalars, [1, 2, 4, 5])
        XCTAssertEqual(try concat([x, x], axis: 0).shape, [4, 3])
        XCTAssertEqual(try concat([x, x], axis: 1).scalars, [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5])
        XCTAssertEqual(try stack([x, x], axis: 0).shape, [2, 2, 3])
        XCTAssertEqual(try x.chunk(2, axis: 1).map(\.shape), [[2, 2], [2, 1]])
        XCTAssertEqual(try x.indexSelect(axis: 0, indices: [1, 1, 0]).scalars, [3, 4, 5, 3, 4, 5, 0, 1, 2])
        // The hidden state at each sequence's own last step: lengths 2 and 3 of a [2, 3, 1] batch.
        let h = try Tensor((0..<6).map(Float.init), shape: [2, 3, 1])
        XCTAssertEqual(try h.gather(axis: 1, index: Tensor([1, 2], shape: [2, 1, 1])).scalars, [1, 5])
    }

    func testSoftmaxFamily() throws {
        let x = input([2, 3, 4], seed: 70, -3, 3)
        for axis in [0, 1, -1] {
            try assertGradients("softmax \(axis)", [x]) { try $0[0].softmax(axis: axis) }
            try assertGradients("logSoftmax \(axis)", [x]) { try $0[0].logSoftmax(axis: axis) }
        }
        // Sums to one, stable for huge logits, and log-softmax is its log.
        let big = try Tensor([1000, 1001, 1002, -1000, 0, 1000], shape: [2, 3])
        let p = try big.softmax()
        XCTAssertEqual(try p.sum(axis: 1).scalars[0], 1, accuracy: 1e-6)
        XCTAssertTrue(p.scalars.allSatisfy(\.isFinite), "softmax of large logits: \(p.scalars)")
        let lp = try big.logSoftmax()
        for (a, b) in zip(lp.scalars, p.scalars) where b > 1e-30 { XCTAssertEqual(a, Foundation.log(b), accuracy: 1e-4) }
    }

    func testWhereMaskedFillAndComparisons() throws {
        let a = input([2, 3], seed: 80), b = input([3], seed: 81)
        let cond = try Tensor([1, 0, 1, 0, 0, 1], shape: [2, 3])
        try assertGradients("where", [a, b]) { try `where`(cond, $0[0], $0[1]) }
        let mask = try Tensor([0, 1, 0], shape: [1, 3])
        try assertGradients("maskedFill", [a]) { try $0[0].maskedFill(mask, -5) }
        XCTAssertEqual(try Tensor([1, 2, 3]).maskedFill(Tensor([0, 1, 0]), -.infinity).scalars, [1, -.infinity, 3])
        XCTAssertEqual(try Tensor([1, 2, 3]).lt(Tensor([2])).scalars, [1, 0, 0])
        XCTAssertEqual(Tensor([1, 2, 3]).eq(2).scalars, [0, 1, 0])
        XCTAssertEqual(try oneHot(Tensor([2, 0]), classes: 3).scalars, [0, 0, 1, 1, 0, 0])
        XCTAssertThrowsError(try oneHot(Tensor([3]), classes: 3))
    }

    func testSigmoidPrimitiveEqualsComposite() throws {
        let x = input([50], seed: 90, -20, 20)
        x.requiresGrad = true
        try x.sigmoid().sum().backward()
        let fused = x.grad!.scalars
        x.zeroGrad()
        let composite = 1 / (1 + (-x).exp())
        try composite.sum().backward()
        for (i, (p, q)) in zip(x.sigmoid().scalars, composite.scalars).enumerated() { XCTAssertEqual(p, q, accuracy: 1e-6, "value \(i)") }
        for (i, (p, q)) in zip(fused, x.grad!.scalars).enumerated() { XCTAssertEqual(p, q, accuracy: 1e-6, "gradient \(i)") }
    }

    func testGradientsAccumulateAndNoGradRecordsNothing() throws {
        let w = Tensor([1, 2, 3], requiresGrad: true)
        try (w * 2).sum().backward()
        try (w * 2).sum().backward()
        XCTAssertEqual(w.grad?.scalars, [4, 4, 4], "two backward passes add up")
        w.zeroGrad()
        XCTAssertNil(w.grad)
        let y = noGrad { w * 3 }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertThrowsError(try y.sum().backward())
        let d = (w * 3).detached()
        XCTAssertFalse(d.requiresGrad)
        XCTAssertTrue(d.isLeaf)
        // A tensor used twice gets both contributions: d(x·x)/dx = 2x.
        let x = Tensor([3], requiresGrad: true)
        try (x * x).sum().backward()
        XCTAssertEqual(x.grad?.scalars, [6])
    }

    func testLongChainsBackwardAndFreeWithoutOverflow() throws {
        var h = Tensor([0.5], requiresGrad: true)
        let start = h
        for _ in 0..<50_000 { h = h * 0.9999 + 0.00001 }
        try h.sum().backward()
        XCTAssertEqual(start.grad!.scalars[0], Foundation.pow(0.9999, 50_000), accuracy: 1e-3)
    }

    func testDropout() throws {
        var rng = RNG(seed: 3)
        let x = Tensor.ones([1000])
        let y = try dropout(x, p: 0.25, training: true, rng: &rng)
        let zeros = y.scalars.filter { $0 == 0 }.count
        XCTAssert((200...300).contains(zeros), "dropped \(zeros) of 1000 at p = 0.25")
        XCTAssertTrue(y.scalars.allSatisfy { $0 == 0 || Swift.abs($0 - 4.0 / 3) < 1e-6 })
        XCTAssertEqual(try dropout(x, p: 0.25, training: false, rng: &rng).scalars, x.scalars)
        try assertGradients("dropout", [input([20], seed: 4)]) { var r = RNG(seed: 5); return try dropout($0[0], p: 0.5, training: true, rng: &r) }
    }

    func testRandomIsReproducible() {
        var a = RNG(seed: 42), b = RNG(seed: 42), c = RNG(seed: 43)
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
        var r = RNG(seed: 1)
        let n = Tensor.randn([20_000], rng: &r)
        let mean = n.scalars.reduce(0, +) / 20_000
        let variance = n.scalars.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20_000
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
        var s = RNG(seed: 7)
        let probs = Tensor([0.1, 0, 0.9])
        let draws = (0..<2000).map { _ in try! multinomial(probs, rng: &s).scalars[0] }
        XCTAssertFalse(draws.contains(1), "a class of probability 0 was drawn")
        XCTAssertEqual(Float(draws.filter { $0 == 2 }.count) / 2000, 0.9, accuracy: 0.03)
    }
}

import Foundation
