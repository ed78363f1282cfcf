import Foundation
import Autograd

// Lesson 9 prototype: the known mistakes of the proposed exercises, written out, and whether a
// probe tells each from the reference. `Lesson9Proto mistakes` prints, per mistake, the probe's
// answer beside the reference's, and on how many of 2 000 generated expressions they differ.

// MARK: - 9.1 terms(of:)

/// Mistake: split at every '+' and '-' (a negative coefficient's sign becomes a separator).
func termsSplitEveryMinus(_ e: String) throws -> [Term] {
    var out: [Term] = []
    var cur = "", start = 0
    for (i, c) in Array(e).enumerated() {
        if c == "+" || c == "-" {
            let s = cur.trimmingCharacters(in: .whitespaces)
            if !s.isEmpty { out.append(try parseOne(s, start: start)) }
            cur = ""; start = i + 1
        } else { if cur.isEmpty && c == " " { start = i + 1 } else { cur.append(c) } }
    }
    let s = cur.trimmingCharacters(in: .whitespaces)
    if !s.isEmpty { out.append(try parseOne(s, start: start)) }
    return out
}
func parseOne(_ s: String, start: Int) throws -> Term {
    var t = try terms(of: s)[0]; t.start += start; t.end += start; return t
}
/// Mistake: the power is not read (x^3 is keyed as x; the span stops at the variable).
func termsNoPower(_ e: String) throws -> [Term] {
    try terms(of: e).map { var t = $0; if let p = t.power { t.power = nil; t.end -= 1 + String(p).count; t.text = String(t.text.prefix(t.end - t.start)) }; return t }
}
/// Mistake: one digit of power only.
func termsOneDigitPower(_ e: String) throws -> [Term] {
    try terms(of: e).map { var t = $0; if let p = t.power, p >= 10 { t.power = Int(String(String(p).first!)); t.end -= String(p).count - 1; t.text = String(t.text.prefix(t.end - t.start)) }; return t }
}
/// Mistake: the sign of a negative coefficient is left out of the term (start after '-').
func termsNoSign(_ e: String) throws -> [Term] {
    try terms(of: e).map { var t = $0; if t.text.hasPrefix("-") { t.start += 1; t.text.removeFirst() }; return t }
}

// MARK: - 9.2 the label, from the terms

func countReference(_ ts: [Term]) -> Int {
    var g: [String: Int] = [:]; for t in ts { g[t.key, default: 0] += 1 }
    return g.values.filter { $0 >= 2 }.reduce(0, +)
}
let countMistakes: [(String, ([Term]) -> Int)] = [
    ("counted the groups of like terms, not the terms in them", { ts in
        var g: [String: Int] = [:]; for t in ts { g[t.key, default: 0] += 1 }; return g.values.filter { $0 >= 2 }.count }),
    ("counted distinct kinds of term (singletons too)", { ts in Set(ts.map(\.key)).count }),
    ("counted every term", { ts in ts.count }),
    ("ignored the power (x^3 like x)", { ts in
        var g: [String: Int] = [:]; for t in ts { g[t.variable.map { String($0) } ?? "", default: 0] += 1 }; return g.values.filter { $0 >= 2 }.reduce(0, +) }),
    ("counted pairs of like terms", { ts in
        var g: [String: Int] = [:]; for t in ts { g[t.key, default: 0] += 1 }; return g.values.map { $0 * ($0 - 1) / 2 }.reduce(0, +) }),
    ("counted the terms that combining removes (terms − kinds)", { ts in ts.count - Set(ts.map(\.key)).count }),
    ("compared whole terms (coefficient too)", { ts in
        var g: [String: Int] = [:]; for t in ts { g[t.text, default: 0] += 1 }; return g.values.filter { $0 >= 2 }.reduce(0, +) }),
    ("compared coefficient sign too (-6x unlike 17x)", { ts in
        var g: [String: Int] = [:]; for t in ts { g[(t.text.hasPrefix("-") ? "-" : "+") + t.key, default: 0] += 1 }; return g.values.filter { $0 >= 2 }.reduce(0, +) }),
]

// MARK: - 9.3 / 9.4 tokenisers

