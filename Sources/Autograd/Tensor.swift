/// A float tensor of any rank, row-major, that records how it was made so that
/// `backward()` can send gradients to the tensors it came from.
///
/// `Tensor` is a class, as in PyTorch: a parameter is one object that the model, the
/// loss graph and the optimizer all share, and whose `grad` accumulates.
public final class Tensor {
    /// The size of each axis. `[]` is a scalar.
    public let shape: [Int]
    /// The values, row-major. An optimizer updates parameters through this.
    public internal(set) var scalars: [Float]
    /// Whether gradients flow to (and accumulate in) this tensor.
    public var requiresGrad: Bool

    /// How this tensor was made; nil for a leaf (an input or a parameter).
    var node: Node?
    /// A leaf's accumulated gradient (what `grad` shows).
    var gradScalars: [Float]?
    /// Gradient arriving during one `backward()`; cleared as it is used.
    var pending: [Float]?

    /// Makes a tensor from values already checked against the shape (internal: no checks).
    init(shape: [Int], scalars: [Float], requiresGrad: Bool = false) {
        assert(shape.reduce(1, *) == scalars.count, "core invariant: \(shape) vs \(scalars.count) scalars")
        self.shape = shape
        self.scalars = scalars
        self.requiresGrad = requiresGrad
    }

    /// Tears a long graph down with a loop, not deep recursion: a chain of thousands of
    /// ops (a long unrolled sequence) would otherwise overflow the stack when freed.
    deinit {
        guard var stack = node?.inputs, !stack.isEmpty else { return }
        node = nil
        while var t = stack.popLast() {
            if isKnownUniquelyReferenced(&t), let n = t.node {
                stack.append(contentsOf: n.inputs)
                t.node = nil
            }
        }
    }
}

// MARK: - Making tensors

extension Tensor {
    /// A tensor with the given values and shape: `try Tensor([1, 2, 3, 4], shape: [2, 2])`.
    public convenience init(
        _ scalars: [Float], shape: [Int], requiresGrad: Bool = false,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        if let bad = shape.first(where: { $0 < 0 }) {
            throw TensorError(op: "Tensor", "shape \(describe(shape)) has a negative size \(bad)", file: file, line: line)
        }
        let count = shape.reduce(1, *)
        guard count == scalars.count else {
            throw TensorError(op: "Tensor", "shape \(describe(shape)) holds \(count) values but \(scalars.count) were given", file: file, line: line)
        }
        self.init(shape: shape, scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A 1-D tensor: `Tensor([1, 2, 3])` has shape `[3]`.
    public convenience init(_ scalars: [Float], requiresGrad: Bool = false) {
        self.init(shape: [scalars.count], scalars: scalars, requiresGrad: requiresGrad)
    }

    /// A 2-D tensor from rows: `try Tensor([[1, 2], [3, 4]])` has shape `[2, 2]`.
    public convenience init(
        _ rows: [[Float]], requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line
    ) throws {
        let width = rows.first?.count ?? 0
        if let i = rows.firstIndex(where: { $0.count != width }) {
            throw TensorError(op: "Tensor", "row \(i) has \(rows[i].count) values but row 0 has \(width)", file: file, line: line)
        }
        self.init(shape: [rows.count, width], scalars: rows.flatMap { $0 }, requiresGrad: requiresGrad)
    }

    /// A scalar (shape `[]`).
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init(shape: [], scalars: [scalar], requiresGrad: requiresGrad)
    }

    /// A tensor of `value` everywhere.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        Tensor(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)), requiresGrad: requiresGrad)
    }

    /// Zeros of the given shape.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, requiresGrad: requiresGrad)
    }

    /// Ones of the given shape.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }

    /// `[0, 1, ..., n-1]` as floats.
    public static func arange(_ n: Int) -> Tensor {
        Tensor(shape: [Swift.max(n, 0)], scalars: (0..<Swift.max(n, 0)).map(Float.init))
    }

    /// Integer codes as a tensor of their float values (targets, token ids, lengths).
    public convenience init(indices: [Int]) {
        self.init(shape: [indices.count], scalars: indices.map(Float.init))
    }

    /// Rows of integer codes (all the same length) as a `[rows, length]` tensor.
    public convenience init(indices rows: [[Int]], file: StaticString = #fileID, line: UInt = #line) throws {
        try self.init(rows.map { $0.map(Float.init) }, file: file, line: line)
    }
}

// MARK: - Reading tensors

extension Tensor {
    /// The number of axes.
    public var rank: Int { shape.count }
    /// The number of values.
    public var count: Int { scalars.count }

    /// The single value of a one-element tensor (a loss, say).
    public func item(file: StaticString = #fileID, line: UInt = #line) throws -> Float {
        guard scalars.count == 1 else {
            throw TensorError(op: "item", "a tensor of shape \(describe(shape)) has \(scalars.count) values, not 1", file: file, line: line)
        }
        return scalars[0]
    }

    /// The values as integers (rounded), for tensors that hold codes or indices. A value
    /// that is not a usable integer (NaN, ±inf, beyond ±2^53) becomes `Int.min`, which
    /// every op's range check then rejects with a message.
    public var indices: [Int] { scalars.map { $0.isFinite && Swift.abs($0) < 9e15 ? Int($0.rounded()) : Int.min } }

    /// The values of a 2-D tensor as rows.
    public var rows: [[Float]] {
        guard rank == 2 else { return [scalars] }
        let w = shape[1]
        return (0..<shape[0]).map { Array(scalars[($0 * w)..<($0 * w + w)]) }
    }

    /// The accumulated gradient of a leaf that requires it, after `backward()`.
    public var grad: Tensor? {
        gradScalars.map { Tensor(shape: shape, scalars: $0) }
    }

    /// Forgets the accumulated gradient.
    public func zeroGrad() { gradScalars = nil }

    /// The same values, cut from the graph: no gradient flows through the result.
    public func detached() -> Tensor { Tensor(shape: shape, scalars: scalars) }

    /// PyTorch's spelling of `detached()`.
    public func detach() -> Tensor { detached() }

    /// Whether this tensor was made by an op (rather than being an input or a parameter).
    public var isLeaf: Bool { node == nil }

    /// Sets the values of a leaf in place, keeping its identity (for loading weights).
    public func assign(_ values: [Float], file: StaticString = #fileID, line: UInt = #line) throws {
        guard values.count == scalars.count else {
            throw TensorError(op: "assign", "\(values.count) values for a tensor of shape \(describe(shape))", file: file, line: line)
        }
        scalars = values
    }

    /// Sets the values of a leaf in place to those of `other` (same shape), keeping its
    /// identity: how a hand-written update step changes a parameter,
    /// `try noGrad { try w.assign(w - w.grad! * lr) }`.
    public func assign(_ other: Tensor, file: StaticString = #fileID, line: UInt = #line) throws {
        guard other.shape == shape else {
            throw TensorError(op: "assign", "a tensor of shape \(describe(other.shape)) cannot replace one of shape \(describe(shape))", file: file, line: line)
        }
        scalars = other.scalars
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(8).map { String(format: "%.4g", Double($0)) }.joined(separator: ", ")
        let more = scalars.count > 8 ? ", ..." : ""
        return "Tensor(shape: \(describe(shape)), [\(shown)\(more)]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}

import Foundation
