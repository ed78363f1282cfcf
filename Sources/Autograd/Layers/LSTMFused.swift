/// One LSTM layer over a whole sequence as a single primitive op, for speed: the `LSTM`
/// layer's fast path. A test proves it equal to a loop of `lstmCell` (the composite it
/// replaces) in values and in every gradient.
///
/// Forward: the input's contribution to the gates for all time steps is one product,
/// `x · W_ihᵀ` over `[T·B, in]`; then each step adds `h_{t−1} · W_hhᵀ` (one product into
/// the same buffer) and runs the gate nonlinearities and the cell update in one tight loop.
/// The activated gates, the states and tanh of the cells are kept for the backward.
///
/// Backward (hand-written backpropagation through time), walking the steps in reverse:
/// one loop turns the gradients reaching h_t and c_t into the gradient dA_t of the gate
/// pre-activations, and one product carries it back in time: dh_{t−1} = dA_t · W_hh. Only
/// that product is sequential. Once every step's dA is known, the rest is one large
/// product each over all `T·B` rows: dW_hh = dAᵀ · h_{0…T−1}, dW_ih = dAᵀ · x,
/// dx = dA · W_ih — far faster than `T` thin products of `B` rows. Both biases get the
/// sums of dA over batch and steps.
///
/// Internally everything is time-major (`[T, B, ·]`), so that each step's rows are
/// contiguous for BLAS; the input is transposed once on the way in and the result once on
/// the way out.

/// One LSTM layer over `x [B, T, in]` from the state `(h0, c0)`, each `[B, H]`.
///
/// Returns `output [B, T, H]` (h at every step), and the final `h`, `c` `[B, H]`.
///
/// How three results come out of one op: the op's output is a single tensor
/// `[B, T + 1, H]` whose rows `0..<T` along time are h_1 … h_T and whose row `T` is c_T.
/// `output` is its first T rows (`narrow`), `h` is row T − 1 and `c` row T (`select`);
/// the gradients reaching those slices meet again in the op's pullback.
public func lstmSequence(
    _ x: Tensor, h0: Tensor, c0: Tensor, weights w: RecurrentWeights,
    file: StaticString = #fileID, line: UInt = #line
) throws -> (output: Tensor, h: Tensor, c: Tensor) {
    let s = try checkSequenceOp("lstmSequence", x, states: [("h0", h0), ("c0", c0)], weights: w, gates: 4, file: file, line: line)
    let (H, at) = (s.H, LSTMSaved(s))
    let (wih, whh) = (w.weightIH.scalars, w.weightHH.scalars)
    var bias = [Float](repeating: 0, count: s.G)                  // b_ih + b_hh
    for b in [w.biasIH, w.biasHH] { if let b { addInPlace(&bias, b.scalars) } }
    let xs = swapLeadingAxes(x.scalars, s.B, s.T, s.I)             // [T, B, I]
    var saved = uninitializedFloats(at.count)                            // see `LSTMSaved`
    lstmForward(xs, wih, whh, bias, h0.scalars, c0.scalars, &saved, s, at)

    // The op's output [B, T + 1, H]: h_1 … h_T, then c_T.
    var packed = uninitializedFloats(s.B * (s.T + 1) * H)
    for b in 0..<s.B {
        for t in 0..<s.T {
            let (dst, src) = ((b * (s.T + 1) + t) * H, at.h + ((t + 1) * s.B + b) * H)
            for j in 0..<H { packed[dst + j] = saved[src + j] }
        }
        let (dst, src) = ((b * (s.T + 1) + s.T) * H, at.c + (s.T * s.B + b) * H)
        for j in 0..<H { packed[dst + j] = saved[src + j] }
    }

    let biases = [w.biasIH, w.biasHH].compactMap { $0 }
    let need = SequenceNeeds(x: x.requiresGrad, h0: h0.requiresGrad, weightIH: w.weightIH.requiresGrad,
                             weightHH: w.weightHH.requiresGrad, bias: !biases.isEmpty)
    let biasCount = biases.count
    let out = Tensor.make("lstmSequence", shape: [s.B, s.T + 1, H], scalars: packed, inputs: [x, h0, c0, w.weightIH, w.weightHH] + biases) { g in
        var dA = uninitializedFloats(s.T * s.B * s.G)                             // every step's dA, [T, B, 4H]
        var dh = [Float](repeating: 0, count: s.B * H)                      // reaching h_t from step t+1
        var dc = [Float](repeating: 0, count: s.B * H)                      // reaching c_t from step t+1
        var db = [Float](repeating: 0, count: s.G)
        var dWih = [Float](repeating: 0, count: need.weightIH ? s.G * s.I : 0)
        var dWhh = [Float](repeating: 0, count: need.weightHH ? s.G * H : 0)
        var dxs = need.x ? uninitializedFloats(s.T * s.B * s.I) : []               // [T, B, I]
        lstmBackward(g, saved, xs, wih, whh, s, at, need, dA: &dA, dh: &dh, dc: &dc, db: &db, dWih: &dWih, dWhh: &dWhh, dx: &dxs)
        let grads: [[Float]?] = [need.x ? swapLeadingAxes(dxs, s.T, s.B, s.I) : nil, need.h0 ? dh : nil, dc,
                                 need.weightIH ? dWih : nil, need.weightHH ? dWhh : nil]
        return grads + [[Float]?](repeating: db, count: biasCount)    // the same gradient for b_ih and b_hh
    }
    let output = try out.narrow(axis: 1, start: 0, length: s.T, file: file, line: line)
    return (output, try out.select(axis: 1, index: s.T - 1, file: file, line: line), try out.select(axis: 1, index: s.T, file: file, line: line))
}

