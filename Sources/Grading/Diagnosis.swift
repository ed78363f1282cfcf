import Autograd

/// Automatic diagnosis: when a student's outcome matches no known mistake, say what it
/// does look like — the reference with one of its tensors left out or transposed (see
/// `Probes.expose`), one of the exercise's `Variant`s, or the reference's numbers
/// changed in a way that has a name (scaled, negated, shifted one step, reversed, on
/// other axes) — and which gradients are right, zero or missing.
public enum Diagnosis {
    /// The entries that are not gradients: what a variant is matched on (a tensor left
    /// out has no gradient at all, so gradients cannot be compared with a zeroed one).
    static func outputs(_ o: Outcome) -> Outcome {
        var out = Outcome()
        out.entries = o.entries.filter { !isGradient($0.name) }
        return out
    }

    static func isGradient(_ name: String) -> Bool { name.hasPrefix("∂") }

    /// "W_hh" for "∂W_hh (weights #2)": the name a probe exposes, shared by its repeats.
    static func baseName(_ name: String) -> String {
        var n = Substring(name)
        if n.hasPrefix("∂") { n = n.dropFirst() }
        if let open = n.range(of: " (") { n = n[..<open.lowerBound] }
        return String(n)
    }

    // MARK: - The most telling difference

    /// The difference a student learns most from, in one line, or nil when none: a missing
    /// output, a wrong shape, a gradient that is missing or zero (a tensor the code never
    /// uses), an output whose change has a name, then the first output that differs, then
    /// the first gradient.
    static func mostTelling(_ got: Outcome, expected: Outcome, tolerance: Tolerance, missingGradientAdvice: String) -> String? {
        let differing = expected.entries.filter { want in
            guard let g = got[want.name] else { return true }
            return single(g, want, tolerance) != nil
        }
        guard !differing.isEmpty else { return nil }
        let outputs = differing.filter { !isGradient($0.name) }, gradients = differing.filter { isGradient($0.name) }
        func message(_ want: Outcome.Entry) -> String {
            var one = Outcome(), g = Outcome()
            one.entries = [want]
            g.entries = got[want.name].map { [$0] } ?? got.entries.filter { $0.name.hasPrefix(want.name + Outcome.caseThrew) }
            return g.difference(from: one, tolerance: tolerance, missingGradientAdvice: missingGradientAdvice) ?? ""
        }
        if let w = outputs.first(where: { got[$0.name] == nil || got[$0.name]!.shape != $0.shape }) { return message(w) }
        if let w = gradients.first(where: { got[$0.name] == nil || isZero(got[$0.name]!, comparedWith: $0) }) {
            return message(w)
        }
        if let w = outputs.first(where: { w in got[w.name].map { explain($0, w, tolerance) != nil } ?? false }) { return message(w) }
        return message(outputs.first ?? gradients[0])
    }

    /// The difference of one entry from the reference's, or nil if it matches.
    static func single(_ got: Outcome.Entry, _ want: Outcome.Entry, _ tolerance: Tolerance) -> String? {
        var g = Outcome(), w = Outcome()
        g.entries = [got]
        w.entries = [want]
        return g.difference(from: w, tolerance: tolerance)
    }

    static func isZero(_ got: Outcome.Entry, comparedWith want: Outcome.Entry) -> Bool {
        got.shape == want.shape && got.values.allSatisfy { $0 == 0 } && want.values.contains { $0 != 0 }
    }

    /// The first differing output whose change has a name, said in words; a gradient's only
    /// when every output is right (a pullback's mistake). `valuesOnly` (for a rule's
    /// outcome, whose entries may encode text or counts) keeps to changes of the values —
    /// scaled, shifted, reversed — and leaves shapes to the rule's own message.
    static func explanation(_ got: Outcome, expected: Outcome, tolerance: Tolerance, valuesOnly: Bool = false) -> String? {
        let differs = { (want: Outcome.Entry) in got[want.name].map { single($0, want, tolerance) != nil } ?? false }
        let outputs = expected.entries.filter { !isGradient($0.name) && differs($0) }
        let candidates = outputs.isEmpty ? expected.entries.filter { isGradient($0.name) && differs($0) } : outputs
        for want in candidates {
            guard let g = got[want.name], !(valuesOnly && g.shape != want.shape) else { continue }
            if let named = explain(g, want, tolerance, valuesOnly: valuesOnly) { return named }
        }
        return nil
    }

