/// Reductions: sum, mean and max over axes, keeping the reduced axes (as size 1) or not.

extension Tensor {
    /// An axis in `0..<rank`, from a possibly negative one (−1 is the last), or an error.
    func axis(_ op: String, _ a: Int, rank r: Int? = nil, file: StaticString?, line: UInt?) throws -> Int {
        let r = r ?? rank
        let n = a < 0 ? a + r : a
        guard n >= 0, n < Swift.max(r, 1) || (r == 0 && n == 0) else {
            throw TensorError(op: op, "axis \(a) is out of range for a tensor of shape \(describe(shape)) (rank \(rank)): use 0..<\(r) or -\(r)..<0", file: file, line: line)
        }
        return n
    }

    /// The sum over `axes` (all axes when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let ax = try Set((axes ?? Array(0..<rank)).map { try axis("sum", $0, file: file, line: line) })
        let kept = shape.indices.map { ax.contains($0) ? 1 : shape[$0] }
        let final = keepDims ? kept : shape.indices.filter { !ax.contains($0) }.map { shape[$0] }
        let inShape = shape
        let values = Broadcast.sum(scalars, from: shape, to: kept)
        return Tensor.make("sum", shape: final, scalars: values, inputs: [self]) { g in
            [Broadcast.expand(g, from: kept, to: inShape)]
        }
    }

    /// The sum of every value, as a scalar.
    public func sum() -> Tensor {
        let inShape = shape
        let values = Broadcast.sum(scalars, from: shape, to: [])
        return Tensor.make("sum", shape: [], scalars: values, inputs: [self]) { g in
            [[Float](repeating: g[0], count: inShape.reduce(1, *))]
        }
    }

    /// The sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try sum(axes: [axis], keepDims: keepDims, file: file, line: line)
    }

    /// The mean over `axes` (all axes when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let ax = try Set((axes ?? Array(0..<rank)).map { try axis("mean", $0, file: file, line: line) })
        let n = ax.reduce(1) { $0 * shape[$1] }
        return try sum(axes: Array(ax), keepDims: keepDims, file: file, line: line) / Float(Swift.max(n, 1))
    }

    /// The mean of every value, as a scalar.
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// The mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try mean(axes: [axis], keepDims: keepDims, file: file, line: line)
    }

    /// The largest value along `axis`; the gradient goes to the first largest value.
    public func max(axis a: Int, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let ax = try axis("max", a, file: file, line: line)
        let (outer, n, inner) = splitShape(shape, at: ax)
        guard n > 0 else { throw TensorError(op: "max", "axis \(a) of shape \(describe(shape)) is empty", file: file, line: line) }
        var values = [Float](repeating: 0, count: outer * inner)
        var where_ = [Int](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = x[o * n * inner + i], at = 0
                    for k in 1..<n where x[(o * n + k) * inner + i] > best { best = x[(o * n + k) * inner + i]; at = k }
                    values[o * inner + i] = best
                    where_[o * inner + i] = (o * n + at) * inner + i
                }
            }
        }
        var out = shape
        if keepDims { out[ax] = 1 } else { out.remove(at: ax) }
        let total = count
        return Tensor.make("max", shape: out, scalars: values, inputs: [self]) { g in
            var res = [Float](repeating: 0, count: total)
            for (j, k) in where_.enumerated() { res[k] += g[j] }
            return [res]
        }
    }

    /// The largest value of all, as a scalar.
    public func max() -> Tensor {
        let flat = Tensor.make("flatten", shape: [count], scalars: scalars, inputs: [self]) { g in [g] }
        return (try? flat.max(axis: 0)) ?? Tensor(scalar: -.infinity)
    }
}

/// Splits a shape around `axis` into (product before, size at, product after).
func splitShape(_ shape: [Int], at axis: Int) -> (outer: Int, n: Int, inner: Int) {
    (shape[..<axis].reduce(1, *), shape[axis], shape[(axis + 1)...].reduce(1, *))
}
