/// Shape ops: reshape, permute, slicing, concatenation, and selecting by index.
/// Every result is contiguous (row-major); reshape alone shares its values.

// MARK: - Reshape and permute

extension Tensor {
    /// The same values in a new shape; one size may be −1 (inferred).
    public func reshape(_ newShape: [Int], file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        var s = newShape
        let unknown = s.indices.filter { s[$0] == -1 }
        let known = s.filter { $0 != -1 }.reduce(1, *)
        func fail() -> TensorError {
            TensorError(op: "reshape", "cannot view \(describe(shape)) (\(count) values) as \(describe(newShape))", file: file, line: line)
        }
        guard unknown.count <= 1, s.allSatisfy({ $0 >= -1 }) else { throw fail() }
        if let u = unknown.first {
            guard known > 0, count % known == 0 else { throw fail() }
            s[u] = count / known
        }
        guard s.reduce(1, *) == count else { throw fail() }
        return Tensor.make("reshape", shape: s, scalars: scalars, inputs: [self]) { g in [g] }
    }

    /// All axes from `start` on merged into one (all of them by default).
    public func flatten(from start: Int = 0, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let a = try axis("flatten", start, file: file, line: line)
        return try reshape(Array(shape[..<a]) + [shape[a...].reduce(1, *)], file: file, line: line)
    }

    /// A new axis of size 1 at `axis`.
    public func unsqueeze(_ axis: Int, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let a = try self.axis("unsqueeze", axis, rank: rank + 1, file: file, line: line)
        var s = shape
        s.insert(1, at: a)
        return try reshape(s, file: file, line: line)
    }

    /// Removes axis `axis`, which must have size 1.
    public func squeeze(_ axis: Int, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let a = try self.axis("squeeze", axis, file: file, line: line)
        guard shape[a] == 1 else {
            throw TensorError(op: "squeeze", "axis \(axis) of \(describe(shape)) has size \(shape[a]), not 1", file: file, line: line)
        }
        var s = shape
        s.remove(at: a)
        return try reshape(s, file: file, line: line)
    }

    /// The axes reordered: output axis i is input axis `order[i]`.
    public func permute(_ order: [Int], file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let o = try order.map { try axis("permute", $0, file: file, line: line) }
        guard o.count == rank, Set(o).count == rank else {
            throw TensorError(op: "permute", "\(order) is not an ordering of the \(rank) axes of \(describe(shape))", file: file, line: line)
        }
        let inverse = (0..<rank).map { o.firstIndex(of: $0)! }
        let values = permuteValues(scalars, shape: shape, order: o)
        let out = o.map { shape[$0] }
        return Tensor.make("permute", shape: out, scalars: values, inputs: [self]) { g in
            [permuteValues(g, shape: out, order: inverse)]
        }
    }

    /// Axes `a` and `b` swapped.
    public func transpose(_ a: Int, _ b: Int, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        var order = Array(0..<rank)
        let (i, j) = (try axis("transpose", a, file: file, line: line), try axis("transpose", b, file: file, line: line))
        order.swapAt(i, j)
        return try permute(order, file: file, line: line)
    }

    /// The transpose of a 2-D tensor (a 1-D or 0-D one is returned as it is).
    public var T: Tensor { rank < 2 ? self : (try! transpose(rank - 2, rank - 1)) }

    /// The values broadcast to a larger shape (as `torch.Tensor.expand`, but copied).
    public func expand(to out: [Int], file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        guard Broadcast.shape(shape, out) == out else {
            throw TensorError(op: "expand", "\(describe(shape)) does not broadcast to \(describe(out))", file: file, line: line)
        }
        let inShape = shape
        return Tensor.make("expand", shape: out, scalars: Broadcast.expand(scalars, from: shape, to: out), inputs: [self]) { g in
            [Broadcast.sum(g, from: out, to: inShape)]
        }
    }
}

/// Values of a tensor of `shape`, moved so that output axis i is input axis `order[i]`.
func permuteValues(_ x: [Float], shape: [Int], order: [Int]) -> [Float] {
    if order == Array(0..<order.count) { return x }
    let out = order.map { shape[$0] }
    let inStrides = contiguousStrides(shape)
    let strides = order.map { inStrides[$0] }
    let total = x.count
    return x.withUnsafeBufferPointer { px in
        [Float](unsafeUninitializedCapacity: total) { buf, n in
            Broadcast.forEachRow(out, strides, strides) { o, oa, _, inner, ia, _ in
                for j in 0..<inner { buf[o + j] = px[oa + j * ia] }
            }
            n = total
        }
    }
}

// MARK: - Slicing

