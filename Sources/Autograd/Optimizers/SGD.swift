/// Stochastic gradient descent, with optional momentum, Nesterov momentum and L2 weight
/// decay: `torch.optim.SGD`.
///
/// For each parameter w with gradient g (every array has w's shape):
///
///     d = g + weightDecay · w
///     if momentum ≠ 0:
///         b = d                                  on the parameter's first step
///         b = momentum · b + (1 − dampening) · d  afterwards
///         d = nesterov ? d + momentum · b : b
///     w = w − learningRate · d
///
/// The momentum buffer b is made on a parameter's first gradient, as PyTorch does (so
/// the first step is a plain step, not one damped by 1 − dampening).
public final class SGD: MomentumOptimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    /// A schedule may change it between steps (`OneCycleLR`).
    public var momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool
    /// One momentum buffer per parameter, made on its first gradient.
    private var buffers: [[Float]?]

    /// Throws for an empty parameter list or a hyperparameter out of range (negative
    /// rate, momentum or decay; Nesterov without momentum or with dampening).
    public init(
        _ parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        weightDecay: Float = 0, nesterov: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) throws {
        try checkHyperparameter("SGD", "learningRate", learningRate, atLeast: 0, file: file, line: line)
        try checkHyperparameter("SGD", "momentum", momentum, atLeast: 0, file: file, line: line)
        try checkHyperparameter("SGD", "dampening", dampening, atLeast: 0, file: file, line: line)
        try checkHyperparameter("SGD", "weightDecay", weightDecay, atLeast: 0, file: file, line: line)
        if nesterov, momentum <= 0 || dampening != 0 {
            throw TensorError(op: "SGD", "Nesterov momentum needs momentum > 0 and dampening = 0 (got momentum \(momentum), dampening \(dampening))", file: file, line: line)
        }
        self.parameters = try uniqueParameters(parameters, op: "SGD", file: file, line: line)
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        buffers = Array(repeating: nil, count: self.parameters.count)
    }

    public var momentumTerm: Float {
        get { momentum }
        set { momentum = newValue }
    }

    public func step() {
        let (lr, mu, wd) = (learningRate, momentum, weightDecay)
        let keep = 1 - dampening
        for (i, p) in parameters.enumerated() {
            guard let grad = p.gradScalars else { continue }
            precondition(grad.count == p.count, "core invariant: gradient and parameter sizes differ")
            if mu == 0 {
                p.scalars.withUnsafeMutableBufferPointer { w in
                    grad.withUnsafeBufferPointer { g in
                        for j in 0..<w.count { w[j] -= lr * (g[j] + wd * w[j]) }
                    }
                }
                continue
            }
            let first = buffers[i] == nil
            if first { buffers[i] = [Float](repeating: 0, count: p.count) }
            let nesterov = self.nesterov
            p.scalars.withUnsafeMutableBufferPointer { w in
                grad.withUnsafeBufferPointer { g in
                    buffers[i]!.withUnsafeMutableBufferPointer { b in
                        for j in 0..<w.count {
                            let d = g[j] + wd * w[j]
                            b[j] = first ? d : mu * b[j] + keep * d
                            w[j] -= lr * (nesterov ? d + mu * b[j] : b[j])
                        }
                    }
                }
            }
        }
    }
}