    // MARK: - Gradients

    /// One line on the gradients, when it says more than "they differ": which tensors'
    /// gradients are right, wrong, zero or missing (by the names the lesson uses).
    static func gradientLine(_ got: Outcome, expected: Outcome, tolerance: Tolerance) -> String? {
        var order: [String] = []
        var status: [String: String] = [:]  // name → right / wrong / zero / missing (the worst of its repeats)
        let rank = ["right": 0, "wrong": 1, "zero": 2, "missing": 3]
        for want in expected.entries where isGradient(want.name) {
            let name = baseName(want.name)
            if status[name] == nil { order.append(name) }
            let s: String
            if let g = got[want.name] {
                s = single(g, want, tolerance) == nil ? "right" : (isZero(g, comparedWith: want) ? "zero" : "wrong")
            } else {
                s = "missing"
            }
            if rank[s]! >= rank[status[name] ?? "right"]! { status[name] = s }
        }
        guard !order.isEmpty else { return nil }
        let by = { (s: String) in order.filter { status[$0] == s } }
        let (right, wrong, zero, missing) = (by("right"), by("wrong"), by("zero"), by("missing"))
        // All right, or all wrong with nothing else to say: the summary has said it.
        if wrong.isEmpty, zero.isEmpty, missing.isEmpty { return nil }
        if right.isEmpty, zero.isEmpty, missing.isEmpty { return nil }
        var parts: [String] = []
        if !right.isEmpty { parts.append("right for \(list(right))") }
        if !wrong.isEmpty { parts.append("wrong for \(list(wrong))") }
        if !zero.isEmpty { parts.append("zero for \(list(zero))") }
        if !missing.isEmpty { parts.append("missing for \(list(missing))") }
        var line = "Gradients: " + parts.joined(separator: "; ") + "."
        if !zero.isEmpty || !missing.isEmpty {
            line += " A tensor whose gradient is zero or missing does not reach the output: does your code use \(list(zero + missing, or: true))?"
        } else if !right.isEmpty {
            line += " The right ones show which part of your computation already works."
        }
        return line
    }

    static func list(_ names: [String], or: Bool = false) -> String {
        guard names.count > 1 else { return names.first ?? "" }
        return names.dropLast().joined(separator: ", ") + (or ? " or " : " and ") + names.last!
    }

    // MARK: - Named changes of one entry

