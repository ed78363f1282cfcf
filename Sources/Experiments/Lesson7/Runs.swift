import Autograd
import Foundation
import Lesson7

// Training a Memoriser until it recites its string: the lesson's design with the student's
// code (7.1, 7.3–7.6), and the notebook's own design written here for comparison.

/// One of the notebook's cases: a string, a hidden size, and the notebook's mode.
struct Case: Sendable {
    let number: Int
    let string: String
    let hidden: Int
    let oneStep: Bool
    /// What the notebook's text says of it.
    let notebookSays: String

    var text: String { notebookStrings.first { $0.name == string }!.text }
    var mode: String { oneStep ? "one-step" : "carried" }

    static let notebook = [
        Case(number: 1, string: "alphabet", hidden: 32, oneStep: true, notebookSays: "50–100"),
        Case(number: 2, string: "alphabet", hidden: 32, oneStep: false, notebookSays: "50–100"),
        Case(number: 3, string: "repeatone", hidden: 32, oneStep: true, notebookSays: "never"),
        Case(number: 4, string: "repeatone", hidden: 32, oneStep: false, notebookSays: "100–200"),
        Case(number: 5, string: "repeatfive", hidden: 32, oneStep: false, notebookSays: "often 200–300"),
        Case(number: 6, string: "random30", hidden: 32, oneStep: false, notebookSays: "not in 1000"),
        Case(number: 7, string: "random30", hidden: 128, oneStep: false, notebookSays: "often 400–600"),
    ]

    /// The same string and size in the other mode.
    var otherMode: Case { Case(number: number, string: string, hidden: hidden, oneStep: !oneStep, notebookSays: "") }
}

/// What one training from one seed did.
struct Run: Sendable {
    /// Epochs trained when the recital first got the whole cycle right; nil if it never did.
    let convergedAt: Int?
    let epochs: Int
    /// Letters trained on, and the seconds spent in trainEpoch (not in the recitals).
    let steps: Int
    let trainSeconds: Double
    /// The loss of every step, and the mean of every epoch.
    let stepLosses: [Float]
    let epochLosses: [Float]
    /// The best recital: steps correct, and the longest common substring then.
    let bestSteps: Int
    let bestLongest: Int
    /// The last recital, as letters.
    let recital: String

    var charactersPerSecond: Double { Double(steps) / max(trainSeconds, 1e-9) }
}

/// Trains a Memoriser with `hidden` units on `text` (the lesson's design: Adam lr 1e-3,
/// cross-entropy of the scores, the state detached after every letter and reset at every
/// epoch's start — or before every letter when `oneStep`), one epoch at a time, until its
/// recital from the first letter gets the whole cycle right (n letters, back to the first),
/// at most `maxEpochs` epochs.
func memorise(_ text: String, hidden: Int, oneStep: Bool, seed: UInt64, maxEpochs: Int) throws -> Run {
    let pairs = try cyclicPairs(text, alphabet: capitals)
    let targets = pairs.map(\.target)
    var rng = RNG(seed: seed)
    let model = Memoriser(hidden: hidden, rng: &rng)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
    var stepLosses: [Float] = [], epochLosses: [Float] = []
    var trainSeconds = 0.0, best = (steps: -1, longest: 0), convergedAt: Int? = nil, recital: [Int] = []
    for epoch in 1...maxEpochs {
        let start = Date()
        let losses = try trainEpoch(model, optimizer: optimizer, pairs: pairs, oneStep: oneStep)
        trainSeconds += Date().timeIntervalSince(start)
        stepLosses += losses
        epochLosses.append(losses.reduce(0, +) / Float(max(1, losses.count)))
        recital = try generate(model, from: pairs[0].input, count: pairs.count, oneStep: oneStep)
        let (steps, longest) = try score(target: targets, generated: recital)
        if steps > best.steps { best = (steps, longest) }
        if steps == pairs.count {
            convergedAt = epoch
            break
        }
    }
    return Run(convergedAt: convergedAt, epochs: epochLosses.count, steps: stepLosses.count, trainSeconds: trainSeconds,
               stepLosses: stepLosses, epochLosses: epochLosses, bestSteps: best.steps, bestLongest: best.longest,
               recital: String(recital.map { Array(capitals)[$0] }))
}

