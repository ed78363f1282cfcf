import Foundation

/// Softmax and log-softmax along an axis, numerically stable (the maximum is subtracted
/// before exponentiating), each a primitive with its own pullback.

/// Visits every vector along `axis` of a tensor of `shape`: `body(base, n, stride)`.
@inline(__always)
func forEachLane(_ shape: [Int], _ ax: Int, _ body: (_ base: Int, _ n: Int, _ stride: Int) -> Void) {
    let (outer, n, inner) = splitShape(shape, at: ax)
    for o in 0..<outer { for i in 0..<inner { body(o * n * inner + i, n, inner) } }
}

/// Σ e^(p[k] − m) over `n` contiguous values, eight lanes at a time (the fast exp of
/// `Lanes.swift`, within 3 ulp); when `store`, p[k] becomes e^(p[k] − m).
@inline(__always)
func sumExp(_ p: UnsafeMutablePointer<Float>, _ n: Int, minus m: Float, store: Bool) -> Float {
    var acc = Lanes()
    forEachLanes(n) { j, c in
        var e = fastExp(loadLanes(p + j, c) - Lanes(repeating: m))
        if c < 8 { for k in c..<8 { e[k] = 0 } }
        if store { storeLanes(e, p + j, c) }
        acc += e
    }
    return acc.sum()
}

extension Tensor {
    /// exp(x) / Σ exp(x) along `axis` (the last by default): each lane sums to 1.
    public func softmax(axis a: Int = -1, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let ax = try axis("softmax", a, file: file, line: line)
        var y = scalars
        y.withUnsafeMutableBufferPointer { p in
            forEachLane(shape, ax) { base, n, s in
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, p[base + k * s]) }
                var total: Float = 0
                if s == 1, let b = p.baseAddress {
                    total = sumExp(b + base, n, minus: m, store: true)
                } else {
                    for k in 0..<n { let e = Foundation.exp(p[base + k * s] - m); p[base + k * s] = e; total += e }
                }
                let inverse = 1 / total
                for k in 0..<n { p[base + k * s] *= inverse }
            }
        }
        let out = y
        let inShape = shape
        return Tensor.make("softmax", shape: shape, scalars: y, inputs: [self]) { g in
            var r = g
            r.withUnsafeMutableBufferPointer { p in
                out.withUnsafeBufferPointer { y in
                    forEachLane(inShape, ax) { base, n, s in
                        var dot: Float = 0
                        for k in 0..<n { dot += p[base + k * s] * y[base + k * s] }
                        for k in 0..<n { p[base + k * s] = y[base + k * s] * (p[base + k * s] - dot) }
                    }
                }
            }
            return [r]
        }
    }

    /// x − log Σ exp(x) along `axis` (the last by default): log-probabilities.
    public func logSoftmax(axis a: Int = -1, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let ax = try axis("logSoftmax", a, file: file, line: line)
        var y = scalars
        y.withUnsafeMutableBufferPointer { p in
            forEachLane(shape, ax) { base, n, s in
                var m = -Float.infinity
                for k in 0..<n { m = Swift.max(m, p[base + k * s]) }
                var total: Float = 0
                if s == 1, let b = p.baseAddress {
                    total = sumExp(b + base, n, minus: m, store: false)
                } else {
                    for k in 0..<n { total += Foundation.exp(p[base + k * s] - m) }
                }
                let lse = m + Foundation.log(total)
                for k in 0..<n { p[base + k * s] -= lse }
            }
        }
        let out = y
        let inShape = shape
        return Tensor.make("logSoftmax", shape: shape, scalars: y, inputs: [self]) { g in
            var r = g
            r.withUnsafeMutableBufferPointer { p in
                out.withUnsafeBufferPointer { y in
                    forEachLane(inShape, ax) { base, n, s in
                        var total: Float = 0
                        for k in 0..<n { total += p[base + k * s] }
                        if s == 1, let pb = p.baseAddress, let yb = y.baseAddress {
                            let t = Lanes(repeating: total)
                            forEachLanes(n) { j, c in
                                storeLanes(loadLanes(pb + base + j, c) - fastExp(loadLanes(yb + base + j, c)) * t, pb + base + j, c)
                            }
                        } else {
                            for k in 0..<n { p[base + k * s] -= Foundation.exp(y[base + k * s]) * total }
                        }
                    }
                }
            }
            return [r]
        }
    }
}