let alphabet = CharacterTokenizer.alphabet
let charMistakes: [(String, (String) throws -> [Int])] = [
    ("codes from 0 (the space is the padding code)", { e in Array(e).map { alphabet.firstIndex(of: $0) ?? -1 } }),
    ("dropped the spaces", { e in Array(e).filter { $0 != " " }.map { (alphabet.firstIndex(of: $0) ?? -2) + 1 } }),
    ("ASCII values as codes", { e in Array(e).map { Int($0.asciiValue!) } }),
    ("skipped unknown characters instead of failing", { e in Array(e).compactMap { alphabet.firstIndex(of: $0).map { $0 + 1 } } }),
]
func letter(_ t: Term) -> Int { t.variable.map { Int($0.asciiValue! - 97) } ?? 26 }
func termCodeRef(_ e: String) throws -> [Int] { try TermTokenizer().encode(e).codes }
let termMistakes: [(String, (String) throws -> [Int])] = [
    ("power index off by one (x^2 gets x's code)", { e in try terms(of: e).map { t in 1 + 4 * letter(t) + (t.power.map { $0 - 2 } ?? 0) } }),
    ("codes from 0 (a gets the padding code)", { e in try terms(of: e).map { TermTokenizer.code($0) - 1 } }),
    ("the variable alone (power ignored)", { e in try terms(of: e).map { t in 1 + 4 * letter(t) } }),
]

// MARK: - 9.5 the pooled classifier's forward pass

/// Reference: encoder with the padding mask, mean over the real positions, head.
func classifyReference(_ m: LikeTermClassifier, _ codes: Tensor, _ pad: Tensor) throws -> Tensor {
    let h = try m.encoder(m.positions(m.embedding(codes)), keyPaddingMask: pad)
    return try m.head(maskedMean(h, padding: pad))
}
let classifyMistakes: [(String, (LikeTermClassifier, Tensor, Tensor) throws -> Tensor)] = [
    ("mean over every position, padding too", { m, c, p in try m.head(m.encoder(m.positions(m.embedding(c)), keyPaddingMask: p).mean(axis: 1)) }),
    ("no padding mask in the encoder", { m, c, p in try m.head(maskedMean(m.encoder(m.positions(m.embedding(c))), padding: p)) }),
    ("masked sum divided by T (all positions)", { m, c, p in
        let h = try m.encoder(m.positions(m.embedding(c)), keyPaddingMask: p)
        return try m.head((h * (1 - p).unsqueeze(2)).sum(axis: 1) / Float(c.shape[1])) }),
    ("sum, not mean", { m, c, p in try m.head((m.encoder(m.positions(m.embedding(c)), keyPaddingMask: p) * (1 - p).unsqueeze(2)).sum(axis: 1)) }),
    ("the first position only", { m, c, p in try m.head(m.encoder(m.positions(m.embedding(c)), keyPaddingMask: p).select(axis: 1, index: 0)) }),
    ("forgot the positions", { m, c, p in try m.head(maskedMean(m.encoder(m.embedding(c), keyPaddingMask: p), padding: p)) }),
    ("the last encoder layer's output without the final norm", { m, c, p in
        var h = try m.positions(m.embedding(c)); for l in m.encoder.layers { h = try l(h, keyPaddingMask: p) }
        return try m.head(maskedMean(h, padding: p)) }),
]

// MARK: - 9.6 the like-term attention mass

