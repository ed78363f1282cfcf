import Foundation

/// Rectified Adam (Liu et al., 2019): `torch.optim.RAdam`.
///
/// Adam's adaptive step is unreliable in the first few steps, when v has seen few
/// gradients. RAdam tracks how many gradients v effectively averages, ρₜ, and takes
/// plain momentum steps until ρₜ > 5; after that, Adam steps scaled by a factor rₜ
/// that rises towards 1. At step t (per parameter, t = 1, 2, ...):
///
///     g = g + weightDecay · w                 (or w = w · (1 − lr · weightDecay), decoupled)
///     m = β1 · m + (1 − β1) · g
///     v = β2 · v + (1 − β2) · g²
///     m̂ = m / (1 − β1ᵗ)
///     ρ∞ = 2 / (1 − β2) − 1
///     ρₜ = ρ∞ − 2t · β2ᵗ / (1 − β2ᵗ)
///     if ρₜ > 5:
///         rₜ = √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ))
///         w = w − lr · m̂ · √(1 − β2ᵗ) / (√v + eps) · rₜ
///     else:
///         w = w − lr · m̂
///
/// (eps is added to √v before the bias correction, unlike Adam: PyTorch's formula.)
/// With the default β2 = 0.999 the first five steps are momentum steps.
public final class RAdam: AdamFamilyOptimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// (β1, β2); a schedule may change β1 between steps (`OneCycleLR`).
    public var betas: (Float, Float)
    public let eps: Float
    public let weightDecay: Float
    /// Whether weight decay shrinks the weights (AdamW-style) instead of adding to g.
    public let decoupledWeightDecay: Bool
    private var states: [MomentState?]

    /// Throws for an empty parameter list or a hyperparameter out of range.
    public init(
        _ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
        eps: Float = 1e-8, weightDecay: Float = 0, decoupledWeightDecay: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        try checkAdamHyperparameters("RAdam", learningRate, betas, eps, weightDecay, file: file, line: line)
        self.parameters = try uniqueParameters(parameters, op: "RAdam", file: file, line: line)
        self.learningRate = learningRate
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
        states = Array(repeating: nil, count: self.parameters.count)
    }

    public func step() {
        let (b1, b2) = betas
        let (oneMinusB1, oneMinusB2) = (1 - b1, 1 - b2)
        let (lr, eps) = (learningRate, eps)
        let l2: Float = decoupledWeightDecay ? 0 : weightDecay
        let decay: Float = decoupledWeightDecay ? weightDecay : 0
        let shrink = Float(1 - Double(lr) * Double(decay))
        let rhoInf = 2 / (1 - Double(b2)) - 1
        for (i, p) in parameters.enumerated() {
            guard let grad = p.gradScalars else { continue }
            precondition(grad.count == p.count, "core invariant: gradient and parameter sizes differ")
            let s = states[i] ?? MomentState(count: p.count)
            states[i] = s
            s.step += 1
            let t = Double(s.step)
            let b2t = Foundation.pow(Double(b2), t)
            let bias1 = Float(1 - Foundation.pow(Double(b1), t)), bias2 = 1 - b2t
            let rho = rhoInf - 2 * t * b2t / bias2
            let rectified = rho > 5
            let rect = rectified
                ? Float(((rho - 4) * (rho - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rho)).squareRoot()) : 0
            let bias2Sqrt = Float(bias2.squareRoot())
            p.scalars.withUnsafeMutableBufferPointer { w in
                grad.withUnsafeBufferPointer { g in
                    s.expAvg.withUnsafeMutableBufferPointer { m in
                        s.expAvgSq.withUnsafeMutableBufferPointer { v in
                            for j in 0..<w.count {
                                if decay != 0 { w[j] *= shrink }
                                let gj = l2 != 0 ? g[j] + l2 * w[j] : g[j]
                                m[j] += oneMinusB1 * (gj - m[j])
                                v[j] = b2 * v[j] + oneMinusB2 * (gj * gj)
                                let mHat = m[j] / bias1
                                if rectified {
                                    w[j] -= mHat * lr * (bias2Sqrt / (v[j].squareRoot() + eps)) * rect
                                } else {
                                    w[j] -= mHat * lr
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
