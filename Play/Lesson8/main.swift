// Lesson 8's scratch pad. `swift run tutor play 8` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson8) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson8/main.swift`
// brings this version back.
import Autograd
import Lesson8

// 8.1: three queries over four keys; each row of weights sums to 1.
do {
    var rng = RNG(seed: 0)
    let q = Tensor.randn([1, 3, 4], rng: &rng), k = Tensor.randn([1, 4, 4], rng: &rng), v = Tensor.randn([1, 4, 2], rng: &rng)
    let (output, weights) = try attention(query: q, key: k, value: v)
    print("weights", weights.shape, weights.scalars)
    print("output", output.shape, output.scalars)
} catch let todo as TODO {
    print(todo)
}
