import XCTest
@testable import Autograd

/// What a transformer needs (GELU, LayerNorm, the masked softmax, scaled dot-product
/// attention, MultiheadAttention, position embeddings, TransformerEncoderLayer): values and
/// gradients equal to PyTorch's on fixed inputs (`TransformerValues.swift`, written by
/// `Benchmarks/pytorch/transformer_values.py`), gradients against finite differences, the
/// fused ops against their composites, PyTorch's parameter names, and masks that give no NaN.
final class TransformerLayersTests: XCTestCase {
    // MARK: - Helpers

    /// Values in [lo, hi) from `seed`.
    func input(_ shape: [Int], seed: UInt64, _ lo: Float = -1, _ hi: Float = 1) -> Tensor {
        var rng = RNG(seed: seed)
        return Tensor.uniform(shape, lo, hi, rng: &rng)
    }

    /// A tensor of PyTorch's values.
    func torch(_ values: [Float], _ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        try! Tensor(values, shape: shape, requiresGrad: requiresGrad)
    }

    /// Asserts equal shapes and values within `tol`, naming the worst element.
    func assertClose(_ got: Tensor?, _ want: [Float], _ shape: [Int], tol: Float = 2e-5, _ what: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        guard let got else { return XCTFail("\(what): no tensor", file: file, line: line) }
        guard got.shape == shape, got.count == want.count else {
            return XCTFail("\(what): expected shape \(shape), got \(got.shape)", file: file, line: line)
        }
        var worst = (at: 0, diff: Float(0))
        for i in 0..<got.count {
            let d = Swift.abs(got.scalars[i] - want[i])
            if d > worst.diff || d.isNaN { worst = (i, d.isNaN ? .infinity : d) }
        }
        if worst.diff > tol {
            XCTFail("\(what): expected \(want[worst.at]), got \(got.scalars[worst.at]) at element \(worst.at) of \(shape) (|diff| \(worst.diff) > tolerance \(tol))", file: file, line: line)
        }
    }

    func assertClose(_ got: Tensor?, _ want: Tensor, tol: Float = 2e-5, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        assertClose(got, want.scalars, want.shape, tol: tol, what, file: file, line: line)
    }

    /// Gradient-checks `f` with respect to `inputs`.
    func assertGradients(_ name: String, _ inputs: [Tensor], file: StaticString = #filePath, line: UInt = #line,
                         _ f: ([Tensor]) throws -> Tensor) throws {
        let report = try gradCheck(inputs, f)
        XCTAssertTrue(report.passed, "\(name): \(report)", file: file, line: line)
        XCTAssertGreaterThan(report.checked, 0, "\(name): nothing checked", file: file, line: line)
    }

    /// Loads PyTorch's parameters into `module`, after checking the names are PyTorch's.
    func load(_ module: any Module, names: [String], values: [[Float]], file: StaticString = #filePath, line: UInt = #line) throws {
        let params = module.namedParameters()
        XCTAssertEqual(params.map(\.name), names, "PyTorch's named_parameters()", file: file, line: line)
        for ((_, t), v) in zip(params, values) { try t.assign(v) }
    }

    // MARK: - GELU

    func testGELUEqualsPyTorch() throws {
        let x = torch(TorchValues.geluInput, [7], requiresGrad: true)
        for (form, y, dy) in [(GELUApproximation.none, TorchValues.geluNone, TorchValues.geluNoneGrad),
                              (.tanh, TorchValues.geluTanh, TorchValues.geluTanhGrad)] {
            x.zeroGrad()
            let out = x.gelu(approximate: form)
            try out.sum().backward()
            assertClose(out, y, [7], tol: 1e-6, "gelu(\(form)) = F.gelu(x, approximate='\(form)')")
            assertClose(x.grad, dy, [7], tol: 1e-6, "gelu(\(form))′")
            try assertGradients("gelu(\(form))", [input([2, 5], seed: 1, -3, 3)]) { $0[0].gelu(approximate: form) }
        }
    }

    // MARK: - LayerNorm

