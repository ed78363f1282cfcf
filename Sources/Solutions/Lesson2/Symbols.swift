import Autograd

// Lesson 2, exercises 2.1 and 2.2: from symbols to numbers a network can read.
//
// A network multiplies numbers, so every symbol needs two numeric faces: an integer
// code (0, 1, 2, … — what the loss compares predictions with) and a one-hot vector
// (what the network reads). The alphabet is the list that connects them: code k means
// alphabet[k], and the one-hot vector of code k has its single 1 at position k.

/// The sorted alphabet of `sequences`, and every sequence as integer codes into it
/// (NumPy's `np.unique(…, return_inverse=True)`, with the shape kept).
/// sequences: N strings of one length T. A symbol is one Swift `Character` — what `count`
/// counts: capitals and lower case are different symbols, a space or a comma is one, and
/// "é" or "👍🏽" is one however many bytes it takes. Returns the alphabet (sorted as Swift
/// sorts Characters, each symbol once) and codes `[N, T]` with codes[n][t] = the index of
/// sequences[n][t] in the alphabet.
///
///     integerCodes(["cab", "bca"])  →  (["a", "b", "c"], [[2, 0, 1], [1, 2, 0]])
public func integerCodes(_ sequences: [String]) throws -> (alphabet: [Character], codes: Tensor) {
    // TODO(2.1): collect the distinct symbols and sort them; map each symbol to its index (a dictionary); build the [N, T] codes with Tensor(indices:).
    // BEGIN SOLUTION
    let alphabet = Set(sequences.joined()).sorted()
    let code = Dictionary(uniqueKeysWithValues: alphabet.enumerated().map { ($1, $0) })
    let rows = sequences.map { $0.map { code[$0]! } }
    return (alphabet, try Tensor(indices: rows))
    // END SOLUTION
}

/// The strings that integer codes stand for: the inverse of `integerCodes`
/// (NumPy's fancy indexing `alphabet[codes]`). codes: `[N, T]`.
public func decodeSymbols(_ codes: Tensor, alphabet: [Character]) -> [String] {
    let width = codes.shape.last ?? 0
    let all = codes.indices.map { alphabet.indices.contains($0) ? alphabet[$0] : "?" }
    return stride(from: 0, to: all.count, by: Swift.max(width, 1)).map { String(all[$0..<($0 + width)]) }
}

/// One-hot vectors of integer codes, made by broadcasting a comparison.
/// codes: any shape S (say `[N, T]`) of integers in 0..<alphabetSize.
/// Returns `S + [alphabetSize]`: out[n, t, k] = 1 if codes[n, t] == k, else 0.
///
/// Broadcasting aligns shapes on the right and stretches axes of size 1:
///
///     codes with a new last axis  [N, T, 1]
///     0, 1, …, A−1                      [A]
///     compared with eq            [N, T, A]
public func oneHotEncode(_ codes: Tensor, alphabetSize: Int) throws -> Tensor {
    // TODO(2.2): give the codes a new last axis of size 1 (unsqueeze), and compare them with eq against Tensor.arange(alphabetSize).
    // BEGIN SOLUTION
    return try codes.unsqueeze(-1).eq(Tensor.arange(alphabetSize))
    // END SOLUTION
}
