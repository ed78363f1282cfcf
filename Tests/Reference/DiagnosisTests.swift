import Autograd
import Grading
import XCTest

/// The automatic diagnosis on planted variants: a small exercise of its own (an affine
/// map, then a running sum over time), and wrong versions of it that the diagnosis must
/// name in words.
final class DiagnosisTests: XCTestCase {
    /// x: [B, T, D], W: [D, D], b: [D] → the running sum over time of tanh(x·Wᵀ + b): [B, T, D].
    typealias Scan = (_ x: Tensor, _ w: Tensor, _ b: Tensor) throws -> Tensor

    static func scan(_ x: Tensor, _ w: Tensor, _ b: Tensor?, activation: (Tensor) -> Tensor = { $0.tanh() }, lag: Int = 0) throws -> Tensor {
        let (batch, steps, d) = (x.shape[0], x.shape[1], x.shape[2])
        var total = Tensor.zeros([batch, d])
        var out: [Tensor] = []
        for t in 0..<steps {
            var pre = try x.select(axis: 1, index: t).matmul(w.transpose(0, 1))
            if let b { pre = try pre + b }
            total = try total + activation(pre)
            out.append(total)
        }
        if lag > 0 { out = Array(repeating: Tensor.zeros([batch, d]), count: lag) + out.dropLast(lag) }
        return try stack(out, axis: 1)
    }

    static func exercise(variants: [Variant<Scan>] = [], knownBiasMistake: Bool = true, exposeAStaticTensor: Bool = false) -> Exercise<Scan> {
        Exercise<Scan>(
            id: "9.9", title: "A running sum", symbol: "scan(_:_:_:)", file: "Lessons/Lesson9/Scan.swift",
            reference: { x, w, b in try scan(x, w, b) }, mistakes: [
                Mistake("no-tanh", "no tanh", feedback: "Apply tanh.") { x, w, b in try scan(x, w, b, activation: { $0 }) },
                Mistake("no-bias-known", "a known mistake that equals a variant: it must win", feedback: "Add b.") { x, w, b in try scan(x, w, nil) },
            ].filter { knownBiasMistake || $0.id != "no-bias-known" }, variants: variants
        ) { f in
            var outcome = Outcome()
            let x = Probes.input([2, 4, 3], seed: 1), b = Probes.input([3], seed: 3)
            let w = exposeAStaticTensor ? staticTensor : Probes.input([3, 3], seed: 2)
            Probes.expose([("x", x), ("W", w), ("b", b)])
            try Probes.record(f(x, w, b), gradientsOf: [("x", x), ("W", w), ("b", b)], into: &outcome)
            return outcome
        }
    }
    nonisolated(unsafe) static let staticTensor = Probes.input([3, 3], seed: 9)

    func testATensorLeftOutIsNamed() throws {
        // Without a known mistake that equals it, leaving b out is found by the diagnosis.
        let v = Self.exercise(knownBiasMistake: false).grade { x, w, _ in try Self.scan(x, w, nil) }
        XCTAssertEqual(v.status, .failed)
        XCTAssertEqual(v.variant?.id, "left-out b", "\(v)")
        XCTAssertTrue(v.description.contains("your outputs equal the reference's with b left out (or zero)"), "\(v)")
        XCTAssertTrue(v.description.contains("missing for b"), "the gradient line names b: \(v)")
    }

    func testAKnownMistakeWinsOverAVariant() {
        let e = Self.exercise()
        let v = e.grade { x, w, b in try Self.scan(x, w, nil) }
        XCTAssertEqual(v.mistake?.id, "no-bias-known", "\(v)")
        XCTAssertNil(v.variant, "\(v)")
    }

    func testASquareWeightTransposedIsNamed() {
        let v = Self.exercise().grade { x, w, b in try Self.scan(x, w.transpose(0, 1), b) }
        XCTAssertEqual(v.variant?.id, "transposed W", "\(v)")
        XCTAssertTrue(v.description.contains("with W transposed"), "\(v)")
    }

    func testAnExplicitVariantIsNamed() {
        let e = Self.exercise(variants: [Variant("sigmoid-for-tanh", "sigmoid where it has tanh") { x, w, b in try Self.scan(x, w, b, activation: { $0.sigmoid() }) }])
        let v = e.grade { x, w, b in try Self.scan(x, w, b, activation: { $0.sigmoid() }) }
        XCTAssertEqual(v.variant?.id, "sigmoid-for-tanh", "\(v)")
        XCTAssertTrue(v.description.contains("with sigmoid where it has tanh"), "\(v)")
    }

