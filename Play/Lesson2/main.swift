// Lesson 2's scratch pad. `swift run tutor play 2` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson2) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson2/main.swift`
// brings this version back.
import Autograd
import Lesson2

do {
    let (alphabet, codes) = try integerCodes(["cab", "bca"])
    print("alphabet", alphabet, "codes", codes.shape, codes.scalars)
    let x = try oneHotEncode(codes, alphabetSize: alphabet.count)
    print("one-hot", x.shape)
    print(try x.select(axis: 0, index: 0))
    print("back to symbols:", decodeSymbols(codes, alphabet: alphabet))
} catch let todo as TODO {
    print(todo)
}
