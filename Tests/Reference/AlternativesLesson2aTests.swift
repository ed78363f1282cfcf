import Autograd
import Foundation
import Grading
import XCTest

/// Lesson 2, exercises 2.1–2.4: the graders accept correct code written differently from
/// the reference, and reject the wrong code students write (named when it is a known mistake).
final class LessonTwoSymbolsAndRNNAlternativesTests: XCTestCase {
    // MARK: - Accepted alternatives

    func test_2_1_acceptsCorrectAlternatives() {
        assertAccepts(Lesson2Graders.integerCodes, [
            ("a loop, a sorted array and firstIndex(of:)", { sequences in
                var alphabet: [Character] = []
                for s in sequences { for c in s where !alphabet.contains(c) { alphabet.append(c) } }
                alphabet.sort()
                var rows: [[Int]] = []
                for s in sequences { rows.append(s.map { alphabet.firstIndex(of: $0)! }) }
                return (alphabet, try Tensor(indices: rows))
            }),
            ("the strings composed first (é as one scalar), codes flat then reshaped", { sequences in
                let composed = sequences.map(\.precomposedStringWithCanonicalMapping)
                let alphabet = composed.reduce(into: Set<Character>()) { $0.formUnion($1) }.sorted()
                let code = Dictionary(uniqueKeysWithValues: zip(alphabet, alphabet.indices))
                let flat = composed.flatMap { $0.map { Float(code[$0]!) } }
                return (alphabet, try Tensor(flat, shape: [sequences.count, composed.first?.count ?? 0]))
            }),
        ])
    }

    func test_2_2_acceptsCorrectAlternatives() {
        assertAccepts(Lesson2Graders.oneHotEncode, [
            ("the core's oneHot", { codes, a in try oneHot(codes, classes: a) }),
            ("a loop that sets one 1 per code", { codes, a in
                var values = [Float](repeating: 0, count: codes.count * a)
                for (i, k) in codes.indices.enumerated() { values[i * a + k] = 1 }
                return try Tensor(values, shape: codes.shape + [a])
            }),
            ("rows of the identity, picked by code (np.eye(A)[codes])", { codes, a in
                let eye = try Tensor.arange(a).unsqueeze(1).eq(Tensor.arange(a))
                return try eye.indexSelect(axis: 0, indices: codes.indices).reshape(codes.shape + [a])
            }),
            ("arange reshaped to [1, …, 1, A]", { codes, a in
                try codes.unsqueeze(-1).eq(Tensor.arange(a).reshape(codes.shape.map { _ in 1 } + [a]))
            }),
        ])
    }

    func test_2_3_acceptsCorrectAlternatives() {
        assertAccepts(Lesson2Graders.encoderFinalState, [
            ("explicit matmuls with the transposed weights", { x, ih, hh, h0 in
                var h = try h0.expand(to: [x.shape[0], h0.count])
                for t in 0..<x.shape[1] {
                    let xt = try x.select(axis: 1, index: t)
                    h = try (xt.matmul(ih.weight.T) + ih.bias! + h.matmul(hh.weight.T) + hh.bias!).tanh()
                }
                return h
            }),
            ("tanh as 2·sigmoid(2z) − 1, every input projected at once, the state left to broadcast", { x, ih, hh, h0 in
                let projected = try ih(x)                              // [batch, time, hidden]
                var h = try h0.unsqueeze(0)                            // [1, hidden]: broadcasting makes it [batch, hidden]
                for t in 0..<x.shape[1] { h = try 2 * (2 * (projected.select(axis: 1, index: t) + hh(h))).sigmoid() - 1 }
                return h
            }),
            ("a stable tanh from one exponential, e^(−2|z|)", { x, ih, hh, h0 in
                var h = try h0.expand(to: [x.shape[0], h0.count])
                for t in 0..<x.shape[1] { h = try Self.stableTanh(ih(x.select(axis: 1, index: t)) + hh(h)) }
                return h
            }),
        ])
    }