    /// What `got` is, in words, when it is the reference's entry `want` changed in a way
    /// that has a name; nil when no such change explains it.
    static func explain(_ got: Outcome.Entry, _ want: Outcome.Entry, _ tolerance: Tolerance, valuesOnly: Bool = false) -> String? {
        let n = want.name
        // A NaN or an infinity has its own message; no change of the reference's makes one.
        guard got.values.allSatisfy(\.isFinite), want.values.allSatisfy(\.isFinite) else { return nil }
        if got.shape != want.shape {
            guard got.values.count == want.values.count else { return lengthChange(got, want, tolerance) }
            for perm in permutations(want.shape.count) where perm != Array(0..<want.shape.count) {
                guard perm.map({ want.shape[$0] }) == got.shape else { continue }
                if close(got.values, permuted(want.values, shape: want.shape, perm: perm), tolerance) {
                    return "\(n) holds the right numbers with its axes in another order: shape \(got.shape) where \(want.shape) belongs (axes \(perm) of the reference's)"
                }
            }
            if close(got.values, want.values, tolerance) {
                return "\(n) holds the right numbers in the right order, in shape \(got.shape) where \(want.shape) belongs: a reshape, not a different computation"
            }
            return nil
        }
        let (g, w) = (got.values, want.values)
        guard !close(g, w, tolerance) else { return nil }
        if !valuesOnly {
            if g.allSatisfy({ $0 == 0 }) { return "\(n) is all zeros" }
            if g.count > 1, g.allSatisfy({ $0 == g[0] }), w.contains(where: { $0 != w[0] }) { return "\(n) is the same number, \(format(g[0])), everywhere" }
        }
        // Scaled: g = c·w.
        // (One number is always some multiple of another: a scale needs two or more.)
        let ww = w.reduce(0) { $0 + $1 * $1 }
        if ww > 0, g.count > 1 {
            let c = zip(g, w).reduce(0) { $0 + $1.0 * $1.1 } / ww
            if Swift.abs(c) > 1e-3, close(g, w.map { $0 * c }, tolerance) {
                return "\(n) is the reference's \(scaleText(c, gradient: isGradient(n)))"
            }
        }
        // Offset: g = w + d.
        if g.count > 1 {
            let d = zip(g, w).reduce(0) { $0 + $1.0 - $1.1 } / Float(g.count)
            if close(g, w.map { $0 + d }, tolerance) { return "\(n) is the reference's plus \(format(d)) everywhere: a constant added or left out" }
        }
        // Along one axis: reversed, one step late or early, or wrong only at one index.
        for axis in want.shape.indices where want.shape[axis] >= 2 {
            let len = want.shape[axis]
            if close(g, reversed(w, shape: want.shape, axis: axis), tolerance) {
                return "\(n) is the reference's reversed along axis \(axis)"
            }
            if len >= 3 {
                for (shift, word) in [(1, "one step late"), (-1, "one step early")] {
                    if shiftedMatch(g, w, shape: want.shape, axis: axis, by: shift, tolerance) {
                        return "\(n) is the reference's \(word) along axis \(axis): position t holds what belongs at t \(shift > 0 ? "−" : "+") 1"
                    }
                }
            }
        }
        for perm in permutations(want.shape.count) where perm != Array(0..<want.shape.count) && perm.map({ want.shape[$0] }) == want.shape {
            if close(g, permuted(w, shape: want.shape, perm: perm), tolerance) {
                return "\(n) is the reference's with axes \(perm) swapped (the shape is the same, the numbers are transposed)"
            }
        }
        if !valuesOnly, let place = onlyAt(g, w, shape: want.shape, tolerance) { return "\(n) is right except at \(place)" }
        return nil
    }

    /// A shape one longer or shorter along one axis, with the overlap right.
    static func lengthChange(_ got: Outcome.Entry, _ want: Outcome.Entry, _ tolerance: Tolerance) -> String? {
        guard got.shape.count == want.shape.count else { return nil }
        let axes = want.shape.indices.filter { got.shape[$0] != want.shape[$0] }
        guard axes.count == 1, let axis = axes.first else { return nil }
        let (a, b) = (got.shape[axis], want.shape[axis])
        let common = Swift.min(a, b)
        let more = a > b ? "\(a - b) too many" : "\(b - a) too few"
        for (start, side) in [(0, "end"), (-1, "start")] {
            let g = slice(got.values, shape: got.shape, axis: axis, from: start < 0 ? a - common : 0, count: common)
            let w = slice(want.values, shape: want.shape, axis: axis, from: start < 0 ? b - common : 0, count: common)
            if close(g, w, tolerance) {
                return "\(want.name) has \(more) along axis \(axis) (\(a) where \(b) belongs), at the \(side): the other \(common) are right"
            }
        }
        return "\(want.name) has \(more) along axis \(axis): \(a) where \(b) belongs"
    }

    /// Where all the wrong values lie, when that is one index of one axis ("index 0 of axis 1").
    static func onlyAt(_ g: [Float], _ w: [Float], shape: [Int], _ tolerance: Tolerance) -> String? {
        let wrong = g.indices.filter { !close([g[$0]], [w[$0]], tolerance) }
        guard !wrong.isEmpty, wrong.count < g.count else { return nil }
        for axis in shape.indices where shape[axis] >= 2 {
            let stride = shape[(axis + 1)...].reduce(1, *)
            let index = { (flat: Int) in (flat / stride) % shape[axis] }
            let first = index(wrong[0])
            // Wrong at one index, and right everywhere else.
            if wrong.allSatisfy({ index($0) == first }), wrong.count == g.count / shape[axis] {
                let which = first == 0 ? "index 0 (the first)" : first == shape[axis] - 1 ? "index \(first) (the last)" : "index \(first)"
                return "\(which) of axis \(axis), where every value is off"
            }
        }
        return nil
    }