extension Tensor {
    /// `length` entries of `axis` from `start` on (what `x[:, 2:5]` does for axis 1).
    public func narrow(axis: Int, start: Int, length: Int, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let a = try self.axis("narrow", axis, file: file, line: line)
        guard start >= 0, length >= 0, start + length <= shape[a] else {
            throw TensorError(op: "narrow", "entries \(start)..<\(start + length) of axis \(axis) are outside \(describe(shape))", file: file, line: line)
        }
        let (outer, n, inner) = splitShape(shape, at: a)
        var out = shape
        out[a] = length
        let block = length * inner
        let values = scalars.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: outer * block) { buf, c in
                for o in 0..<outer {
                    let src = (o * n + start) * inner
                    for j in 0..<block { buf[o * block + j] = x[src + j] }
                }
                c = outer * block
            }
        }
        let total = count
        return Tensor.make("narrow", shape: out, scalars: values, inputs: [self]) { g in
            var res = [Float](repeating: 0, count: total)
            res.withUnsafeMutableBufferPointer { r in
                for o in 0..<outer {
                    let dst = (o * n + start) * inner
                    for j in 0..<block { r[dst + j] = g[o * block + j] }
                }
            }
            return [res]
        }
    }

    /// Entry `index` of `axis`, with that axis removed (what `x[:, t]` does for axis 1).
    /// A negative index counts from the end.
    public func select(axis: Int, index: Int, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let a = try self.axis("select", axis, file: file, line: line)
        let i = index < 0 ? index + shape[a] : index
        guard i >= 0, i < shape[a] else {
            throw TensorError(op: "select", "index \(index) is out of range for axis \(axis) of size \(shape[a]) in \(describe(shape))", file: file, line: line)
        }
        var out = shape
        out.remove(at: a)
        return try narrow(axis: a, start: i, length: 1, file: file, line: line).reshape(out, file: file, line: line)
    }

    /// A range of entries of `axis`: `x.slice(axis: 1, 2..<5)`.
    public func slice(axis: Int, _ range: Range<Int>, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try narrow(axis: axis, start: range.lowerBound, length: range.count, file: file, line: line)
    }

    /// `parts` nearly equal pieces along `axis` (the last may be smaller), as `torch.chunk`.
    public func chunk(_ parts: Int, axis: Int, file: StaticString = #fileID, line: UInt = #line) throws -> [Tensor] {
        let a = try self.axis("chunk", axis, file: file, line: line)
        guard parts > 0 else { throw TensorError(op: "chunk", "cannot cut into \(parts) parts", file: file, line: line) }
        let size = (shape[a] + parts - 1) / parts
        return try split(size: Swift.max(size, 1), axis: a, file: file, line: line)
    }

    /// Pieces of `size` entries along `axis` (the last may be smaller).
    public func split(size: Int, axis: Int, file: StaticString = #fileID, line: UInt = #line) throws -> [Tensor] {
        let a = try self.axis("split", axis, file: file, line: line)
        guard size > 0 else { throw TensorError(op: "split", "piece size \(size) must be positive", file: file, line: line) }
        return try stride(from: 0, to: shape[a], by: size).map {
            try narrow(axis: a, start: $0, length: Swift.min(size, shape[a] - $0), file: file, line: line)
        }
    }

    /// Pieces with the given sizes along `axis`; they must add up to the axis size.
    public func split(sizes: [Int], axis: Int, file: StaticString = #fileID, line: UInt = #line) throws -> [Tensor] {
        let a = try self.axis("split", axis, file: file, line: line)
        guard sizes.reduce(0, +) == shape[a], sizes.allSatisfy({ $0 >= 0 }) else {
            throw TensorError(op: "split", "sizes \(sizes) do not add up to \(shape[a]), the size of axis \(axis) of \(describe(shape))", file: file, line: line)
        }
        var start = 0
        return try sizes.map { s in
            defer { start += s }
            return try narrow(axis: a, start: start, length: s, file: file, line: line)
        }
    }
}

// MARK: - Joining

/// Tensors joined along an existing axis; all other sizes must match.
public func concat(_ tensors: [Tensor], axis: Int, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    guard let first = tensors.first else { throw TensorError(op: "concat", "no tensors to join", file: file, line: line) }
    let a = try first.axis("concat", axis, file: file, line: line)
    for (i, t) in tensors.enumerated() {
        var s = t.shape, f = first.shape
        guard s.count == f.count else {
            throw TensorError(op: "concat", "tensor \(i) has shape \(describe(t.shape)) but tensor 0 has \(describe(first.shape)): ranks differ", file: file, line: line)
        }
        s[a] = 0; f[a] = 0
        guard s == f else {
            throw TensorError(op: "concat", "tensor \(i) has shape \(describe(t.shape)) but tensor 0 has \(describe(first.shape)): only axis \(axis) may differ", file: file, line: line)
        }
    }
    let (outer, _, inner) = splitShape(first.shape, at: a)
    let sizes = tensors.map { $0.shape[a] }
    let total = sizes.reduce(0, +)
    var out = first.shape
    out[a] = total
    var values = [Float](repeating: 0, count: outer * total * inner)
    var offset = 0
    for (t, n) in zip(tensors, sizes) {
        let block = n * inner
        t.scalars.withUnsafeBufferPointer { x in
            values.withUnsafeMutableBufferPointer { v in
                for o in 0..<outer {
                    let dst = (o * total + offset) * inner
                    for j in 0..<block { v[dst + j] = x[o * block + j] }
                }
            }
        }
        offset += n
    }
    return Tensor.make("concat", shape: out, scalars: values, inputs: tensors) { g in
        var start = 0
        return sizes.map { n in
            defer { start += n }
            let block = n * inner
            return makeArray(outer * block) { i in g[((i / block) * total + start) * inner + i % block] }
        }
    }
}