    func test_2_4_acceptsCorrectAlternatives() {
        assertAccepts(Lesson2Graders.decoderOutputs, [
            ("outputs unsqueezed and concatenated along time, a 1...steps loop", { h, steps, hh, hy in
                var h = h, outputs: [Tensor] = []
                for _ in 1...steps {
                    h = try hh(h).tanh()
                    outputs.append(try hy(h).unsqueeze(1))
                }
                return try concat(outputs, axis: 1)
            }),
            ("stacked time-first, then permuted (not reshaped); tanh as 2·sigmoid(2z) − 1", { h, steps, hh, hy in
                var h = h, outputs: [Tensor] = []
                for _ in 0..<steps {
                    h = try 2 * (2 * (h.matmul(hh.weight.T) + hh.bias!)).sigmoid() - 1
                    outputs.append(try h.matmul(hy.weight.T) + hy.bias!)
                }
                return try stack(outputs).permute([1, 0, 2])
            }),
            ("every state first, then one readout of all of them", { h, steps, hh, hy in
                var h = h, states: [Tensor] = []
                for _ in 0..<steps {
                    h = try Self.stableTanh(hh(h))
                    states.append(h)
                }
                return try hy(stack(states, axis: 1))
            }),
        ])
    }

    /// tanh(z) = sign(z)·(1 − e^(−2|z|))/(1 + e^(−2|z|)): the exponent is never positive.
    static func stableTanh(_ z: Tensor) throws -> Tensor {
        let e = (-2 * z.abs()).exp()
        return try (1 - e) / (1 + e) * (2 * z.gt(0) - 1)
    }

    // MARK: - Rejected: the wrong code students write

    /// nil: rejected, without a named mistake.
    typealias Wrong<I> = (name: String, diagnosis: String?, implementation: I)

    func test_2_1_rejectsWrongCode() {
        func coded(_ alphabet: [Character], _ sequences: [String]) throws -> (alphabet: [Character], codes: Tensor) {
            (alphabet, try Tensor(indices: sequences.map { $0.map { alphabet.firstIndex(of: $0) ?? -1 } }))
        }
        let wrong: [Wrong<Lesson2Graders.IntegerCodes>] = [
            ("lowercased first", "lowercased", { s in
                let lower = s.map { $0.lowercased() }
                return try coded(Set(lower.joined()).sorted(), lower)
            }),
            ("sorted with lowercased() as the key", "case-insensitive-order", { s in
                try coded(Set(s.joined()).sorted { $0.lowercased() < $1.lowercased() }, s)
            }),
            ("unicodeScalars as the symbols", "unicode-scalars", { s in
                let rows = s.map { Array($0.unicodeScalars) }
                let alphabet = Set(rows.joined()).sorted()
                return (alphabet.map(Character.init), try Tensor(indices: rows.map { $0.map { alphabet.firstIndex(of: $0)! } }))
            }),
            ("utf8 bytes as the symbols", "utf8-bytes", { s in
                let rows = s.map { Array($0.utf8) }
                let alphabet = Set(rows.joined()).sorted()
                return (alphabet.map { Character(Unicode.Scalar($0)) }, try Tensor(indices: rows.map { $0.map { alphabet.firstIndex(of: $0)! } }))
            }),
            ("each symbol cut to its first scalar", nil, { s in
                let first = { (c: Character) in c.unicodeScalars.first!.value }
                let values = Set(s.joined().map(first)).sorted()
                return (values.map { Character(Unicode.Scalar($0)!) }, try Tensor(indices: s.map { $0.map { values.firstIndex(of: first($0))! } }))
            }),
            ("the alphabet a–z, filtered", nil, { s in try coded(Array("abcdefghijklmnopqrstuvwxyz").filter { s.joined().contains($0) }, s) }),
            ("letters only", nil, { s in try coded(Set(s.joined().filter(\.isLetter)).sorted(), s) }),
            ("the alphabet of the first sequence", nil, { s in try coded(Set(s[0]).sorted(), s) }),
            ("ASCII value minus the first symbol's", nil, { s in
                let alphabet = Set(s.joined()).sorted()
                return (alphabet, try Tensor(indices: s.map { $0.map { Int($0.asciiValue ?? 0) - Int(alphabet[0].asciiValue ?? 0) } }))
            }),
            ("most frequent first", nil, { s in
                let counts = s.joined().reduce(into: [Character: Int]()) { $0[$1, default: 0] += 1 }
                return try coded(counts.keys.sorted { (counts[$0]!, $1) > (counts[$1]!, $0) }, s)
            }),
            ("sorted descending", nil, { s in try coded(Set(s.joined()).sorted(by: >), s) }),
        ]
        assertRejects(Lesson2Graders.integerCodes, wrong)
    }

