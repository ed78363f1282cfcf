import XCTest
@testable import Autograd

/// The layers (Linear, Embedding, Dropout, the recurrent cells and layers): gradients
/// against finite differences, the layers against a hand-unrolled loop of the cells, the
/// fused LSTM op against its composite, PyTorch's names and output/hidden semantics, and
/// the errors a wrong shape gives.
final class LayersTests: XCTestCase {
    // MARK: - Helpers

    /// Values in [lo, hi) from `seed`.
    func input(_ shape: [Int], seed: UInt64, _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
        var rng = RNG(seed: seed)
        return Tensor.uniform(shape, lo, hi, rng: &rng)
    }

    /// Asserts equal shapes and values within `tol`, naming the worst element.
    func assertClose(_ got: Tensor?, _ want: Tensor?, tol: Float = 1e-5, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        guard let got, let want else {
            XCTAssertTrue(got == nil && want == nil, "\(what): expected \(want.map { "\($0)" } ?? "nil"), got \(got.map { "\($0)" } ?? "nil")", file: file, line: line)
            return
        }
        guard got.shape == want.shape else {
            XCTFail("\(what): expected shape \(want.shape), got \(got.shape)", file: file, line: line)
            return
        }
        var worst = (at: 0, diff: Float(0))
        for i in 0..<got.count {
            let d = Swift.abs(got.scalars[i] - want.scalars[i])
            if d > worst.diff || d.isNaN { worst = (i, d.isNaN ? .infinity : d) }
        }
        if worst.diff > tol {
            XCTFail("\(what): expected \(want.scalars[worst.at]), got \(got.scalars[worst.at]) at element \(worst.at) of \(got.shape) (|diff| \(worst.diff) > tolerance \(tol))", file: file, line: line)
        }
    }

    /// Gradient-checks `f` with respect to `inputs`.
    func assertGradients(_ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                         _ f: ([Tensor]) throws -> Tensor) throws {
        let report = try gradCheck(inputs, f)
        XCTAssertTrue(report.passed, "\(name): \(report)", file: file, line: line)
        XCTAssertGreaterThan(report.checked, 0, "\(name): nothing checked", file: file, line: line)
    }

    /// Σ t ∗ weights, a scalar that gives every element of `t` its own gradient.
    func weightedSum(_ t: Tensor, seed: UInt64) throws -> Tensor {
        try (t * input(t.shape, seed: seed)).sum()
    }

