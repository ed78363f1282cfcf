import Autograd

// Lesson 9 prototype: two ways to turn an expression into tokens.
//
//   by character:  "3x^2 - 7x" → 3 x ^ 2 ␠ - ␠ 7 x          (10 tokens; the model must find the terms)
//   by term:       "3x^2 - 7x" → [x^2] [x]                  (2 tokens; one per term, its like-key)
//
// Code 0 is padding in both. Each tokeniser also says, for every token, which term it belongs
// to (nil for the spaces and the operators between terms): the attention measure needs it.

protocol Tokenizer {
    var vocabulary: Int { get }
    var name: String { get }
    /// Codes (no padding) and, per code, the index of its term (nil: not part of a term).
    func encode(_ expression: String) throws -> (codes: [Int], termOf: [Int?])
}

struct CharacterTokenizer: Tokenizer {
    /// Padding, then every character the expressions use.
    static let alphabet = Array(" +-.^0123456789abcdefghijklmnopqrstuvwxyz")
    var vocabulary: Int { Self.alphabet.count + 1 }
    var name: String { "char" }
    func encode(_ expression: String) throws -> (codes: [Int], termOf: [Int?]) {
        let chars = Array(expression)
        var codes: [Int] = []
        for c in chars {
            guard let i = Self.alphabet.firstIndex(of: c) else { throw ExpressionError.malformed("'\(c)' in \(expression)") }
            codes.append(i + 1)
        }
        var termOf = [Int?](repeating: nil, count: chars.count)
        for (k, t) in try terms(of: expression).enumerated() { for p in t.start..<t.end { termOf[p] = k } }
        return (codes, termOf)
    }
}

/// One token per term: its variable and power (the coefficient and sign are dropped: they do
/// not decide whether two terms are like). Code 1 + 4·letter + (power − 1, or 0 for none),
/// letters a...z, powers none, 2, 3, 4; a constant is code 105.
struct TermTokenizer: Tokenizer {
    var vocabulary: Int { 1 + 26 * 4 + 1 }
    var name: String { "term" }
    static func code(_ t: Term) -> Int {
        guard let v = t.variable, let a = v.asciiValue else { return 105 }
        let p = t.power.map { Swift.min(Swift.max($0, 2), 4) - 1 } ?? 0
        return 1 + 4 * Int(a - 97) + p
    }
    func encode(_ expression: String) throws -> (codes: [Int], termOf: [Int?]) {
        let ts = try terms(of: expression)
        return (ts.map(Self.code), ts.indices.map { $0 })
    }
}

/// A batch: codes [B, T] padded with 0 to the longest, padding mask [B, T] (1 = padding),
/// labels [B].
struct Batch {
    var codes: Tensor
    var padding: Tensor
    var labels: Tensor
}

func makeBatch(_ encoded: [[Int]], labels: [Int]) throws -> Batch {
    let t = encoded.map(\.count).max() ?? 1
    var codes = [Float](), pad = [Float]()
    for row in encoded {
        codes += row.map(Float.init) + [Float](repeating: 0, count: t - row.count)
        pad += [Float](repeating: 0, count: row.count) + [Float](repeating: 1, count: t - row.count)
    }
    return Batch(codes: try Tensor(codes, shape: [encoded.count, t]), padding: try Tensor(pad, shape: [encoded.count, t]),
                 labels: Tensor(labels.map(Float.init)))
}
