import Autograd

// Lesson 9, exercise 9.1: the terms of an expression.
//
// An expression is terms joined by " + " and " - ". A term is an optional '-' (a negative
// coefficient: "- -5184m" subtracts −5184m), digits and '.', then at most one letter, then
// optionally '^' and the digits of a power:
//
//     "-4553l^2 - 11.7j + 10j"
//      └──────┘   └───┘   └─┘        three terms: spans [0, 8), [11, 16), [19, 22)
//      -4553 l ^2   11.7 j  10 j     (coefficient, variable, power)
//
// The operators between terms are not part of any term; a '-' right before a digit, where a
// term should start, is. Powers can have several digits: x^12 is x to the twelfth.

/// The terms of `expression`, left to right: each one's text, variable (nil for a constant),
/// power (nil without '^') and span [start, end) in characters. Throws `ExpressionError`
/// when the text is not terms joined by " + " and " - ".
public func terms(of expression: String) throws -> [Term] {
    // TODO(9.1): walk the characters; where a term may start, take an optional '-', digits and '.', an optional letter, then '^' and ALL the digits after it; between terms, skip the spaces and one '+' or '-'.
    // BEGIN SOLUTION
    let chars = Array(expression)
    var found: [Term] = []
    var i = 0
    var wantTerm = true
    while i < chars.count {
        if chars[i] == " " {
            i += 1
            continue
        }
        guard wantTerm else {
            guard chars[i] == "+" || chars[i] == "-" else { throw ExpressionError("'\(chars[i])' at \(i) of \(expression): expected + or -") }
            i += 1
            wantTerm = true
            continue
        }
        let start = i
        if chars[i] == "-" { i += 1 }
        while i < chars.count, chars[i].isNumber || chars[i] == "." { i += 1 }
        var variable: Character? = nil
        if i < chars.count, chars[i].isLetter {
            variable = chars[i]
            i += 1
        }
        var power: Int? = nil
        if i < chars.count, chars[i] == "^" {
            let digits = i + 1
            i = digits
            while i < chars.count, chars[i].isNumber { i += 1 }
            guard let p = Int(String(chars[digits..<i])) else { throw ExpressionError("no power after '^' at \(digits - 1) of \(expression)") }
            power = p
        }
        guard i > start, i - start > (chars[start] == "-" ? 1 : 0) else { throw ExpressionError("no term at \(start) of \(expression)") }
        found.append(Term(text: String(chars[start..<i]), variable: variable, power: power, start: start, end: i))
        wantTerm = false
    }
    return found
    // END SOLUTION
}
