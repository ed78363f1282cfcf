/// One GRU layer over a whole sequence as a single primitive op, for speed: the `GRU`
/// layer's fast path. A test proves the layer equal to a loop of `GRUCell` (the composite
/// it replaces) in values and in every gradient.
///
/// Forward: `x · W_ihᵀ + b_ih` for all steps in one product; then per step one product
/// `h_{t−1} · W_hhᵀ + b_hh` and a tight loop for the gates (r, z, n) and the new state.
/// Kept for the backward: r, z, n, the `W_hn h + b_hn` part (which r scales), and every h.
///
/// Backward, walking the steps in reverse, per step: one loop gives the gradients of the
/// input's projection dX_t = [dr, dz, dn] and of the state's projection dH_t = [dr, dz, r ∗ dn]
/// (pre-activation gradients; they differ in the n block, where r sits between); then one
/// product carries the gradient back in time: dh_{t−1} = dH_t · W_hh + dh ∗ z. Once every
/// step's dX and dH are known, the rest is one large product each over all `T·B` rows:
/// dW_ih = dXᵀ · x, dW_hh = dHᵀ · h_{0…T−1}, dx = dX · W_ih.
/// Time-major inside, as `lstmSequence`.

/// One GRU layer over `x [B, T, in]` from `h0 [B, H]`: returns h at every step
/// `[B, T, H]` (the final state is its last step). Gates in order r, z, n, with PyTorch's
/// formula (see GRU.swift).
public func gruSequence(
    _ x: Tensor, h0: Tensor, weights w: RecurrentWeights, file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    let s = try checkSequenceOp("gruSequence", x, states: [("h0", h0)], weights: w, gates: 3, file: file, line: line)
    let at = GRUSaved(s)
    let (wih, whh) = (w.weightIH.scalars, w.weightHH.scalars)
    let bih = w.biasIH?.scalars ?? [Float](repeating: 0, count: s.G)
    let bhh = w.biasHH?.scalars ?? [Float](repeating: 0, count: s.G)
    let xs = swapLeadingAxes(x.scalars, s.B, s.T, s.I)             // [T, B, I]
    var saved = uninitializedFloats(at.count)                            // see `GRUSaved`
    gruForward(xs, wih, whh, bih, bhh, h0.scalars, &saved, s, at)
    // h_1 … h_T, batch first.
    let output = swapLeadingAxes(Array(saved[(at.h + s.B * s.H)...]), s.T, s.B, s.H)

    let need = SequenceNeeds(x: x.requiresGrad, h0: h0.requiresGrad, weightIH: w.weightIH.requiresGrad,
                             weightHH: w.weightHH.requiresGrad, bias: w.biasIH != nil || w.biasHH != nil)
    let (hasBiasIH, hasBiasHH) = (w.biasIH != nil, w.biasHH != nil)
    let inputs = [x, h0, w.weightIH, w.weightHH] + [w.biasIH, w.biasHH].compactMap { $0 }
    return Tensor.make("gruSequence", shape: [s.B, s.T, s.H], scalars: output, inputs: inputs) { g in
        let gs = swapLeadingAxes(g, s.B, s.T, s.H)                                  // [T, B, H]
        var dX = uninitializedFloats(s.T * s.B * s.G), dH = uninitializedFloats(s.T * s.B * s.G)   // every step's, [T, B, 3H]
        var dh = [Float](repeating: 0, count: s.B * s.H)
        var dbih = [Float](repeating: 0, count: s.G), dbhh = [Float](repeating: 0, count: s.G)
        var dWih = [Float](repeating: 0, count: need.weightIH ? s.G * s.I : 0)
        var dWhh = [Float](repeating: 0, count: need.weightHH ? s.G * s.H : 0)
        var dxs = need.x ? uninitializedFloats(s.T * s.B * s.I) : []                    // [T, B, I]
        gruBackward(gs, saved, xs, wih, whh, s, at, need, dX: &dX, dH: &dH, dh: &dh, dbih: &dbih, dbhh: &dbhh,
                    dWih: &dWih, dWhh: &dWhh, dx: &dxs)
        let grads: [[Float]?] = [need.x ? swapLeadingAxes(dxs, s.T, s.B, s.I) : nil, need.h0 ? dh : nil,
                                 need.weightIH ? dWih : nil, need.weightHH ? dWhh : nil]
        return grads + (hasBiasIH ? [dbih] : []) + (hasBiasHH ? [dbhh] : [])
    }
}

