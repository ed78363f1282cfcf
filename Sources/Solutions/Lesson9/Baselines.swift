import Autograd

// Lesson 9, exercise 9.7: what a model gets without finding a single like term.
//
// Before training anything, ask what simple guesses score on held-out problems. Each problem
// is reduced to (its number of terms, its label):
//
//     most frequent:      always the training set's commonest label
//     number of terms:    the number of terms itself (right when every term has a partner)
//     best given terms:   the commonest TRAINING label among problems with as many terms
//                         (a number of terms the training set never had: the commonest label)
//
// Ties go to the smaller label. Everything is learned from `train` and scored on `test`:
// a guess that peeks at the test set is not a baseline.

/// The held-out accuracies (fractions of `test`, 0…1) of the three guesses above, each
/// learned from `train`. Both sets are non-empty.
public func baselineAccuracies(train: [(terms: Int, label: Int)], test: [(terms: Int, label: Int)]) throws
    -> (mostFrequent: Double, numberOfTerms: Double, bestGivenTerms: Double) {
    // TODO(9.7): count the labels of train (all, and per number of terms); the mode with ties to the smaller label; score each guess on test.
    // BEGIN SOLUTION
    func mode(_ labels: [Int]) -> Int {
        var counts: [Int: Int] = [:]
        for l in labels { counts[l, default: 0] += 1 }
        return counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }[0].key
    }
    let overall = mode(train.map(\.label))
    let perTerms = Dictionary(grouping: train, by: \.terms).mapValues { mode($0.map(\.label)) }
    func score(_ guess: (Int) -> Int) -> Double {
        Double(test.filter { guess($0.terms) == $0.label }.count) / Double(test.count)
    }
    return (score { _ in overall }, score { $0 }, score { perTerms[$0] ?? overall })
    // END SOLUTION
}
