/// Choosing between values (where, masked fill) and the ops without a gradient:
/// comparisons, argmax, one-hot, sampling. Masks are float tensors of 0 and 1.

// MARK: - Choosing values (with gradients)

/// `cond ? a : b` elementwise, all three broadcast together; `cond` is 0/1 (nonzero is true).
/// The gradient flows to `a` where `cond` holds and to `b` elsewhere.
public func `where`(_ cond: Tensor, _ a: Tensor, _ b: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    let ab = try Broadcast.shape("where", a.shape, b.shape, file: file, line: line)
    let out = try Broadcast.shape("where", cond.shape, ab, file: file, line: line)
    let c = Broadcast.expand(cond.scalars, from: cond.shape, to: out)
    let av = Broadcast.expand(a.scalars, from: a.shape, to: out)
    let bv = Broadcast.expand(b.scalars, from: b.shape, to: out)
    let values = zipArray(c, av, bv) { $0 != 0 ? $1 : $2 }
    let (aShape, bShape) = (a.shape, b.shape)
    return Tensor.make("where", shape: out, scalars: values, inputs: [a, b]) { g in
        [Broadcast.sum(zipArray(c, g) { $0 != 0 ? $1 : 0 }, from: out, to: aShape),
         Broadcast.sum(zipArray(c, g) { $0 != 0 ? 0 : $1 }, from: out, to: bShape)]
    }
}

extension Tensor {
    /// `value` wherever `mask` is nonzero (the mask broadcasts to this shape), as
    /// `torch.Tensor.masked_fill`. The filled positions get no gradient.
    public func maskedFill(_ mask: Tensor, _ value: Float, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        guard Broadcast.shape(mask.shape, shape) == shape else {
            throw TensorError(op: "maskedFill", "mask \(describe(mask.shape)) does not broadcast to \(describe(shape))", file: file, line: line)
        }
        let m = Broadcast.expand(mask.scalars, from: mask.shape, to: shape)
        return Tensor.make("maskedFill", shape: shape, scalars: zipArray(m, scalars) { $0 != 0 ? value : $1 }, inputs: [self]) { g in
            [zipArray(m, g) { $0 != 0 ? 0 : $1 }]
        }
    }
}

// MARK: - Comparisons (no gradient)

extension Tensor {
    func compare(_ op: String, _ other: Tensor, file: StaticString, line: UInt, _ f: (Float, Float) -> Bool) throws -> Tensor {
        let out = try Broadcast.shape(op, shape, other.shape, file: file, line: line)
        return Tensor(shape: out, scalars: Broadcast.zip(scalars, shape, other.scalars, other.shape, out: out) { f($0, $1) ? 1 : 0 })
    }
    /// 1 where equal, else 0.
    public func eq(_ o: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor { try compare("eq", o, file: file, line: line, ==) }
    /// 1 where different, else 0.
    public func ne(_ o: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor { try compare("ne", o, file: file, line: line, !=) }
    /// 1 where less, else 0.
    public func lt(_ o: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor { try compare("lt", o, file: file, line: line, <) }
    /// 1 where less or equal, else 0.
    public func le(_ o: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor { try compare("le", o, file: file, line: line, <=) }
    /// 1 where greater, else 0.
    public func gt(_ o: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor { try compare("gt", o, file: file, line: line, >) }
    /// 1 where greater or equal, else 0.
    public func ge(_ o: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor { try compare("ge", o, file: file, line: line, >=) }

    /// 1 where the value equals `s`, else 0.
    public func eq(_ s: Float) -> Tensor { Tensor(shape: shape, scalars: mapArray(scalars) { $0 == s ? 1 : 0 }) }
    /// 1 where the value differs from `s`, else 0.
    public func ne(_ s: Float) -> Tensor { Tensor(shape: shape, scalars: mapArray(scalars) { $0 != s ? 1 : 0 }) }
    /// 1 where the value is greater than `s`, else 0.
    public func gt(_ s: Float) -> Tensor { Tensor(shape: shape, scalars: mapArray(scalars) { $0 > s ? 1 : 0 }) }
    /// 1 where the value is less than `s`, else 0.
    public func lt(_ s: Float) -> Tensor { Tensor(shape: shape, scalars: mapArray(scalars) { $0 < s ? 1 : 0 }) }
}

// MARK: - Argmax, one-hot, sampling (no gradient)

extension Tensor {
    /// The index of the largest value along `axis` (the first, on ties), as float codes.
    public func argmax(axis a: Int = -1, keepDims: Bool = false, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        let ax = try axis("argmax", a, file: file, line: line)
        let (outer, n, inner) = splitShape(shape, at: ax)
        guard n > 0 else { throw TensorError(op: "argmax", "axis \(a) of \(describe(shape)) is empty", file: file, line: line) }
        var out = shape
        if keepDims { out[ax] = 1 } else { out.remove(at: ax) }
        var values = [Float](repeating: 0, count: outer * inner)
        scalars.withUnsafeBufferPointer { x in
            for o in 0..<outer {
                for i in 0..<inner {
                    var best = x[o * n * inner + i], at = 0
                    for k in 1..<n where x[(o * n + k) * inner + i] > best { best = x[(o * n + k) * inner + i]; at = k }
                    values[o * inner + i] = Float(at)
                }
            }
        }
        return Tensor(shape: out, scalars: values)
    }
}

/// Integer codes as one-hot vectors: shape `codes.shape + [classes]`.
public func oneHot(_ codes: Tensor, classes: Int, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    let idx = codes.indices
    if let bad = idx.first(where: { $0 < 0 || $0 >= classes }) {
        throw TensorError(op: "oneHot", "code \(bad) is outside 0..<\(classes)", file: file, line: line)
    }
    var values = [Float](repeating: 0, count: idx.count * classes)
    for (i, c) in idx.enumerated() { values[i * classes + c] = 1 }
    return Tensor(shape: codes.shape + [classes], scalars: values)
}

/// One class index drawn per row of `probabilities` (`[C]` or `[N, C]`, each row
/// nonnegative, not necessarily normalised), as `torch.multinomial(p, 1)`.
public func multinomial(_ probabilities: Tensor, rng: inout RNG, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
    guard (1...2).contains(probabilities.rank), let c = probabilities.shape.last, c > 0 else {
        throw TensorError(op: "multinomial", "expects [C] or [N, C] probabilities, got \(describe(probabilities.shape))", file: file, line: line)
    }
    let rows = probabilities.count / c
    var picks = [Float]()
    for r in 0..<rows {
        let row = probabilities.scalars[(r * c)..<(r * c + c)]
        let total = row.reduce(0, +)
        guard total > 0, row.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw TensorError(op: "multinomial", "row \(r) is not a distribution (negative, NaN or all zero)", file: file, line: line)
        }
        var u = rng.uniform() * total, pick = c - 1
        for (k, p) in row.enumerated() {
            u -= p
            if u < 0 { pick = k; break }
        }
        picks.append(Float(pick))
    }
    return Tensor(shape: Array(probabilities.shape.dropLast()), scalars: picks)
}
