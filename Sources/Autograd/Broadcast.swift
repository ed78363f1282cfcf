/// NumPy broadcasting, in exactly one place: shapes are aligned on the right, and an
/// axis of size 1 (or a missing axis) stretches to match the other operand.

enum Broadcast {
    /// The shape two operands broadcast to, or nil if some axis sizes differ and neither is 1.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for i in 0..<r {
            let da = i < r - a.count ? 1 : a[i - (r - a.count)]
            let db = i < r - b.count ? 1 : b[i - (r - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// The broadcast shape, or an error naming the op and both shapes.
    static func shape(_ op: String, _ a: [Int], _ b: [Int], file: StaticString?, line: UInt?) throws -> [Int] {
        guard let s = shape(a, b) else {
            throw TensorError(op: op, "shapes \(describe(a)) and \(describe(b)) do not broadcast: sizes must match or be 1, aligned on the right", file: file, line: line)
        }
        return s
    }

    /// Strides to read a tensor of `shape` as if it had shape `out`: 0 on stretched axes.
    static func strides(_ shape: [Int], in out: [Int]) -> [Int] {
        var strides = [Int](repeating: 0, count: out.count)
        var step = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            let j = i + out.count - shape.count
            strides[j] = shape[i] == 1 ? 0 : step
            step *= shape[i]
        }
        return strides
    }

    /// Visits `out` one last-axis row at a time: `body(outOffset, aOffset, bOffset)`,
    /// with the row's length and each operand's last-axis stride passed once up front.
    @inline(__always)
    static func forEachRow(
        _ out: [Int], _ sa: [Int], _ sb: [Int],
        _ body: (_ o: Int, _ oa: Int, _ ob: Int, _ inner: Int, _ ia: Int, _ ib: Int) -> Void
    ) {
        let r = out.count
        guard r > 0 else { body(0, 0, 0, 1, 0, 0); return }
        let inner = out[r - 1], ia = sa[r - 1], ib = sb[r - 1]
        let total = out.reduce(1, *)
        guard total > 0 else { return }
        var counter = [Int](repeating: 0, count: r)
        var oa = 0, ob = 0, o = 0
        while o < total {
            body(o, oa, ob, inner, ia, ib)
            o += inner
            var d = r - 2
            while d >= 0 {
                counter[d] += 1
                oa += sa[d]; ob += sb[d]
                if counter[d] < out[d] { break }
                oa -= sa[d] * out[d]; ob -= sb[d] * out[d]
                counter[d] = 0
                d -= 1
            }
        }
    }

    /// `f(a, b)` elementwise after broadcasting both to `out`.
    @inline(__always)
    static func zip(
        _ a: [Float], _ aShape: [Int], _ b: [Float], _ bShape: [Int], out: [Int],
        _ f: (Float, Float) -> Float
    ) -> [Float] {
        if aShape == bShape { return zipArray(a, b, f) }
        if b.count == 1, aShape == out { let s = b[0]; return mapArray(a) { f($0, s) } }
        if a.count == 1, bShape == out { let s = a[0]; return mapArray(b) { f(s, $0) } }
        let sa = strides(aShape, in: out), sb = strides(bShape, in: out)
        let total = out.reduce(1, *)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                [Float](unsafeUninitializedCapacity: total) { buf, n in
                    forEachRow(out, sa, sb) { o, oa, ob, inner, ia, ib in
                        for j in 0..<inner { buf[o + j] = f(pa[oa + j * ia], pb[ob + j * ib]) }
                    }
                    n = total
                }
            }
        }
    }

    /// Sums a gradient of shape `out` down to `shape` (the reverse of broadcasting).
    static func sum(_ g: [Float], from out: [Int], to shape: [Int]) -> [Float] {
        if out == shape { return g }
        let count = shape.reduce(1, *)
        if count == 1 {
            var s: Float = 0
            g.withUnsafeBufferPointer { for v in $0 { s += v } }
            return [s]
        }
        let sa = strides(shape, in: out), sg = strides(out, in: out)
        var res = [Float](repeating: 0, count: count)
        res.withUnsafeMutableBufferPointer { pr in
            g.withUnsafeBufferPointer { pg in
                forEachRow(out, sa, sg) { o, oa, _, inner, ia, _ in
                    if ia == 0 {
                        var s: Float = 0
                        for j in 0..<inner { s += pg[o + j] }
                        pr[oa] += s
                    } else {
                        for j in 0..<inner { pr[oa + j * ia] += pg[o + j] }
                    }
                }
            }
        }
        return res
    }

    /// Copies values of `shape` out to the broadcast shape `out`.
    static func expand(_ a: [Float], from shape: [Int], to out: [Int]) -> [Float] {
        if shape == out { return a }
        return zip(a, shape, [0], [], out: out) { x, _ in x }
    }
}

/// Row-major strides of a shape.
func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
        strides[i] = step
        step *= shape[i]
    }
    return strides
}