    /// Asserts that `body` throws a TensorError whose text holds every string of `mentions`.
    func assertThrows(_ what: String, mentions: [String], file: StaticString = #filePath, line: UInt = #line,
                      _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("\(what): expected a TensorError mentioning \(mentions), got no error", file: file, line: line)
        } catch let error as TensorError {
            for m in mentions where !"\(error)".contains(m) {
                XCTFail("\(what): expected the error to mention \"\(m)\", got \"\(error)\"", file: file, line: line)
            }
        } catch {
            XCTFail("\(what): expected a TensorError, got \(error)", file: file, line: line)
        }
    }

    // MARK: - Recurrent layers behind one interface (for the tables)

    enum Kind: String, CaseIterable {
        case rnn = "RNN", rnnRelu = "RNN(relu)", gru = "GRU", lstm = "LSTM"
        var gates: Int { [.gru: 3, .lstm: 4][self] ?? 1 }
    }

    /// A recurrent layer of any kind: its module, weights, and a call giving (output, h, c).
    struct Recurrent {
        let module: any Module
        let weights: [RecurrentWeights]
        let run: (_ x: Tensor, _ h0: Tensor?, _ c0: Tensor?) throws -> (output: Tensor, h: Tensor, c: Tensor?)
    }

    func makeLayer(_ kind: Kind, _ inputSize: Int, _ hidden: Int, numLayers: Int, bias: Bool = true,
                   dropout: Float = 0, seed: UInt64) -> Recurrent {
        var rng = RNG(seed: seed)
        switch kind {
        case .rnn, .rnnRelu:
            let m = RNN(inputSize, hidden, numLayers: numLayers, bias: bias, nonlinearity: kind == .rnn ? .tanh : .relu, dropout: dropout, rng: &rng)
            return Recurrent(module: m, weights: m.weights) { x, h0, _ in let r = try m(x, h0); return (r.output, r.hidden, nil) }
        case .gru:
            let m = GRU(inputSize, hidden, numLayers: numLayers, bias: bias, dropout: dropout, rng: &rng)
            return Recurrent(module: m, weights: m.weights) { x, h0, _ in let r = try m(x, h0); return (r.output, r.hidden, nil) }
        case .lstm:
            let m = LSTM(inputSize, hidden, numLayers: numLayers, bias: bias, dropout: dropout, rng: &rng)
            return Recurrent(module: m, weights: m.weights) { x, h0, c0 in
                let r = try m(x, h0.map { ($0, c0 ?? Tensor.zeros($0.shape)) })
                return (r.output, r.state.h, r.state.c)
            }
        }
    }

    /// The reference: cells (built from primitives) with copies of the layer's weights,
    /// looped over time by hand, layer by layer. Returns the cells' modules and a call.
    func makeUnrolledCells(_ kind: Kind, like layer: Recurrent) throws -> (cells: [any Module], run: (Tensor, Tensor?, Tensor?) throws -> (output: Tensor, h: Tensor, c: Tensor?)) {
        var rng = RNG(seed: 999)
        let cells: [any Module] = layer.weights.map { w in
            let bias = w.biasIH != nil
            switch kind {
            case .rnn, .rnnRelu: return RNNCell(w.inputSize, w.hiddenSize, bias: bias, nonlinearity: kind == .rnn ? .tanh : .relu, rng: &rng)
            case .gru: return GRUCell(w.inputSize, w.hiddenSize, bias: bias, rng: &rng)
            case .lstm: return LSTMCell(w.inputSize, w.hiddenSize, bias: bias, rng: &rng)
            }
        }
        let layerParameters = layer.module.namedParameters()
        for (l, cell) in cells.enumerated() {
            for p in cell.ownParameters {
                let name = "\(p.name)_l\(l)"
                guard let source = layerParameters.first(where: { $0.name == name }) else {
                    XCTFail("\(kind): the layer has no parameter \(name) (it has \(layerParameters.map(\.name)))")
                    continue
                }
                try p.tensor.assign(source.tensor.scalars)
            }
        }
        let run = { (x: Tensor, h0: Tensor?, c0: Tensor?) throws -> (output: Tensor, h: Tensor, c: Tensor?) in
            let (batch, time) = (x.shape[0], x.shape[1])
            var input = x
            var hs: [Tensor] = [], cs: [Tensor] = []
            for (l, cell) in cells.enumerated() {
                let zeros = Tensor.zeros([batch, layer.weights[l].hiddenSize])
                var h = try h0?.select(axis: 0, index: l) ?? zeros
                var c = try c0?.select(axis: 0, index: l) ?? zeros
                var outputs: [Tensor] = []
                for t in 0..<time {
                    let xt = try input.select(axis: 1, index: t)
                    switch cell {
                    case let cell as RNNCell: h = try cell(xt, h)
                    case let cell as GRUCell: h = try cell(xt, h)
                    case let cell as LSTMCell: (h, c) = try cell(xt, (h, c))
                    default: XCTFail("\(cell) is not a recurrent cell")
                    }
                    outputs.append(h)
                }
                hs.append(h)
                cs.append(c)
                input = try stack(outputs, axis: 1)
            }
            return (input, try stack(hs, axis: 0), kind == .lstm ? try stack(cs, axis: 0) : nil)
        }
        return (cells, run)
    }

    // MARK: - Linear, Embedding, Dropout

    func testLinearValuesGradientsAndInit() throws {
        for (seed, inF, outF, xShape, bias) in [(1, 3, 4, [2, 3], true), (2, 3, 2, [2, 4, 3], true), (3, 5, 1, [3, 5], false), (4, 2, 3, [2, 1, 2, 2], true)] as [(UInt64, Int, Int, [Int], Bool)] {
            var rng = RNG(seed: seed)
            let layer = Linear(inF, outF, bias: bias, rng: &rng)
            let where_ = "Linear(\(inF), \(outF), bias: \(bias)) on \(xShape)"
            XCTAssertEqual(layer.namedParameters().map(\.name), bias ? ["weight", "bias"] : ["weight"], where_)
            XCTAssertEqual(layer.weight.shape, [outF, inF], where_)
            let k = 1 / Float(inF).squareRoot()
            for p in layer.parameters() {
                XCTAssertTrue(p.scalars.allSatisfy { Swift.abs($0) <= k }, "\(where_): init must be within ±1/√in = \(k), got \(p.scalars)")
            }
            let x = input(xShape, seed: seed + 10)
            let y = try layer(x)
            var want = try x.reshape([-1, inF]).matmul(layer.weight.T).reshape(xShape.dropLast() + [outF])
            if let b = layer.bias { want = try want + b }
            assertClose(y, want, "\(where_): y = x·Wᵀ + b")
            try assertGradients(where_, [x] + layer.parameters()) { t in try weightedSum(layer(t[0]), seed: seed) }
        }
    }

    /// Weight tying: a head made over an embedding's table shares the tensor; its gradient
    /// is the sum of both uses; `parameters()` lists it once, `namedParameters()` under both
    /// names (PyTorch's `parameters()` and `state_dict`).
    func testLinearOverAnEmbeddingsWeightTiesThem() throws {
        final class Tied: Module {
            let embed: Embedding, head: Linear
            var isTraining = true
            init(rng: inout RNG) {
                embed = Embedding(5, 3, rng: &rng)
                head = Linear(weight: embed.weight, bias: nil)
            }
            var submodules: [(name: String, module: any Module)] { [("embed", embed), ("head", head)] }
        }
        var rng = RNG(seed: 4)
        let model = Tied(rng: &rng)
        XCTAssertTrue(model.head.weight === model.embed.weight, "the head uses the embedding's tensor itself")
        XCTAssertEqual(model.namedParameters().map(\.name), ["embed.weight", "head.weight"])
        XCTAssertEqual(model.parameters().count, 1)
        XCTAssertEqual(model.parameterCount, 15)
        XCTAssertEqual(model.head.inFeatures, 3)
        XCTAssertEqual(model.head.outFeatures, 5)

        let (codes, targets) = (try Tensor(indices: [[0, 3, 4]]), try Tensor(indices: [[1, 2, 0]]))
        try crossEntropy(model.head(model.embed(codes)), targets).backward()
        // The same model untied: two copies of the table, whose gradients must add up to the tied one's.
        let table = try Tensor(model.embed.weight.scalars, shape: [5, 3], requiresGrad: true)
        let headWeight = try Tensor(model.embed.weight.scalars, shape: [5, 3], requiresGrad: true)
        let x = try table.indexSelect(axis: 0, indices: [0, 3, 4]).reshape([1, 3, 3])
        try crossEntropy(linear(x, weight: headWeight, bias: nil), targets).backward()
        let tied = try XCTUnwrap(model.embed.weight.grad).scalars
        let sum = zip(try XCTUnwrap(table.grad).scalars, try XCTUnwrap(headWeight.grad).scalars).map { $0 + $1 }
        for (i, (got, want)) in zip(tied, sum).enumerated() {
            XCTAssertEqual(got, want, accuracy: 1e-6, "tied gradient at \(i): expected the sum of both uses \(want), got \(got)")
        }

        assertThrows("a head over a vector", mentions: ["weight must be [out, in]"]) {
            _ = try Linear(weight: Tensor.zeros([3]), bias: nil)(Tensor.zeros([2, 3]))
        }
        assertThrows("a bias of the wrong size", mentions: ["bias must be [out] = [5]"]) {
            _ = try Linear(weight: Tensor.zeros([5, 3]), bias: Tensor.zeros([3]))(Tensor.zeros([2, 3]))
        }
    }

    func testEmbeddingLooksUpRowsOfAnyShape() throws {
        var rng = RNG(seed: 5)
        let embed = Embedding(6, 3, rng: &rng)
        XCTAssertEqual(embed.namedParameters().map(\.name), ["weight"])
        for codes in [try Tensor(indices: [[0, 5, 2], [2, 2, 1]]), Tensor(indices: [4]), Tensor(scalar: 3), try Tensor(indices: [1, 0, 1, 1]).reshape([2, 1, 2])] {
            let y = try embed(codes)
            XCTAssertEqual(y.shape, codes.shape + [3], "Embedding on codes \(codes.shape)")
            for (p, code) in codes.indices.enumerated() {
                XCTAssertEqual(Array(y.scalars[(p * 3)..<(p * 3 + 3)]), embed.weight.rows[code], "Embedding: position \(p) must be row \(code)")
            }
            try assertGradients("Embedding on \(codes.shape)", [embed.weight]) { _ in try weightedSum(embed(codes), seed: 6) }
        }
        assertThrows("an out-of-range code", mentions: ["indexSelect", "index 6", "size 6"]) { _ = try embed(Tensor(indices: [1, 6])) }
        assertThrows("a fractional code", mentions: ["Embedding", "0.5"]) { _ = try embed(Tensor([0.5])) }
        assertThrows("an infinite code", mentions: ["Embedding", "inf"]) { _ = try embed(Tensor([.infinity])) }
        assertThrows("a NaN code", mentions: ["Embedding", "nan"]) { _ = try embed(Tensor([.nan])) }
        // N(0, 1) init.
        let big = Embedding(100, 100, rng: &rng).weight.scalars
        let mean = big.reduce(0, +) / Float(big.count)
        let std = (big.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(big.count)).squareRoot()
        XCTAssertEqual(mean, 0, accuracy: 0.05, "Embedding init mean")
        XCTAssertEqual(std, 1, accuracy: 0.05, "Embedding init std")
    }

    func testDropoutTrainsAndEvaluates() throws {
        var rng = RNG(seed: 7)
        let x = input([40, 50], seed: 8, 0.5, 1)
        for p: Float in [0.1, 0.5] {
            let drop = Dropout(p: p, rng: &rng)
            let y = try drop(x)
            let zeros = y.scalars.filter { $0 == 0 }.count
            XCTAssertEqual(Float(zeros) / Float(x.count), p, accuracy: 0.05, "Dropout(p: \(p)): fraction zeroed")
            for (a, b) in zip(x.scalars, y.scalars) where b != 0 {
                XCTAssertEqual(b, a / (1 - p), accuracy: 1e-6, "Dropout(p: \(p)): survivors scaled by 1/(1−p)")
            }
            XCTAssertNotEqual(try drop(x).scalars, y.scalars, "Dropout(p: \(p)): a new mask each call")
            drop.eval()
            XCTAssertEqual(try drop(x).scalars, x.scalars, "Dropout(p: \(p)) in eval mode is the identity")
            // Gradient with a fixed mask: a fresh layer from the same seed each call.
            try assertGradients("Dropout(p: \(p))", [input([3, 4], seed: 9)]) { t in
                var r = RNG(seed: 10)
                return try weightedSum(Dropout(p: p, rng: &r)(t[0]), seed: 11)
            }
        }
        var a = RNG(seed: 3), b = RNG(seed: 3)
        XCTAssertEqual(try Dropout(p: 0.5, rng: &a)(x).scalars, try Dropout(p: 0.5, rng: &b)(x).scalars, "Dropout: the same seed gives the same mask")
        assertThrows("Dropout(p: 1)", mentions: ["dropout", "p = 1"]) { _ = try Dropout(p: 1, rng: &rng)(x) }
    }

    // MARK: - Cells

    func testCellsGradients() throws {
        let cases: [(UInt64, Int, Int, Int, Bool)] = [(1, 2, 3, 4, true), (2, 3, 2, 3, false), (3, 1, 4, 2, true)]
        for (seed, batch, inputSize, hidden, bias) in cases {
            var rng = RNG(seed: seed)
            let x = input([batch, inputSize], seed: seed + 10), h = input([batch, hidden], seed: seed + 20)
            let c = input([batch, hidden], seed: seed + 30)
            let where_ = "B=\(batch) in=\(inputSize) H=\(hidden) bias=\(bias)"
            for nl in [RNNNonlinearity.tanh, .relu] {
                let cell = RNNCell(inputSize, hidden, bias: bias, nonlinearity: nl, rng: &rng)
                try assertGradients("RNNCell(\(nl)) \(where_)", [x, h] + cell.parameters()) { t in try weightedSum(cell(t[0], t[1]), seed: 1) }
            }
            let gru = GRUCell(inputSize, hidden, bias: bias, rng: &rng)
            try assertGradients("GRUCell \(where_)", [x, h] + gru.parameters()) { t in try weightedSum(gru(t[0], t[1]), seed: 2) }
            let lstm = LSTMCell(inputSize, hidden, bias: bias, rng: &rng)
            try assertGradients("LSTMCell \(where_)", [x, h, c] + lstm.parameters()) { t in
                let (h2, c2) = try lstm(t[0], (t[1], t[2]))
                return try weightedSum(h2, seed: 3) + weightedSum(c2, seed: 4)
            }
        }
    }

    func testCellsFollowPyTorchsFormulas() throws {
        // One step written out with the gate blocks cut from the weights by hand.
        var rng = RNG(seed: 12)
        let (batch, inputSize, hidden) = (2, 3, 4)
        let x = input([batch, inputSize], seed: 13), h = input([batch, hidden], seed: 14), c = input([batch, hidden], seed: 15)
        func gate(_ w: RecurrentWeights, _ k: Int) throws -> (xPart: Tensor, hPart: Tensor) {
            let rows = k * hidden..<(k + 1) * hidden
            let xPart = try x.matmul(w.weightIH.slice(axis: 0, rows).T) + w.biasIH!.slice(axis: 0, rows)
            let hPart = try h.matmul(w.weightHH.slice(axis: 0, rows).T) + w.biasHH!.slice(axis: 0, rows)
            return (xPart, hPart)
        }
        let lstm = LSTMCell(inputSize, hidden, rng: &rng)
        let (gi, gf, gg, go) = (try gate(lstm.weights, 0), try gate(lstm.weights, 1), try gate(lstm.weights, 2), try gate(lstm.weights, 3))
        let i = try (gi.xPart + gi.hPart).sigmoid(), f = try (gf.xPart + gf.hPart).sigmoid()
        let g = try (gg.xPart + gg.hPart).tanh(), o = try (go.xPart + go.hPart).sigmoid()
        let cWant = try f * c + i * g
        let got = try lstm(x, (h, c))
        assertClose(got.c, cWant, "LSTMCell c' = f∗c + i∗g (gates i, f, g, o)")
        assertClose(got.h, try o * cWant.tanh(), "LSTMCell h' = o∗tanh(c')")

        let gru = GRUCell(inputSize, hidden, rng: &rng)
        let (gr, gz, gn) = (try gate(gru.weights, 0), try gate(gru.weights, 1), try gate(gru.weights, 2))
        let r = try (gr.xPart + gr.hPart).sigmoid(), z = try (gz.xPart + gz.hPart).sigmoid()
        let n = try (gn.xPart + r * gn.hPart).tanh()
        assertClose(try gru(x, h), try (1 - z) * n + z * h, "GRUCell h' = (1−z)∗n + z∗h, n = tanh(W_in x + b_in + r∗(W_hn h + b_hn))")

        let rnn = RNNCell(inputSize, hidden, nonlinearity: .relu, rng: &rng)
        let pre = try gate(rnn.weights, 0)
        assertClose(try rnn(x, h), try (pre.xPart + pre.hPart).relu(), "RNNCell(relu) h' = relu(W_ih x + b_ih + W_hh h + b_hh)")
        assertClose(try rnn(x), try rnn(x, Tensor.zeros([batch, hidden])), "RNNCell: a missing h is zeros")
    }

    // MARK: - Recurrent layers

    func testLayersGradients() throws {
        // B=2, T=3, in=3, H=4 (and a 2-layer, no-bias and batch-1 variant).
        let cases: [(UInt64, Int, Int, Int, Int, Int, Bool, Bool)] = [
            // seed, batch, time, input, hidden, layers, bias, with h0
            (1, 2, 3, 3, 4, 1, true, false), (2, 2, 3, 3, 4, 1, true, true),
            (3, 2, 3, 3, 4, 2, true, true), (4, 1, 2, 2, 3, 2, false, false),
        ]
        // RNN(relu) is left out: a finite difference across relu's kink is meaningless, and
        // with two layers some pre-activation is always near 0. Its values and gradients are
        // checked against the cells (gradient-checked in testCellsGradients) in the test below.
        for kind in Kind.allCases where kind != .rnnRelu {
            for (seed, batch, time, inputSize, hidden, layers, bias, withH0) in cases {
                let layer = makeLayer(kind, inputSize, hidden, numLayers: layers, bias: bias, seed: seed)
                let where_ = "\(kind.rawValue) B=\(batch) T=\(time) in=\(inputSize) H=\(hidden) layers=\(layers) bias=\(bias) h0=\(withH0)"
                let x = input([batch, time, inputSize], seed: seed + 10)
                let states = withH0 ? [input([layers, batch, hidden], seed: seed + 20)] + (kind == .lstm ? [input([layers, batch, hidden], seed: seed + 30)] : []) : []
                try assertGradients(where_, [x] + states + layer.module.parameters()) { t in
                    let r = try layer.run(t[0], withH0 ? t[1] : nil, withH0 && kind == .lstm ? t[2] : nil)
                    var loss = try weightedSum(r.output, seed: 1) + weightedSum(r.h, seed: 2)
                    if let c = r.c { loss = try loss + weightedSum(c, seed: 3) }
                    return loss
                }
            }
        }
    }

    func testLayersEqualAHandUnrolledLoopOfCells() throws {
        let cases: [(UInt64, Int, Int, Int, Int, Int, Bool, Bool)] = [
            // seed, batch, time, input, hidden, layers, bias, with h0
            (1, 2, 3, 3, 4, 1, true, false), (2, 2, 3, 3, 4, 1, true, true),
            (3, 2, 3, 3, 4, 2, true, false), (4, 3, 5, 2, 6, 2, true, true),
            (5, 1, 1, 4, 3, 2, false, true), (6, 4, 7, 5, 8, 3, true, true),
        ]
        for kind in Kind.allCases {
            for (seed, batch, time, inputSize, hidden, layers, bias, withH0) in cases {
                let where_ = "\(kind.rawValue) B=\(batch) T=\(time) in=\(inputSize) H=\(hidden) layers=\(layers) bias=\(bias) h0=\(withH0)"
                let layer = makeLayer(kind, inputSize, hidden, numLayers: layers, bias: bias, seed: seed)
                let reference = try makeUnrolledCells(kind, like: layer)
                // Each side gets its own copies of the inputs, so their gradients can be compared.
                func inputs() -> (x: Tensor, h0: Tensor?, c0: Tensor?) {
                    let x = input([batch, time, inputSize], seed: seed + 10)
                    let h0 = withH0 ? input([layers, batch, hidden], seed: seed + 20) : nil
                    let c0 = withH0 && kind == .lstm ? input([layers, batch, hidden], seed: seed + 30) : nil
                    for t in [x, h0, c0].compactMap({ $0 }) { t.requiresGrad = true }
                    return (x, h0, c0)
                }
                func loss(_ r: (output: Tensor, h: Tensor, c: Tensor?)) throws -> Tensor {
                    var loss = try weightedSum(r.output, seed: 1) + weightedSum(r.h, seed: 2)
                    if let c = r.c { loss = try loss + weightedSum(c, seed: 3) }
                    return loss
                }
                let (a, b) = (inputs(), inputs())
                let got = try layer.run(a.x, a.h0, a.c0), want = try reference.run(b.x, b.h0, b.c0)
                assertClose(got.output, want.output, "\(where_): output")
                assertClose(got.h, want.h, "\(where_): final h")
                assertClose(got.c, want.c, "\(where_): final c")
                try loss(got).backward()
                try loss(want).backward()
                assertClose(a.x.grad, b.x.grad, "\(where_): gradient of x")
                assertClose(a.h0?.grad, b.h0?.grad, "\(where_): gradient of h0")
                assertClose(a.c0?.grad, b.c0?.grad, "\(where_): gradient of c0")
                for (l, cell) in reference.cells.enumerated() {
                    for p in cell.ownParameters {
                        let name = "\(p.name)_l\(l)"
                        let mine = layer.module.namedParameters().first { $0.name == name }?.tensor
                        assertClose(mine?.grad, p.tensor.grad, "\(where_): gradient of \(name)")
                    }
                }
            }
        }
    }

    /// A sequence op on (x, h0, c0, weights) giving [output, final h] (+ [final c] for an LSTM).
    typealias SequenceRun = (_ x: Tensor, _ h0: Tensor, _ c0: Tensor, _ w: RecurrentWeights) throws -> [Tensor]

    /// The composite: `step(x_t, h, c) → (h, c)` looped over time by hand.
    func unrolled(_ x: Tensor, _ h0: Tensor, _ c0: Tensor, _ step: (Tensor, Tensor, Tensor) throws -> (Tensor, Tensor)) throws -> [Tensor] {
        var (h, c) = (h0, c0)
        var outputs: [Tensor] = []
        for t in 0..<x.shape[1] {
            (h, c) = try step(x.select(axis: 1, index: t), h, c)
            outputs.append(h)
        }
        return [try stack(outputs, axis: 1), h, c]
    }

    /// One LSTM step written out in primitives, PyTorch's formulas: what the fused
    /// `lstmSequence` and `lstmCell` must equal.
    func lstmCellFromPrimitives(_ x: Tensor, _ h: Tensor, _ c: Tensor, weights w: RecurrentWeights) throws -> (Tensor, Tensor) {
        let gates = try linear(x, weight: w.weightIH, bias: w.biasIH) + linear(h, weight: w.weightHH, bias: w.biasHH)
        let parts = try gates.chunk(4, axis: 1)
        let (i, f, g, o) = (parts[0].sigmoid(), parts[1].sigmoid(), parts[2].tanh(), parts[3].sigmoid())
        let c2 = try f * c + i * g
        return (try o * c2.tanh(), c2)
    }

    func testFusedOpsEqualComposite() throws {
        let ops: [(name: String, gates: Int, fused: SequenceRun, composite: SequenceRun)] = [
            ("lstmSequence", 4, { x, h0, c0, w in
                let r = try lstmSequence(x, h0: h0, c0: c0, weights: w)
                return [r.output, r.h, r.c]
            }, { x, h0, c0, w in try self.unrolled(x, h0, c0) { try self.lstmCellFromPrimitives($0, $1, $2, weights: w) } }),
            ("lstmCell (fused, one step at a time)", 4, { x, h0, c0, w in
                try self.unrolled(x, h0, c0) { try lstmCell($0, $1, $2, weights: w) }
            }, { x, h0, c0, w in try self.unrolled(x, h0, c0) { try self.lstmCellFromPrimitives($0, $1, $2, weights: w) } }),
            ("gruSequence", 3, { x, h0, _, w in
                let output = try gruSequence(x, h0: h0, weights: w)
                return [output, try output.select(axis: 1, index: -1)]
            }, { x, h0, c0, w in Array(try self.unrolled(x, h0, c0) { (try gruCell($0, $1, weights: w), $2) }.prefix(2)) }),
            ("rnnSequence(tanh)", 1, { x, h0, _, w in
                let output = try rnnSequence(x, h0: h0, weights: w)
                return [output, try output.select(axis: 1, index: -1)]
            }, { x, h0, c0, w in Array(try self.unrolled(x, h0, c0) { (try rnnCell($0, $1, weights: w), $2) }.prefix(2)) }),
            ("rnnSequence(relu)", 1, { x, h0, _, w in
                let output = try rnnSequence(x, h0: h0, weights: w, nonlinearity: .relu)
                return [output, try output.select(axis: 1, index: -1)]
            }, { x, h0, c0, w in Array(try self.unrolled(x, h0, c0) { (try rnnCell($0, $1, weights: w, nonlinearity: .relu), $2) }.prefix(2)) }),
        ]
        let cases: [(UInt64, Int, Int, Int, Int, Bool)] = [
            // seed, batch, time, input, hidden, bias
            (1, 2, 3, 3, 4, true), (2, 1, 1, 1, 1, true), (3, 3, 6, 5, 7, false), (4, 5, 4, 9, 16, true), (5, 2, 8, 2, 3, true),
        ]
        for op in ops {
            let isLSTM = op.gates == 4
            for (seed, batch, time, inputSize, hidden, bias) in cases {
                let where_ = "\(op.name) B=\(batch) T=\(time) in=\(inputSize) H=\(hidden) bias=\(bias)"
                var rng = RNG(seed: seed)
                let w = RecurrentWeights(gates: op.gates, inputSize: inputSize, hiddenSize: hidden, bias: bias, rng: &rng)
                // x, h0, c0 (LSTM only), then copies of the weights: each call gets its own.
                let names = ["x", "h0"] + (isLSTM ? ["c0"] : []) + ["weight_ih", "weight_hh"] + (bias ? ["bias_ih", "bias_hh"] : [])
                func tensors() -> [Tensor] {
                    var own = [input([batch, time, inputSize], seed: seed + 10), input([batch, hidden], seed: seed + 20)]
                    if isLSTM { own.append(input([batch, hidden], seed: seed + 30)) }
                    let weights = [w.weightIH, w.weightHH, w.biasIH, w.biasHH].compactMap { $0 }.map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
                    for t in own { t.requiresGrad = true }
                    return own + weights
                }
                func run(_ f: SequenceRun, _ t: [Tensor]) throws -> [Tensor] {
                    let k = isLSTM ? 3 : 2
                    let weights = RecurrentWeights(weightIH: t[k], weightHH: t[k + 1], biasIH: bias ? t[k + 2] : nil, biasHH: bias ? t[k + 3] : nil)
                    return try f(t[0], t[1], isLSTM ? t[2] : Tensor.zeros([batch, hidden]), weights)
                }
                let (a, b) = (tensors(), tensors())
                let got = try run(op.fused, a), want = try run(op.composite, b)
                for (k, part) in ["output", "final h", "final c"].prefix(got.count).enumerated() {
                    assertClose(got[k], want[k], "\(where_): \(part)")
                }
                // Every result gets its own gradient.
                try got.enumerated().map { try weightedSum($0.element, seed: UInt64($0.offset)) }.reduce(Tensor(scalar: 0), +).backward()
                try want.enumerated().map { try weightedSum($0.element, seed: UInt64($0.offset)) }.reduce(Tensor(scalar: 0), +).backward()
                for (i, name) in names.enumerated() {
                    assertClose(a[i].grad, b[i].grad, "\(where_): gradient of \(name)")
                }
                // And against finite differences, each result on its own (on small sizes: the
                // finite differences of a sum over many float values are too noisy).
                for (k, part) in ["output", "final h", "final c"].prefix(got.count).enumerated() where batch * time * hidden <= 64 {
                    try assertGradients("\(where_): \(part)", tensors()) { t in try weightedSum(run(op.fused, t)[k], seed: 4) }
                }
            }
        }
        // Without a graph (noGrad) the values are the same.
        for kind in Kind.allCases {
            let layer = makeLayer(kind, 3, 4, numLayers: 2, seed: 9)
            let x = input([2, 3, 3], seed: 10)
            let withGraph = try layer.run(x, nil, nil).output
            assertClose(try noGrad { try layer.run(x, nil, nil).output }, withGraph, "\(kind.rawValue) under noGrad")
        }
    }

    func testOutputVersusHidden() throws {
        for kind in Kind.allCases {
            let x = input([3, 5, 2], seed: 1)
            let one = try makeLayer(kind, 2, 4, numLayers: 1, seed: 2).run(x, nil, nil)
            XCTAssertEqual(one.output.shape, [3, 5, 4], "\(kind.rawValue): output shape")
            XCTAssertEqual(one.h.shape, [1, 3, 4], "\(kind.rawValue): hidden shape")
            assertClose(try one.output.select(axis: 1, index: -1), try one.h.select(axis: 0, index: 0), tol: 0,
                        "\(kind.rawValue), 1 layer: output[:, -1] must equal hidden[0]")

            let two = try makeLayer(kind, 2, 4, numLayers: 2, seed: 3).run(x, nil, nil)
            XCTAssertEqual(two.h.shape, [2, 3, 4], "\(kind.rawValue) 2 layers: hidden shape")
            let last = try two.output.select(axis: 1, index: -1)
            assertClose(try two.h.select(axis: 0, index: 1), last, tol: 0, "\(kind.rawValue), 2 layers: hidden[1] must equal output[:, -1]")
            let diff = zip(try two.h.select(axis: 0, index: 0).scalars, last.scalars).map { Swift.abs($0 - $1) }.max()!
            XCTAssertGreaterThan(diff, 1e-3, "\(kind.rawValue), 2 layers: hidden[0] is layer 0's last state and must differ from output[:, -1] (the last layer's)")
            // An empty batch gives empty results, not a crash.
            let empty = try makeLayer(kind, 2, 4, numLayers: 2, seed: 4).run(Tensor.zeros([0, 5, 2]), nil, nil)
            XCTAssertEqual(empty.output.shape, [0, 5, 4], "\(kind.rawValue) on an empty batch: output shape")
            XCTAssertEqual(empty.h.shape, [2, 0, 4], "\(kind.rawValue) on an empty batch: hidden shape")
            if let c = two.c {
                XCTAssertEqual(c.shape, [2, 3, 4], "LSTM: c shape")
                XCTAssertNotEqual(c.scalars, two.h.scalars, "LSTM: c is the cell, not h")
            }
        }
    }

    func testParameterNamesShapesAndInit() throws {
        for kind in Kind.allCases {
            let gates = kind.gates
            for bias in [true, false] {
                let layer = makeLayer(kind, 3, 5, numLayers: 2, bias: bias, seed: 4)
                var want: [(String, [Int])] = []
                for l in 0..<2 {
                    want += [("weight_ih_l\(l)", [gates * 5, l == 0 ? 3 : 5]), ("weight_hh_l\(l)", [gates * 5, 5])]
                    if bias { want += [("bias_ih_l\(l)", [gates * 5]), ("bias_hh_l\(l)", [gates * 5])] }
                }
                let got = layer.module.namedParameters()
                XCTAssertEqual(got.map(\.name), want.map(\.0), "\(kind.rawValue) bias=\(bias): PyTorch's state_dict names")
                XCTAssertEqual(got.map(\.tensor.shape), want.map(\.1), "\(kind.rawValue) bias=\(bias): shapes")
                let k = 1 / Float(5).squareRoot()
                for p in got {
                    XCTAssertTrue(p.tensor.requiresGrad, "\(kind.rawValue).\(p.name) must require a gradient")
                    XCTAssertTrue(p.tensor.scalars.allSatisfy { Swift.abs($0) <= k }, "\(kind.rawValue).\(p.name): init within ±1/√H = \(k)")
                }
            }
        }
        var rng = RNG(seed: 1)
        let cells: [(String, any Module, Int)] = [
            ("RNNCell", RNNCell(3, 5, rng: &rng), 1), ("GRUCell", GRUCell(3, 5, rng: &rng), 3), ("LSTMCell", LSTMCell(3, 5, rng: &rng), 4),
        ]
        for (name, cell, gates) in cells {
            XCTAssertEqual(cell.namedParameters().map(\.name), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"], "\(name): names")
            XCTAssertEqual(cell.namedParameters().map(\.tensor.shape), [[gates * 5, 3], [gates * 5, 5], [gates * 5], [gates * 5]], "\(name): shapes")
        }
        XCTAssertEqual(LSTMCell(3, 5, bias: false, rng: &rng).namedParameters().map(\.name), ["weight_ih", "weight_hh"], "LSTMCell without bias")
    }

    func testDropoutBetweenLayers() throws {
        let x = input([2, 4, 3], seed: 1)
        for kind in Kind.allCases {
            let plain = makeLayer(kind, 3, 5, numLayers: 2, seed: 2).run
            let dropped = makeLayer(kind, 3, 5, numLayers: 2, dropout: 0.5, seed: 2)
            let training = try dropped.run(x, nil, nil).output
            XCTAssertGreaterThan(zip(training.scalars, try plain(x, nil, nil).output.scalars).map { Swift.abs($0 - $1) }.max()!, 1e-4,
                                 "\(kind.rawValue)(dropout: 0.5): training output must differ from the output without dropout")
            dropped.module.eval()
            assertClose(try dropped.run(x, nil, nil).output, try plain(x, nil, nil).output, tol: 0, "\(kind.rawValue)(dropout: 0.5) in eval mode: no dropout")
        }
    }

    func testWrongShapesThrowNamingTheLayer() throws {
        var rng = RNG(seed: 1)
        let lstm = LSTM(3, 4, rng: &rng), gru = GRU(3, 4, numLayers: 2, rng: &rng), rnn = RNN(3, 4, rng: &rng)
        let lstmCell = LSTMCell(3, 4, rng: &rng), gruCell = GRUCell(3, 4, rng: &rng), rnnCell = RNNCell(3, 4, rng: &rng)
        let linear = Linear(3, 4, rng: &rng)
        let good = Tensor.zeros([2, 5, 3])
        let cases: [(String, [String], () throws -> Void)] = [
            ("LSTM, wrong input size", ["LSTM", "[2, 5, 7]", "[batch, time, 3]"], { _ = try lstm(Tensor.zeros([2, 5, 7])) }),
            ("LSTM, 2-D input", ["LSTM", "[5, 3]", "unsqueeze"], { _ = try lstm(Tensor.zeros([5, 3])) }),
            ("LSTM, wrong h0", ["LSTM", "h0", "[1, 2, 5]", "[1, 2, 4]"], { _ = try lstm(good, (Tensor.zeros([1, 2, 5]), Tensor.zeros([1, 2, 4]))) }),
            ("LSTM, wrong c0", ["LSTM", "c0", "[2, 4]", "[1, 2, 4]"], { _ = try lstm(good, (Tensor.zeros([1, 2, 4]), Tensor.zeros([2, 4]))) }),
            ("GRU, wrong input size", ["GRU", "[2, 5, 2]", "[batch, time, 3]"], { _ = try gru(Tensor.zeros([2, 5, 2])) }),
            ("GRU, h0 for 1 layer", ["GRU", "h0", "[1, 2, 4]", "[2, 2, 4]"], { _ = try gru(good, Tensor.zeros([1, 2, 4])) }),
            ("RNN, wrong input size", ["RNN", "[2, 5, 4]", "[batch, time, 3]"], { _ = try rnn(Tensor.zeros([2, 5, 4])) }),
            ("RNN, no time steps", ["RNN", "[2, 0, 3]", "no time steps"], { _ = try rnn(Tensor.zeros([2, 0, 3])) }),
            ("LSTMCell, wrong input", ["LSTMCell", "[2, 5]", "[batch, 3]"], { _ = try lstmCell(Tensor.zeros([2, 5])) }),
            ("LSTMCell, wrong c", ["LSTMCell", "c", "[3, 4]", "[2, 4]"], { _ = try lstmCell(Tensor.zeros([2, 3]), (Tensor.zeros([2, 4]), Tensor.zeros([3, 4]))) }),
            ("GRUCell, wrong h", ["GRUCell", "h", "[2, 5]", "[2, 4]"], { _ = try gruCell(Tensor.zeros([2, 3]), Tensor.zeros([2, 5])) }),
            ("RNNCell, 3-D input", ["RNNCell", "[1, 2, 3]"], { _ = try rnnCell(Tensor.zeros([1, 2, 3])) }),
            ("Linear, wrong input", ["Linear", "[2, 5]", "3"], { _ = try linear(Tensor.zeros([2, 5])) }),
            ("lstmSequence, wrong weights", ["lstmSequence", "weight_ih", "[16, 3]", "[16, 2]"], {
                _ = try lstmSequence(Tensor.zeros([2, 5, 2]), h0: Tensor.zeros([2, 4]), c0: Tensor.zeros([2, 4]), weights: lstm.weights[0])
            }),
        ]
        for (what, mentions, body) in cases {
            assertThrows(what, mentions: mentions, body)
        }
        // The error points at the caller's line.
        let line = #line + 1
        do { _ = try lstm(Tensor.zeros([2, 5, 7])); XCTFail("expected an error") } catch let e as TensorError {
            XCTAssertEqual(e.line, line, "the error must carry the caller's line")
            XCTAssertTrue(e.file?.hasSuffix("LayersTests.swift") ?? false, "the error must carry the caller's file, got \(e.file ?? "nil")")
        }
    }
}
