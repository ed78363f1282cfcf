import Autograd

// Lesson 8's data (given, not an exercise): random sequences and their reversals, the
// notebook's `generate_data`.
//
//     input  = 0 1 5 9 0 3 5 2 5
//     target = 5 2 5 3 0 9 5 1 0

/// `count` sequences of `length` tokens drawn uniformly from 0..<vocabulary, and each one
/// reversed: inputs and targets [count, length], codes as floats.
public func reversalData(count: Int, length: Int, vocabulary: Int, rng: inout RNG) throws -> (inputs: Tensor, targets: Tensor) {
    var inputs: [Float] = []
    var targets: [Float] = []
    inputs.reserveCapacity(count * length)
    targets.reserveCapacity(count * length)
    for _ in 0..<count {
        let row = (0..<length).map { _ in Float(rng.int(below: vocabulary)) }
        inputs += row
        targets += row.reversed()
    }
    return (try Tensor(inputs, shape: [count, length]), try Tensor(targets, shape: [count, length]))
}
