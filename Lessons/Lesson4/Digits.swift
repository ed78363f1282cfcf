import Autograd

// Lesson 4, exercise 4.2: a sum as the network reads it — column by column.
//
// On paper we add 4567 + 123 by writing the numbers one above the other, aligned on the
// right, and going through the columns from the right: 7 + 3 = 10, write 0, carry 1;
// 6 + 2 + 1 = 9; … The network does the same. At step t it reads column t — digit t of x
// and digit t of y, the least significant first — and writes digit t of the sum. Missing
// digits are zeros (123 is 00123), and there is one more column than the operands have
// digits, for the last carry:
//
//     place t          0  1  2  3  4          (5 places: 9999 + 9999 = 19998)
//     x = 4567         7  6  5  4  0
//     y =  123         3  2  1  0  0
//     x + y = 4690     0  9  6  4  0   ← targets
//
// Each digit is a one-hot of 10; the step's input is x's one-hot followed by y's, 20 wide:
//
//     input[b, t, 0..<10]  = one-hot of digit t of x        input[b, t, 10..<20] = one-hot of digit t of y

/// The sums as the synchronous network reads and writes them, least significant digit first.
/// pairs: B sums (operands ≥ 0, each sum below 10^places). Returns
///
/// - inputs `[B, places, 20]`: at step t, the one-hot of digit t of x (features 0…9) and
///   of digit t of y (features 10…19); digit t of a number is (n / 10^t) % 10, so places
///   past its last digit hold the digit 0;
/// - targets `[B, places]`: digit t of x + y, as codes 0…9.
public func encodeSums(_ pairs: [Pair], places: Int) throws -> (inputs: Tensor, targets: Tensor) {
    // TODO(4.2): for each sum and each place t: digit t of x, of y and of x + y ((n / 10^t) % 10); one-hot x's into features 0…9 and y's into 10…19.
    throw TODO("4.2")
}

/// The numbers that digit codes stand for, least significant first: Σ_t codes[b, t]·10^t.
/// codes: `[B, places]` (targets, or a model's argmax).
public func decodeSums(_ codes: Tensor) -> [Int] {
    let places = codes.shape.last ?? 0
    let all = codes.indices
    return stride(from: 0, to: all.count, by: Swift.max(places, 1)).map { start in
        all[start..<(start + places)].reversed().reduce(0) { $0 * 10 + $1 }
    }
}
