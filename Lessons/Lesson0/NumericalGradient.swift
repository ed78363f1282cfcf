import Autograd

// Lesson 0, exercise 0.2: checking a gradient by hand.
//
// A derivative is a limit: (f(x + h) − f(x − h)) / 2h as h shrinks. With a small h we
// can estimate every element of a gradient without knowing any pullback — slowly, one
// element at a time, but independently of the code we want to check.

/// The gradient of the scalar function `f` at `x`, estimated by central differences:
/// element i is (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h, where eᵢ is 1 at i and 0 elsewhere.
/// x: any shape; f returns a one-element tensor. Returns a tensor of x's shape.
public func numericalGradient(of f: (Tensor) throws -> Tensor, at x: Tensor, step h: Float = 1e-2) throws -> Tensor {
    // TODO(0.2): for each element i, evaluate f with x[i] moved up by h and down by h (fresh tensors), and combine.
    throw TODO("0.2")
}
