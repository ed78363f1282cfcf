import Autograd

// Lesson 6: what the exercises share. Nothing to write in this file.
//
// A Markov model of order N predicts the next character from the N characters before it,
// and from nothing else. Everything it knows is a table: for every CONTEXT of N codes seen
// in the training text, how often each code followed it.
//
//     text "abcab", codes a=0 b=1 c=2: [0, 1, 2, 0, 1]
//     order 0:  []     → {0: 2, 1: 2, 2: 1}      (every code follows the empty context)
//     order 1:  [0]    → {1: 2}                  ("a" was followed by "b" twice)
//               [1]    → {2: 1}                  ("b" by "c" once; the last "b" by nothing)
//               [2]    → {0: 1}
//     order 2:  [0, 1] → {2: 1}
//               [1, 2] → {0: 1}
//               [2, 0] → {1: 1}

/// The counts of one order N: each context seen in the text (its N codes, oldest first) →
/// each code that followed it → how often. Order 0 has the one context [] (when the text is
/// not empty). A model of order N is the tables of orders 0, 1, …, N: `[Counts]`, where
/// tables[k] has order k.
public typealias Counts = [[Int]: [Int: Int]]

/// What `heldOutBits` throws when a model gives a held-out character a probability that is
/// not in (0, 1]: 0 would cost infinitely many bits, and anything above 1, below 0 or NaN
/// is not a probability at all.
public struct ProbabilityError: Error, CustomStringConvertible, Equatable {
    /// The index of the character in the codes, and the order of the model that scored it.
    public let target: Int, order: Int
    public let probability: Double

    public init(target: Int, order: Int, probability: Double) {
        self.target = target
        self.order = order
        self.probability = probability
    }

    public var description: String {
        "the model of order \(order) gives character \(target) probability \(probability): every held-out character needs a probability in (0, 1] — smooth the counts"
    }
}

/// What lesson 5's exercise 5.9 computes, given here: the distinct characters of `text`,
/// sorted, and the code of every character (its index in that vocabulary).
public func characterCodes(_ text: String) -> (vocabulary: [Character], codes: [Int]) {
    var distinct = Set<Character>()
    for character in text { distinct.insert(character) }
    let vocabulary = distinct.sorted()
    var code: [Character: Int] = [:]
    for (i, character) in vocabulary.enumerated() { code[character] = i }
    return (vocabulary, text.map { code[$0]! })
}
