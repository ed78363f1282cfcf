import CBLAS

/// Matrix products through OpenBLAS: 2-D, batched 3-D, and 3-D by 2-D (a layer applied
/// at every time step, done as one product). Transposes go to BLAS as flags, not copies.

/// C = alpha · op(A) · op(B) + beta · C, row-major, for m×k by k×n.
@inline(__always)
func gemm(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false, beta: Float = 0
) {
    cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), 1, a, Int32(transA ? m : k), b, Int32(transB ? k : n),
        beta, c, Int32(n))
}

/// A new m×n array: op(A) · op(B).
func gemm(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool = false, transB: Bool = false) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    if m == 0 || n == 0 { return c }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                gemm(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: m, n: n, k: k, transA: transA, transB: transB)
            }
        }
    }
    return c
}

/// `count` products of m×k by k×n matrices stored one after another.
func batchedGemm(_ a: [Float], _ b: [Float], count: Int, m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Float] {
    var c = [Float](repeating: 0, count: count * m * n)
    if m == 0 || n == 0 || count == 0 { return c }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                for i in 0..<count {
                    gemm(pa.baseAddress! + i * m * k, pb.baseAddress! + i * k * n, pc.baseAddress! + i * m * n,
                         m: m, n: n, k: k, transA: transA, transB: transB)
                }
            }
        }
    }
    return c
}

extension Tensor {
    /// The matrix product: `[m, k] × [k, n] → [m, n]`, `[b, m, k] × [b, k, n] → [b, m, n]`,
    /// or `[b, m, k] × [k, n] → [b, m, n]` (the same matrix for every batch entry); of 4 or more
    /// axes, `[..., m, k] × [..., k, n] → [..., m, n]` with the leading axes equal (not broadcast).
    public func matmul(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let (a, b) = (self, other)
        func fail(_ why: String) -> TensorError {
            TensorError(op: "matmul", "\(describe(a.shape)) × \(describe(b.shape)): \(why)", file: file, line: line)
        }
        if a.rank >= 4, b.rank == a.rank {
            // [..., m, k] × [..., k, n] with equal leading axes ([B, H, T, d] × [B, H, d, S]
            // in attention): one batched product over the leading axes flattened.
            let (lead, m, n) = (Array(a.shape.dropLast(2)), a.shape[a.rank - 2], b.shape[b.rank - 1])
            guard Array(b.shape.dropLast(2)) == lead else { throw fail("leading sizes \(describe(lead)) and \(describe(Array(b.shape.dropLast(2)))) differ") }
            guard b.shape[b.rank - 2] == a.shape[a.rank - 1] else { throw fail("inner sizes \(a.shape[a.rank - 1]) and \(b.shape[b.rank - 2]) differ") }
            let count = lead.reduce(1, *)
            let product = try a.reshape([count, m, a.shape[a.rank - 1]]).matmul(b.reshape([count, b.shape[b.rank - 2], n]), file: file, line: line)
            return try product.reshape(lead + [m, n])
        }
        guard (2...3).contains(a.rank), b.rank == 2 || (b.rank == 3 && a.rank == 3) else {
            throw fail("expects 2-D × 2-D, 3-D × 3-D or 3-D × 2-D")
        }
        let k = a.shape[a.rank - 1]
        guard b.shape[b.rank - 2] == k else {
            throw fail("inner sizes \(k) and \(b.shape[b.rank - 2]) differ")
        }
        let n = b.shape[b.rank - 1]
        let (av, bv, needA, needB) = (a.scalars, b.scalars, a.requiresGrad, b.requiresGrad)

        if b.rank == 2 {
            // 2-D, or 3-D × 2-D folded into one product of [(batch·m), k] × [k, n].
            let m = a.count / Swift.max(k, 1)
            let out = Array(a.shape.dropLast()) + [n]
            let values = gemm(av, bv, m: m, n: n, k: k)
            return Tensor.make("matmul", shape: out, scalars: values, inputs: [a, b]) { g in
                [needA ? gemm(g, bv, m: m, n: k, k: n, transB: true) : nil,
                 needB ? gemm(av, g, m: k, n: n, k: m, transA: true) : nil]
            }
        }
        guard a.shape[0] == b.shape[0] else { throw fail("batch sizes \(a.shape[0]) and \(b.shape[0]) differ") }
        let (count, m) = (a.shape[0], a.shape[1])
        let values = batchedGemm(av, bv, count: count, m: m, n: n, k: k, transA: false, transB: false)
        return Tensor.make("bmm", shape: [count, m, n], scalars: values, inputs: [a, b]) { g in
            [needA ? batchedGemm(g, bv, count: count, m: m, n: k, k: n, transA: false, transB: true) : nil,
             needB ? batchedGemm(av, g, count: count, m: k, n: n, k: m, transA: true, transB: false) : nil]
        }
    }
}

/// x · Wᵀ + b, as `torch.nn.functional.linear`: x `[..., in]`, weight `[out, in]`,
/// bias `[out]`. The transpose is a BLAS flag, so the weight is never copied.
public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    guard x.rank >= 1, weight.rank == 2, x.shape[x.rank - 1] == weight.shape[1] else {
        throw TensorError(op: "linear", "input \(describe(x.shape)) × weight \(describe(weight.shape))ᵀ: the input's last size must equal the weight's second", file: file, line: line)
    }
    if let bias, bias.shape != [weight.shape[0]] {
        throw TensorError(op: "linear", "bias \(describe(bias.shape)) for weight \(describe(weight.shape)): expected [\(weight.shape[0])]", file: file, line: line)
    }
    let (k, n) = (weight.shape[1], weight.shape[0])
    let m = x.count / Swift.max(k, 1)
    let (xv, wv, needX, needW) = (x.scalars, weight.scalars, x.requiresGrad, weight.requiresGrad)
    var values = gemm(xv, wv, m: m, n: n, k: k, transB: true)
    if let bias { addRows(&values, bias.scalars) }
    let out = Array(x.shape.dropLast()) + [n]
    let inputs = bias.map { [x, weight, $0] } ?? [x, weight]
    return Tensor.make("linear", shape: out, scalars: values, inputs: inputs) { g in
        [needX ? gemm(g, wv, m: m, n: k, k: n) : nil,
         needW ? gemm(g, xv, m: n, n: k, k: m, transA: true) : nil,
         bias == nil ? nil : sumRows(g, width: n)]
    }
}

/// Adds `row` to every row of a row-major matrix of width `row.count`.
@inline(__always)
func addRows(_ m: inout [Float], _ row: [Float]) {
    let w = row.count
    guard w > 0 else { return }
    m.withUnsafeMutableBufferPointer { pm in
        row.withUnsafeBufferPointer { pr in
            var o = 0
            while o < pm.count {
                for j in 0..<w { pm[o + j] += pr[j] }
                o += w
            }
        }
    }
}

/// The column sums of a row-major matrix of width `width`.
@inline(__always)
func sumRows(_ m: [Float], width: Int) -> [Float] {
    var s = [Float](repeating: 0, count: width)
    guard width > 0 else { return s }
    s.withUnsafeMutableBufferPointer { ps in
        m.withUnsafeBufferPointer { pm in
            var o = 0
            while o < pm.count {
                for j in 0..<width { ps[j] += pm[o + j] }
                o += width
            }
        }
    }
    return s
}