    func test_2_2_rejectsWrongCode() {
        let wrong: [Wrong<Lesson2Graders.OneHotEncode>] = [
            ("np.eye(codes.max() + 1)", "size-from-largest-code", { codes, _ in
                let size = Int(codes.scalars.max()!) + 1
                return try codes.unsqueeze(-1).eq(Tensor.arange(size))
            }),
            ("len(np.unique(codes)) classes", "size-from-distinct-codes", { codes, _ in try codes.unsqueeze(-1).eq(Tensor.arange(Set(codes.scalars).count)) }),
            ("the core's oneHot with the number of distinct codes", "oneHot-of-distinct-codes", { codes, _ in try oneHot(codes, classes: Set(codes.scalars).count) }),
            ("[A, N, T] reshaped to [N, T, A]", "classes-first-reshaped", { codes, a in
                try Tensor.arange(a).reshape([a] + codes.shape.map { _ in 1 }).eq(codes).reshape(codes.shape + [a])
            }),
            // (A reshape to [codes.shape[0], codes.shape[1], 1] traps on one row of codes: in
            // `swift test` and `tutor check` that is a crash of the child, reported as such.)
            ("unsqueeze(2): right for [N, T] only", "rank-two-only", { codes, a in try codes.unsqueeze(2).eq(Tensor.arange(a)) }),
            ("ge for eq: a thermometer code", nil, { codes, a in try codes.unsqueeze(-1).ge(Tensor.arange(a)) }),
            ("positions counted from 1", nil, { codes, a in try codes.unsqueeze(-1).eq(Tensor.arange(a) + 1) }),
        ]
        assertRejects(Lesson2Graders.oneHotEncode, wrong)
    }

    /// An encoder written the way students write it, with one thing changeable.
    static func encoder(
        _ squash: @escaping (Tensor) throws -> Tensor = { $0.tanh() }, steps: @escaping (_ x: Tensor) -> [Int] = { Array(0..<$0.shape[1]) },
        step: @escaping (_ xt: Tensor, _ h: Tensor, Linear, Linear) throws -> Tensor = { xt, h, ih, hh in try ih(xt) + hh(h) }
    ) -> Lesson2Graders.Encoder {
        { x, ih, hh, h0 in
            var h = try h0.expand(to: [x.shape[0], h0.count])
            for t in steps(x) { h = try squash(step(x.select(axis: 1, index: t), h, ih, hh)) }
            return h
        }
    }

    func test_2_3_rejectsWrongCode() {
        let wrong: [Wrong<Lesson2Graders.Encoder>] = [
            ("tanh as (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)", "tanh-from-exp", Self.encoder({ z in try (z.exp() - (-z).exp()) / (z.exp() + (-z).exp()) })),
            ("tanh as (e²ˣ − 1)/(e²ˣ + 1)", "tanh-from-exp", Self.encoder({ z in try ((2 * z).exp() - 1) / ((2 * z).exp() + 1) })),
            ("tanh as (1 − e⁻²ˣ)/(1 + e⁻²ˣ)", "tanh-from-exp", Self.encoder({ z in try (1 - (-2 * z).exp()) / (1 + (-2 * z).exp()) })),
            ("tanh as 2/(1 + e⁻²ˣ) − 1: right values, NaN gradients where e⁻²ˣ is ∞", "tanh-from-hand-sigmoid", Self.encoder({ z in 2 / (1 + (-2 * z).exp()) - 1 })),
            ("h · W_hh + b_hh", "transposed-w-hh", Self.encoder(step: { xt, h, ih, hh in try ih(xt) + h.matmul(hh.weight) + hh.bias! })),
            ("for t in 1..<T", "skipped-first-symbol", Self.encoder(steps: { Array(1..<$0.shape[1]) })),
            ("for t in 0..<x.shape[0]", "loops-over-batch", Self.encoder(steps: { Array(0..<$0.shape[0]) })),
            ("sigmoid", nil, Self.encoder({ $0.sigmoid() })),
            ("relu", nil, Self.encoder({ $0.relu() })),
            ("no biases", nil, Self.encoder(step: { xt, h, ih, hh in try xt.matmul(ih.weight.T) + h.matmul(hh.weight.T) })),
            ("b_hh dropped", nil, Self.encoder(step: { xt, h, ih, hh in try ih(xt) + h.matmul(hh.weight.T) })),
            ("for t in 0..<T − 1", nil, Self.encoder(steps: { Array(0..<($0.shape[1] - 1)) })),
            ("read backwards", nil, Self.encoder(steps: { Array((0..<$0.shape[1]).reversed()) })),
            ("tanh once, after the loop", nil, { x, ih, hh, h0 in try Self.encoder({ $0 })(x, ih, hh, h0).tanh() }),
        ]
        assertRejects(Lesson2Graders.encoderFinalState, wrong)
    }