/// Where each thing the backward needs sits in the one buffer the forward fills
/// (time-major):
///
///     gates [T, B, 3H]    r, z, n (first the input's projection, overwritten in place)
///     hn    [T, B, H]     W_hn h_{t−1} + b_hn
///     h     [T + 1, B, H] h_0 … h_T
struct GRUSaved {
    let gates: Int, hn: Int, h: Int, count: Int

    init(_ s: SequenceSizes) {
        (gates, hn) = (0, s.T * s.B * s.G)
        h = hn + s.T * s.B * s.H
        count = h + (s.T + 1) * s.B * s.H
    }
}

// MARK: - Forward and backward over the sequence

/// The forward pass: fills `saved` (laid out as `at` says) from the time-major input `xs`.
func gruForward(
    _ xs: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>,
    _ bih: UnsafePointer<Float>, _ bhh: UnsafePointer<Float>, _ h0: UnsafePointer<Float>,
    _ saved: UnsafeMutablePointer<Float>, _ s: SequenceSizes, _ at: GRUSaved
) {
    let (B, H, G) = (s.B, s.H, s.G)
    let (gates, hn, h) = (saved + at.gates, saved + at.hn, saved + at.h)
    h.update(from: h0, count: B * H)
    if s.I > 0 {
        gemm(xs, wih, gates, m: s.T * B, n: G, k: s.I, transB: true)          // every step's x · W_ihᵀ
    } else {
        gates.update(repeating: 0, count: s.T * B * G)
    }
    for r in 0..<(s.T * B) { addLanes(bih, to: gates + r * G, count: G) }
    var hg = uninitializedFloats(B * G)                                               // one step's h · W_hhᵀ + b_hh
    hg.withUnsafeMutableBufferPointer { buf in
        let hgp = buf.baseAddress!
        for t in 0..<s.T {
            if t == 0 && s.zeroH0 {
                hgp.update(repeating: 0, count: B * G)                                 // h_0 = 0
            } else {
                gemm(h + t * B * H, whh, hgp, m: B, n: G, k: H, transB: true)
            }
            for b in 0..<B {
                addLanes(bhh, to: hgp + b * G, count: G)
                let k = b * H
                gruForwardRow(gates + (t * B + b) * G, hgp + b * G, H: H, hPrev: h + t * B * H + k,
                              hn: hn + t * B * H + k, h: h + (t + 1) * B * H + k)
            }
        }
    }
}

/// The backward pass, from `g`, the time-major gradient of the output `[T, B, H]`. On
/// return `dh` holds the gradient of h0; `dbih`, `dbhh` of the biases; `dWih`, `dWhh` (when
/// needed) of the weights; `dx` (when needed) of the time-major input; `dX`, `dH` (room for
/// `[T, B, 3H]` each) every step's projection gradients.
func gruBackward(
    _ g: UnsafePointer<Float>, _ saved: UnsafePointer<Float>, _ xs: UnsafePointer<Float>,
    _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ s: SequenceSizes, _ at: GRUSaved, _ need: SequenceNeeds,
    dX: UnsafeMutablePointer<Float>, dH: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>,
    dbih: UnsafeMutablePointer<Float>, dbhh: UnsafeMutablePointer<Float>,
    dWih: UnsafeMutablePointer<Float>, dWhh: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>
) {
    let (T, B, H, G) = (s.T, s.B, s.H, s.G)
    let (gates, hn, h) = (saved + at.gates, saved + at.hn, saved + at.h)
    for t in stride(from: T - 1, through: 0, by: -1) {
        let (dXt, dHt) = (dX + t * B * G, dH + t * B * G)
        for b in 0..<B {
            let k = b * H
            gruBackwardRow(gates + (t * B + b) * G, H: H, hn: hn + t * B * H + k, hPrev: h + t * B * H + k,
                           dOut: g + t * B * H + k, dh: dh + k, dX: dXt + b * G, dH: dHt + b * G)
        }
        if t > 0 || need.h0 { gemm(dHt, whh, dh, m: B, n: H, k: G, beta: 1) }               // dh_{t−1} = dh ∗ z + dH_t · W_hh
    }
    // Everything else at once, over all T·B rows.
    if need.bias {
        addRows(dX, rows: T * B, width: G, to: dbih)
        addRows(dH, rows: T * B, width: G, to: dbhh)
    }
    sequenceProductGradients(dX: dX, dH: dH, h: h, xs: xs, wih: wih, s, need, dWih: dWih, dWhh: dWhh, dx: dx)
}