    func testLayerNormEqualsPyTorch() throws {
        let x = torch(TorchValues.layerNormInput, [2, 3, 5], requiresGrad: true)
        let norm = LayerNorm(5)
        try load(norm, names: ["weight", "bias"], values: [TorchValues.layerNormWeight, TorchValues.layerNormBias])
        let y = try norm(x)
        try (y * torch(TorchValues.layerNormRowWeights, [2, 3, 5])).sum().backward()
        assertClose(y, TorchValues.layerNormOutput, [2, 3, 5], "LayerNorm(5): biased variance, ε = 1e-5")
        assertClose(x.grad, TorchValues.layerNormGradInput, [2, 3, 5], tol: 1e-4, "LayerNorm ∂x")
        assertClose(norm.weight?.grad, TorchValues.layerNormGradWeight, [5], "LayerNorm ∂weight")
        assertClose(norm.bias?.grad, TorchValues.layerNormGradBias, [5], "LayerNorm ∂bias")
        let flat = try layerNorm(x, normalizedShape: [3, 5])
        assertClose(flat, TorchValues.layerNorm2DOutput, [2, 3, 5], "F.layer_norm(x, [3, 5]) without weight and bias")
        XCTAssertEqual(LayerNorm([3, 5], elementwiseAffine: false).parameterCount, 0)
    }

