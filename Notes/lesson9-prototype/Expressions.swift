import Foundation
import Autograd

// Lesson 9 prototype: the expressions and their labels.
//
// The notebook (000, "Like Terms Reformer") reads its data from files written by mathy's
// dataset script (`generate_newline_q_a` + `gen_simplify_multiple_terms`, non-"pretty"
// numbers, max length 128, 200 000 training and 1 000 held-out problems, no text twice).
// This is that generator, written fresh: the same distributions, not the same random draws.
//
//     "-4553l^2 - 11.7j + 10j - 8.3g - -5184m"      label 2 (the two j terms)
//
// The label is mathy's `count_like_terms`: the number of TERMS that have at least one like
// partner (same variable, same power), i.e. the sizes of the groups of two or more, added.
// "60 + 2x^3 - 6x + x^3 + 17x" → 4 (2x^3, x^3, -6x, 17x), not 3 groups.

/// One term of an expression: its text (with a leading '-' of a negative coefficient), its
/// variable and power (nil = no "^"), and where it sits in the text (character offsets).
struct Term: Equatable {
    var text: String
    var variable: Character?
    var power: Int?
    var start: Int       // offset of its first character in the expression
    var end: Int         // one past its last character
    /// What makes terms like: "x^3", "x", or "" for a constant.
    var key: String { (variable.map { String($0) } ?? "") + (power.map { "^\($0)" } ?? "") }
}

enum ExpressionError: Error, CustomStringConvertible {
    case malformed(String)
    var description: String { if case .malformed(let s) = self { return "malformed expression: \(s)" }; return "" }
}

/// Splits an expression "t0 op t1 op t2 ..." (single spaces around '+' and '-') into its terms.
func terms(of expression: String) throws -> [Term] {
    let chars = Array(expression)
    var result: [Term] = []
    var i = 0
    var expectTerm = true
    while i < chars.count {
        if chars[i] == " " { i += 1; continue }
        if expectTerm {
            let start = i
            var j = i
            if chars[j] == "-" { j += 1 }
            while j < chars.count, chars[j].isNumber || chars[j] == "." { j += 1 }
            var variable: Character? = nil
            var power: Int? = nil
            if j < chars.count, chars[j].isLetter { variable = chars[j]; j += 1 }
            if j < chars.count, chars[j] == "^" {
                j += 1
                let ps = j
                while j < chars.count, chars[j].isNumber { j += 1 }
                guard let p = Int(String(chars[ps..<j])) else { throw ExpressionError.malformed(expression) }
                power = p
            }
            guard j > start else { throw ExpressionError.malformed(expression) }
            result.append(Term(text: String(chars[start..<j]), variable: variable, power: power, start: start, end: j))
            i = j
            expectTerm = false
        } else {
            guard chars[i] == "+" || chars[i] == "-" else { throw ExpressionError.malformed(expression) }
            i += 1
            expectTerm = true
        }
    }
    return result
}

/// The notebook's label: how many terms have a like partner (same variable and power).
func likeTermCount(_ expression: String) throws -> Int {
    let ts = try terms(of: expression)
    var groups: [String: Int] = [:]
    for t in ts { groups[t.key, default: 0] += 1 }
    return groups.values.filter { $0 >= 2 }.reduce(0, +)
}

/// mathy's generator of "simplify multiple terms" problems, as the notebook's dataset used it.
struct ExpressionGenerator {
    /// mathy's variables: the alphabet without 'e' and 'i'.
    static let variables = Array("abcdfghjklmnopqrstuvwxyz")
    /// Coefficients 1...12 only (mathy's "pretty numbers"); false: the notebook's data, with
    /// integers up to ±10000 and one-decimal floats.
    var pretty = false
    /// The number of like-term slots, uniform in this range (the notebook's train and eval: 2...8;
    /// its unused "generalization" file: 4...12).
    var likeTerms: ClosedRange<Int> = 2...8
    var noiseProbability = 0.5
    var noiseTerms: ClosedRange<Int> = 1...5
    var powersProbability = 0.33
    var shuffleProbability = 0.66
    /// Texts of this many characters or more are drawn again.
    var maxLength = 128

    func percent(_ p: Double, _ rng: inout RNG) -> Bool { rng.int(below: 100) < Int(p * 100) }

    func maybePower(_ rng: inout RNG) -> String {
        percent(powersProbability, &rng) ? "^\(2 + rng.int(below: 3))" : ""
    }

    func randomVariables(_ n: Int, excluding: Set<Character>, _ rng: inout RNG) -> [Character] {
        var chosen: [Character] = []
        while chosen.count < n {
            let v = Self.variables[rng.int(below: Self.variables.count)]
            if !excluding.contains(v) && !chosen.contains(v) { chosen.append(v) }
        }
        return chosen.shuffled(using: &rng)
    }

    /// mathy's `rand_number`.
    func number(_ rng: inout RNG) -> String {
        if pretty { return "\(1 + rng.int(below: 12))" }
        if percent(0.66, &rng) {
            return percent(0.5, &rng) ? "\(rng.int(below: 20_001) - 10_000)" : "\(1 + rng.int(below: 12))"
        }
        let u = Double(rng.uniform())
        let x = percent(0.1, &rng) ? u * 10_000 : percent(0.1, &rng) ? u * -10_000 : u * 12
        return String(format: "%.1f", x)
    }

    /// One problem with `count` like-term slots (mathy's `gen_simplify_multiple_terms`).
    func problem(likeSlots count: Int, _ rng: inout RNG) -> String {
        let groups = count == 2 ? 1 : Swift.max(2, Int(Double(count) * 0.3))
        let likeVars = randomVariables(groups, excluding: [], &rng)
        var templates = likeVars.map { String($0) + maybePower(&rng) }
        templates = (0..<count).map { templates[$0 % templates.count] }
        let noise = noiseTerms.lowerBound + rng.int(below: noiseTerms.count)
        if percent(noiseProbability, &rng) {
            var noiseVars = randomVariables(noise, excluding: Set(likeVars), &rng)
            let a = Int(Double(rng.uniform()) * Double(noise))
            let (right, left) = (Swift.min(a, noise - a), Swift.max(a, noise - a))
            for _ in 0..<left { templates.insert(String(noiseVars.removeLast()) + maybePower(&rng), at: 0) }
            for _ in 0..<right { templates.append(String(noiseVars.removeLast()) + maybePower(&rng)) }
        }
        if percent(shuffleProbability, &rng) { templates.shuffle(using: &rng) }
        var text = number(&rng) + templates[0]
        for t in templates.dropFirst() {
            text += " \(rng.int(below: 2) == 0 ? "+" : "-") " + number(&rng) + t
        }
        return text
    }

    /// `count` distinct problems (none in `exclude`, each shorter than `maxLength`), with labels.
    func dataset(_ count: Int, exclude: inout Set<String>, _ rng: inout RNG) -> [(text: String, label: Int)] {
        var out: [(String, Int)] = []
        while out.count < count {
            let slots = likeTerms.lowerBound + rng.int(below: likeTerms.count)
            let text = problem(likeSlots: slots, &rng)
            if text.count >= maxLength || exclude.contains(text) { continue }
            exclude.insert(text)
            out.append((text, try! likeTermCount(text)))
        }
        return out
    }
}
