import Foundation

/// Adam, with L2 weight decay added to the gradient: `torch.optim.Adam`.
///
/// For each parameter w with gradient g, at its t-th step (t = 1, 2, ...):
///
///     g = g + weightDecay · w
///     m = β1 · m + (1 − β1) · g
///     v = β2 · v + (1 − β2) · g²
///     w = w − lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
///
/// m and v start at zero, so they are biased towards zero early on; dividing by
/// 1 − βᵗ corrects that. On the first step m̂ = g and v̂ = g², so every element moves
/// by about lr · sign(g), whatever the gradient's scale.
///
/// With weight decay this is L2 regularisation: the decay goes through v and is scaled
/// down where gradients are large. `AdamW` decouples it, and is usually what you want.
public final class Adam: AdamFamilyOptimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// (β1, β2); a schedule may change β1 between steps (`OneCycleLR`).
    public var betas: (Float, Float)
    public let eps: Float
    public let weightDecay: Float
    private var states: [MomentState?]

    /// Throws for an empty parameter list or a hyperparameter out of range (betas must
    /// be in [0, 1); the rate, eps and decay ≥ 0).
    public init(
        _ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        eps: Float = 1e-8, weightDecay: Float = 0, file: StaticString = #fileID, line: UInt = #line
    ) throws {
        try checkAdamHyperparameters("Adam", learningRate, betas, eps, weightDecay, file: file, line: line)
        self.parameters = try uniqueParameters(parameters, op: "Adam", file: file, line: line)
        self.learningRate = learningRate
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        states = Array(repeating: nil, count: self.parameters.count)
    }

    public func step() {
        adamStep(parameters, &states, learningRate: learningRate, betas: betas, eps: eps,
                 l2: weightDecay, decoupled: 0)
    }
}

/// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter), `torch.optim.AdamW`.
///
/// Each step first shrinks the weights, then takes a plain Adam step:
///
///     w = w · (1 − lr · weightDecay)
///     m = β1 · m + (1 − β1) · g
///     v = β2 · v + (1 − β2) · g²
///     w = w − lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)
///
/// Unlike `Adam`'s L2 term, the decay never enters m or v, so every weight decays at
/// the same rate whatever its gradients. The default decay is PyTorch's, 0.01.
public final class AdamW: AdamFamilyOptimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// (β1, β2); a schedule may change β1 between steps (`OneCycleLR`).
    public var betas: (Float, Float)
    public let eps: Float
    public let weightDecay: Float
    private var states: [MomentState?]

    /// Throws for an empty parameter list or a hyperparameter out of range.
    public init(
        _ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        eps: Float = 1e-8, weightDecay: Float = 0.01, file: StaticString = #fileID, line: UInt = #line
    ) throws {
        try checkAdamHyperparameters("AdamW", learningRate, betas, eps, weightDecay, file: file, line: line)
        self.parameters = try uniqueParameters(parameters, op: "AdamW", file: file, line: line)
        self.learningRate = learningRate
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        states = Array(repeating: nil, count: self.parameters.count)
    }

    public func step() {
        adamStep(parameters, &states, learningRate: learningRate, betas: betas, eps: eps,
                 l2: 0, decoupled: weightDecay)
    }
}

// MARK: - The shared update

/// The hyperparameter ranges `torch.optim.Adam` accepts (also AdamW's and RAdam's).
func checkAdamHyperparameters(
    _ op: String, _ lr: Float, _ betas: (Float, Float), _ eps: Float, _ weightDecay: Float,
    file: StaticString, line: UInt
) throws {
    try checkHyperparameter(op, "learningRate", lr, atLeast: 0, file: file, line: line)
    try checkHyperparameter(op, "betas.0", betas.0, atLeast: 0, below: 1, file: file, line: line)
    try checkHyperparameter(op, "betas.1", betas.1, atLeast: 0, below: 1, file: file, line: line)
    try checkHyperparameter(op, "eps", eps, atLeast: 0, file: file, line: line)
    try checkHyperparameter(op, "weightDecay", weightDecay, atLeast: 0, file: file, line: line)
}

/// One Adam step over every parameter with a gradient: `l2` is added to the gradient
/// (Adam), `decoupled` shrinks the weights first (AdamW). The per-step scalars are
/// computed in Double, as PyTorch computes them in Python floats.
func adamStep(
    _ parameters: [Tensor], _ states: inout [MomentState?], learningRate: Float,
    betas: (Float, Float), eps: Float, l2: Float, decoupled: Float
) {
    let (b1, b2) = betas
    let shrink = Float(1 - Double(learningRate) * Double(decoupled))
    for (i, p) in parameters.enumerated() {
        guard let grad = p.gradScalars else { continue }
        precondition(grad.count == p.count, "core invariant: gradient and parameter sizes differ")
        let s = states[i] ?? MomentState(count: p.count)
        states[i] = s
        s.step += 1
        let t = Double(s.step)
        let bias1 = 1 - Foundation.pow(Double(b1), t), bias2 = 1 - Foundation.pow(Double(b2), t)
        let stepSize = Float(Double(learningRate) / bias1)
        let bias2Sqrt = Float(bias2.squareRoot())
        p.scalars.withUnsafeMutableBufferPointer { w in
            grad.withUnsafeBufferPointer { g in
                s.expAvg.withUnsafeMutableBufferPointer { m in
                    s.expAvgSq.withUnsafeMutableBufferPointer { v in
                        adamLanes(w, g, m, v, shrink: decoupled != 0 ? shrink : 1, l2: l2, b1: b1, b2: b2,
                                  stepSize: stepSize, bias2Sqrt: bias2Sqrt, eps: eps)
                    }
                }
            }
        }
    }
}

/// One Adam update of `w` in place, eight lanes at a time (it runs on every parameter
/// at every step): w ← w·shrink; g ← g + l2·w; m ← β1·m + (1 − β1)·g;
/// v ← β2·v + (1 − β2)·g²; w ← w − stepSize · m / (√v / √(1 − β2ᵗ) + eps).
@inline(__always)
func adamLanes(
    _ w: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>,
    _ m: UnsafeMutableBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>,
    shrink: Float, l2: Float, b1: Float, b2: Float, stepSize: Float, bias2Sqrt: Float, eps: Float
) {
    guard let wp = w.baseAddress, let gp = g.baseAddress, let mp = m.baseAddress, let vp = v.baseAddress else { return }
    let (oneMinusB1, oneMinusB2) = (1 - b1, 1 - b2)
    forEachLanes(w.count) { j, n in
        var wj = loadLanes(wp + j, n) * shrink
        let gj = loadLanes(gp + j, n) + l2 * wj
        let mj = loadLanes(mp + j, n) + oneMinusB1 * (gj - loadLanes(mp + j, n))
        let vj = b2 * loadLanes(vp + j, n) + oneMinusB2 * (gj * gj)
        wj -= stepSize * (mj / (vj.squareRoot() / bias2Sqrt + eps))
        storeLanes(mj, mp + j, n)
        storeLanes(vj, vp + j, n)
        storeLanes(wj, wp + j, n)
    }
}
