// Lesson 6's scratch pad. `swift run tutor play 6` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson6) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson6/main.swift`
// brings this version back.
import Autograd
import Foundation
import Lesson6

let (vocabulary, codes) = characterCodes("the cat sat on the mat. the cat ate the rat.")
let text = { (codes: [Int]) in String(codes.map { vocabulary[$0] }) }
print("\(codes.count) characters, \(vocabulary.count) distinct")

// 6.1: what follows "th", "at" and " t"?
do {
    let order2 = try countNext(codes, order: 2)
    for context in ["th", "at", " t"] {
        let key = characterCodes(context).vocabulary.isEmpty ? [] : context.map { vocabulary.firstIndex(of: $0)! }
        let row = order2[key] ?? [:]
        print("after \"\(context)\":", row.keys.sorted().map { "\"\(vocabulary[$0])\" \(row[$0]!)" }.joined(separator: ", "))
    }
} catch let todo as TODO {
    print(todo)
}

// 6.2: write 60 characters from the model of order 2, after "the ".
do {
    let tables = try (0...2).map { try countNext(codes, order: $0) }
    var rng = RNG(seed: 6)
    let prompt = "the ".map { vocabulary.firstIndex(of: $0)! }
    print("the " + text(try generate(tables, prompt: prompt, count: 60, rng: &rng)))
} catch let todo as TODO {
    print(todo)
}

// 6.3–6.5: the probabilities of every character after "th", and their sum.
do {
    let tables = try (0...2).map { try countNext(codes, order: $0) }
    let context = ArraySlice("th".map { vocabulary.firstIndex(of: $0)! })
    let v = vocabulary.count
    let add = try (0..<v).map { try addAlpha(tables[2], context: context, next: $0, alpha: 0.1, vocabulary: v) }
    let back = try (0..<v).map { try backoff(tables, context: context, next: $0, alpha: 0.1, vocabulary: v) }
    let inter = try (0..<v).map { try interpolated(tables, context: context, next: $0, beta: 4, vocabulary: v) }
    let e = vocabulary.firstIndex(of: "e")!
    print("p(e | th): add-0.1 \(add[e]), back-off \(back[e]), interpolated \(inter[e])")
    print("sums: \(add.reduce(0, +)) \(back.reduce(0, +)) \(inter.reduce(0, +))")
} catch let todo as TODO {
    print(todo)
}

// 6.6: bits per character on the last sentence, orders 0–3, interpolated with β = 4.
do {
    let cut = 24
    let bits = try heldOutBits(codes, cut: cut, maxOrder: 3) { tables, context, next in
        try interpolated(tables, context: context, next: next, beta: 4, vocabulary: vocabulary.count)
    }
    print("held-out bits per character, N = 0…3:", bits.map { String(format: "%.3f", $0) })
} catch let todo as TODO {
    print(todo)
}