typealias MassFn = ([Float], Int, [Int?], [String]) -> (Double, Double)
let massReference: MassFn = { w, t, termOf, keys in let m = likeMass(weights: w, length: t, termOf: termOf, termKeys: keys); return (m.mass, m.chance) }
func massVariant(ownTerm: Bool = false, chanceOverT: Bool = false, allQueries: Bool = false, transposed: Bool = false, sameTermOnly: Bool = false) -> MassFn {
    { w, t, termOf0, keys0 in
        let (termOf, keys) = (termOf0, keys0)
        let n = termOf.count
        var mass = 0.0, chance = 0.0, q = 0
        for i in 0..<n {
            guard let a = termOf[i] else { continue }
            var m = 0.0, c = 0
            for k in 0..<n {
                guard let b = termOf[k] else { continue }
                if sameTermOnly { guard b == a, k != i else { continue } } else { guard ownTerm || b != a, keys[b] == keys[a] else { continue } }
                m += Double(transposed ? w[k * t + i] : w[i * t + k]); c += 1
            }
            if c == 0 && !allQueries { continue }
            mass += m; chance += Double(c) / Double(chanceOverT ? t : n); q += 1
        }
        return (mass / Double(max(q, 1)), chance / Double(max(q, 1)))
    }
}
let massMistakes: [(String, MassFn)] = [
    ("counted the query's own term as like", massVariant(ownTerm: true)),
    ("chance over all T positions, padding too", massVariant(chanceOverT: true)),
    ("averaged over every term token, with or without a partner", massVariant(allQueries: true)),
    ("read the weights transposed (w[k, q])", massVariant(transposed: true)),
    ("the query's own term's other tokens instead of like terms", massVariant(sameTermOnly: true)),
]

// MARK: - running the probes

func runMistakes() throws {
    let probes = ["60 + 2x^3 - 6x + x^3 + 17x", "2x^2 + 3x - x", "x + 2x + 3x + 4x + y", "-4553l^2 - 11.7j + 10j - 8.3g - -5184m",
                  "3x^12 + 4x^1 - 2x^12", "3x + -2x + y"]
    var rng = RNG(seed: 7)
    var seen = Set<String>()
    let generated = ExpressionGenerator().dataset(2000, exclude: &seen, &rng).map(\.text)
    print("== 9.1 terms(of:) — probes: " + probes.map { "\"\($0)\"" }.joined(separator: ", "))
    for (name, f) in [("split at every '+' and '-'", termsSplitEveryMinus), ("power not read", termsNoPower),
                      ("one digit of power", termsOneDigitPower), ("sign left out of the term", termsNoSign)] as [(String, (String) throws -> [Term])] {
        let differ = try probes.map { try f($0) != terms(of: $0) }
        let gen = try generated.filter { try f($0) != terms(of: $0) }.count
        print("  \(name): differs on probes \(differ.map { $0 ? "✓" : "·" }.joined()), on generated \(gen)/2000")
    }
    print("== 9.2 likeTermCount — reference on probes: \(try probes.map { countReference(try terms(of: $0)) })")
    for (name, f) in countMistakes {
        let got = try probes.map { f(try terms(of: $0)) }
        let ref = try probes.map { countReference(try terms(of: $0)) }
        let gen = try generated.filter { f(try terms(of: $0)) != countReference(try terms(of: $0)) }.count
        print("  \(name): \(got) — differs on \(zip(got, ref).filter { $0 != $1 }.count)/\(probes.count) probes, \(gen)/2000 generated")
    }
    print("== 9.3 character codes — reference on \"-3x^2 + 5.1y\": \(try CharacterTokenizer().encode("-3x^2 + 5.1y").codes)")
    for (name, f) in charMistakes {
        let got = try f("-3x^2 + 5.1y")
        let bad = (try? f("2X + y")).map { "accepted \"2X + y\" as \($0)" } ?? "threw on \"2X + y\""
        print("  \(name): \(got) — \(got == (try CharacterTokenizer().encode("-3x^2 + 5.1y").codes) ? "SAME" : "differs"); \(bad)")
    }
    print("  reference on \"2X + y\": \((try? CharacterTokenizer().encode("2X + y")) == nil ? "throws" : "accepts")")
    print("== 9.4 term codes — reference: " + (try probes.prefix(4).map { "\(try termCodeRef($0))" }.joined(separator: " ")))
    for (name, f) in termMistakes {
        let differ = probes.prefix(4).map { p in (try? f(p)) != (try? termCodeRef(p)) }
        let gen = generated.filter { (try? f($0)) != (try? termCodeRef($0)) }.count
        print("  \(name): differs on probes \(differ.map { $0 ? "✓" : "·" }.joined()), on generated \(gen)/2000")
    }
    print("== 9.5 pooled classifier forward (random model d 16, 2 heads, 2 layers; batch of 3, two rows padded)")
    var mr = RNG(seed: 3)
    let model = LikeTermClassifier(vocabulary: 42, length: 32, classes: 14, dModel: 16, heads: 2, layers: 2, feedforward: 32, rng: &mr)
    model.eval()
    let tok = CharacterTokenizer()
    let rows = try ["3x + 2x", "-4553l^2 - 11.7j + 10j", "5y"].map { try tok.encode($0).codes }
    let b = try makeBatch(rows, labels: [2, 2, 0])
    let ref = try classifyReference(model, b.codes, b.padding)
    print("  reference equals the model's own forward: max |Δ| \(maxAbs(ref, try model(b.codes, padding: b.padding)))")
    for (name, f) in classifyMistakes {
        let got = try f(model, b.codes, b.padding)
        let perRow = (0..<3).map { r in maxAbsRow(ref, got, r) }
        print("  \(name): max |Δ| per row " + perRow.map { String(format: "%.4f", $0) }.joined(separator: " ") + " (row 1 is the longest, unpadded)")
    }
    print("== 9.6 like-term attention mass (random softmax weights on \"2x^2 + 3x - x + 5x^2 + 7y\" padded to 30)")
    let e = "2x^2 + 3x - x + 5x^2 + 7y"
    let (codes, termOf) = try tok.encode(e)
    let keys = try terms(of: e).map(\.key)
    let t = 30
    var wr = RNG(seed: 11)
    var w = [Float](repeating: 0, count: t * t)
    for q in 0..<t {
        let s = (0..<codes.count).map { _ in exp(2 * wr.normal()) }
        let z = s.reduce(0, +)
        for k in 0..<codes.count { w[q * t + k] = s[k] / z }
    }
    let r = massReference(w, t, termOf, keys)
    print(String(format: "  reference: mass %.4f, chance %.4f", r.0, r.1))
    for (name, f) in massMistakes {
        let m = f(w, t, termOf, keys)
        print(String(format: "  %@: mass %.4f, chance %.4f — %@", name, m.0, m.1, abs(m.0 - r.0) > 1e-4 || abs(m.1 - r.1) > 1e-4 ? "differs" : "SAME"))
    }
    try baselineMistakes(generated)
    let uniform = [Float]((0..<t * t).map { i in i % t < codes.count ? 1 / Float(codes.count) : 0 })
    let u = massReference(uniform, t, termOf, keys)
    print(String(format: "  uniform weights: mass %.4f = chance %.4f", u.0, u.1))
}