    /// A decoder written the way students write it, with one thing changeable.
    static func decoder(
        _ squash: @escaping (Tensor) throws -> Tensor = { $0.tanh() }, count: @escaping (Int) -> Int = { $0 },
        next: @escaping (_ h: Tensor, _ start: Tensor, Linear) throws -> Tensor = { h, _, hh in try hh(h) },
        read: @escaping (Tensor, Linear) throws -> Tensor = { h, hy in try hy(h) }
    ) -> Lesson2Graders.Decoder {
        { start, steps, hh, hy in
            var h = start, outputs: [Tensor] = []
            for _ in 0..<count(steps) {
                h = try squash(next(h, start, hh))
                outputs.append(try read(h, hy))
            }
            return try stack(outputs, axis: 1)
        }
    }

    func test_2_4_rejectsWrongCode() {
        let wrong: [Wrong<Lesson2Graders.Decoder>] = [
            ("tanh as (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)", "tanh-from-exp", Self.decoder({ z in try (z.exp() - (-z).exp()) / (z.exp() + (-z).exp()) })),
            ("tanh as 2/(1 + e⁻²ˣ) − 1: right values, NaN gradients where e⁻²ˣ is ∞", "tanh-from-hand-sigmoid", Self.decoder({ z in 2 / (1 + (-2 * z).exp()) - 1 })),
            ("h · W_hh + b_hh", "transposed-w-hh", Self.decoder(next: { h, _, hh in try h.matmul(hh.weight) + hh.bias! })),
            ("let s = tanh(W_hh·h + b), h never updated", "state-not-carried", Self.decoder(next: { _, start, hh in try hh(start) })),
            ("softmax on the outputs", "softmax-outputs", Self.decoder(read: { h, hy in try hy(h).softmax() })),
            ("for _ in 1..<steps", "one-step-short", Self.decoder(count: { $0 - 1 })),
            ("stacked along axis 0, reshaped", "time-first-reshaped", { h, steps, hh, hy in
                var h = h, outputs: [Tensor] = []
                for _ in 0..<steps { h = try hh(h).tanh(); outputs.append(try hy(h)) }
                return try concat(outputs, axis: 0).reshape([h.shape[0], steps, hy.outFeatures])
            }),
            ("sigmoid", nil, Self.decoder({ $0.sigmoid() })),
            ("relu", nil, Self.decoder({ $0.relu() })),
            ("b_hh dropped", nil, Self.decoder(next: { h, _, hh in try h.matmul(hh.weight.T) })),
            ("tanh on the outputs", nil, Self.decoder(read: { h, hy in try hy(h).tanh() })),
            ("for _ in 0...steps", nil, Self.decoder(count: { $0 + 1 })),
            ("outputs read off the sum before tanh", nil, { h, steps, hh, hy in
                var h = h, outputs: [Tensor] = []
                for _ in 0..<steps { let z = try hh(h); outputs.append(try hy(z)); h = z.tanh() }
                return try stack(outputs, axis: 1)
            }),
        ]
        assertRejects(Lesson2Graders.decoderOutputs, wrong)
    }

    // MARK: - Variants

    func test_variantsOf_2_3_and_2_4_runAndDifferFromTheReference() {
        XCTAssertFalse(Lesson2Graders.encoderFinalState.variants.isEmpty, "2.3 has no variants")
        XCTAssertFalse(Lesson2Graders.decoderOutputs.variants.isEmpty, "2.4 has no variants")
        assertVariantsDiffer(Lesson2Graders.encoderFinalState)
        assertVariantsDiffer(Lesson2Graders.decoderOutputs)
    }

    // MARK: - Helpers

    func assertAccepts<I>(_ exercise: Exercise<I>, _ alternatives: [(String, I)], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(alternatives.isEmpty, file: file, line: line)
        for (name, implementation) in alternatives {
            let verdict = exercise.grade(implementation)
            XCTAssertEqual(verdict.status, .passed, "\(exercise.id) rejects a correct alternative (\(name)):\n\(verdict)", file: file, line: line)
        }
    }

    func assertRejects<I>(_ exercise: Exercise<I>, _ wrong: [Wrong<I>], file: StaticString = #filePath, line: UInt = #line) {
        for (name, diagnosis, implementation) in wrong {
            let verdict = exercise.grade(implementation)
            XCTAssertEqual(verdict.status, .failed, "\(exercise.id) accepts wrong code (\(name)):\n\(verdict)", file: file, line: line)
            if let diagnosis {
                XCTAssertEqual(verdict.mistake?.id, diagnosis, "\(exercise.id): wrong code (\(name)) is not diagnosed as \(diagnosis):\n\(verdict)", file: file, line: line)
            }
        }
    }
}
