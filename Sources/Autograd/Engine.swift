/// The tape: how an op records itself, and `backward()`.
///
/// An op computes its output values and, right beside them, a *pullback*: a closure that
/// takes the gradient of the output and returns one gradient per input (nil where the
/// input needs none). The closure captures arrays and shapes, never tensors, so there
/// is no reference cycle. `backward()` sorts the graph topologically and calls the
/// pullbacks in reverse, adding up the gradients that reach each tensor.

/// How a tensor was made: the op's name, its inputs, and its pullback.
struct Node {
    let op: StaticString
    let inputs: [Tensor]
    let pullback: ([Float]) -> [[Float]?]
}

/// Whether ops record themselves for `backward()` (the `noGrad` scope turns it off).
public enum GradMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording any op: nothing inside has a gradient. Use it for
/// evaluation, sampling and hand-written parameter updates.
public func noGrad<T>(_ body: () throws -> T) rethrows -> T {
    try GradMode.$isEnabled.withValue(false) { try body() }
}

extension Tensor {
    /// Makes the output of an op, recording the pullback when any input needs a gradient.
    @inline(__always)
    static func make(
        _ op: StaticString, shape: [Int], scalars: [Float], inputs: [Tensor],
        pullback: @escaping ([Float]) -> [[Float]?]
    ) -> Tensor {
        let out = Tensor(shape: shape, scalars: scalars)
        if GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) {
            out.requiresGrad = true
            out.node = Node(op: op, inputs: inputs, pullback: pullback)
        }
        return out
    }

    /// Computes the gradient of this tensor with respect to every leaf that requires one,
    /// adding it to the leaf's `grad` (call `zeroGrad` between steps, as in PyTorch).
    ///
    /// - Parameter gradient: the gradient of some scalar with respect to this tensor;
    ///   leave it out when this tensor is itself a scalar (a loss), and 1 is used.
    public func backward(_ gradient: Tensor? = nil, file: StaticString = #fileID, line: UInt = #line) throws {
        guard requiresGrad else {
            throw TensorError(op: "backward", "this tensor does not require a gradient: no parameter or input with requiresGrad went into it (or it was made inside noGrad)", file: file, line: line)
        }
        let seed: [Float]
        if let gradient {
            guard gradient.shape == shape else {
                throw TensorError(op: "backward", "gradient of shape \(describe(gradient.shape)) for a tensor of shape \(describe(shape))", file: file, line: line)
            }
            seed = gradient.scalars
        } else {
            guard count == 1 else {
                throw TensorError(op: "backward", "a tensor of shape \(describe(shape)) is not a scalar: reduce it (sum, mean) or pass a gradient", file: file, line: line)
            }
            seed = [1]
        }

        // Topological order by an iterative depth-first search (graphs can be long).
        var order: [Tensor] = []
        var seen = Set<ObjectIdentifier>()
        var stack: [(Tensor, Int)] = [(self, 0)]
        seen.insert(ObjectIdentifier(self))
        while let (t, next) = stack.popLast() {
            if let n = t.node, next < n.inputs.count {
                stack.append((t, next + 1))
                let child = n.inputs[next]
                if child.requiresGrad, seen.insert(ObjectIdentifier(child)).inserted {
                    stack.append((child, 0))
                }
            } else {
                order.append(t)
            }
        }

        pending = seed
        for t in order.reversed() {
            guard let g = t.pending else { continue }
            t.pending = nil
            guard let n = t.node else {
                if t.gradScalars == nil { t.gradScalars = g } else { addInPlace(&t.gradScalars!, g) }
                continue
            }
            let grads = n.pullback(g)
            for (input, grad) in zip(n.inputs, grads) {
                guard input.requiresGrad, let grad else { continue }
                if input.pending == nil { input.pending = grad } else { addInPlace(&input.pending!, grad) }
            }
        }
    }
}