    func testLayerNormGradientsAndComposite() throws {
        let x = input([2, 3, 4], seed: 2, -2, 2), w = input([4], seed: 3, 0.5, 1.5), b = input([4], seed: 4)
        try assertGradients("layerNorm (affine)", [x, w, b]) { try layerNorm($0[0], normalizedShape: [4], weight: $0[1], bias: $0[2]) }
        try assertGradients("layerNorm over [3, 4]", [x]) { try layerNorm($0[0], normalizedShape: [3, 4]) }
        // The fused op against (x − μ) / √(σ² + ε) · w + b in primitives.
        func composite(_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Tensor {
            let d = try x - x.mean(axis: -1, keepDims: true)
            return try d / (d.squared().mean(axis: -1, keepDims: true) + 1e-5).sqrt() * w + b
        }
        let r = input([2, 3, 4], seed: 5)
        let fused = [x, w, b].map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
        let plain = [x, w, b].map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
        let yf = try layerNorm(fused[0], normalizedShape: [4], weight: fused[1], bias: fused[2])
        let yp = try composite(plain[0], plain[1], plain[2])
        try (yf * r).sum().backward()
        try (yp * r).sum().backward()
        assertClose(yf, yp, tol: 1e-5, "layerNorm = composite")
        for i in 0..<3 { assertClose(fused[i].grad, plain[i].grad!, tol: 1e-5, "layerNorm gradient \(i) = composite's") }
    }

    // MARK: - Masked softmax

    func testMaskedSoftmax() throws {
        let x = input([2, 3, 4], seed: 6, -3, 3)
        let mask = try Tensor([0, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 1], shape: [1, 3, 4])
        try assertGradients("softmax(masking:)", [x]) { try $0[0].softmax(masking: mask) }
        let y = try x.softmax(masking: mask)
        assertClose(y, try x.maskedFill(mask, -.infinity).softmax(), tol: 1e-6, "softmax(masking:) = masked_fill(−∞) then softmax")
        for (i, v) in y.scalars.enumerated() where mask.scalars[i % 12] != 0 { XCTAssertEqual(v, 0, "a masked entry gets exactly 0 (element \(i))") }
        // A row with every entry masked: zeros and no gradient, never NaN.
        let all = try Tensor([1, 1, 1, 1], shape: [1, 1, 4])
        let z = try x.softmax(masking: all)
        XCTAssertEqual(z.scalars, [Float](repeating: 0, count: 24), "every entry masked: all zeros")
        let leaf = Tensor(shape: x.shape, scalars: x.scalars, requiresGrad: true)
        try (leaf.softmax(masking: all) * x).sum().backward()
        XCTAssertEqual(leaf.grad?.scalars, [Float](repeating: 0, count: 24), "every entry masked: no gradient")
        XCTAssertThrowsError(try x.softmax(masking: Tensor([0, 1, 0])), "a mask that does not broadcast is refused")
    }

    // MARK: - Scaled dot-product attention

    func testAttentionEqualsPyTorch() throws {
        let padding = try Tensor([0, 0, 0, 1, 0, 1, 1, 1], shape: [2, 4])
        typealias V = TorchValues
        let cases = [(false, V.attentionPaddedOutput, V.attentionPaddedWeights, V.attentionPaddedGradQuery, V.attentionPaddedGradKey, V.attentionPaddedGradValue),
                     (true, V.attentionPaddedCausalOutput, V.attentionPaddedCausalWeights, V.attentionPaddedCausalGradQuery, V.attentionPaddedCausalGradKey, V.attentionPaddedCausalGradValue)]
        for (causal, out, weights, gq, gk, gv) in cases {
            let q = torch(V.attentionQuery, [2, 2, 3, 4], requiresGrad: true)
            let k = torch(V.attentionKey, [2, 2, 4, 4], requiresGrad: true)
            let v = torch(V.attentionValue, [2, 2, 4, 3], requiresGrad: true)
            let (y, w) = try scaledDotProductAttention(q, k, v, keyPaddingMask: padding, causal: causal)
            try (y * torch(V.attentionRowWeights, [2, 2, 3, 3])).sum().backward()
            let what = "F.scaled_dot_product_attention, key padding\(causal ? ", causal" : "")"
            assertClose(y, out, [2, 2, 3, 3], what)
            assertClose(w, weights, [2, 2, 3, 4], "\(what): weights")
            assertClose(q.grad, gq, [2, 2, 3, 4], tol: 1e-4, "\(what): ∂query")
            assertClose(k.grad, gk, [2, 2, 4, 4], tol: 1e-4, "\(what): ∂key")
            assertClose(v.grad, gv, [2, 2, 4, 3], tol: 1e-4, "\(what): ∂value")
        }
        // A sequence whose every key is padding: zeros, as PyTorch's SDPA (no NaN).
        let q = torch(V.attentionQuery, [2, 2, 3, 4], requiresGrad: true)
        let (y, w) = try scaledDotProductAttention(q, torch(V.attentionKey, [2, 2, 4, 4]), torch(V.attentionValue, [2, 2, 4, 3]),
                                                   keyPaddingMask: Tensor([0, 0, 1, 1, 1, 1, 1, 1], shape: [2, 4]))
        assertClose(y, V.attentionAllPaddedOutput, [2, 2, 3, 3], "every key of sequence 1 padding")
        XCTAssertEqual(Array(w.scalars[24...]), [Float](repeating: 0, count: 24), "no weight where every key is padding")
        try y.sum().backward()
        XCTAssertTrue(q.grad!.scalars.allSatisfy(\.isFinite), "the gradient through fully masked rows is finite")
    }

    func testAttentionGradientsAndComposite() throws {
        let q = input([2, 3, 4], seed: 7, -2, 2), k = input([2, 5, 4], seed: 8, -2, 2), v = input([2, 5, 3], seed: 9)
        let padding = try Tensor([0, 0, 0, 1, 1, 0, 1, 0, 0, 0], shape: [2, 5])
        for causal in [false, true] {
            try assertGradients("attention causal=\(causal)", [q, k, v]) {
                try scaledDotProductAttention($0[0], $0[1], $0[2], keyPaddingMask: padding, causal: causal).output
            }
            // The fused op against q·kᵀ/√d, softmax(masking:), ·v in primitives.
            var mask = Tensor.zeros([2, 3, 5])
            for b in 0..<2 { for t in 0..<3 { for s in 0..<5 where padding.scalars[b * 5 + s] != 0 || (causal && s > t) { mask.scalars[(b * 3 + t) * 5 + s] = 1 } } }
            mask = try mask.reshape([2, 3, 5])
            let r = input([2, 3, 3], seed: 10)
            let fused = [q, k, v].map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
            let plain = [q, k, v].map { Tensor(shape: $0.shape, scalars: $0.scalars, requiresGrad: true) }
            let (yf, wf) = try scaledDotProductAttention(fused[0], fused[1], fused[2], keyPaddingMask: padding, causal: causal)
            let wp = try (plain[0].matmul(plain[1].transpose(1, 2)) / 2).softmax(masking: mask)
            let yp = try wp.matmul(plain[2])
            try (yf * r).sum().backward()
            try (yp * r).sum().backward()
            assertClose(yf, yp, tol: 1e-5, "attention = composite (causal \(causal))")
            assertClose(wf, wp, tol: 1e-6, "attention weights = composite's (causal \(causal))")
            for i in 0..<3 { assertClose(fused[i].grad, plain[i].grad!, tol: 1e-5, "attention gradient \(i) = composite's (causal \(causal))") }
        }
    }

    func testAttentionDropoutAndErrors() throws {
        let q = input([2, 3, 4], seed: 11), k = input([2, 3, 4], seed: 12), v = input([2, 3, 4], seed: 13)
        var rng = RNG(seed: 1)
        let plain = try scaledDotProductAttention(q, k, v).output
        let evaluating = try scaledDotProductAttention(q, k, v, dropout: 0.5, training: false, rng: &rng).output
        XCTAssertEqual(plain.scalars, evaluating.scalars, "no dropout when not training")
        try assertGradients("attention with dropout", [q, k, v]) {
            var rng = RNG(seed: 2)    // the same draws at every evaluation
            return try scaledDotProductAttention($0[0], $0[1], $0[2], dropout: 0.3, training: true, rng: &rng).output
        }
        XCTAssertThrowsError(try scaledDotProductAttention(q, input([2, 3, 5], seed: 1), v)) { XCTAssertTrue("\($0)".contains("query and key sizes 4 and 5 differ"), "\($0)") }
        XCTAssertThrowsError(try scaledDotProductAttention(q, k, v, keyPaddingMask: Tensor.zeros([2, 4]))) { XCTAssertTrue("\($0)".contains("keyPaddingMask [2, 4]"), "\($0)") }
    }

    // MARK: - MultiheadAttention

    func testMultiheadAttentionEqualsPyTorch() throws {
        typealias V = TorchValues
        var rng = RNG(seed: 3)
        let mha = MultiheadAttention(4, 2, rng: &rng)
        try load(mha, names: V.mhaNames, values: V.mhaParams)
        XCTAssertEqual(mha.namedParameters().map(\.tensor.shape), [[12, 4], [12], [4, 4], [4]], "PyTorch's layout")
        let x = torch(V.mhaInput, [2, 3, 4], requiresGrad: true)
        let padding = try Tensor([0, 0, 1, 0, 0, 0], shape: [2, 3])
        let (y, w) = try mha(x, x, x, keyPaddingMask: padding)
        try (y * torch(V.mhaRowWeights, [2, 3, 4])).sum().backward()
        assertClose(y, V.mhaOutput, [2, 3, 4], "MultiheadAttention(4, 2), self-attention, key padding")
        assertClose(w, V.mhaWeights, [2, 3, 3], "weights averaged over the heads")
        assertClose(x.grad, V.mhaGradInput, [2, 3, 4], tol: 1e-4, "∂x")
        assertClose(mha.inProjWeight.grad, V.mhaGradInProjWeight, [12, 4], tol: 1e-4, "∂in_proj_weight")
        let perHead = try mha(x, x, x, keyPaddingMask: padding, averageWeights: false).weights
        assertClose(perHead, V.mhaWeightsPerHead, [2, 2, 3, 3], "weights per head")
        XCTAssertNil(try mha(x, x, x, needWeights: false).weights)
        let (cross, cw) = try mha(torch(V.mhaQuery, [2, 2, 4]), x, x, keyPaddingMask: padding)
        assertClose(cross, V.mhaCrossOutput, [2, 2, 4], "cross-attention: query [2, 2, 4] over x")
        assertClose(cw, V.mhaCrossWeights, [2, 2, 3], "cross-attention weights")
    }

    func testMultiheadAttentionGradients() throws {
        var rng = RNG(seed: 4)
        let mha = MultiheadAttention(4, 2, rng: &rng)
        for p in mha.parameters() { try p.assign(input(p.shape, seed: UInt64(p.count), -0.8, 0.8)) }
        let x = input([2, 3, 4], seed: 14, -1.5, 1.5), query = input([2, 2, 4], seed: 15, -1.5, 1.5)
        let padding = try Tensor([0, 0, 1, 0, 0, 0], shape: [2, 3])
        // The parameters are leaves: the check perturbs the layer's own tensors.
        try assertGradients("MultiheadAttention, self, causal (x and parameters)", [x] + mha.parameters()) {
            try mha($0[0], $0[0], $0[0], keyPaddingMask: padding, causal: true).output
        }
        try assertGradients("MultiheadAttention, cross (query, x and parameters)", [query, x] + mha.parameters()) {
            try mha($0[0], $0[1], $0[1], keyPaddingMask: padding).output
        }
        XCTAssertThrowsError(try MultiheadAttention(6, 4, rng: &rng)(x, x, x)) { XCTAssertTrue("\($0)".contains("divisible"), "\($0)") }
        XCTAssertThrowsError(try mha(x, x, input([2, 4, 4], seed: 1))) { XCTAssertTrue("\($0)".contains("key and value must have one shape"), "\($0)") }
    }

    // MARK: - Position embeddings

    func testPositionEmbeddings() throws {
        assertClose(sinusoidalPositionEncoding(length: 6, dim: 8), TorchValues.sinusoidal6x8, [6, 8], tol: 1e-6,
                    "PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(…): the tutorial's PositionalEncoding")
        let x = input([2, 3, 8], seed: 16)
        let fixed = SinusoidalPositionEncoding(maxLength: 6, dim: 8)
        XCTAssertEqual(fixed.parameterCount, 0, "the sin/cos table is not learned")
        assertClose(try fixed(x), try x + sinusoidalPositionEncoding(length: 3, dim: 8), tol: 0, "x + PE[0..<3]")
        var rng = RNG(seed: 5)
        let learned = PositionEmbedding(maxLength: 6, dim: 8, rng: &rng)
        XCTAssertEqual(learned.namedParameters().map(\.name), ["weight"])
        assertClose(try learned(x), try x + learned.weight.slice(axis: 0, 0..<3), tol: 0, "x + weight[0..<3]")
        try assertGradients("PositionEmbedding", [x, learned.weight]) { try learned($0[0]) }
        XCTAssertThrowsError(try learned(input([1, 7, 8], seed: 1))) { XCTAssertTrue("\($0)".contains("length ≤ 6"), "\($0)") }
        // Attention alone cannot tell order: permuting the positions permutes its outputs.
        let mha = MultiheadAttention(8, 2, rng: &rng)
        let order = [2, 0, 1]
        let permuted = try x.indexSelect(axis: 1, indices: order)
        assertClose(try mha(permuted, permuted, permuted).output, try mha(x, x, x).output.indexSelect(axis: 1, indices: order), tol: 1e-5,
                    "without positions, attention is permutation-equivariant")
    }

    // MARK: - TransformerEncoderLayer

    func testEncoderLayerEqualsPyTorch() throws {
        typealias V = TorchValues
        let padding = try Tensor([0, 0, 0, 0, 1, 1], shape: [2, 3])
        let cases: [(String, Bool, Activation, [Float], [Float])] = [
            ("pre-norm, relu", true, .relu, V.encoderPreNormOutput, V.encoderPreNormGradInput),
            ("post-norm, relu", false, .relu, V.encoderPostNormOutput, V.encoderPostNormGradInput),
            ("pre-norm, gelu", true, .gelu(.none), V.encoderPreNormGELUOutput, V.encoderPreNormGELUGradInput),
        ]
        for (name, normFirst, activation, out, grad) in cases {
            var rng = RNG(seed: 6)
            let layer = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 6, dropout: 0.1, activation: activation, normFirst: normFirst, rng: &rng)
            try load(layer, names: V.encoderNames, values: V.encoderParams)
            layer.eval()
            let x = torch(V.encoderInput, [2, 3, 4], requiresGrad: true)
            let y = try layer(x, keyPaddingMask: padding)
            try (y * torch(V.encoderRowWeights, [2, 3, 4])).sum().backward()
            assertClose(y, out, [2, 3, 4], "TransformerEncoderLayer \(name) (eval)")
            assertClose(x.grad, grad, [2, 3, 4], tol: 1e-4, "TransformerEncoderLayer \(name) ∂x")
            let (same, weights) = try layer.withWeights(x, keyPaddingMask: padding)
            XCTAssertEqual(same.scalars, y.scalars, "withWeights gives the same output")
            XCTAssertEqual(weights.shape, [2, 2, 3, 3], "weights per head")
        }
    }