/// Where each thing the backward needs sits in the one buffer the forward fills
/// (time-major):
///
///     gates [T, B, 4H]    the activated i, f, g, o
///     h     [T + 1, B, H] h_0 … h_T
///     c     [T + 1, B, H] c_0 … c_T
///     tanhC [T, B, H]     tanh(c_1) … tanh(c_T)
struct LSTMSaved {
    let gates: Int, h: Int, c: Int, tanhC: Int, count: Int

    init(_ s: SequenceSizes) {
        (gates, h) = (0, s.T * s.B * s.G)
        c = h + (s.T + 1) * s.B * s.H
        tanhC = c + (s.T + 1) * s.B * s.H
        count = tanhC + s.T * s.B * s.H
    }
}

// MARK: - Forward and backward over the sequence

/// The forward pass: fills `saved` (laid out as `at` says) from the time-major input `xs`.
func lstmForward(
    _ xs: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
    _ h0: UnsafePointer<Float>, _ c0: UnsafePointer<Float>, _ saved: UnsafeMutablePointer<Float>, _ s: SequenceSizes, _ at: LSTMSaved
) {
    let (B, H, G) = (s.B, s.H, s.G)
    let (gates, h, c, tanhC) = (saved + at.gates, saved + at.h, saved + at.c, saved + at.tanhC)
    h.update(from: h0, count: B * H)
    c.update(from: c0, count: B * H)
    // Every step's input contribution at once, [T·B, I] · [4H, I]ᵀ (the biases are added
    // row by row below, while the row is in cache).
    if s.I > 0 {
        gemm(xs, wih, gates, m: s.T * B, n: G, k: s.I, transB: true)
    } else {
        gates.update(repeating: 0, count: s.T * B * G)
    }
    for t in 0..<s.T {
        let a = gates + t * B * G
        if t > 0 || !s.zeroH0 {
            gemm(h + t * B * H, whh, a, m: B, n: G, k: H, transB: true, beta: 1)     // a += h_{t−1} · W_hhᵀ
        }
        for b in 0..<B {
            let k = b * H
            lstmForwardRow(a + b * G, bias: bias, H: H, cPrev: c + t * B * H + k, c: c + (t + 1) * B * H + k,
                           tanhC: tanhC + t * B * H + k, h: h + (t + 1) * B * H + k)
        }
    }
}

