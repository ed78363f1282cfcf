import Autograd
import Foundation
@testable import Grading
import XCTest

/// Correct implementations of lesson 8's exercises written differently from the reference
/// (the softmax by hand with the maximum subtracted, q scaled before the product, permute for
/// transpose; the core's masked softmax, −1e9 for −∞, zeroing after the softmax and
/// renormalising; the table in Float, with exp and log, or column by column; the heads with
/// narrow and three projections of their own; the core's layerNorm function; the encoder's
/// layers looped by hand): every grader must pass them. Every known mistake is named, wrong
/// answers written differently are named too, and a wrong answer no mistake fits fails with a
/// message that says what differs.
final class LessonEightAlternativesTests: XCTestCase {
    func test_graders_are_proven() {
        for exercise in Lesson8Graders.all {
            XCTAssertGreaterThanOrEqual(exercise.mistakeCount, 5, exercise.id)
            for problem in exercise.prove() { XCTFail(problem) }
        }
    }

    // MARK: - 8.1 attention

    /// Softmax along the last axis by hand, the maximum subtracted.
    static func softmaxByHand(_ s: Tensor) throws -> Tensor {
        let e = try (s - s.max(axis: -1, keepDims: true).detached()).exp()
        return try e / e.sum(axis: -1, keepDims: true)
    }

    func test_8_1_attention() {
        let exercise = Lesson8Graders.attention
        assertPasses(exercise, { q, k, v in
            let d = Float(q.shape.last!)
            let weights = try Self.softmaxByHand(q.matmul(k.transpose(k.rank - 2, k.rank - 1)) * (1 / d.squareRoot()))
            return (try weights.matmul(v), weights)
        }, "the softmax by hand, exp of the scores minus their maximum")
        assertPasses(exercise, { q, k, v in
            var order = Array(0..<k.rank)
            order.swapAt(k.rank - 2, k.rank - 1)
            let scaled = q / Float(q.shape[q.rank - 1]).squareRoot()
            let weights = try scaled.matmul(k.permute(order)).softmax()
            return (try weights.matmul(v), weights)
        }, "q scaled before the product, the key permuted")
        assertPasses(exercise, { q, k, v in try scaledDotProductAttention(q, k, v) }, "the core's fused op")
        assertDiagnosed(exercise, { q, k, v in
            let scores = try q.matmul(k.transpose(-2, -1)) / Float(q.shape.last!).squareRoot()
            let e = scores.exp()
            let weights = try e / e.sum(axis: -1, keepDims: true)
            return (try weights.matmul(v), weights)
        }, as: "max-not-subtracted")
        assertDiagnosed(exercise, { q, k, v in
            let weights = try (q.matmul(k.transpose(-2, -1)) / Float(q.shape.last!)).softmax()
            return (try weights.matmul(v), weights)
        }, as: "divided-by-d")
        assertDiagnosed(exercise, { q, k, v in
            let weights = try q.matmul(k.transpose(-2, -1)).softmax(axis: q.rank - 1)
            return (try weights.matmul(v), weights)
        }, as: "no-scale")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        // Weights right, but the output forgets the values: what differs is named.
        assertFails(exercise, { q, k, v in
            let w = try HandWritten.weights(q, k)
            return (try w.matmul(v.tanh()), w)
        }, "tanh of the values", saying: ["output (3 queries over 5 keys, values of size 6) differs", "expected"])
    }

    // MARK: - 8.2 masked attention