/// `a += b`, elementwise.
@inline(__always)
func addInPlace(_ a: inout [Float], _ b: [Float]) {
    a.withUnsafeMutableBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            for i in 0..<pa.count { pa[i] += pb[i] }
        }
    }
}

/// A new array of `count` values, each written by `body(i)`.
@inline(__always)
func makeArray(_ count: Int, _ body: (Int) -> Float) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buf, n in
        for i in 0..<count { buf[i] = body(i) }
        n = count
    }
}

/// A new array with `f` applied to every value.
@inline(__always)
func mapArray(_ a: [Float], _ f: (Float) -> Float) -> [Float] {
    a.withUnsafeBufferPointer { pa in
        [Float](unsafeUninitializedCapacity: pa.count) { buf, n in
            for i in 0..<pa.count { buf[i] = f(pa[i]) }
            n = pa.count
        }
    }
}

/// A new array combining two arrays of the same length value by value.
@inline(__always)
func zipArray(_ a: [Float], _ b: [Float], _ f: (Float, Float) -> Float) -> [Float] {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            [Float](unsafeUninitializedCapacity: pa.count) { buf, n in
                for i in 0..<pa.count { buf[i] = f(pa[i], pb[i]) }
                n = pa.count
            }
        }
    }
}

/// A new array combining three arrays of the same length value by value.
@inline(__always)
func zipArray(_ a: [Float], _ b: [Float], _ c: [Float], _ f: (Float, Float, Float) -> Float) -> [Float] {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeBufferPointer { pc in
                [Float](unsafeUninitializedCapacity: pa.count) { buf, n in
                    for i in 0..<pa.count { buf[i] = f(pa[i], pb[i], pc[i]) }
                    n = pa.count
                }
            }
        }
    }
}

// MARK: - Ops of your own

extension Tensor {
    /// A new primitive op, the way the core's own ops are written: you give the output's
    /// values and a pullback that maps the output's gradient to one gradient per input
    /// (nil for an input that needs none). The pullback must capture values (arrays),
    /// never tensors.
    ///
    ///     let y = x.scalars.map { $0 * $0 }
    ///     let square = try Tensor.primitive("square", inputs: [x], shape: x.shape, scalars: y) { g in
    ///         [zip(g, xs).map { g, x in 2 * x * g }]
    ///     }
    public static func primitive(
        _ name: StaticString, inputs: [Tensor], shape: [Int], scalars: [Float],
        file: StaticString = #fileID, line: UInt = #line,
        pullback: @escaping (_ gradient: [Float]) -> [[Float]?]
    ) throws -> Tensor {
        guard shape.reduce(1, *) == scalars.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError(op: "\(name)", "output shape \(describe(shape)) holds \(shape.reduce(1, *)) values but \(scalars.count) were given", file: file, line: line)
        }
        let counts = inputs.map(\.count)
        let shapes = inputs.map(\.shape)
        return make(name, shape: shape, scalars: scalars, inputs: inputs) { g in
            let grads = pullback(g)
            // A wrong-sized gradient from a user's pullback would corrupt the sums:
            // drop it here; the gradient checker then reports the input's gradient as wrong.
            return inputs.indices.map { i in
                guard i < grads.count, let gi = grads[i], gi.count == counts[i] else {
                    if i < grads.count, let gi = grads[i] {
                        reportBadPullback("\(name)", input: i, got: gi.count, shape: shapes[i])
                    }
                    return nil
                }
                return gi
            }
        }
    }
}

/// Where a user-written pullback returned a gradient of the wrong size (printed once per op).
nonisolated(unsafe) private var reportedPullbacks = Set<String>()

private func reportBadPullback(_ op: String, input: Int, got: Int, shape: [Int]) {
    guard reportedPullbacks.insert(op).inserted else { return }
    print("warning: \(op): the pullback returned \(got) values for input \(input) of shape \(describe(shape)); that gradient was dropped")
}
