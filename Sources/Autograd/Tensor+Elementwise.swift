import Foundation

/// Elementwise primitives. Binary ops broadcast (see `Broadcast`); their pullbacks sum
/// the gradient back down to each operand's shape.

// MARK: - Binary ops between tensors

extension Tensor {
    /// A binary elementwise primitive: values by `f`, gradients by `da`/`db` given
    /// (upstream gradient broadcast to the output, a, b, output) at each position.
    @inline(__always)
    static func binary(
        _ op: StaticString, _ a: Tensor, _ b: Tensor, file: StaticString?, line: UInt?,
        _ f: (Float, Float) -> Float,
        da: @escaping (_ g: [Float], _ a: [Float], _ b: [Float], _ out: [Int]) -> [Float],
        db: @escaping (_ g: [Float], _ a: [Float], _ b: [Float], _ out: [Int]) -> [Float]
    ) throws -> Tensor {
        let out = try Broadcast.shape("\(op)", a.shape, b.shape, file: file, line: line)
        let values = Broadcast.zip(a.scalars, a.shape, b.scalars, b.shape, out: out, f)
        let (av, bv, aShape, bShape) = (a.scalars, b.scalars, a.shape, b.shape)
        let (needA, needB) = (a.requiresGrad, b.requiresGrad)
        return make(op, shape: out, scalars: values, inputs: [a, b]) { g in
            [needA ? Broadcast.sum(da(g, av, bv, out), from: out, to: aShape) : nil,
             needB ? Broadcast.sum(db(g, av, bv, out), from: out, to: bShape) : nil]
        }
    }

    /// `a + b`, broadcasting.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        try binary("add", a, b, file: nil, line: nil, +, da: { g, _, _, _ in g }, db: { g, _, _, _ in g })
    }

    /// `a - b`, broadcasting.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        try binary("sub", a, b, file: nil, line: nil, -, da: { g, _, _, _ in g }, db: { g, _, _, _ in mapArray(g) { -$0 } })
    }

    /// `a * b` elementwise (not a matrix product: see `matmul`), broadcasting.
    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let (aShape, bShape) = (a.shape, b.shape)
        return try binary("mul", a, b, file: nil, line: nil, *,
            da: { g, _, b, out in Broadcast.zip(g, out, b, bShape, out: out, *) },
            db: { g, a, _, out in Broadcast.zip(g, out, a, aShape, out: out, *) })
    }

    /// `a / b` elementwise, broadcasting.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        let (aShape, bShape) = (a.shape, b.shape)
        return try binary("div", a, b, file: nil, line: nil, /,
            da: { g, _, b, out in Broadcast.zip(g, out, b, bShape, out: out, /) },
            db: { g, a, b, out in
                let ga = Broadcast.zip(g, out, a, aShape, out: out, *)
                return Broadcast.zip(ga, out, b, bShape, out: out) { -$0 / ($1 * $1) }
            })
    }

    /// The named forms of the operators, which report the caller's line on a shape error.
    public func adding(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try Tensor.binary("add", self, other, file: file, line: line, +, da: { g, _, _, _ in g }, db: { g, _, _, _ in g })
    }

    /// `self * other` elementwise, reporting the caller's line on a shape error.
    public func multiplying(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let (aShape, bShape) = (shape, other.shape)
        return try Tensor.binary("mul", self, other, file: file, line: line, *,
            da: { g, _, b, out in Broadcast.zip(g, out, b, bShape, out: out, *) },
            db: { g, a, _, out in Broadcast.zip(g, out, a, aShape, out: out, *) })
    }
}

// MARK: - With a scalar

extension Tensor {
    /// An elementwise primitive of one tensor: values by `f`, derivative by `df(x, y)`.
    @inline(__always)
    func unary(_ op: StaticString, _ f: (Float) -> Float, _ df: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let x = scalars
        let y = mapArray(x, f)
        return Tensor.make(op, shape: shape, scalars: y, inputs: [self]) { g in
            [zipArray(g, x, y) { g, x, y in g * df(x, y) }]
        }
    }

    /// Like `unary`, with the values computed eight lanes at a time (tanh, σ: the fast,
    /// branch-free kernels of `Lanes.swift`, within 1e-7 of the exact values).
    @inline(__always)
    func unaryLanes(_ op: StaticString, _ f: (Lanes) -> Lanes, _ df: @escaping (_ x: Float, _ y: Float) -> Float) -> Tensor {
        let x = scalars
        var y = x
        y.withUnsafeMutableBufferPointer { p in
            if let base = p.baseAddress { mapLanes(base, count: p.count, f) }
        }
        return Tensor.make(op, shape: shape, scalars: y, inputs: [self]) { [y] g in
            [zipArray(g, x, y) { g, x, y in g * df(x, y) }]
        }
    }

    public static func + (a: Tensor, s: Float) -> Tensor { a.unary("add", { $0 + s }, { _, _ in 1 }) }
    public static func + (s: Float, a: Tensor) -> Tensor { a + s }
    public static func - (a: Tensor, s: Float) -> Tensor { a + (-s) }
    public static func - (s: Float, a: Tensor) -> Tensor { a.unary("rsub", { s - $0 }, { _, _ in -1 }) }
    public static func * (a: Tensor, s: Float) -> Tensor { a.unary("mul", { $0 * s }, { _, _ in s }) }
    public static func * (s: Float, a: Tensor) -> Tensor { a * s }
    public static func / (a: Tensor, s: Float) -> Tensor { a * (1 / s) }
    public static func / (s: Float, a: Tensor) -> Tensor { a.unary("rdiv", { s / $0 }, { x, _ in -s / (x * x) }) }
    public static prefix func - (a: Tensor) -> Tensor { a.unary("neg", { -$0 }, { _, _ in -1 }) }
}