    func test_8_2_maskedAttention() {
        let exercise = Lesson8Graders.maskedAttention
        let scores = { (q: Tensor, k: Tensor) in try q.matmul(k.transpose(1, 2)) / Float(q.shape[2]).squareRoot() }
        assertPasses(exercise, { q, k, v, padding in
            let weights = try scores(q, k).softmax(masking: padding.unsqueeze(1))
            return (try weights.matmul(v), weights)
        }, "the core's softmax(masking:)")
        assertPasses(exercise, { q, k, v, padding in
            let weights = try scores(q, k).maskedFill(padding.reshape([padding.shape[0], 1, padding.shape[1]]), -1e9).softmax()
            return (try weights.matmul(v), weights)
        }, "−1e9 for −∞, the mask reshaped")
        assertPasses(exercise, { q, k, v, padding in
            let kept = try scores(q, k).softmax() * (1 - padding.unsqueeze(1))
            let weights = try kept / kept.sum(axis: 2, keepDims: true)
            return (try weights.matmul(v), weights)
        }, "zeroed after the softmax and renormalised")
        assertPasses(exercise, { q, k, v, padding in try scaledDotProductAttention(q, k, v, keyPaddingMask: padding) }, "the core's fused op")
        assertDiagnosed(exercise, { q, k, v, padding in
            let weights = try (scores(q, k) - padding.unsqueeze(1) * 10).softmax()
            return (try weights.matmul(v), weights)
        }, as: "penalty-too-small")
        assertDiagnosed(exercise, { q, k, v, padding in
            let weights = try scores(q, k).softmax(masking: padding.eq(0).unsqueeze(1))
            return (try weights.matmul(v), weights)
        }, as: "mask-inverted")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        // The weights right and the output doubled: the change is named.
        assertFails(exercise, { q, k, v, padding in
            let weights = try scores(q, k).maskedFill(padding.unsqueeze(1), -.infinity).softmax()
            return (try weights.matmul(v) * 2, weights)
        }, "the output doubled", saying: ["output", "× 2"])
    }

    // MARK: - 8.3 positions

