import Autograd
import Foundation

// Lesson 0, exercise 0.1: an op of your own.
//
// Every op of the core is a forward computation and, right beside it, a pullback: a
// closure that turns the gradient of the op's output into the gradient of its input.
// Here is a worked example, the square function, written the way you will write sigmoid.

/// x², elementwise, as a primitive op: y = x², so ∂L/∂x = ∂L/∂y · 2x.
public func square(_ x: Tensor) throws -> Tensor {
    let xs = x.scalars                       // capture values, never tensors
    let ys = xs.map { $0 * $0 }
    return try Tensor.primitive("square", inputs: [x], shape: x.shape, scalars: ys) { g in
        // g holds ∂L/∂y for every element; return one gradient array per input.
        [zip(g, xs).map { g, x in g * 2 * x }]
    }
}

/// The logistic sigmoid σ(x) = 1 / (1 + e^−x), elementwise, as a primitive op.
/// x: any shape. Returns σ(x), same shape, whose pullback is ∂L/∂x = ∂L/∂y · σ(x)·(1 − σ(x)).
public func sigmoid(_ x: Tensor) throws -> Tensor {
    // TODO(0.1): compute y = σ(x) from x.scalars, then return Tensor.primitive(...) with a pullback.
    throw TODO("0.1")
}