    func testNamedChangesOfAnOutput() {
        let e = Self.exercise()
        let cases: [(String, Scan, String)] = [
            ("one step late", { x, w, b in try Self.scan(x, w, b, lag: 1) }, "one step late along axis 1"),
            ("doubled", { x, w, b in try Self.scan(x, w, b) * 2 }, "× 2"),
            ("halved", { x, w, b in try Self.scan(x, w, b) / 2 }, "÷ 2"),
            ("negated", { x, w, b in try -Self.scan(x, w, b) }, "negated"),
            ("offset", { x, w, b in try Self.scan(x, w, b) + 0.25 }, "plus 0.25 everywhere"),
            ("time reversed", { x, w, b in try Self.scan(x, w, b).indexSelect(axis: 1, indices: [3, 2, 1, 0]) }, "reversed along axis 1"),
            ("time-major", { x, w, b in try Self.scan(x, w, b).permute([1, 0, 2]) }, "axes in another order: shape [4, 2, 3] where [2, 4, 3] belongs"),
            ("one step too many", { x, w, b in
                let y = try Self.scan(x, w, b)
                return try concat([y, y.slice(axis: 1, 3..<4)], axis: 1)
            }, "1 too many along axis 1 (5 where 4 belongs), at the end: the other 4 are right"),
        ]
        for (name, impl, phrase) in cases {
            let v = e.grade(impl)
            XCTAssertEqual(v.status, .failed, name)
            XCTAssertTrue(v.description.contains(phrase), "\(name): expected “\(phrase)” in:\n\(v)")
        }
    }

    func testTheGradientLineSaysWhichAreRight() {
        // W detached: the outputs are right, ∂W is missing, ∂x and ∂b are right.
        let v = Self.exercise().grade { x, w, b in try Self.scan(x, w.detached(), b) }
        XCTAssertEqual(v.status, .failed)
        XCTAssertTrue(v.summary.hasPrefix("∂W is missing"), v.summary)
        XCTAssertFalse(v.summary.contains("pullback"), "the primitive's advice belongs to lesson 0's primitives only: \(v.summary)")
        XCTAssertTrue(v.description.contains("Gradients: right for x and b; missing for W."), "\(v)")
    }

    func testTheMostTellingDifferenceComesFirst() {
        // The output's first entry differs only by a scale; a wrong shape elsewhere would win,
        // here the zero gradient of b (the code never uses b's values) is named before the output.
        let v = Self.exercise().grade { x, w, b in try Self.scan(x, w, b * 0) }
        XCTAssertTrue(v.summary.hasPrefix("∂b differs") || v.summary.hasPrefix("∂b"), v.summary)
        XCTAssertTrue(v.description.contains("zero for b"), "\(v)")
    }

    func testTheReferenceNamesNoVariantAndEveryVariantIsNamed() {
        let e = Self.exercise(variants: [
            Variant("relu-for-tanh", "relu where it has tanh") { x, w, b in try Self.scan(x, w, b, activation: { $0.relu() }) },
            Variant("same-as-reference", "nothing at all") { x, w, b in try Self.scan(x, w, b) },
        ])
        XCTAssertEqual(e.proveVariants(), [])
        let ids = (try? e.variantOutcomes().map(\.id)) ?? []
        // x left out and W left out give the same outputs: one variant, named both ways.
        XCTAssertEqual(ids, ["left-out b", "left-out x or left-out W", "relu-for-tanh", "transposed W"], "a variant equal to the reference is left out")
        XCTAssertEqual(try e.variantOutcomes().first { $0.id == "left-out x or left-out W" }?.change, "x left out (or zero) — or, the same here, W left out (or zero)")
        XCTAssertEqual(e.grade(e.reference).status, .passed)
        XCTAssertNil(e.grade(e.reference).variant)
    }

    func testARuleExercisesNumbersAreNamedToo() {
        // A training rule that compares the recorded losses step by step.
        typealias Train = () -> [Float]
        let e = Exercise<Train>(
            id: "9.8", title: "A loop", symbol: "train()", file: "Lessons/Lesson9/Train.swift", reference: { [4, 2, 1, 0.5] },
            mistakes: [Mistake("no-learning", "flat", feedback: "Step.") { [4, 4, 4, 4] }, Mistake("other", "other", feedback: "x") { [1, 2, 3, 4] }],
            criterion: .rule { got, want in got.difference(from: want, tolerance: Tolerance(atol: 1e-4, rtol: 0)) }
        ) { f in
            var o = Outcome()
            o.record("losses", f())
            return o
        }
        let v = e.grade { [2, 1, 0.5, 0.25] }
        XCTAssertTrue(v.description.contains("What it looks like — losses is the reference's ÷ 2"), "\(v)")
        XCTAssertTrue(e.grade { [4, 2, 1, 0.5] }.status == .passed)
    }

