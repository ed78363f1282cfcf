import Autograd

// Lesson 0, exercise 0.3: softmax from primitives.
//
// Composite ops need no pullback of their own: build them from ops that have one, and
// backward() differentiates the whole expression. The catch is numerical: e^x overflows
// a Float for x > 88.7, and logits can be large.

/// Softmax over the last axis: pᵢ = e^(xᵢ − m) / Σⱼ e^(xⱼ − m), where m = maxⱼ xⱼ of that row
/// (subtracting m changes nothing mathematically and keeps e^… ≤ 1).
/// logits: [..., C]. Returns probabilities of the same shape; each row sums to 1.
public func softmax(_ logits: Tensor) throws -> Tensor {
    // TODO(0.3): subtract each row's max (keepDims, detached), exponentiate, divide by the row sums (keepDims).
    // BEGIN SOLUTION
    let m = try logits.max(axis: -1, keepDims: true).detached()
    let e = try (logits - m).exp()
    return try e / e.sum(axis: -1, keepDims: true)
    // END SOLUTION
}
