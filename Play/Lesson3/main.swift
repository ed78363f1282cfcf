// Lesson 3's scratch pad. `swift run tutor play 3` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson3) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson3/main.swift`
// brings this version back.
import Autograd
import Lesson3

do {
    let (alphabet, codes, lengths) = try padWithStops(["cab", "b", "abba"])
    print("alphabet", alphabet, "lengths", lengths)
    print("codes", codes.shape, codes.scalars)
    let mask = try realMask(lengths: lengths, steps: codes.shape[1])
    print("mask", mask.shape, mask.scalars)
} catch let todo as TODO {
    print(todo)
}
