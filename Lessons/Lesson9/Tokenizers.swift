import Autograd

// Lesson 9, exercises 9.3 and 9.4: two ways to turn an expression into tokens.
//
//     by character:  "3x^2 - 7x" → 3 x ^ 2 ␠ - ␠ 7 x     10 tokens: the model must find the terms
//     by term:       "3x^2 - 7x" → [x^2] [x]             2 tokens, one per term: its key
//
// Code 0 is padding in both, so that a batch can fill its short rows with 0.

/// The characters the expressions use, in code order: a character's code is 1 + its index.
public let characterAlphabet = Array(" +-.^0123456789abcdefghijklmnopqrstuvwxyz")
/// How many character codes there are, padding included.
public let characterVocabulary = characterAlphabet.count + 1
/// How many term codes there are, padding included: 0, 26 letters × 4 powers, constants.
public let termVocabulary = 106

/// One code per character of `expression`: 1 + its index in `characterAlphabet` (0 is
/// padding). Throws `ExpressionError` for a character outside the alphabet.
public func characterCodes(_ expression: String) throws -> [Int] {
    // TODO(9.3): for each character, its index in characterAlphabet plus 1; a character that is not there throws.
    throw TODO("9.3")
}

/// One code per term: 1 + 4·(letter − 'a') + (power − 1), where no power counts as power 1;
/// a constant (no variable) is 105. Throws `ExpressionError` for a variable that is not a
/// lowercase letter a…z or a power outside 1...4.
///
///     x → 93, x^2 → 94, x^4 → 96, a → 1, 60 → 105
public func termCodes(_ terms: [Term]) throws -> [Int] {
    // TODO(9.4): letter a…z at 0…25 (its ASCII value − 97), power 1…4 at 0…3; 1 + 4·letter + power index; constants 105; throw otherwise.
    throw TODO("9.4")
}
