import Autograd
import ExperimentKit
import Foundation
import Lesson5
import Plots

// `swift run tutor run 5`: a language model from scratch, with the student's own code.
let experiment = Experiment(lesson: 5, parts: [
    .init("text", "the numbers in words, the vocabulary, and the split"),
    .init("characters", "a character LSTM on real text: bits per character, samples"),
], options: CharacterSettings.usage)
var characterSettings = CharacterSettings(full: experiment.full)
var arguments = experiment.arguments
characterSettings.take(&arguments)
if let unknown = arguments.first { Experiment.fail("unknown option \(unknown) (options: --full, --seed N, and after --: \(CharacterSettings.usage))") }
let characterText = experiment.running.contains("characters") ? loadCharacterText(characterSettings, root: experiment.root) : nil
_ = experiment.part("text", "The text", uses: ["5.1"]) {
    let tokens = try numberTokens()
    print("\(tokens.count) tokens, \(Vocabulary(tokens).count) words")
}
_ = experiment.part("characters", "Part B: characters of real text", uses: ["5.2", "5.6", "5.9", "5.10", "5.11", "5.12"]) {
    try runCharacters(experiment, characterSettings, text: characterText!)
}
experiment.finish()
