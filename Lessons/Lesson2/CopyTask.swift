import Autograd

// Lesson 2, exercise 2.7: the data set of the copy and reverse tasks.
//
// The network reads one-hot sequences and must write codes: the same codes (copy), or
// the same codes last first (reverse). Only the targets change between the two tasks.

/// `count` random strings of `length` symbols drawn uniformly from `alphabet`.
public func randomSequences(count: Int, length: Int, alphabet: [Character], rng: inout RNG) -> [String] {
    (0..<count).map { _ in String((0..<length).map { _ in alphabet[rng.int(below: alphabet.count)] }) }
}

/// The inputs and targets of the copy task, or of the reverse task when `reverse`.
/// codes: `[N, T]` integer codes in 0..<alphabetSize. Returns inputs `[N, T, alphabetSize]`
/// (one-hot) and targets `[N, T]` codes: targets[n, t] = codes[n, t] for copy, and
/// codes[n, T − 1 − t] for reverse.
public func copyTaskData(codes: Tensor, alphabetSize: Int, reverse: Bool) throws -> (inputs: Tensor, targets: Tensor) {
    // TODO(2.7): inputs = the one-hot codes (your oneHotEncode, or the core's oneHot); targets = the codes, or — when reverse — the codes with the time axis read backwards (indexSelect).
    throw TODO("2.7")
}
