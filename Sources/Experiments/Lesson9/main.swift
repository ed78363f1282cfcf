import Autograd
import ExperimentKit
import Foundation
import Lesson9
import Plots

// `swift run tutor run 9`: counting like terms — with the student's code.
//   1. data: the notebook's problems (mathy's generator), labelled with the student's terms
//      (9.1) and label (9.2): samples, the label distribution, the number of terms, and the
//      student's three baselines (9.7) on held-out problems — always the commonest label, the number of terms, and
//      the commonest label among training problems with that many terms.
// The training parts (term and character tokens, sum and mean pooling, keys started equal to
// queries) and the attention part (the like-term mass per layer and head) are not written
// yet: they come in the next session.
// Options (after `--`): --train N (default 20 000, --full 200 000), --test N (default 1 000,
// --full 5 000).

let experiment = Experiment(lesson: 9, parts: [
    .init("data", "the notebook's problems: samples, labels (9.1, 9.2), terms per problem, three baselines on held-out problems (9.7); training and attention come in a later version"),
], options: "--train N, --test N")

var trainCount = experiment.full ? 200_000 : 20_000
var testCount = experiment.full ? 5_000 : 1_000
var arguments = experiment.arguments
Experiment.takeOptions(&arguments) { option, value in
    func positive() -> Int { Experiment.positiveInteger(option, value) }
    switch option {
    case "--train": trainCount = positive()
    case "--test": testCount = positive()
    default: return false
    }
    return true
}
if let unknown = arguments.first { Experiment.fail("unknown option \(unknown) (options: --full, --seed N, and after --: --train N, --test N)") }
let seed = experiment.seed

func percent(_ x: Double) -> String { String(format: "%.1f%%", 100 * x) }

print("Lesson 9's experiment, first version: the data and its baselines. Training the classifier (term and character")
print("tokens, sum and mean pooling) and reading its attention come in the next version of `tutor run 9`.")

// MARK: - 1. Data

experiment.part("data", "The notebook's problems, their labels, and what a model can get without finding like terms", uses: ["9.1", "9.2", "9.7"]) {
    var rng = RNG(seed: seed)
    var seen = Set<String>()
    let generator = LikeTermGenerator()
    let started = Date()
    let trainTexts = generator.problems(count: trainCount, exclude: &seen, rng: &rng)
    let testTexts = generator.problems(count: testCount, exclude: &seen, rng: &rng)
    let generated = Date().timeIntervalSince(started)
    /// (number of terms, label) of each problem, with the student's 9.1 and 9.2.
    func labelled(_ texts: [String]) throws -> [(terms: Int, label: Int)] {
        try texts.map { text in
            let ts = try terms(of: text)
            return (ts.count, try likeTermCount(ts))
        }
    }
    let train = try labelled(trainTexts), test = try labelled(testTexts)
    print("\(grouped(trainCount)) training and \(grouped(testCount)) held-out problems (all different), generated in \(String(format: "%.2f", generated)) s, seed \(seed).")

    var samples = Table(title: "\nSamples (label: terms with a like partner, 9.2)", header: ["label", "terms", "problem"], alignments: [.right, .right, .left])
    for k in 0..<8 { samples.add(["\(train[k].label)", "\(train[k].terms)", trainTexts[k]]) }
    print(samples.render())

    let labels = Array(Set(train.map(\.label) + test.map(\.label))).sorted()
    var shares = Table(title: "\nLabels of the training problems", header: ["label", "share", ""], alignments: [.right, .right, .left])
    for l in labels {
        let share = Double(train.filter { $0.label == l }.count) / Double(train.count)
        shares.add(["\(l)", percent(share), String(repeating: "█", count: Int((share * 100).rounded()))])
    }
    print(shares.render())

    let termCounts = train.map(\.terms)
    let chars = trainTexts.map(\.count).sorted()
    print("Terms per problem: \(termCounts.min() ?? 0)–\(termCounts.max() ?? 0); characters: mean \(String(format: "%.1f", Double(chars.reduce(0, +)) / Double(chars.count))), median \(chars[chars.count / 2]), longest \(chars.last ?? 0).")

    // The baselines (9.7): nothing here looks at which terms are like.
    var labelCount: [Int: Int] = [:]
    for p in train { labelCount[p.label, default: 0] += 1 }
    let mode = labelCount.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key ?? 0
    let scores = try baselineAccuracies(train: train, test: test)
    var baselines = Table(title: "\nBaselines on the \(grouped(testCount)) held-out problems (9.7)", header: ["guess", "accuracy"], alignments: [.left, .right])
    baselines.add(["always \(mode), the training set's commonest label", percent(scores.mostFrequent)])
    baselines.add(["the number of terms", percent(scores.numberOfTerms)])
    baselines.add(["the commonest training label among problems with as many terms", percent(scores.bestGivenTerms)])
    print(baselines.render())
    print("""
    The third guess is the best any model can do without finding which terms are like: the notebook's model sat
    near it (61–66%) for 1 500 updates before it jumped to 99%.
    """)
}

experiment.finish()
