import Autograd
import Foundation

// Lesson 9's data (given, not an exercise): the notebook's like-term problems.
//
// The notebook ("Like Terms Reformer", mathy) reads files that mathy's dataset script wrote
// with `gen_simplify_multiple_terms`. This is that generator, written again: the same
// distributions, not the same random draws.
//
//     "-4553l^2 - 11.7j + 10j - 8.3g - -5184m"      label 2 (the two j terms)
//
// 2 to 8 "like slots" filled in turn from 1 or 2 letters (each letter with one power, ^2..^4,
// a third of the time); with probability ½, 1 to 5 noise terms of other letters; shuffled two
// times in three; coefficients as mathy draws them (integers up to ±10 000, 1..12, one-decimal
// numbers). Every term has a variable: there are no constants in this data.

/// One term of an expression: its text (a negative coefficient's '-' included), its variable
/// and its power (nil when there is no "^"), and its characters' span [start, end) in the text.
public struct Term: Equatable, Sendable {
    public var text: String
    public var variable: Character?
    public var power: Int?
    /// Offset of the term's first character in the expression.
    public var start: Int
    /// One past the offset of its last character.
    public var end: Int

    public init(text: String, variable: Character?, power: Int?, start: Int, end: Int) {
        (self.text, self.variable, self.power, self.start, self.end) = (text, variable, power, start, end)
    }

    /// What makes two terms like: "x^3", "x" (x^1 too), or "" for a constant.
    public var key: String {
        var k = ""
        if let v = variable { k.append(v) }
        if let p = power, p != 1 { k += "^" + String(p) }
        return k
    }
}

/// An expression (or a character) the lesson's functions cannot read.
public struct ExpressionError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// mathy's generator of "simplify multiple terms" problems, with the notebook's settings.
public struct LikeTermGenerator: Sendable {
    /// mathy's variables: the alphabet without 'e' and 'i'.
    public static let letters = Array("abcdfghjklmnopqrstuvwxyz")
    /// Coefficients 1...12 only (mathy's "pretty" numbers); false: the notebook's data.
    public var pretty = false
    /// How many like slots, uniform in this range (the notebook's data: 2...8).
    public var likeSlots: ClosedRange<Int> = 2...8
    public var noiseProbability = 0.5
    public var noiseTerms: ClosedRange<Int> = 1...5
    public var powerProbability = 0.33
    public var shuffleProbability = 0.66
    /// Texts of this many characters or more are drawn again.
    public var maxLength = 128

    public init() {}

    func chance(_ p: Double, _ rng: inout RNG) -> Bool { rng.int(below: 100) < Int(p * 100) }

    func power(_ rng: inout RNG) -> String { chance(powerProbability, &rng) ? "^" + String(2 + rng.int(below: 3)) : "" }

    func distinctLetters(_ n: Int, avoiding: Set<Character>, _ rng: inout RNG) -> [Character] {
        var chosen: [Character] = []
        while chosen.count < n {
            let v = Self.letters[rng.int(below: Self.letters.count)]
            if !avoiding.contains(v), !chosen.contains(v) { chosen.append(v) }
        }
        return chosen.shuffled(using: &rng)
    }

    /// mathy's `rand_number`.
    func coefficient(_ rng: inout RNG) -> String {
        if pretty { return String(1 + rng.int(below: 12)) }
        if chance(0.66, &rng) { return chance(0.5, &rng) ? String(rng.int(below: 20_001) - 10_000) : String(1 + rng.int(below: 12)) }
        let u = Double(rng.uniform())
        let x = chance(0.1, &rng) ? u * 10_000 : chance(0.1, &rng) ? u * -10_000 : u * 12
        return String(format: "%.1f", x)
    }

    /// One problem with `slots` like slots.
    public func problem(slots: Int, rng: inout RNG) -> String {
        let groups = slots == 2 ? 1 : Swift.max(2, Int(Double(slots) * 0.3))
        let like = distinctLetters(groups, avoiding: [], &rng)
        let kinds = like.map { String($0) + power(&rng) }
        var parts = (0..<slots).map { kinds[$0 % kinds.count] }
        let noise = noiseTerms.lowerBound + rng.int(below: noiseTerms.count)
        if chance(noiseProbability, &rng) {
            var others = distinctLetters(noise, avoiding: Set(like), &rng)
            let a = Int(Double(rng.uniform()) * Double(noise))
            for _ in 0..<Swift.max(a, noise - a) { parts.insert(String(others.removeLast()) + power(&rng), at: 0) }
            for _ in 0..<Swift.min(a, noise - a) { parts.append(String(others.removeLast()) + power(&rng)) }
        }
        if chance(shuffleProbability, &rng) { parts.shuffle(using: &rng) }
        var text = coefficient(&rng) + parts[0]
        for p in parts.dropFirst() { text += (rng.int(below: 2) == 0 ? " + " : " - ") + coefficient(&rng) + p }
        return text
    }

    /// `count` different problems, none in `exclude` (which then holds them too), each
    /// shorter than `maxLength` characters.
    public func problems(count: Int, exclude: inout Set<String>, rng: inout RNG) -> [String] {
        var out: [String] = []
        while out.count < count {
            let text = problem(slots: likeSlots.lowerBound + rng.int(below: likeSlots.count), rng: &rng)
            if text.count >= maxLength || exclude.contains(text) { continue }
            exclude.insert(text)
            out.append(text)
        }
        return out
    }
}
