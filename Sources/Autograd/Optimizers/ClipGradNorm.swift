/// Gradient clipping by global norm: `torch.nn.utils.clip_grad_norm_`.
///
/// The total norm is the L2 norm of all gradients taken together, as one long vector:
///
///     total = √(Σ_p Σ_j g_pj²)
///     if total > maxNorm: every g = g · maxNorm / (total + 1e-6)
///
/// The direction of the step is kept; only its length is capped. Recurrent networks
/// need this: one long sequence can make the gradient explode.
///
///     try loss.backward()
///     let norm = clipGradNorm(model.parameters(), maxNorm: 1)   // log it: it shows explosions
///     optimizer.step()
///
/// The sum is taken in Double, so neither a large tensor nor a huge gradient loses it.
/// Returns the total norm before clipping (NaN or infinity if a gradient is; nothing is
/// then scaled in a useful way, as in PyTorch). Parameters without a gradient are
/// skipped; a tensor listed twice is counted once.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    var seen = Set<ObjectIdentifier>()
    let withGrad = parameters.filter { $0.gradScalars != nil && seen.insert(ObjectIdentifier($0)).inserted }
    var sumSquares: Double = 0
    for p in withGrad {
        p.gradScalars!.withUnsafeBufferPointer { g in
            for j in 0..<g.count { sumSquares += Double(g[j]) * Double(g[j]) }
        }
    }
    let total = Float(sumSquares.squareRoot())
    let coefficient = maxNorm / (total + 1e-6)
    guard coefficient < 1 || total.isNaN else { return total }
    for p in withGrad {
        p.gradScalars!.withUnsafeMutableBufferPointer { g in
            for j in 0..<g.count { g[j] *= coefficient }
        }
    }
    return total
}