func maxAbs(_ a: Tensor, _ b: Tensor) -> Float { zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0 }
func maxAbsRow(_ a: Tensor, _ b: Tensor, _ r: Int) -> Float {
    let c = a.shape[1]
    return (0..<c).map { abs(a.scalars[r * c + $0] - b.scalars[r * c + $0]) }.max() ?? 0
}

// MARK: - 9.7 baselines

func baselineMistakes(_ generated: [String]) throws {
    var rng = RNG(seed: 9)
    var seen = Set<String>()
    let g = ExpressionGenerator()
    let train = g.dataset(5000, exclude: &seen, &rng), test = g.dataset(2000, exclude: &seen, &rng)
    let ref = try baselines(train: train, test: test)
    print("== 9.7 baselines on 5 000 / 2 000 generated — reference: terms \(ref.terms), most frequent \(ref.mostFrequent) (label \(ref.mode)), best given terms \(ref.bestGivenTerms)")
    // mode from the test set
    var tc: [Int: Int] = [:]; for e in test { tc[e.label, default: 0] += 1 }
    let testMode = tc.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
    print("  commonest label of the TEST set: \(testMode) (train's \(ref.mode)) → accuracy \(Double(test.filter { $0.label == testMode }.count) / Double(test.count))")
    // terms as '+'/'-' characters + 1
    let signCount = test.filter { e in e.text.filter { $0 == "+" || $0 == "-" }.count + 1 == e.label }.count
    let wrongCount = try test.filter { e in e.text.filter { $0 == "+" || $0 == "-" }.count + 1 != (try terms(of: e.text).count) }.count
    print("  terms as +/- characters + 1: accuracy \(Double(signCount) / Double(test.count)); the count is wrong on \(wrongCount)/\(test.count) expressions")
}