// MARK: - One row of one step

/// Forward, one batch row of one step. `gates` holds the input's projection (r, z, n blocks,
/// `H` wide each, with b_ih) and is overwritten with r, z, n; `hg` is the state's projection
/// (with b_hh). Writes `hn` (the n block of `hg`) and the new state h.
///
///     r = σ(x_r + h_r);  z = σ(x_z + h_z);  n = tanh(x_n + r ∗ h_n);  h = (1 − z) ∗ n + z ∗ h_{t−1}
@inline(__always)
func gruForwardRow(
    _ gates: UnsafeMutablePointer<Float>, _ hg: UnsafePointer<Float>, H: Int, hPrev: UnsafePointer<Float>,
    hn: UnsafeMutablePointer<Float>, h: UnsafeMutablePointer<Float>
) {
    forEachLanes(H) { j, n in
        let r = fastSigmoid(loadLanes(gates + j, n) + loadLanes(hg + j, n))
        let z = fastSigmoid(loadLanes(gates + H + j, n) + loadLanes(hg + H + j, n))
        let hnv = loadLanes(hg + 2 * H + j, n)
        let nv = fastTanh(loadLanes(gates + 2 * H + j, n) + r * hnv)
        storeLanes(r, gates + j, n)
        storeLanes(z, gates + H + j, n)
        storeLanes(nv, gates + 2 * H + j, n)
        storeLanes(hnv, hn + j, n)
        storeLanes((1 - z) * nv + z * loadLanes(hPrev + j, n), h + j, n)
    }
}

/// Backward, one batch row of one step. In: r, z, n (`gates`), `hn`, h_{t−1}, and the
/// gradient reaching h_t from the output (`dOut`) and from step t+1 (`dh`). Out: the
/// pre-activation gradients for the input's projection (`dX`) and the state's (`dH`), and
/// in `dh` the part of the gradient reaching h_{t−1} directly (dh ∗ z; the product with
/// W_hh adds the rest).
///
///     dn = dh ∗ (1 − z) ∗ (1 − n²);  dz = dh ∗ (h_{t−1} − n) ∗ z(1 − z);  dr = dn ∗ h_n ∗ r(1 − r)
///     dX = [dr, dz, dn];  dH = [dr, dz, dn ∗ r]
@inline(__always)
func gruBackwardRow(
    _ gates: UnsafePointer<Float>, H: Int, hn: UnsafePointer<Float>, hPrev: UnsafePointer<Float>,
    dOut: UnsafePointer<Float>, dh: UnsafeMutablePointer<Float>, dX: UnsafeMutablePointer<Float>, dH: UnsafeMutablePointer<Float>
) {
    forEachLanes(H) { j, n in
        let (r, z, nv) = (loadLanes(gates + j, n), loadLanes(gates + H + j, n), loadLanes(gates + 2 * H + j, n))
        let dhv = loadLanes(dOut + j, n) + loadLanes(dh + j, n)
        let dn = dhv * (1 - z) * (1 - nv * nv)
        let dz = dhv * (loadLanes(hPrev + j, n) - nv) * z * (1 - z)
        let dr = dn * loadLanes(hn + j, n) * r * (1 - r)
        storeLanes(dr, dX + j, n); storeLanes(dz, dX + H + j, n); storeLanes(dn, dX + 2 * H + j, n)
        storeLanes(dr, dH + j, n); storeLanes(dz, dH + H + j, n); storeLanes(dn * r, dH + 2 * H + j, n)
        storeLanes(dhv * z, dh + j, n)
    }
}