    func testEncoderLayerGradientsAndTraining() throws {
        var rng = RNG(seed: 7)
        let layer = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 5, dropout: 0, activation: .gelu(.tanh), rng: &rng)
        for p in layer.parameters() { try p.assign(input(p.shape, seed: UInt64(p.count) + 20, -0.8, 0.8)) }
        let x = input([2, 3, 4], seed: 17, -1.5, 1.5), padding = try Tensor([0, 0, 0, 0, 0, 1], shape: [2, 3])
        try assertGradients("TransformerEncoderLayer (x and parameters)", [x] + layer.parameters()) {
            try layer($0[0], keyPaddingMask: padding, causal: true)
        }
        // Training mode reaches every dropout; evaluation turns them all off.
        let dropping = TransformerEncoderLayer(dModel: 4, nhead: 2, dimFeedforward: 5, dropout: 0.5, rng: &rng)
        XCTAssertTrue(dropping.selfAttn.isTraining && dropping.dropout2.isTraining)
        dropping.eval()
        XCTAssertFalse(dropping.selfAttn.isTraining || dropping.dropout.isTraining || dropping.dropout1.isTraining || dropping.dropout2.isTraining)
        XCTAssertEqual(try dropping(x).scalars, try dropping(x).scalars, "no randomness in evaluation")
    }

    func testEncoderStack() throws {
        var rng = RNG(seed: 8)
        let stack = TransformerEncoder(dModel: 4, nhead: 2, numLayers: 2, dimFeedforward: 6, dropout: 0, rng: &rng)
        XCTAssertEqual(stack.namedParameters().map(\.name), TorchValues.encoderStackNames, "nn.TransformerEncoder's names")
        for p in stack.parameters() { try p.assign(input(p.shape, seed: UInt64(p.count) + 30, -0.8, 0.8)) }
        let x = input([2, 3, 4], seed: 18, -1.5, 1.5), padding = try Tensor([0, 0, 0, 0, 1, 1], shape: [2, 3])
        let (y, weights) = try stack.withWeights(x, keyPaddingMask: padding)
        let byHand = try stack.norm!(stack.layers[1](stack.layers[0](x, keyPaddingMask: padding), keyPaddingMask: padding))
        XCTAssertEqual(y.scalars, byHand.scalars, "the layers in turn, then the final norm")
        XCTAssertEqual(weights.map(\.shape), [[2, 2, 3, 3], [2, 2, 3, 3]], "each layer's weights per head")
        XCTAssertEqual(try stack(x, keyPaddingMask: padding).scalars, y.scalars)
        XCTAssertNil(TransformerEncoder(dModel: 4, nhead: 2, numLayers: 1, normFirst: false, rng: &rng).norm, "post-norm: no final norm by default")
        try assertGradients("TransformerEncoder (x and parameters)", [x] + stack.parameters()) { try stack($0[0], keyPaddingMask: padding) }
    }

    // MARK: - matmul of four axes (attention written by hand over [B, H, T, d])

    func testMatmulOfFourAxes() throws {
        let a = input([2, 2, 3, 4], seed: 19), b = input([2, 2, 4, 5], seed: 20)
        try assertGradients("matmul [2, 2, 3, 4] × [2, 2, 4, 5]", [a, b]) { try $0[0].matmul($0[1]) }
        let flat = try a.reshape([4, 3, 4]).matmul(b.reshape([4, 4, 5]))
        XCTAssertEqual(try a.matmul(b).shape, [2, 2, 3, 5])
        XCTAssertEqual(try a.matmul(b).scalars, flat.scalars, "the same as the batched product over the leading axes flattened")
        // Attention over [B, H, T, d] as a student writes it equals the fused op.
        let q = torch(TorchValues.attentionQuery, [2, 2, 3, 4]), k = torch(TorchValues.attentionKey, [2, 2, 4, 4])
        let v = torch(TorchValues.attentionValue, [2, 2, 4, 3])
        let padding = try Tensor([0, 0, 0, 1, 0, 1, 1, 1], shape: [2, 1, 1, 4])
        let byHand = try (q.matmul(k.transpose(-2, -1)) / 2).softmax(masking: padding).matmul(v)
        assertClose(byHand, TorchValues.attentionPaddedOutput, [2, 2, 3, 3], "q·kᵀ/√d, masked softmax, ·v over [B, H, T, d]")
        XCTAssertThrowsError(try a.matmul(input([2, 3, 4, 5], seed: 1))) { XCTAssertTrue("\($0)".contains("leading sizes [2, 2] and [2, 3] differ"), "\($0)") }
        XCTAssertThrowsError(try a.matmul(input([2, 2, 5, 5], seed: 1))) { XCTAssertTrue("\($0)".contains("inner sizes 4 and 5 differ"), "\($0)") }
    }
}