    /// "× 4: a sum where a mean belongs…" — for a gradient, what flows back through the
    /// tensor is scaled, which a factor in the forward pass does.
    static func scaleText(_ c: Float, gradient: Bool = false) -> String {
        if Swift.abs(c + 1) < 1e-3 { return "negated: a sign is flipped" }
        for k in 2...4096 {
            let kf = Float(k)
            if Swift.abs(c - kf) < 1e-3 * kf {
                return gradient ? "× \(k): the path through it counts \(k) times (a factor of \(k) in your forward pass?)" : "× \(k): a sum where a mean belongs, or a factor counted \(k) times?"
            }
            if Swift.abs(c - 1 / kf) < 1e-3 / kf {
                return gradient ? "÷ \(k): the path through it counts 1/\(k) (a division by \(k) in your forward pass?)" : "÷ \(k): a mean where a sum belongs, or a count divided in twice?"
            }
            if Swift.abs(c + kf) < 1e-3 * kf { return "× −\(k)" }
            if kf > Swift.abs(c) * 2 && kf > 1 / Swift.abs(c) * 2 { break }
        }
        return "× \(format(c))"
    }

    // MARK: - Array helpers

    static func close(_ g: [Float], _ w: [Float], _ t: Tolerance) -> Bool {
        g.count == w.count && zip(g, w).allSatisfy { g, w in g == w || Swift.abs(g - w) <= t.atol + t.rtol * Swift.abs(w) }
    }

    static func permutations(_ n: Int) -> [[Int]] {
        guard n > 0, n <= 4 else { return n == 0 ? [[]] : [] }
        if n == 1 { return [[0]] }
        return permutations(n - 1).flatMap { p in (0...p.count).map { i in var q = p; q.insert(n - 1, at: i); return q } }
    }

    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { s[d] = s[d + 1] * shape[d + 1] }
        return s
    }

    /// The values of `shape` read with its axes in the order `perm` (a permute).
    static func permuted(_ v: [Float], shape: [Int], perm: [Int]) -> [Float] {
        let newShape = perm.map { shape[$0] }, old = strides(shape), new = strides(newShape)
        return (0..<v.count).map { flat in
            var src = 0
            for d in newShape.indices { src += ((flat / new[d]) % newShape[d]) * old[perm[d]] }
            return v[src]
        }
    }

    static func reversed(_ v: [Float], shape: [Int], axis: Int) -> [Float] {
        let s = strides(shape)[axis], n = shape[axis]
        return (0..<v.count).map { flat in
            let i = (flat / s) % n
            return v[flat + (n - 1 - 2 * i) * s]
        }
    }

    /// Whether g at index t (of `axis`) equals w at t − shift wherever both exist, and g is
    /// not simply w there (a sequence constant along the axis proves nothing).
    static func shiftedMatch(_ g: [Float], _ w: [Float], shape: [Int], axis: Int, by shift: Int, _ t: Tolerance) -> Bool {
        let s = strides(shape)[axis], n = shape[axis]
        var differsUnshifted = false
        for flat in 0..<g.count {
            let i = (flat / s) % n, j = i - shift
            guard j >= 0, j < n else { continue }
            if !close([g[flat]], [w[flat - shift * s]], t) { return false }
            if !close([g[flat]], [w[flat]], t) { differsUnshifted = true }
        }
        return differsUnshifted
    }

    static func slice(_ v: [Float], shape: [Int], axis: Int, from start: Int, count: Int) -> [Float] {
        let s = strides(shape)[axis], n = shape[axis]
        return (0..<v.count).compactMap { flat in
            let i = (flat / s) % n
            return i >= start && i < start + count ? v[flat] : nil
        }
    }
}
