// Lesson 1's scratch pad. `swift run tutor play 1` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson1) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson1/main.swift`
// brings this version back.
import Autograd
import Lesson1

var rng = RNG(seed: 1)
do {
    let s = try sinusoids(count: 2, frequencies: [1], steps: 12, rng: &rng)
    print("two signals:", s.shape)
    for row in 0..<s.shape[0] {
        print(try s.select(axis: 0, index: row).scalars.map { String(format: "%6.3f", $0) }.joined(separator: " "))
    }
    let (inputs, targets) = try nextStepPairs(s)
    print("inputs", inputs.shape, "targets", targets.shape)
} catch let todo as TODO {
    print(todo)
}

// One step of your RNN on a batch of 3, with 2 hidden units.
let model = LinearRNN(hidden: 2, rng: &rng)
do {
    let (y, h) = try model.step(Tensor.ones([3, 1]), Tensor.zeros([3, 2]))
    print("output", y, "new state", h)
} catch let todo as TODO {
    print(todo)
}
