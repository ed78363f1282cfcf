import Autograd
import Solution9

// The graders of lesson 9, continued: the baselines.

extension Lesson9Graders {
    // MARK: - 9.7 baselines

    /// (train, test) → the three accuracies.
    public typealias Baselines = ([(terms: Int, label: Int)], [(terms: Int, label: Int)]) throws
        -> (mostFrequent: Double, numberOfTerms: Double, bestGivenTerms: Double)

    /// Hand-made sets: the test set's commonest label is not the training set's; a number of
    /// terms the training set never had; a tie among the labels of one number of terms; and a
    /// larger pair drawn at random.
    static func baselineCases() -> [(what: String, train: [(terms: Int, label: Int)], test: [(terms: Int, label: Int)])] {
        let train = [(2, 2), (3, 2), (3, 2), (4, 4), (4, 4), (4, 2), (5, 5), (5, 4), (6, 6), (6, 4)].map { (terms: $0.0, label: $0.1) }
        let test = [(2, 2), (3, 2), (4, 4), (4, 4), (5, 5), (5, 4), (6, 4), (6, 6), (7, 2), (7, 7), (8, 4), (8, 4), (8, 4), (8, 8)].map { (terms: $0.0, label: $0.1) }
        var rng = RNG(seed: 971)
        func draw(_ n: Int) -> [(terms: Int, label: Int)] {
            (0..<n).map { _ in
                let terms = 2 + rng.int(below: 8)
                return (terms, rng.int(below: 3) == 0 ? terms : [2, 4, 5, 6, 7, 8][rng.int(below: 6)])
            }
        }
        return [("hand-made", train, test), ("drawn at random, 200 and 100 problems", draw(200), draw(100))]
    }

    static func baselineProbe(_ baselines: Baselines) throws -> Outcome {
        var outcome = Outcome()
        for c in baselineCases() {
            let name = "the accuracies (most frequent, number of terms, best given terms) on the \(c.what) sets"
            try Probes.attempt(name, into: &outcome) { o in
                let r = try baselines(c.train, c.test)
                o.record(name, [Float(r.mostFrequent), Float(r.numberOfTerms), Float(r.bestGivenTerms)])
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the baselines (9.7's known mistakes).
    enum BaselineChange { case modeFromTest, unseenZero, tiesLarger, counts }

    static func baselinesWith(_ change: BaselineChange) -> Baselines {
        { train, test in
            func mode(_ labels: [Int]) -> Int {
                var counts: [Int: Int] = [:]
                for l in labels { counts[l, default: 0] += 1 }
                let best = counts.values.max() ?? 0
                let tied = counts.filter { $0.value == best }.map(\.key)
                return change == .tiesLarger ? tied.max()! : tied.min()!
            }
            let overall = mode((change == .modeFromTest ? test : train).map(\.label))
            var perTerms: [Int: [Int]] = [:]
            for p in train { perTerms[p.terms, default: []].append(p.label) }
            func score(_ guess: (Int) -> Int) -> Double {
                let right = Double(test.filter { guess($0.terms) == $0.label }.count)
                return change == .counts ? right : right / Double(test.count)
            }
            return (score { _ in overall }, score { $0 },
                    score { perTerms[$0].map(mode) ?? (change == .unseenZero ? 0 : overall) })
        }
    }
    // END INSTRUCTOR

    public static let baselineAccuracies = Exercise<Baselines>(
        id: "9.7", title: "Three baselines", symbol: "baselineAccuracies(train:test:)", file: "Lessons/Lesson9/Baselines.swift",
        reference: { try Solution9.baselineAccuracies(train: $0, test: $1) },
        mistakes: [
            Mistake("mode-from-test", "the commonest label is taken from the test set",
                    feedback: "A baseline may only learn from the training set: the commonest label of the TEST set is an answer the guess has peeked at, and on generated data it happens to be the same label (2), which hides the leak. Count the labels of train.",
                    baselinesWith(.modeFromTest)),
            Mistake("unseen-count-guesses-zero", "a number of terms the training set never had gets the guess 0",
                    feedback: "No problem has label 0 here, so 0 is always wrong. When the training set has no problem with that many terms, fall back to the overall commonest label — the best guess you have without that information.",
                    baselinesWith(.unseenZero)),
            Mistake("ties-to-the-larger-label", "a tie between labels goes to the larger one",
                    feedback: "When two labels are equally common, the lesson's rule picks the smaller one, so that every correct answer gives the same figures. Sort the labels by count, then by label ascending, and take the first.",
                    baselinesWith(.tiesLarger)),
            Mistake("counts-not-fractions", "the number of right guesses is returned, not the fraction of the test set",
                    feedback: "An accuracy is a fraction, 0…1: the right guesses divided by test.count (as a Double). 43 right out of 100 is 0.43.",
                    baselinesWith(.counts)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-6, rtol: 0)),
        probe: baselineProbe
    )
}