    func test_8_3_positions() {
        let exercise = Lesson8Graders.positions
        assertPasses(exercise, { length, dim in
            var table = [Float](repeating: 0, count: length * dim)
            for pos in 0..<length {
                for j in 0..<dim {
                    let rate = Foundation.exp(-Float(j - j % 2) * Foundation.log(Float(10_000)) / Float(dim))
                    let angle = Float(pos) * rate
                    table[pos * dim + j] = j % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle)
                }
            }
            return try Tensor(table, shape: [length, dim])
        }, "in Float, the rate by exp and log")
        assertPasses(exercise, { length, dim in
            var columns: [Tensor] = []
            for j in 0..<dim {
                let rate = Foundation.pow(Float(10_000), -Float(2 * (j / 2)) / Float(dim))
                let column = (0..<length).map { pos -> Float in j % 2 == 0 ? sinf(Float(pos) * rate) : cosf(Float(pos) * rate) }
                columns.append(try Tensor(column, shape: [length]))
            }
            return try stack(columns, axis: 1)
        }, "a table of columns, stacked")
        assertPasses(exercise, { length, dim in sinusoidalPositionEncoding(length: length, dim: dim) }, "the core's table")
        assertDiagnosed(exercise, { length, dim in
            let half = (dim + 1) / 2
            let values = (0..<(length * dim)).map { flat -> Float in
                let (pos, j) = (Double(flat / dim), flat % dim)
                let i = j < half ? j : j - half
                let angle = pos / Foundation.pow(10_000, Double(2 * i) / Double(dim))
                return Float(j < half ? Foundation.sin(angle) : Foundation.cos(angle))
            }
            return try Tensor(values, shape: [length, dim])
        }, as: "halves-not-interleaved")
        assertDiagnosed(exercise, { length, dim in
            var table = [Float](repeating: 0, count: length * dim)
            for pos in 1...max(length, 1) where pos <= length {
                for j in stride(from: 0, to: dim, by: 2) {
                    let angle = Float(pos) * Foundation.exp(-Float(j) * Foundation.log(Float(10_000)) / Float(dim))
                    table[(pos - 1) * dim + j] = sinf(angle)
                    if j + 1 < dim { table[(pos - 1) * dim + j + 1] = cosf(angle) }
                }
            }
            return try Tensor(table, shape: [length, dim])
        }, as: "positions-from-one")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { length, dim in try Tensor([Float](repeating: 0, count: length * dim), shape: [length, dim]) },
                    "all zeros", saying: ["differs", "is all zeros"])
        assertFails(exercise, { length, dim in sinusoidalPositionEncoding(length: dim, dim: length) }, "length and dim swapped",
                    saying: ["shape"])
    }

    // MARK: - 8.4 multi-head self-attention

    func test_8_4_multiHeadSelfAttention() {
        let exercise = Lesson8Graders.multiHeadSelfAttention
        assertPasses(exercise, { x, layer, padding in
            let (b, t, e, h) = (x.shape[0], x.shape[1], layer.embedDim, layer.numHeads)
            let d = e / h
            func project(_ part: Int) throws -> Tensor {
                let w = try layer.inProjWeight.narrow(axis: 0, start: part * e, length: e)
                let bias = try layer.inProjBias!.narrow(axis: 0, start: part * e, length: e)
                return try Linear(weight: w, bias: bias)(x).reshape([b, t, h, d]).permute([0, 2, 1, 3])
            }
            let out = try scaledDotProductAttention(project(0), project(1), project(2), keyPaddingMask: padding).output
            return try layer.outProj(out.permute([0, 2, 1, 3]).reshape([b, t, e]))
        }, "three projections from narrowed weights, permute for transpose")
        assertPasses(exercise, { x, layer, padding in
            let (e, h) = (layer.embedDim, layer.numHeads)
            let qkv = try x.matmul(layer.inProjWeight.transpose(0, 1)) + layer.inProjBias!
            var heads: [Tensor] = []
            for j in 0..<h {
                let part = { (n: Int) in try qkv.narrow(axis: 2, start: n * e + j * (e / h), length: e / h) }
                let mask = try padding.map { try $0.unsqueeze(1).ne(Tensor.zeros([1])) }
                let scores = try part(0).matmul(part(1).transpose(1, 2)) / Float(e / h).squareRoot()
                let weights = try mask.map { try scores.softmax(masking: $0) } ?? scores.softmax()
                heads.append(try weights.matmul(part(2)))
            }
            return try layer.outProj(concat(heads, axis: 2))
        }, "each head narrowed from the projection, attention by hand, heads concatenated")
        assertDiagnosed(exercise, { x, layer, padding in
            let (b, t, e, h) = (x.shape[0], x.shape[1], layer.embedDim, layer.numHeads)
            func project(_ part: Int) throws -> Tensor {
                let w = try layer.inProjWeight.narrow(axis: 0, start: part * e, length: e)
                return try linear(x, weight: w, bias: layer.inProjBias!.narrow(axis: 0, start: part * e, length: e)).reshape([b, h, t, e / h])
            }
            let out = try scaledDotProductAttention(project(0), project(1), project(2), keyPaddingMask: padding).output
            return try layer.outProj(out.reshape([b, t, e]))
        }, as: "reshaped-without-transpose")
        assertDiagnosed(exercise, { x, layer, padding in
            let (b, t, e, h) = (x.shape[0], x.shape[1], layer.embedDim, layer.numHeads)
            let parts = try linear(x, weight: layer.inProjWeight, bias: layer.inProjBias).split(size: e, axis: 2)
            let heads = try parts.map { try $0.reshape([b, t, h, e / h]).transpose(1, 2) }
            let out = try scaledDotProductAttention(heads[1], heads[0], heads[2], keyPaddingMask: padding).output
            return try layer.outProj(out.transpose(1, 2).reshape([b, t, e]))
        }, as: "query-and-key-swapped")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { x, layer, padding in
            let y = try layer(x, x, x, keyPaddingMask: padding).output
            return y.tanh()
        }, "tanh of the right output", saying: ["output", "differs"])
    }

    // MARK: - 8.5 the encoder layer

    func test_8_5_encoderLayer() {
        let exercise = Lesson8Graders.encoderLayer
        assertPasses(exercise, { x, layer, padding in
            func norm(_ n: LayerNorm, _ y: Tensor) throws -> Tensor {
                try layerNorm(y, normalizedShape: n.normalizedShape, weight: n.weight, bias: n.bias, eps: n.eps)
            }
            let n1 = try norm(layer.norm1, x)
            let y = try x + layer.selfAttn(n1, n1, n1, keyPaddingMask: padding).output
            let hidden = try layer.linear1(norm(layer.norm2, y))
            return try y + layer.linear2(layer.activation(hidden))
        }, "the core's layerNorm function")
        assertPasses(exercise, { x, layer, padding in
            let n1 = try layer.norm1(x)
            let attended = try Lesson8Graders.multiHeadSelfAttention.reference(n1, layer.selfAttn, padding)
            let y = try attended + x
            let ff = try layer.linear2(layer.activation(layer.linear1(layer.norm2(y))))
            return try ff + y
        }, "the attention by 8.4's function, the sums the other way round")
        assertDiagnosed(exercise, { x, layer, padding in
            func norm(_ n: LayerNorm, _ y: Tensor) throws -> Tensor { try layerNorm(y, normalizedShape: [y.shape[2]], weight: n.weight, bias: n.bias) }
            let y = try norm(layer.norm1, layer.selfAttn(x, x, x, keyPaddingMask: padding).output + x)
            return try norm(layer.norm2, layer.linear2(layer.activation(layer.linear1(y))) + y)
        }, as: "post-norm")
        assertDiagnosed(exercise, { x, layer, padding in
            let n1 = try layer.norm1(x)
            let y = try x + layer.selfAttn(n1, n1, n1, keyPaddingMask: padding).output
            let inner = try layer.linear1(layer.norm2(y)).relu()
            return try y + layer.linear2(inner)
        }, as: "relu-not-the-layer-activation")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { x, layer, padding in
            let n1 = try layer.norm1(x)
            let y = try x + layer.selfAttn(n1, n1, n1, keyPaddingMask: padding).output * 0.5
            return try y + layer.linear2(layer.activation(layer.linear1(layer.norm2(y))))
        }, "the attention halved", saying: ["output", "differs"])
    }

    // MARK: - 8.6 the reverser

    func test_8_6_withWeights() {
        let exercise = Lesson8Graders.withWeights
        assertPasses(exercise, { embedding, positions, encoder, head, tokens in
            var h = try positions(embedding(tokens))
            var weights: [Tensor] = []
            for layer in encoder.layers {
                let (y, w) = try layer.withWeights(h)
                h = y
                weights.append(w)
            }
            if let norm = encoder.norm { h = try norm(h) }
            return (try head(h), weights)
        }, "encoder.layers looped by hand, then encoder.norm")
        assertPasses(exercise, { embedding, positions, encoder, head, tokens in
            let x = try embedding(tokens) + positions.weight.narrow(axis: 0, start: 0, length: tokens.shape[1])
            let (h, weights) = try encoder.withWeights(x)
            return (try linear(h, weight: head.weight, bias: head.bias), weights)
        }, "the positions' table sliced and added, the head as linear(_:weight:bias:)")
        assertDiagnosed(exercise, { embedding, positions, encoder, head, tokens in
            var h = try positions(embedding(tokens))
            var weights: [Tensor] = []
            for layer in encoder.layers {
                weights.append(try layer.withWeights(h).weights)
                h = try layer(h)
            }
            return (try head(h), weights)
        }, as: "no-final-norm")
        assertDiagnosed(exercise, { embedding, positions, encoder, head, tokens in
            let (h, weights) = try encoder.withWeights(positions(embedding(tokens)))
            return (try head(h), try weights.map { try $0.sum(axis: 1) / Float($0.shape[1]) })
        }, as: "weights-averaged-over-heads")
        assertDiagnosed(exercise, { embedding, positions, encoder, head, tokens in
            let (h, weights) = try encoder.withWeights(embedding(tokens))
            return (try head(h), weights)
        }, as: "no-positions")
        for mistake in exercise.mistakes { assertDiagnosed(exercise, mistake.implementation, as: mistake.id) }
        assertFails(exercise, { embedding, positions, encoder, head, tokens in
            let (h, weights) = try encoder.withWeights(positions(embedding(tokens)))
            return (try head(h), Array(weights.prefix(1)))
        }, "only the first layer's weights", saying: ["the weights of layer 1", "missing"])
    }
}

/// Attention weights written out, for wrong answers that start right.
enum HandWritten {
    static func weights(_ q: Tensor, _ k: Tensor) throws -> Tensor {
        try (q.matmul(k.transpose(-2, -1)) / Float(q.shape.last!).squareRoot()).softmax()
    }
}