/// Tensors of one shape stacked along a new axis.
public func stack(_ tensors: [Tensor], axis: Int = 0, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    guard let first = tensors.first else { throw TensorError(op: "stack", "no tensors to stack", file: file, line: line) }
    if let bad = tensors.firstIndex(where: { $0.shape != first.shape }) {
        throw TensorError(op: "stack", "tensor \(bad) has shape \(describe(tensors[bad].shape)) but tensor 0 has \(describe(first.shape)): all must match", file: file, line: line)
    }
    let a = try first.axis("stack", axis, rank: first.rank + 1, file: file, line: line)
    return try concat(tensors.map { try $0.unsqueeze(a, file: file, line: line) }, axis: a, file: file, line: line)
}

// MARK: - Selecting by index

extension Tensor {
    /// Entries of `axis` picked by `indices` (repeats allowed), as `torch.index_select`.
    /// With a weight matrix and token ids this is an embedding lookup.
    public func indexSelect(axis: Int, indices: [Int], file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let a = try self.axis("indexSelect", axis, file: file, line: line)
        let (outer, n, inner) = splitShape(shape, at: a)
        if let bad = indices.first(where: { $0 < 0 || $0 >= n }) {
            throw TensorError(op: "indexSelect", "index \(bad) is out of range for axis \(axis) of size \(n) in \(describe(shape))", file: file, line: line)
        }
        var out = shape
        out[a] = indices.count
        let m = indices.count
        let values = scalars.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: outer * m * inner) { buf, c in
                for o in 0..<outer {
                    for (k, i) in indices.enumerated() {
                        let (dst, src) = ((o * m + k) * inner, (o * n + i) * inner)
                        for j in 0..<inner { buf[dst + j] = x[src + j] }
                    }
                }
                c = outer * m * inner
            }
        }
        let total = count
        return Tensor.make("indexSelect", shape: out, scalars: values, inputs: [self]) { g in
            var res = [Float](repeating: 0, count: total)
            res.withUnsafeMutableBufferPointer { r in
                for o in 0..<outer {
                    for (k, i) in indices.enumerated() {
                        let (src, dst) = ((o * m + k) * inner, (o * n + i) * inner)
                        for j in 0..<inner { r[dst + j] += g[src + j] }
                    }
                }
            }
            return [res]
        }
    }

    /// `torch.gather`: `out[..., j, ...] = self[..., index[..., j, ...], ...]` along `axis`.
    /// `index` has this tensor's rank and the same sizes on every other axis.
    /// Picking each sequence's hidden state at its own last step is a gather on the time axis.
    public func gather(axis: Int, index: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let a = try self.axis("gather", axis, file: file, line: line)
        var s = shape, si = index.shape
        guard si.count == s.count else {
            throw TensorError(op: "gather", "index \(describe(index.shape)) must have the rank of the input \(describe(shape))", file: file, line: line)
        }
        s[a] = 0; si[a] = 0
        guard s == si else {
            throw TensorError(op: "gather", "index \(describe(index.shape)) and input \(describe(shape)) must match on every axis but \(axis)", file: file, line: line)
        }
        let (outer, n, inner) = splitShape(shape, at: a)
        let m = index.shape[a]
        let idx = index.indices
        if let bad = idx.first(where: { $0 < 0 || $0 >= n }) {
            throw TensorError(op: "gather", "index \(bad) is out of range for axis \(axis) of size \(n) in \(describe(shape))", file: file, line: line)
        }
        // Position p of the output reads input position src[p].
        var src = [Int](repeating: 0, count: idx.count)
        for o in 0..<outer {
            for k in 0..<m {
                for j in 0..<inner {
                    let p = (o * m + k) * inner + j
                    src[p] = (o * n + idx[p]) * inner + j
                }
            }
        }
        let x = scalars
        let values = makeArray(src.count) { x[src[$0]] }
        let total = count
        return Tensor.make("gather", shape: index.shape, scalars: values, inputs: [self]) { g in
            var res = [Float](repeating: 0, count: total)
            for (p, q) in src.enumerated() { res[q] += g[p] }
            return [res]
        }
    }
}
