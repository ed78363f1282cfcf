import Autograd

// Lesson 5, exercise 5.9: from words to characters — any text becomes codes.
//
// Part A's text has thirty words and a grammar we wrote ourselves. A real text has tens
// of thousands of words, and new ones keep coming. Read it one CHARACTER at a time
// instead: a few dozen to a few hundred symbols cover any text, nothing is ever unknown,
// and the model must learn the words themselves — spelling first, then grammar.
//
// A character, here, is what Swift calls one: what a reader sees as one symbol. "é" is
// one, whether the file stores it as one code point (U+00E9) or as "e" followed by a
// combining accent (U+0301); "👍🏽" is one; so is the line break "\r\n". Counting UTF-8
// bytes instead would cut "é" into two meaningless halves, and a model sampling bytes can
// write half a character.
//
//     text        "café au lait"
//     vocabulary  [" ", "a", "c", "e", "f", "i", "l", "t", "u", "é"]     (sorted)
//     codes       [2, 1, 4, 9, 0, 1, 8, 0, 6, 1, 5, 7]

/// The distinct characters of `text`, sorted (Swift's order of Characters), and the code
/// of every character of the text: its index in that vocabulary. Reading the codes back
/// through the vocabulary gives the text again. An empty text has an empty vocabulary.
public func characterCodes(_ text: String) throws -> (vocabulary: [Character], codes: [Int]) {
    // TODO(5.9): the vocabulary is Set(text).sorted(); a dictionary from each character to its index gives the codes, one per character of text.
    // BEGIN SOLUTION
    let vocabulary = Set(text).sorted()
    let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
    return (vocabulary, text.map { index[$0]! })
    // END SOLUTION
}
