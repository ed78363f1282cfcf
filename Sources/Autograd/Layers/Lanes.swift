/// The kernels of the fused recurrent ops (`lstmSequence`, `gruSequence`, `rnnSequence`):
/// loops over eight float lanes at a time, a branch-free exp (so that σ and tanh run in
/// those lanes too), and buffer helpers. Nothing here records a graph.

// MARK: - Eight lanes at a time

/// Eight floats, the width of the loops below (two SSE registers or one AVX register).
typealias Lanes = SIMD8<Float>

/// `n` ≤ 8 floats from `p` (the rest zero).
@inline(__always)
func loadLanes(_ p: UnsafePointer<Float>, _ n: Int) -> Lanes {
    if n == 8 { return UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }
    var v = Lanes()
    for k in 0..<n { v[k] = p[k] }
    return v
}

/// Writes the first `n` ≤ 8 lanes of `v` to `p`.
@inline(__always)
func storeLanes(_ v: Lanes, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
    if n == 8 { UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self); return }
    for k in 0..<n { p[k] = v[k] }
}

/// Calls `body(j, n)` for j = 0, 8, 16, … < count, with n = 8 lanes, or fewer at the end.
/// (The full-width calls pass the constant 8, so that `loadLanes` and `storeLanes` inline to one
/// vector move each: a lane count unknown inside the main loop would spill the vectors.)
@inline(__always)
func forEachLanes(_ count: Int, _ body: (_ j: Int, _ n: Int) -> Void) {
    var j = 0
    while j + 8 <= count {
        body(j, 8)
        j += 8
    }
    if j < count { body(j, count - j) }
}

/// `row[k] += source[k]` for `count` floats.
@inline(__always)
func addLanes(_ source: UnsafePointer<Float>, to row: UnsafeMutablePointer<Float>, count: Int) {
    forEachLanes(count) { j, n in storeLanes(loadLanes(row + j, n) + loadLanes(source + j, n), row + j, n) }
}

/// `p[k] = f(p[k] + bias[k])` for `count` floats.
@inline(__always)
func mapLanes(_ p: UnsafeMutablePointer<Float>, adding bias: UnsafePointer<Float>, count: Int, _ f: (Lanes) -> Lanes) {
    forEachLanes(count) { j, n in storeLanes(f(loadLanes(p + j, n) + loadLanes(bias + j, n)), p + j, n) }
}

/// `p[k] = f(p[k])` for `count` floats.
@inline(__always)
func mapLanes(_ p: UnsafeMutablePointer<Float>, count: Int, _ f: (Lanes) -> Lanes) {
    forEachLanes(count) { j, n in storeLanes(f(loadLanes(p + j, n)), p + j, n) }
}

// MARK: - Fast, branch-free exp, sigmoid and tanh

/// e^x lane by lane, without branches, so that it runs eight lanes at once: x = n·ln 2 + r
/// with |r| ≤ ln 2 / 2, e^r from a degree-5 polynomial (coefficients fitted for the least
/// relative error, 1e-7), and 2^n put into the exponent bits. Within 3 ulp of the true value
/// on the clamped range [−87, 88]; the result is used only inside σ and tanh, whose absolute
/// error stays below 1e-7.
@inline(__always)
func fastExp(_ x: Lanes) -> Lanes {
    // Clamped by compare-and-select (`clamped(lowerBound:upperBound:)` goes through
    // `Float.minimum`, which handles NaN lane by lane and is far slower).
    var x = x.replacing(with: -87, where: x .< -87)
    x.replace(with: 88, where: x .> 88)
    // Adding 1.5·2²³ rounds x·log₂e to an integer n held in the low bits of t.
    let t = multiplyAdd(x, 1.442_695_04, 12_582_912)
    let n = t - 12_582_912
    let r = multiplyAdd(n, 2.121_944_4e-4, multiplyAdd(n, -0.693_359_375, x))    // x − n·ln 2, in two parts for precision
    var p = multiplyAdd(r, 8.312_501e-3, 4.189_013_8e-2)
    p = multiplyAdd(p, r, 0.166_671_15)
    p = multiplyAdd(p, r, 0.499_992_32)
    let bits = (unsafeBitCast(t, to: SIMD8<UInt32>.self) &- 0x4B40_0000 &+ 127) &<< 23
    return multiplyAdd(p, r * r, r + 1) * unsafeBitCast(bits, to: Lanes.self)
}

/// a·b + c: one fused instruction per lane where the processor has it (Package.swift
/// defines `FUSED_MULTIPLY_ADD` when it compiles for one; ARM always has it), else a
/// multiply and an add — a fused multiply-add without hardware support is a slow library call.
@inline(__always)
func multiplyAdd(_ a: Lanes, _ b: Lanes, _ c: Lanes) -> Lanes {
    #if FUSED_MULTIPLY_ADD || arch(arm64)
    return c.addingProduct(a, b)
    #else
    return a * b + c
    #endif
}

@inline(__always)
func multiplyAdd(_ a: Lanes, _ b: Float, _ c: Float) -> Lanes { multiplyAdd(a, Lanes(repeating: b), Lanes(repeating: c)) }

@inline(__always)
func multiplyAdd(_ a: Lanes, _ b: Float, _ c: Lanes) -> Lanes { multiplyAdd(a, Lanes(repeating: b), c) }

@inline(__always)
func multiplyAdd(_ a: Lanes, _ b: Lanes, _ c: Float) -> Lanes { multiplyAdd(a, b, Lanes(repeating: c)) }

/// 1 / (1 + e^−x), lane by lane.
@inline(__always)
func fastSigmoid(_ x: Lanes) -> Lanes { 1 / (1 + fastExp(-x)) }

/// tanh x = 1 − 2 / (e^2x + 1), lane by lane (absolute error about 1e-7).
@inline(__always)
func fastTanh(_ x: Lanes) -> Lanes { 1 - 2 / (fastExp(2 * x) + 1) }

// MARK: - Buffers

/// A new array of `count` floats whose values are not set: for buffers written in full
/// before they are read (it saves clearing, and touching, memory twice).
@inline(__always)
func uninitializedFloats(_ count: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { _, n in n = count }
}

/// `[n0, n1, w]` → `[n1, n0, w]`: swaps the two leading axes of a row-major array.
func swapLeadingAxes(_ a: [Float], _ n0: Int, _ n1: Int, _ w: Int) -> [Float] {
    a.withUnsafeBufferPointer { src in
        [Float](unsafeUninitializedCapacity: a.count) { dst, n in
            for i in 0..<n0 {
                for j in 0..<n1 {
                    let (s, d) = ((i * n1 + j) * w, (j * n0 + i) * w)
                    for k in 0..<w { dst[d + k] = src[s + k] }
                }
            }
            n = a.count
        }
    }
}