/// What the notebook's own design gave from one seed.
struct NotebookRun: Sendable {
    let convergedAt: Int?
    let steps: Int
    let seconds: Double
    let lastLoss: Float
}

/// The notebook's design, written out here (it is not the lesson's): the state handed on
/// WITH its history (each step's backward runs back to the epoch's start: on the core, with
/// the weights each step had — see the README), the cross-entropy of the SOFTMAX of the
/// scores, and the check before epochs 0, 10, 20…: from a fresh state, the softmax fed back
/// as the next input, n − 1 letters right.
func notebookDesign(_ text: String, hidden: Int, oneStep: Bool, seed: UInt64, maxEpochs: Int) throws -> NotebookRun {
    let codes = try cyclicPairs(text, alphabet: capitals).map(\.input)
    let n = codes.count
    var rng = RNG(seed: seed)
    let model = Memoriser(hidden: hidden, rng: &rng)
    let optimizer = try Adam(model.parameters(), learningRate: 1e-3)
    let start = Date()
    var steps = 0, lastLoss: Float = .nan
    func recitesAll() throws -> Bool {
        try noGrad {
            var state = model.zeroState()
            var x = try model.oneHot(codes[0])
            for i in 0..<(n - 1) {
                if oneStep { state = model.zeroState() }
                state = try lstmCell(x, state.h, state.c, weights: model.cell.weights)
                let probabilities = try model.head(state.h).softmax()
                if try probabilities.argmax(axis: -1).indices[0] != codes[i + 1] { return false }
                x = probabilities
            }
            return true
        }
    }
    for epoch in 0..<maxEpochs {
        if epoch % 10 == 0, try recitesAll() {
            return NotebookRun(convergedAt: epoch, steps: steps, seconds: Date().timeIntervalSince(start), lastLoss: lastLoss)
        }
        var state = model.zeroState()
        for j in 0..<n {
            if oneStep { state = model.zeroState() }
            let (scores, next) = try model(codes[j], state)
            let loss = try crossEntropy(scores.softmax(), Tensor(indices: [codes[(j + 1) % n]]))
            optimizer.zeroGrad()
            try loss.backward()
            optimizer.step()
            lastLoss = try loss.item()
            steps += 1
            state = next
        }
    }
    return NotebookRun(convergedAt: nil, steps: steps, seconds: Date().timeIntervalSince(start), lastLoss: lastLoss)
}

/// The lowest mean loss (nats per letter) a network that sees only the last `order`
/// letters can reach on the cyclic `codes`: the entropy of the next letter given the context.
func lossFloor(_ codes: [Int], order: Int) -> Double {
    let n = codes.count
    var counts: [[Int]: [Int: Int]] = [:]
    for j in 0..<n {
        let context = (0..<order).map { codes[((j - order + 1 + $0) % n + n) % n] }
        counts[context, default: [:]][codes[(j + 1) % n], default: 0] += 1
    }
    var total = 0.0
    for next in counts.values {
        let all = Double(next.values.reduce(0, +))
        for c in next.values { total -= Double(c) * log(Double(c) / all) }
    }
    return total / Double(n)
}

/// The most steps a one-letter network fed its own letters can get right from the first
/// letter: the position of the first letter seen before with another successor.
func oneStepBound(_ codes: [Int]) -> Int {
    let n = codes.count
    for j in 0..<n {
        if (0..<j).contains(where: { codes[$0] == codes[j] && codes[$0 + 1] != codes[(j + 1) % n] }) { return j }
    }
    return n
}
