// Lesson 9's scratch pad. `swift run tutor play 9` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson9) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson9/main.swift`
// brings this version back.
import Autograd
import Lesson9

// Three of the notebook's problems, their terms (9.1) and their label (9.2).
var rng = RNG(seed: 0)
var seen = Set<String>()
for text in LikeTermGenerator().problems(count: 3, exclude: &seen, rng: &rng) {
    print(text)
    do {
        let ts = try terms(of: text)
        print("  terms:", ts.map(\.text), " keys:", ts.map(\.key))
        print("  label:", try likeTermCount(ts))
    } catch let todo as TODO {
        print(" ", todo)
    }
}
