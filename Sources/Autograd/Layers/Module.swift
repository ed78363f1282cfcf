/// A layer or a model: something with parameters, submodules and a training mode.
///
/// A module says what it owns by writing two properties (no reflection): its own
/// parameters by name, and its submodules by name. Everything else — all parameters
/// with dotted names (`encoder.weight_ih_l0`, as PyTorch's `state_dict`), `train()`,
/// `eval()`, `zeroGrad()` — follows from those.
public protocol Module: AnyObject {
    /// This module's own parameters, by name ("weight", "bias").
    var ownParameters: [(name: String, tensor: Tensor)] { get }
    /// The modules inside this one, by name.
    var submodules: [(name: String, module: any Module)] { get }
    /// Whether the module is training (dropout active) or evaluating.
    var isTraining: Bool { get set }
}

extension Module {
    public var ownParameters: [(name: String, tensor: Tensor)] { [] }
    public var submodules: [(name: String, module: any Module)] { [] }

    /// Every parameter, with dotted names, in a fixed order. A tensor shared by two layers
    /// (weight tying) appears under both names, as in PyTorch's `state_dict`.
    public func namedParameters() -> [(name: String, tensor: Tensor)] {
        ownParameters + submodules.flatMap { sub in
            sub.module.namedParameters().map { (name: "\(sub.name).\($0.name)", tensor: $0.tensor) }
        }
    }

    /// Every parameter once, in the order of `namedParameters()` (a shared tensor at its
    /// first name, as PyTorch's `parameters()`).
    public func parameters() -> [Tensor] {
        var seen = Set<ObjectIdentifier>()
        return namedParameters().map(\.tensor).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// How many numbers the model learns.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// Training mode (dropout active), for this module and all inside it.
    public func train(_ on: Bool = true) {
        isTraining = on
        for sub in submodules { sub.module.train(on) }
    }

    /// Evaluation mode (dropout off), for this module and all inside it.
    public func eval() { train(false) }

    /// Forgets every parameter's gradient.
    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }
}

// MARK: - Sizes a layer cannot have

/// A layer asked for with sizes it cannot have (a negative size, no hidden units, no layers)
/// is a student's mistake, and a mistake must not stop the program (TensorError.swift). So
/// the constructor does not trap: it makes the layer empty and keeps this error, which the
/// layer's first call throws — naming the line that made the layer:
/// `Copier.swift:31: GRU(3, -200): hiddenSize -200 must be at least 1`.
func sizeError(
    _ layer: String, _ rules: [(ok: Bool, why: String)], file: StaticString, line: UInt
) -> TensorError? {
    guard let broken = rules.first(where: { !$0.ok }) else { return nil }
    return TensorError(op: layer, "\(broken.why); the layer was made here", file: file, line: line)
}

/// `sizeError` for a recurrent cell or layer, named as it was asked for: `GRU(3, -5)`.
func recurrentSizeError(
    _ layer: String, _ inputSize: Int, _ hiddenSize: Int, numLayers: Int = 1, file: StaticString, line: UInt
) -> TensorError? {
    sizeError("\(layer)(\(inputSize), \(hiddenSize))", [
        (inputSize >= 0, "inputSize \(inputSize) must not be negative"),
        (hiddenSize >= 1, "hiddenSize \(hiddenSize) must be at least 1"),
        (numLayers >= 1, "numLayers \(numLayers) must be at least 1"),
    ], file: file, line: line)
}