/// The backward pass, from `g`, the gradient of the op's output `[B, T + 1, H]`. On return
/// `dh`, `dc` hold the gradients of h0, c0; `db` of each bias; `dWih`, `dWhh` (when
/// needed) of the weights; `dx` (when needed) of the time-major input; `dA` (room for
/// `[T, B, 4H]`) every step's gate gradients.
func lstmBackward(
    _ g: UnsafePointer<Float>, _ saved: UnsafePointer<Float>, _ xs: UnsafePointer<Float>,
    _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ s: SequenceSizes, _ at: LSTMSaved, _ need: SequenceNeeds,
    dA: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>, dc: UnsafeMutablePointer<Float>,
    db: UnsafeMutablePointer<Float>, dWih: UnsafeMutablePointer<Float>, dWhh: UnsafeMutablePointer<Float>,
    dx: UnsafeMutablePointer<Float>
) {
    let (T, B, H, G) = (s.T, s.B, s.H, s.G)
    let (gates, h, c, tanhC) = (saved + at.gates, saved + at.h, saved + at.c, saved + at.tanhC)
    // dc_T comes from the op's last time row.
    for b in 0..<B { (dc + b * H).update(from: g + (b * (T + 1) + T) * H, count: H) }
    for t in stride(from: T - 1, through: 0, by: -1) {
        let dAt = dA + t * B * G
        for b in 0..<B {
            let k = b * H
            lstmBackwardRow(gates + (t * B + b) * G, H: H, dGates: dAt + b * G, dOut: g + (b * (T + 1) + t) * H,
                            dh: dh + k, dc: dc + k, cPrev: c + t * B * H + k, tanhC: tanhC + t * B * H + k)
        }
        if t > 0 || need.h0 { gemm(dAt, whh, dh, m: B, n: H, k: G) }                         // dh_{t−1} = dA_t · W_hh
    }
    // Everything else at once, over all T·B rows.
    if need.bias { addRows(dA, rows: T * B, width: G, to: db) }
    sequenceProductGradients(dX: dA, dH: dA, h: h, xs: xs, wih: wih, s, need, dWih: dWih, dWhh: dWhh, dx: dx)
}

// MARK: - One row of one step

/// Forward, one batch row of one step: `gates` holds the pre-activations without the bias
/// (i, f, g, o, each `H` wide) and is overwritten with the activated gates; writes c_t,
/// tanh(c_t), h_t.
@inline(__always)
func lstmForwardRow(
    _ gates: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, H: Int, cPrev: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>
) {
    // The bias, then the nonlinearities in place: σ on i and f, tanh on g, σ on o.
    mapLanes(gates, adding: bias, count: 2 * H, fastSigmoid)
    mapLanes(gates + 2 * H, adding: bias + 2 * H, count: H, fastTanh)
    mapLanes(gates + 3 * H, adding: bias + 3 * H, count: H, fastSigmoid)
    // c_t = f ∗ c_{t−1} + i ∗ g;  h_t = o ∗ tanh(c_t).
    forEachLanes(H) { j, n in
        let cell = loadLanes(gates + H + j, n) * loadLanes(cPrev + j, n) + loadLanes(gates + j, n) * loadLanes(gates + 2 * H + j, n)
        let tch = fastTanh(cell)
        storeLanes(cell, c + j, n)
        storeLanes(tch, tanhC + j, n)
        storeLanes(loadLanes(gates + 3 * H + j, n) * tch, h + j, n)
    }
}

/// Backward, one batch row of one step. In: the activated `gates`, the gradient reaching
/// h_t from the output (`dOut`) and from step t+1 (`dh`), and reaching c_t from step t+1
/// (`dc`). Out: the gradient of the gate pre-activations (`dGates`), and in `dc` the
/// gradient reaching c_{t−1}.
///
///     dh = dOut + dh;  dc = dc + dh ∗ o ∗ (1 − tanh²c)
///     di = dc ∗ g ∗ i(1 − i);   df = dc ∗ c_{t−1} ∗ f(1 − f)
///     dg = dc ∗ i ∗ (1 − g²);   do = dh ∗ tanh c ∗ o(1 − o);   dc_{t−1} = dc ∗ f
@inline(__always)
func lstmBackwardRow(
    _ gates: UnsafePointer<Float>, H: Int, dGates: UnsafeMutablePointer<Float>, dOut: UnsafePointer<Float>,
    dh: UnsafePointer<Float>, dc: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>
) {
    forEachLanes(H) { j, n in
        let (i, f, g, o) = (loadLanes(gates + j, n), loadLanes(gates + H + j, n), loadLanes(gates + 2 * H + j, n), loadLanes(gates + 3 * H + j, n))
        let dhv = loadLanes(dOut + j, n) + loadLanes(dh + j, n)
        let tc = loadLanes(tanhC + j, n)
        let dcv = loadLanes(dc + j, n) + dhv * o * (1 - tc * tc)
        storeLanes(dcv * g * i * (1 - i), dGates + j, n)
        storeLanes(dcv * loadLanes(cPrev + j, n) * f * (1 - f), dGates + H + j, n)
        storeLanes(dcv * i * (1 - g * g), dGates + 2 * H + j, n)
        storeLanes(dhv * tc * o * (1 - o), dGates + 3 * H + j, n)
        storeLanes(dcv * f, dc + j, n)
    }
}
