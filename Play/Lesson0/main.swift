// Lesson 0's scratch pad. `swift run tutor play 0` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson0) and the core (Autograd):
// print a tensor, a gradient, a shape. Nothing here is graded — change it freely;
// `git checkout Play/Lesson0/main.swift` brings this version back.
import Autograd
import Lesson0

let x = try Tensor([[-100, -1, 0, 1, 100]], requiresGrad: true)
print("x =", x)
do {
    let y = try Lesson0.sigmoid(x)       // yours (the core has one too: x.sigmoid())
    print("sigmoid(x) =", y)               // shape and values
    try y.sum().backward()
    print("∂ sum(sigmoid(x)) / ∂x =", x.grad.map { "\($0)" } ?? "nil: no gradient reached x")
} catch let todo as TODO {
    print(todo)                            // the stub is not written yet
}

// An intermediate tensor is a print away: print(t.shape), print(t), print(t.scalars).
let logits = try Tensor([[1, 2, 3], [1000, 0, -1000]])
do { print("softmax =", try Lesson0.softmax(logits)) } catch let todo as TODO { print(todo) }
