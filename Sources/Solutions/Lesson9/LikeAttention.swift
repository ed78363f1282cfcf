import Autograd

// Lesson 9, exercise 9.6: does a head look at like terms?
//
// The notebook asks whether its attention heads show that it learned about like terms, and
// never answers. One number per head answers it: for every token whose term HAS a like
// partner, how much of its attention goes to the tokens of its like partners — other terms
// with the same key — averaged over those tokens. Against it, the same number for a head
// that spreads its attention evenly over the real tokens: chance.
//
//     "3x + 2y^2 - 5x"   by term: tokens x y^2 x     termOf [0, 1, 2], keys [x, y^2, x]
//     query 0 (x): like partners' tokens {2} → mass = w[0, 2];  chance = 1/3
//     query 2 (x): {0}                       → mass = w[2, 0];  chance = 1/3
//     query 1 (y^2) has no partner: left out of both means.
//
// With characters, a token that is a space or an operator belongs to no term (termOf nil);
// a term's characters all count as its tokens. Weights beyond termOf.count are padding.

/// For one head's weights [T, T] (row q: query q's weights over the keys) and an expression
/// whose real token t belongs to term termOf[t] (nil: to none; termOf.count ≤ T, the rest is
/// padding), with termKeys[i] the key of term i: the mean, over the real tokens whose term
/// shares its key with another term, of the weight on the tokens of those OTHER terms; and
/// the same mean for uniform weights over the real tokens (chance). (0, 0) when no term has a
/// like partner.
public func likeTermMass(weights: Tensor, termOf: [Int?], termKeys: [String]) throws -> (mass: Float, chance: Float) {
    // TODO(9.6): for each real token q whose term i has a like partner, add up w[q, s] over the real tokens s of terms j ≠ i with termKeys[j] == termKeys[i], and count those s for chance (count / real tokens); average both over such q.
    // BEGIN SOLUTION
    let width = weights.shape[1]
    let w = weights.scalars
    let real = termOf.count
    var mass: Float = 0, chance: Float = 0, queries = 0
    for q in 0..<real {
        guard let i = termOf[q] else { continue }
        let partners = (0..<real).filter { s in
            guard let j = termOf[s] else { return false }
            return j != i && termKeys[j] == termKeys[i]
        }
        guard !partners.isEmpty else { continue }
        queries += 1
        mass += partners.reduce(0) { $0 + w[q * width + $1] }
        chance += Float(partners.count) / Float(real)
    }
    guard queries > 0 else { return (0, 0) }
    return (mass / Float(queries), chance / Float(queries))
    // END SOLUTION
}
