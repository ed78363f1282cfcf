import Autograd
import ExperimentKit
import Foundation
import Lesson5
import Plots

// `swift run tutor run 5`: a language model from scratch, with the student's own code.
let experiment = Experiment(lesson: 5, parts: [
    .init("text", "the numbers in words, the vocabulary, and the split"),
])
_ = experiment.part("text", "The text", uses: ["5.1"]) {
    let tokens = try numberTokens()
    print("\(tokens.count) tokens, \(Vocabulary(tokens).count) words")
}
experiment.finish()