    func testAKnownMistakeThatThrowsIsNamedWhereverItsLine() {
        // The mistake sums over the wrong axis and then cannot reshape: a shape error.
        let wrongAxis: Scan = { x, w, b in try Self.scan(x, w, b).sum(axis: 0).reshape([2, 4, 3]) }
        let e = Exercise<Scan>(
            id: "9.7", title: "A running sum", symbol: "scan(_:_:_:)", file: "Lessons/Lesson9/Scan.swift",
            reference: Self.exercise().reference,
            mistakes: [
                Mistake("summed-the-batch", "the batch axis summed away", feedback: "Keep the batch.", wrongAxis),
                Mistake("no-tanh", "no tanh", feedback: "Apply tanh.") { x, w, b in try Self.scan(x, w, b, activation: { $0 }) },
            ], probe: Self.exercise().probe)
        XCTAssertEqual(e.prove(), [])
        // The same error from the student's own line (a different file and line in the message).
        let v = e.grade { x, w, b in
            let y = try Self.scan(x, w, b)
            return try y.sum(axis: 0).reshape([2, 4, 3])
        }
        XCTAssertEqual(v.mistake?.id, "summed-the-batch", "\(v)")
        XCTAssertTrue(v.summary.hasPrefix("your code threw"), v.summary)
        // Another error is not that mistake.
        XCTAssertNil(e.grade { x, _, _ in try x.reshape([7]) }.mistake)
    }

    func testACaseThatThrowsDoesNotHideTheOthers() throws {
        // A probe with two cases; the second takes a rank the shortcut cannot handle.
        typealias Flat = (Tensor) throws -> Tensor
        let e = Exercise<Flat>(
            id: "9.6", title: "Doubling", symbol: "double(_:)", file: "Lessons/Lesson9/Double.swift", reference: { try $0 * 2 },
            mistakes: [
                Mistake("rank-two-only", "only rows and columns", feedback: "Any shape.") { x in try x.transpose(0, 1).transpose(0, 1) * 2 },
                Mistake("tripled", "three times", feedback: "Two.") { x in try x * 3 },
            ]
        ) { f in
            var outcome = Outcome()
            try Probes.attempt("a [2, 3] tensor", into: &outcome) { o in o.record("a [2, 3] tensor", try f(Tensor.ones([2, 3]))) }
            try Probes.attempt("a [4] tensor", into: &outcome) { o in o.record("a [4] tensor", try f(Tensor.ones([4]))) }
            return outcome
        }
        XCTAssertEqual(e.prove(), [])
        let v = e.grade { x in try x.transpose(0, 1).transpose(0, 1) * 2 }
        XCTAssertEqual(v.mistake?.id, "rank-two-only", "\(v)")
        XCTAssertTrue(v.summary.hasPrefix("for a [4] tensor, your code threw transpose"), v.summary)
        // An unwritten exercise is still unwritten.
        XCTAssertEqual(e.grade { _ in throw TODO("9.6") }.status, .notAttempted)
    }

    func testAProbeThatExposesATensorItKeepsIsRefused() {
        XCTAssertThrowsError(try Self.exercise(exposeAStaticTensor: true).variantOutcomes()) { error in
            XCTAssertTrue("\(error)".contains("outlives one run"), "\(error)")
        }
    }

}

/// The plain parts of a verdict: whole numbers without a tolerance, what "(weights #2)"
/// means, and where an operator's error points.
final class VerdictWordingTests: XCTestCase {
    func testWholeNumbersAreComparedWithoutATolerance() {
        var want = Outcome(), got = Outcome()
        want.record("codes", [97, 98, 99])
        got.record("codes", [97, 98, 100])
        let d = got.difference(from: want, tolerance: .tight) ?? ""
        XCTAssertTrue(d.hasPrefix("codes differs at [2]: expected 99, got 100 (1 of 3 values off)"), d)
        XCTAssertFalse(d.contains("tolerance"), d)
        var real = Outcome()
        real.record("codes", [97, 98, 99.5])
        XCTAssertTrue(real.difference(from: want, tolerance: .tight)?.contains("tolerance") == true, "fractions keep the tolerance")
    }

    func testASetNumberIsExplained() {
        var want = Outcome(), got = Outcome()
        want.record("output (weights #2)", [0.5, 1.5])
        got.record("output (weights #2)", [0.5, 1.25])
        let d = got.difference(from: want, tolerance: .tight) ?? ""
        XCTAssertTrue(d.hasSuffix("(weights #2) is the grader's second set of random weights and inputs; each set is checked on its own"), d)
    }

    func testAnOperatorsErrorSaysHowToFindItsLine() {
        let e = DiagnosisTests.exercise()
        let unlocated = e.verdict(on: .threw("+: shapes [2, 3] and [4] cannot broadcast", tensorError: true), reference: { Outcome() }, mistakeOutcome: { _ in nil })
        XCTAssertTrue(unlocated.next.hasPrefix("find the operator in `scan(_:_:_:)`"), unlocated.next)
        let located = e.verdict(on: .threw("Scan.swift:12: matmul: [2, 3] × [4, 3]: inner sizes 3 and 4 differ", tensorError: true), reference: { Outcome() }, mistakeOutcome: { _ in nil })
        XCTAssertTrue(located.next.hasPrefix("fix that line of `scan(_:_:_:)`"), located.next)
    }
}
