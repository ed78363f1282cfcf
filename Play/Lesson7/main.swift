// Lesson 7's scratch pad. `swift run tutor play 7` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson7) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson7/main.swift`
// brings this version back.
import Autograd
import Lesson7

// 7.1 and 7.2: the pairs of "repeatone", and where a network that sees k letters is stuck.
do {
    let text = notebookStrings[1].text
    let pairs = try cyclicPairs(text, alphabet: capitals)
    print(text, "→", pairs.count, "pairs; the last:", pairs.last!)
    for order in 1...2 { print("order \(order):", try ambiguousPositions(pairs.map(\.input), order: order), "ambiguous positions") }
} catch let todo as TODO {
    print(todo)
}

// 7.3–7.6: the alphabet, carried, until the network recites it (at most 200 epochs).
do {
    var rng = RNG(seed: 0)
    let model = Memoriser(hidden: 32, rng: &rng)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
    let pairs = try cyclicPairs(capitals, alphabet: capitals)
    for epoch in 1...200 {
        let losses = try trainEpoch(model, optimizer: optimizer, pairs: pairs, oneStep: false)
        let recited = try generate(model, from: pairs[0].input, count: pairs.count, oneStep: false)
        let (steps, longest) = try score(target: pairs.map(\.target), generated: recited)
        if epoch % 5 == 0 || steps == pairs.count {
            print("epoch \(epoch): mean loss \(losses.reduce(0, +) / Float(losses.count)), steps correct \(steps), longest \(longest)")
        }
        if steps == pairs.count { break }
    }
} catch let todo as TODO {
    print(todo)
}
