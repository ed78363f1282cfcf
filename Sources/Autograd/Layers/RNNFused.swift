/// One plain RNN layer over a whole sequence as a single primitive op, for speed: the
/// `RNN` layer's fast path. A test proves the layer equal to a loop of `RNNCell` (the
/// composite it replaces) in values and in every gradient.
///
/// Forward: `x · W_ihᵀ + b_ih + b_hh` for all steps in one product; then per step one
/// product adds `h_{t−1} · W_hhᵀ` and the nonlinearity gives h_t. Only the states are kept:
/// the nonlinearity's derivative is read off its output (tanh' = 1 − h², relu' = [h > 0]).
///
/// Backward, walking the steps in reverse: dA_t = (dOut_t + dh) ∗ f'(h_t), then
/// dh_{t−1} = dA_t · W_hh. Once every step's dA is known, the rest is one large product each
/// over all `T·B` rows: dW_ih = dAᵀ · x, dW_hh = dAᵀ · h_{0…T−1}, dx = dA · W_ih; both biases
/// get the sums of dA.
/// Time-major inside, as `lstmSequence`.

/// One RNN layer over `x [B, T, in]` from `h0 [B, H]`: returns h at every step
/// `[B, T, H]` (the final state is its last step).
public func rnnSequence(
    _ x: Tensor, h0: Tensor, weights w: RecurrentWeights, nonlinearity: RNNNonlinearity = .tanh,
    file: StaticString = #fileID, line: UInt = #line
) throws -> Tensor {
    let s = try checkSequenceOp("rnnSequence", x, states: [("h0", h0)], weights: w, gates: 1, file: file, line: line)
    let (B, T, I, H) = (s.B, s.T, s.I, s.H)
    let (wih, whh) = (w.weightIH.scalars, w.weightHH.scalars)
    var bias = [Float](repeating: 0, count: H)                     // b_ih + b_hh
    for b in [w.biasIH, w.biasHH] { if let b { addInPlace(&bias, b.scalars) } }
    let xs = swapLeadingAxes(x.scalars, B, T, I)                   // [T, B, I]
    var hs = uninitializedFloats((T + 1) * B * H)                        // [T + 1, B, H]: h_0 … h_T
    rnnForward(xs, wih, whh, bias, h0.scalars, &hs, s, nonlinearity)
    let output = swapLeadingAxes(Array(hs[(B * H)...]), T, B, H)  // h_1 … h_T, batch first

    let biases = [w.biasIH, w.biasHH].compactMap { $0 }
    let need = SequenceNeeds(x: x.requiresGrad, h0: h0.requiresGrad, weightIH: w.weightIH.requiresGrad,
                             weightHH: w.weightHH.requiresGrad, bias: !biases.isEmpty)
    let biasCount = biases.count
    return Tensor.make("rnnSequence", shape: [B, T, H], scalars: output, inputs: [x, h0, w.weightIH, w.weightHH] + biases) { g in
        let gs = swapLeadingAxes(g, B, T, H)                                     // [T, B, H]
        var dA = uninitializedFloats(T * B * H)                                      // every step's, [T, B, H]
        var dh = [Float](repeating: 0, count: B * H)
        var db = [Float](repeating: 0, count: H)
        var dWih = [Float](repeating: 0, count: need.weightIH ? H * I : 0)
        var dWhh = [Float](repeating: 0, count: need.weightHH ? H * H : 0)
        var dxs = need.x ? uninitializedFloats(T * B * I) : []                       // [T, B, I]
        rnnBackward(gs, hs, xs, wih, whh, s, nonlinearity, need, dA: &dA, dh: &dh, db: &db, dWih: &dWih, dWhh: &dWhh, dx: &dxs)
        let grads: [[Float]?] = [need.x ? swapLeadingAxes(dxs, T, B, I) : nil, need.h0 ? dh : nil,
                                 need.weightIH ? dWih : nil, need.weightHH ? dWhh : nil]
        return grads + [[Float]?](repeating: db, count: biasCount)    // the same gradient for b_ih and b_hh
    }
}

// MARK: - Forward and backward over the sequence

/// The forward pass: fills `hs` `[T + 1, B, H]` with h_0 … h_T from the time-major input.
func rnnForward(
    _ xs: UnsafePointer<Float>, _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
    _ h0: UnsafePointer<Float>, _ hs: UnsafeMutablePointer<Float>, _ s: SequenceSizes, _ nonlinearity: RNNNonlinearity
) {
    let (B, H) = (s.B, s.H)
    hs.update(from: h0, count: B * H)
    // The pre-activations are built where the states go: h_t's slot first holds x_t · W_ihᵀ + b.
    let pre = hs + B * H
    if s.I > 0 {
        gemm(xs, wih, pre, m: s.T * B, n: H, k: s.I, transB: true)
    } else {
        pre.update(repeating: 0, count: s.T * B * H)
    }
    for r in 0..<(s.T * B) { addLanes(bias, to: pre + r * H, count: H) }
    for t in 0..<s.T {
        let a = pre + t * B * H
        if t > 0 || !s.zeroH0 { gemm(hs + t * B * H, whh, a, m: B, n: H, k: H, transB: true, beta: 1) }   // a += h_{t−1} · W_hhᵀ
        switch nonlinearity {
        case .tanh: mapLanes(a, count: B * H, fastTanh)
        case .relu: mapLanes(a, count: B * H) { $0.replacing(with: 0, where: $0 .< 0) }
        }
    }
}

/// The backward pass, from `g`, the time-major gradient of the output `[T, B, H]`. On
/// return `dh` holds the gradient of h0; `db` of each bias; `dWih`, `dWhh` (when needed) of
/// the weights; `dx` (when needed) of the time-major input; `dA` (room for `[T, B, H]`) every
/// step's pre-activation gradients.
func rnnBackward(
    _ g: UnsafePointer<Float>, _ hs: UnsafePointer<Float>, _ xs: UnsafePointer<Float>,
    _ wih: UnsafePointer<Float>, _ whh: UnsafePointer<Float>, _ s: SequenceSizes, _ nonlinearity: RNNNonlinearity,
    _ need: SequenceNeeds, dA: UnsafeMutablePointer<Float>, dh: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>,
    dWih: UnsafeMutablePointer<Float>, dWhh: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>
) {
    let (T, B, H) = (s.T, s.B, s.H)
    for t in stride(from: T - 1, through: 0, by: -1) {
        let (h, dOut, dAt) = (hs + (t + 1) * B * H, g + t * B * H, dA + t * B * H)
        // dA = (dOut + dh) ∗ f'(h_t).
        forEachLanes(B * H) { j, n in
            let hv = loadLanes(h + j, n)
            let slope = nonlinearity == .tanh ? 1 - hv * hv : Lanes(repeating: 1).replacing(with: 0, where: hv .<= 0)
            storeLanes((loadLanes(dOut + j, n) + loadLanes(dh + j, n)) * slope, dAt + j, n)
        }
        if t > 0 || need.h0 { gemm(dAt, whh, dh, m: B, n: H, k: H) }                       // dh_{t−1} = dA_t · W_hh
    }
    // Everything else at once, over all T·B rows.
    if need.bias { addRows(dA, rows: T * B, width: H, to: db) }
    sequenceProductGradients(dX: dA, dH: dA, h: hs, xs: xs, wih: wih, s, need, dWih: dWih, dWhh: dWhh, dx: dx)
}
