import Autograd

// Lesson 0, exercise 0.4: gradient descent by hand.
//
// Training is a loop: predict, measure the loss, backward() for the gradients, then move
// every parameter a little against its gradient — and forget the gradients before the
// next step, because backward() adds to them.

/// What `fitLine` returns: the fitted slope and intercept, and the loss before each step.
public struct LineFit {
    public var w: Float
    public var b: Float
    public var losses: [Float]
    public init(w: Float, b: Float, losses: [Float]) {
        self.w = w
        self.b = b
        self.losses = losses
    }
}

/// Fits y ≈ w·x + b by plain gradient descent on the mean squared error, from w = b = 0.
/// xs, ys: the points; each of `steps` steps records the loss, then updates
/// w ← w − lr·∂L/∂w and b ← b − lr·∂L/∂b.
public func fitLine(xs: [Float], ys: [Float], steps: Int, learningRate lr: Float) throws -> LineFit {
    // TODO(0.4): w, b = scalar tensors at 0 requiring gradients; each step: predict, mseLoss, record loss.item(), backward, update inside noGrad, zero the gradients.
    // BEGIN SOLUTION
    let x = Tensor(xs), y = Tensor(ys)
    let w = Tensor(scalar: 0, requiresGrad: true)
    let b = Tensor(scalar: 0, requiresGrad: true)
    var losses: [Float] = []
    for _ in 0..<steps {
        let loss = try mseLoss(w * x + b, y)
        losses.append(try loss.item())
        try loss.backward()
        try noGrad {
            try w.assign(w - w.grad! * lr)
            try b.assign(b - b.grad! * lr)
        }
        w.zeroGrad()
        b.zeroGrad()
    }
    return LineFit(w: w.scalars[0], b: b.scalars[0], losses: losses)
    // END SOLUTION
}