// MARK: - Unary functions

extension Tensor {
    /// e^x.
    public func exp() -> Tensor { unary("exp", { Foundation.exp($0) }, { _, y in y }) }
    /// The natural logarithm (−inf at 0, NaN below).
    public func log() -> Tensor { unary("log", { Foundation.log($0) }, { x, _ in 1 / x }) }
    /// tanh x, in (−1, 1); derivative 1 − tanh². (Computed by a fast kernel, within 1e-7.)
    public func tanh() -> Tensor { unaryLanes("tanh", fastTanh, { _, y in 1 - y * y }) }
    /// 1 / (1 + e^−x), in (0, 1); derivative σ(1 − σ). A primitive for speed (a fast
    /// kernel, within 1e-7); a test checks it equals the composite `1 / (1 + exp(-x))`.
    public func sigmoid() -> Tensor { unaryLanes("sigmoid", fastSigmoid, { _, y in y * (1 - y) }) }
    /// max(x, 0); the derivative at 0 is taken as 0, as in PyTorch.
    public func relu() -> Tensor { unary("relu", { Swift.max($0, 0) }, { x, _ in x > 0 ? 1 : 0 }) }
    /// GELU, x·Φ(x), as `torch.nn.functional.gelu(x, approximate=...)`.
    ///
    /// - `.none` (PyTorch's default, the exact form): y = ½x(1 + erf(x/√2)),
    ///   y′ = ½(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π).
    /// - `.tanh`: y = ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³),
    ///   y′ = ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).
    public func gelu(approximate: GELUApproximation = .none) -> Tensor {
        switch approximate {
        case .none: return unary("gelu", geluExact, { x, _ in geluExactDerivative(x) })
        case .tanh: return unary("gelu", geluTanh, { x, _ in geluTanhDerivative(x) })
        }
    }
    /// √x.
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }, { _, y in 0.5 / y }) }
    /// |x|; the derivative at 0 is taken as 0, as in PyTorch.
    public func abs() -> Tensor { unary("abs", { Swift.abs($0) }, { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
    /// x^p for a constant exponent p.
    public func pow(_ p: Float) -> Tensor {
        unary("pow", { Foundation.pow($0, p) }, { x, _ in p * Foundation.pow(x, p - 1) })
    }
    /// x², the cheap way.
    public func squared() -> Tensor { unary("square", { $0 * $0 }, { x, _ in 2 * x }) }
    /// Values limited to [min, max]; the gradient is 0 where a limit applies.
    public func clamp(min lo: Float = -.infinity, max hi: Float = .infinity) -> Tensor {
        unary("clamp", { Swift.min(Swift.max($0, lo), hi) }, { x, _ in x >= lo && x <= hi ? 1 : 0 })
    }
}

/// Which GELU: PyTorch's `approximate='none'` (exact, with erf) or `'tanh'`.
public enum GELUApproximation: Sendable {
    /// x·Φ(x) with Φ from erf: PyTorch's default.
    case none
    /// The tanh approximation of GPT-2 and BERT's first code.
    case tanh
}

/// ½x(1 + erf(x/√2)).
@inline(__always)
func geluExact(_ x: Float) -> Float {
    let phi: Float = 0.5 * (1 + Foundation.erf(x * Float(0.5).squareRoot()))
    return x * phi
}

/// Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
@inline(__always)
func geluExactDerivative(_ x: Float) -> Float {
    let phi: Float = 0.5 * (1 + Foundation.erf(x * Float(0.5).squareRoot()))
    let density: Float = Foundation.exp(-0.5 * x * x) / (2 * Float.pi).squareRoot()
    return phi + x * density
}

/// ½x(1 + tanh u), u = √(2/π)(x + 0.044715x³).
@inline(__always)
func geluTanh(_ x: Float) -> Float {
    let u: Float = (2 / Float.pi).squareRoot() * (x + 0.044_715 * x * x * x)
    return 0.5 * x * (1 + Foundation.tanh(u))
}

/// ½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²).
@inline(__always)
func geluTanhDerivative(_ x: Float) -> Float {
    let c: Float = (2 / Float.pi).squareRoot()
    let t: Float = Foundation.tanh(c * (x + 0.044_715 * x * x * x))
    let du: Float = c * (1 + 3 * 0.044_715 * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
}

// Free-function spellings, as in `torch.tanh(x)`.
public func exp(_ x: Tensor) -> Tensor { x.exp() }
public func log(_ x: Tensor) -> Tensor { x.log() }
public func tanh(_ x: Tensor) -> Tensor { x.tanh() }
public func sigmoid(_ x: Tensor) -> Tensor { x.sigmoid() }
public func relu(_ x: Tensor) -> Tensor { x.relu() }
public func gelu(_ x: Tensor, approximate: GELUApproximation = .none) -> Tensor { x.gelu(approximate: approximate) }
public func sqrt(_ x: Tensor) -> Tensor { x.sqrt() }
public func abs(_ x: Tensor) -> Tensor { x.abs() }
public func pow(_ x: Tensor, _ p: Float) -> Tensor { x.pow(p) }
