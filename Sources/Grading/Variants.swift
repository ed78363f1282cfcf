import Autograd

/// A mechanical change to the reference, run on the probe so that a student whose code
/// behaves exactly like it is told so in words ("your output equals the reference with
/// b_hh left out"). Unlike a `Mistake` it carries no feedback of its own: the diagnosis
/// says what the change is, and the student works out why it is wrong.
public struct Variant<Implementation> {
    /// A short slug, unique within the exercise ("relu-for-tanh").
    public let id: String
    /// What the variant does, completing "the reference with …" ("relu where it has tanh").
    public let change: String
    /// The changed reference; nil in a student edition, whose graders know a variant by its
    /// recorded outputs alone.
    public let implementation: Implementation!

    public init(_ id: String, _ change: String, _ implementation: Implementation) {
        self.id = id
        self.change = change
        self.implementation = implementation
    }

    /// A variant without its code, as a student edition declares it.
    public init(_ id: String, _ change: String) {
        self.id = id
        self.change = change
        self.implementation = nil
    }
}

/// One change the diagnosis makes to the tensors a probe hands to the reference.
public enum TensorChange: Sendable, Hashable {
    /// The tensor (an input or a parameter) set to zeros: what leaving it out gives.
    case leftOut(String)
    /// A square matrix transposed: what using W where Wᵀ belongs gives.
    case transposed(String)

    /// The change a fixture key names ("left-out W_hh"), or nil.
    public init?(id: String) {
        if id.hasPrefix("left-out ") { self = .leftOut(String(id.dropFirst("left-out ".count))) }
        else if id.hasPrefix("transposed ") { self = .transposed(String(id.dropFirst("transposed ".count))) }
        else { return nil }
    }

    /// The tensor's name, as the probe exposes it.
    public var name: String {
        switch self { case .leftOut(let n), .transposed(let n): n }
    }
    /// The fixture key of this change ("left-out W_hh").
    public var id: String {
        switch self { case .leftOut(let n): "left-out \(n)"; case .transposed(let n): "transposed \(n)" }
    }
    /// Completes "the reference with …".
    public var change: String {
        switch self { case .leftOut(let n): "\(n) left out (or zero)"; case .transposed(let n): "\(n) transposed" }
    }
}

extension Probes {
    /// What `expose` does in the current scope: nothing (grading), collect names, or change one tensor.
    enum Exposure: @unchecked Sendable {
        case collect(NameCollector)
        case apply(TensorChange)
    }

    final class NameCollector: @unchecked Sendable {
        var tensors: [(name: String, shape: [Int])] = []
    }

    @TaskLocal static var exposure: Exposure? = nil

    /// Names the tensors an implementation is about to get — its inputs and the parameters
    /// it should use — so that the automatic diagnosis can try the reference with each one
    /// left out (zeroed) or, for a square matrix, transposed. Call it in a probe right before
    /// the implementation runs, with the names the lesson uses (no "(weights #1)" suffix:
    /// tensors of the same name are changed together). Outside a diagnosis run it does nothing.
    public static func expose(_ named: [(String, Tensor)]) {
        guard let exposure else { return }
        switch exposure {
        case .collect(let collector):
            for (name, t) in named where !collector.tensors.contains(where: { $0.name == name }) {
                collector.tensors.append((name, t.shape))
            }
        case .apply(let change):
            for (name, t) in named where name == change.name {
                switch change {
                case .leftOut:
                    try? t.assign([Float](repeating: 0, count: t.count))
                case .transposed:
                    guard t.shape.count == 2, t.shape[0] == t.shape[1] else { continue }
                    let n = t.shape[0], v = t.scalars
                    try? t.assign((0..<(n * n)).map { v[($0 % n) * n + $0 / n] })
                }
            }
        }
    }
}

/// Naming variants: ids of variants with the same outputs are joined with " or ".
public enum Variants {
    static let sameHere = " or "

    /// The change an id names: a tensor change, or one of `variants`, or several joined.
    static func change<I>(id: String, variants: [Variant<I>]) -> String {
        id.components(separatedBy: sameHere).map { one in
            TensorChange(id: one)?.change ?? variants.first { $0.id == one }?.change ?? one
        }.joined(separator: " — or, the same here, ")
    }
}
