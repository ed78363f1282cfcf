// Lesson 4's scratch pad. `swift run tutor play 4` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson4) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson4/main.swift`
// brings this version back.
import Autograd
import Lesson4

do {
    let pairs: [Pair] = [(4567, 123), (9999, 9999), (5, 7)]
    print(pairs.map(sumText))
    let (inputs, targets) = try encodeSums(pairs, places: 5)
    print("inputs", inputs.shape, "targets", targets.shape, targets.scalars)
    print("the targets read back:", decodeSums(targets))
} catch let todo as TODO {
    print(todo)
}

// 4.7: an untrained decoder, fed its own digits, from a random "encoder state" for 3 sums.
do {
    var rng = RNG(seed: 4)
    let decoder = LSTM(10, 16, rng: &rng), head = Linear(16, 10, rng: &rng)
    let state = (h: Tensor.uniform([1, 3, 16], -1, 1, rng: &rng), c: Tensor.uniform([1, 3, 16], -1, 1, rng: &rng))
    let codes = try noGrad { try greedyDecode(decoder, head: head, state: state, steps: 5) }
    print("greedy codes", codes.shape, "read back:", decodeSums(codes))
} catch let todo as TODO {
    print(todo)
}
