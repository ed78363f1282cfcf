// Lesson 5's scratch pad. `swift run tutor play 5` builds and runs this file in seconds.
// Try things here with your own lesson code (module Lesson5) and the core (Autograd).
// Nothing here is graded — change it freely; `git checkout Play/Lesson5/main.swift`
// brings this version back.
import Autograd
import Lesson5

// 5.1: a few numbers in words, and the whole text's size (the chapter: 63 095 tokens, 30 words).
do {
    for n in [7, 15, 21, 100, 2121, 8001, 9999] { print(n, try numberWords(n).joined(separator: " ")) }
    let tokens = try numberTokens()
    let vocabulary = Vocabulary(tokens)
    print("\(tokens.count) tokens, \(vocabulary.count) words:", vocabulary.words.joined(separator: " "))
} catch let todo as TODO {
    print(todo)
}

// 5.2: twelve samples dealt into batches of three that continue each other.
do {
    let grouped = try groupChunks(Array(0..<12), batchSize: 3)
    print("grouped:", stride(from: 0, to: grouped.count, by: 3).map { Array(grouped[$0..<$0 + 3]) })
} catch let todo as TODO {
    print(todo)
}

// 5.3 and 5.4: an untrained model on two windows, written out and as a loop: the same logits?
do {
    var rng = RNG(seed: 5)
    let model = WordModel(vocabulary: 30, hidden: 8, rng: &rng)
    let windows = try Tensor([0, 1, 2, 3, 1, 4], shape: [2, 3])
    let written = try threeWords(windows, model: model)
    let (looped, state) = try wordLoop(windows, state: nil, model: model)
    print("largest difference:", try (written - looped).abs().max().item(), "state", state.shape, "has history:", state.requiresGrad)
} catch let todo as TODO {
    print(todo)
}
