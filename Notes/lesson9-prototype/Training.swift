import Foundation
import Autograd

// Lesson 9 prototype: baselines, accuracy, and the training loop.

/// Accuracy of always answering the number of terms, and of always answering the commonest
/// label of `train`; and of the best answer given the number of terms (the commonest label of
/// `train` among expressions with that many terms).
func baselines(train: [(text: String, label: Int)], test: [(text: String, label: Int)]) throws -> (terms: Double, mostFrequent: Double, bestGivenTerms: Double, mode: Int) {
    var counts: [Int: Int] = [:]
    var byTerms: [Int: [Int: Int]] = [:]
    for (text, label) in train {
        counts[label, default: 0] += 1
        byTerms[try terms(of: text).count, default: [:]][label, default: 0] += 1
    }
    let mode = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
    var a = 0, b = 0, c = 0
    for (text, label) in test {
        let n = try terms(of: text).count
        if n == label { a += 1 }
        if mode == label { b += 1 }
        let guess = byTerms[n]?.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }?.key ?? mode
        if guess == label { c += 1 }
    }
    let d = Double(test.count)
    return (Double(a) / d, Double(b) / d, Double(c) / d, mode)
}

func encodeAll(_ data: [(text: String, label: Int)], _ tok: Tokenizer) throws -> [[Int]] {
    try data.map { try tok.encode($0.text).codes }
}

/// Accuracy of `model` on encoded examples (batches of 256, no gradient).
func accuracy(_ model: LikeTermClassifier, _ codes: [[Int]], _ labels: [Int]) throws -> Double {
    model.eval(); defer { model.train() }
    var right = 0
    for start in stride(from: 0, to: codes.count, by: 256) {
        let end = min(start + 256, codes.count)
        let b = try makeBatch(Array(codes[start..<end]), labels: Array(labels[start..<end]))
        let guess = try noGrad { try model(b.codes, padding: b.padding).argmax(axis: -1) }.scalars
        for (g, y) in zip(guess, labels[start..<end]) where Int(g) == y { right += 1 }
    }
    return Double(right) / Double(codes.count)
}

struct TrainConfig {
    var steps = 1000
    var batch = 64
    var learningRate: Float = 1e-3
    var warmup = 100
    var evalEvery = 100
    var clip: Float = 1
    /// Batches of similar lengths (less padding, faster with characters): each run of 20
    /// batches' worth of shuffled examples is sorted by length before it is cut into batches.
    var bucket = false
}

/// One epoch's batches: shuffled indices, cut into batches (bucketed by length when asked).
func epochBatches(_ lengths: [Int], batch: Int, bucket: Bool, rng: inout RNG) -> [[Int]] {
    let order = rng.permutation(lengths.count)
    var batches: [[Int]] = []
    let chunk = bucket ? batch * 20 : batch
    for s in stride(from: 0, to: order.count - batch + 1, by: chunk) {
        var part = Array(order[s..<min(s + chunk, order.count)])
        if bucket { part.sort { lengths[$0] < lengths[$1] } }
        for b in stride(from: 0, to: part.count - batch + 1, by: batch) { batches.append(Array(part[b..<(b + batch)])) }
    }
    return bucket ? batches.shuffled(using: &rng) : batches
}

struct CurvePoint { var step: Int; var loss: Double; var trainAcc: Double; var testAcc: Double; var seconds: Double }

/// Trains with Adam (linear warm-up, then constant), cross-entropy of the pooled logits; logs
/// the mean loss, accuracy on 1 000 training examples and on the held-out set.
func train(_ model: LikeTermClassifier, train: [[Int]], trainLabels: [Int], test: [[Int]], testLabels: [Int],
           config c: TrainConfig, rng: inout RNG, log: (CurvePoint) -> Void) throws -> [CurvePoint] {
    let opt = try Adam(model.parameters(), learningRate: c.learningRate)
    let warm = c.warmup
    let schedule = LambdaLR(opt) { n in Swift.min(1, Float(n + 1) / Float(Swift.max(warm, 1))) }
    let lengths = train.map(\.count)
    var batches = epochBatches(lengths, batch: c.batch, bucket: c.bucket, rng: &rng), at = 0
    var curve: [CurvePoint] = []
    let start = Date()
    var lossSum = 0.0, lossN = 0
    let probe = Array(0..<min(1000, train.count))
    for step in 1...c.steps {
        if at == batches.count { batches = epochBatches(lengths, batch: c.batch, bucket: c.bucket, rng: &rng); at = 0 }
        let idx = batches[at]; at += 1
        let b = try makeBatch(idx.map { train[$0] }, labels: idx.map { trainLabels[$0] })
        let loss = try crossEntropy(model(b.codes, padding: b.padding), b.labels)
        model.zeroGrad()
        try loss.backward()
        if c.clip > 0 { clipGradNorm(model.parameters(), maxNorm: c.clip) }
        opt.step(); schedule.step()
        lossSum += Double(try loss.item()); lossN += 1
        if step % c.evalEvery == 0 || step == c.steps {
            let p = CurvePoint(step: step, loss: lossSum / Double(lossN),
                               trainAcc: try accuracy(model, probe.map { train[$0] }, probe.map { trainLabels[$0] }),
                               testAcc: try accuracy(model, test, testLabels), seconds: Date().timeIntervalSince(start))
            lossSum = 0; lossN = 0
            curve.append(p); log(p)
        }
    }
    return curve
}
