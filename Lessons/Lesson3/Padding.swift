import Autograd

// Lesson 3, exercises 3.1 and 3.2: sequences of different lengths in one tensor.
//
// A batch is a rectangle, [N, T], but the sequences are not: "cab" has 3 symbols and
// "abcabcab" has 8. We make them fit by reserving one code, 0, for a symbol that means
// "the sequence is over" — the stop symbol — and by writing it after every sequence
// until the row is full. The real symbols get the codes 1, 2, 3, … so nothing collides
// with the stop. A mask (1 on real symbols, 0 on padding) remembers which is which.
//
//     "cab"      c a b ⏹ ⏹ ⏹        codes  3 1 2 0 0 0      mask  1 1 1 0 0 0
//     "abcab"    a b c a b ⏹               1 2 3 1 2 0            1 1 1 1 1 0
//     "b"        b ⏹ ⏹ ⏹ ⏹ ⏹               2 0 0 0 0 0            1 0 0 0 0 0

/// `count` random strings over `alphabet`, each of a length drawn uniformly from
/// `lengths` (the notebook: alphabet "abc", lengths 3...14).
public func randomSequences(count: Int, lengths: ClosedRange<Int>, alphabet: [Character], rng: inout RNG) -> [String] {
    (0..<count).map { _ in
        let n = lengths.lowerBound + rng.int(below: lengths.count)
        return String((0..<n).map { _ in alphabet[rng.int(below: alphabet.count)] })
    }
}

/// Strings of different lengths as one padded tensor of codes, with the stop symbol 0.
/// sequences: N strings (lengths n_1 … n_N, each ≥ 1). Returns
///
/// - alphabet: the distinct symbols, sorted; symbol alphabet[k] has the code k + 1;
/// - codes `[N, T]` with T = max n_i + 1 (so every row ends with at least one stop):
///   codes[i, t] = the code of sequences[i][t] for t < n_i, and 0 (stop) for t ≥ n_i;
/// - lengths: n_1 … n_N.
///
///     padWithStops(["cab", "b"])  →  (["a", "b", "c"], [[3, 1, 2, 0], [2, 0, 0, 0]], [3, 1])
public func padWithStops(_ sequences: [String]) throws -> (alphabet: [Character], codes: Tensor, lengths: [Int]) {
    // TODO(3.1): sort the distinct symbols; code = index + 1 (0 is the stop); pad each row with 0 to the longest length + 1 (padSequences, or by hand).
    throw TODO("3.1")
}

/// The mask of the real positions, by broadcasting a comparison.
/// lengths: N lengths; steps: T. Returns `[N, T]` with mask[i, t] = 1 if t < lengths[i]
/// (a real symbol), else 0 (a stop or padding):
///
///     lengths as a column   [N, 1]        3            1 1 1 0 0 0
///     0, 1, …, T − 1           [T]    >   0 1 2 3 4 5   →
///     compared              [N, T]
///
/// (The core's `lengthMask(lengths:maxLength:)` computes the same: use it after this.)
public func realMask(lengths: [Int], steps: Int) throws -> Tensor {
    // TODO(3.2): make the lengths a [N, 1] column (Tensor(indices:), unsqueeze) and compare it with gt against Tensor.arange(steps).
    throw TODO("3.2")
}

/// The strings that padded codes stand for, read up to each row's first stop symbol
/// (NumPy's `np.concatenate([[''], alphabet])[codes]`: the stop prints as nothing).
/// codes: `[N, T]`; a code outside 0…alphabet.count prints as "?".
public func decodeCodes(_ codes: Tensor, alphabet: [Character]) -> [String] {
    let width = codes.shape.last ?? 0
    let all = codes.indices
    return stride(from: 0, to: all.count, by: Swift.max(width, 1)).map { start in
        var text = ""
        for c in all[start..<(start + width)] {
            if c == 0 { break }
            text.append(c >= 1 && c <= alphabet.count ? alphabet[c - 1] : "?")
        }
        return text
    }
}
