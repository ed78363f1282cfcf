/// What every optimizer does: hold the parameters, and move them against their gradients.
///
/// The training loop is PyTorch's:
///
///     let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
///     for batch in batches {
///         optimizer.zeroGrad()
///         let loss = try crossEntropy(model(batch.x), batch.y)
///         try loss.backward()
///         optimizer.step()
///     }
///
/// `step()` writes each parameter's `scalars` in place, so the model, the optimizer and
/// any saved reference keep seeing the same `Tensor` objects. A parameter with no
/// gradient (it took no part in the loss) is skipped, and its state is left as it is.
/// The update rules are `torch.optim`'s, bias corrections included; the files beside
/// this one write each rule out in its doc comment.
public protocol Optimizer: AnyObject {
    /// The tensors this optimizer updates, each once (in the order first given).
    var parameters: [Tensor] { get }
    /// The step size; a schedule (`StepLR`, `OneCycleLR`) sets it between steps.
    var learningRate: Float { get set }
    /// Moves every parameter that has a gradient by one update.
    func step()
    /// Forgets every parameter's gradient (call it before each `backward()`).
    func zeroGrad()
}

/// An optimizer whose momentum a schedule can move (`OneCycleLR` cycles it against the
/// rate): SGD's `momentum`, and β1 of Adam, AdamW and RAdam — what PyTorch's schedules
/// move as `momentum` or `betas[0]`.
public protocol MomentumOptimizer: Optimizer {
    /// SGD's momentum; β1 for the Adams.
    var momentumTerm: Float { get set }
}

/// Adam, AdamW and RAdam: their momentum is β1.
public protocol AdamFamilyOptimizer: MomentumOptimizer {
    /// (β1, β2).
    var betas: (Float, Float) { get set }
}

extension AdamFamilyOptimizer {
    public var momentumTerm: Float {
        get { betas.0 }
        set { betas.0 = newValue }
    }
}

extension Optimizer {
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }
}

// MARK: - Shared checks

/// The parameters, each tensor once (a tied weight listed twice would otherwise be
/// updated twice), or an error when there are none.
func uniqueParameters(_ parameters: [Tensor], op: String, file: StaticString, line: UInt) throws -> [Tensor] {
    var seen = Set<ObjectIdentifier>()
    let unique = parameters.filter { seen.insert(ObjectIdentifier($0)).inserted }
    guard !unique.isEmpty else {
        throw TensorError(op: op, "got an empty parameter list: does the model list its parameters in ownParameters and its layers in submodules?", file: file, line: line)
    }
    return unique
}

/// Throws unless `value` is in the allowed range (NaN never is).
func checkHyperparameter(
    _ op: String, _ name: String, _ value: Float, atLeast low: Float, below high: Float? = nil,
    file: StaticString, line: UInt
) throws {
    let ok = value >= low && (high.map { value < $0 } ?? value.isFinite)
    guard ok else {
        let range = high.map { "in [\(low), \($0))" } ?? "a finite number ≥ \(low)"
        throw TensorError(op: op, "\(name) = \(value) must be \(range)", file: file, line: line)
    }
}

/// First and second moment estimates of one parameter (Adam, AdamW, RAdam), made on
/// its first gradient. `step` counts this parameter's own updates, as PyTorch does.
final class MomentState {
    var step = 0
    /// m, the running mean of the gradient.
    var expAvg: [Float]
    /// v, the running mean of the squared gradient.
    var expAvgSq: [Float]

    init(count: Int) {
        expAvg = [Float](repeating: 0, count: count)
        expAvgSq = [Float](repeating: 0, count: count)
    }
}
