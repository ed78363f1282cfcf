import Autograd

// Lesson 9 prototype: a number for "like terms attend to each other".
//
// For one head's weights w [T, T] (row q: how query q spreads its attention over the keys,
// summing to 1 over the real keys), and for every token the term it belongs to:
//
//   like keys of q  = tokens of OTHER terms whose key (variable, power) equals q's term's
//   mass(q)         = Σ over the like keys k of w[q, k]
//   chance(q)       = (number of like keys) / (number of real tokens)    — uniform attention's mass
//
// averaged over the queries that have like keys (tokens of terms with a like partner). A head
// that ignores likeness gives mass ≈ chance (lift 1); one that looks for like terms, lift ≫ 1.

struct LikeMass {
    var mass: Double
    var chance: Double
    var queries: Int
    var lift: Double { chance > 0 ? mass / chance : .nan }
}

/// w: [T, T] weights of one head for one expression (T may include padding at the end);
/// termOf: per real token, its term index or nil; termKeys: the like-key of each term.
func likeMass(weights w: [Float], length t: Int, termOf: [Int?], termKeys: [String]) -> LikeMass {
    let n = termOf.count          // real tokens
    var mass = 0.0, chance = 0.0, queries = 0
    for q in 0..<n {
        guard let a = termOf[q] else { continue }
        var m = 0.0, c = 0
        for k in 0..<n {
            guard let b = termOf[k], b != a, termKeys[b] == termKeys[a] else { continue }
            m += Double(w[q * t + k]); c += 1
        }
        guard c > 0 else { continue }
        mass += m; chance += Double(c) / Double(n); queries += 1
    }
    return LikeMass(mass: queries > 0 ? mass / Double(queries) : 0, chance: queries > 0 ? chance / Double(queries) : 0, queries: queries)
}

/// The measure per layer and head, pooled over `expressions` (each expression's queries count
/// once each): [layer][head].
/// lettersOnly: with characters, only the variable letters count as the terms' tokens (the
/// digits, '^' and signs are left out, as queries and as keys).
func likeMassTable(model: LikeTermClassifier, tokenizer: Tokenizer, expressions: [String], lettersOnly: Bool = false) throws -> [[LikeMass]] {
    var sums: [[(Double, Double, Int)]] = []
    for e in expressions {
        var (codes, termOf) = try tokenizer.encode(e)
        if lettersOnly && tokenizer is CharacterTokenizer {
            let chars = Array(e)
            termOf = termOf.enumerated().map { p, t in chars[p].isLetter ? t : nil }
        }
        let keys = try terms(of: e).map(\.key)
        let batch = try makeBatch([codes], labels: [0])
        let (_, ws) = try noGrad { try model.forward(batch.codes, padding: batch.padding, weights: true) }
        if sums.isEmpty { sums = ws.map { Array(repeating: (0, 0, 0), count: $0.shape[1]) } }
        let t = codes.count
        for (l, w) in ws.enumerated() {
            let s = w.scalars
            for h in 0..<w.shape[1] {
                let head = Array(s[(h * t * t)..<((h + 1) * t * t)])
                let m = likeMass(weights: head, length: t, termOf: termOf, termKeys: keys)
                sums[l][h].0 += m.mass * Double(m.queries)
                sums[l][h].1 += m.chance * Double(m.queries)
                sums[l][h].2 += m.queries
            }
        }
    }
    return sums.map { $0.map { LikeMass(mass: $0.0 / Double(max($0.2, 1)), chance: $0.1 / Double(max($0.2, 1)), queries: $0.2) } }
}
