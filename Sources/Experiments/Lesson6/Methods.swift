import Autograd
import ExperimentKit
import Foundation
import Lesson6
import Plots

// The smoothings the bits part scores, each through the student's heldOutBits (6.6): add-α
// (6.3) with three α, back-off (6.4), interpolation (6.5) and Kneser–Ney (given). α = 0.01
// and β = 32 are within 0.01 bits of the best of each on lesson 5's corpora (the lesson's
// research scanned α from 1 to 0.001 and β from 4 to 128).

/// A way of turning counts into a probability for the next character.
enum Method {
    case addAlpha(Double)
    case backoff(alpha: Double)
    case interpolated(beta: Double)
    /// Given experiment code (KneserNey.swift), not an exercise.
    case kneserNey

    static let all: [Method] = [.addAlpha(1), .addAlpha(0.1), .addAlpha(0.01), .backoff(alpha: 0.01), .interpolated(beta: 32), .kneserNey]

    var name: String {
        switch self {
        case .addAlpha(let a): return "add-\(Table.number(a))"
        case .backoff(let a): return "back-off + add-\(Table.number(a))"
        case .interpolated(let b): return "interpolated β = \(Table.number(b))"
        case .kneserNey: return "Kneser–Ney (given)"
        }
    }

    /// The exercises it runs through, for the skip message.
    var exercises: [String] {
        switch self {
        case .addAlpha: return ["6.1", "6.3", "6.6"]
        case .backoff: return ["6.1", "6.3", "6.4", "6.6"]
        case .interpolated: return ["6.1", "6.5", "6.6"]
        case .kneserNey: return ["6.1", "6.6"]
        }
    }

    /// p(next | context) from the model `tables` (orders 0…N), over `v` characters.
    func probability(_ tables: [Counts], _ context: ArraySlice<Int>, _ next: Int, v: Int, kneserNey: KneserNey) throws -> Double {
        switch self {
        case .addAlpha(let a): return try Lesson6.addAlpha(tables[tables.count - 1], context: context, next: next, alpha: a, vocabulary: v)
        case .backoff(let a): return try Lesson6.backoff(tables, context: context, next: next, alpha: a, vocabulary: v)
        case .interpolated(let b): return try Lesson6.interpolated(tables, context: context, next: next, beta: b, vocabulary: v)
        case .kneserNey: return kneserNey.probability(context, next: next, order: tables.count - 1)
        }
    }
}

/// One method's held-out bits/char for N = 0…maxOrder on one corpus, or what stopped it.
struct MethodScore {
    let method: Method
    let bits: Result<[Double], Error>
    let seconds: Double

    /// The order with the fewest bits, and those bits.
    var best: (order: Int, bits: Double)? {
        guard let row = try? bits.get(), let n = row.indices.min(by: { row[$0] < row[$1] }) else { return nil }
        return (n, row[n])
    }
}

/// Every method's bits on every corpus (the student's heldOutBits), side by side on the
/// workers: one list per corpus, in Method.all's order.
func scoreEveryMethod(_ corpora: [(corpus: Corpus, kneserNey: KneserNey)], maxOrder: Int, workers: Workers) throws -> [[MethodScore]] {
    let pieces = corpora.indices.flatMap { c in Method.all.map { (corpus: c, method: $0) } }
    let bar = ProgressBar(total: pieces.count, label: "bits")
    let start = Date()
    let scores = try workers.map(pieces) { piece -> MethodScore in
        let (corpus, model) = corpora[piece.corpus]
        let t0 = Date()
        let bits = Result {
            try heldOutBits(corpus.codesThroughTargets, cut: corpus.cut, maxOrder: maxOrder) { tables, context, next in
                try piece.method.probability(tables, context, next, v: corpus.v, kneserNey: model)
            }
        }
        bar.advance(message: "\(corpus.name), \(piece.method.name)")
        return MethodScore(method: piece.method, bits: bits, seconds: Date().timeIntervalSince(t0))
    }
    bar.finish(message: String(format: "%d heldOutBits calls, %d at a time: %.1f s", pieces.count, min(workers.count, pieces.count),
                               Date().timeIntervalSince(start)))
    return corpora.indices.map { c in Array(scores[(c * Method.all.count)..<((c + 1) * Method.all.count)]) }
}

/// One corpus's table and plot of bits against N, the LSTM as a level; the methods that did
/// not run say why. Returns the scores; throws the first error when no method ran.
func showBits(_ corpus: Corpus, _ scores: [MethodScore], lstm: LSTMFigure?, experiment: Experiment) throws -> [MethodScore] {
    if let failed = scores.first(where: { $0.best == nil }), scores.allSatisfy({ $0.best == nil }) { _ = try failed.bits.get() }
    let orders = Array(0...(scores.compactMap { try? $0.bits.get().count }.max()! - 1))
    var table = Table(title: "Held-out bits per character on \(corpus.name) (\(grouped(corpus.targets.count)) characters)",
                      header: ["method"] + orders.map { "N=\($0)" } + ["best", "seconds"])
    var plot = LinePlot(title: "Held-out bits/char against the order N: \(corpus.name)", xLabel: "order N", yLabel: "bits/char")
    for score in scores {
        guard let row = try? score.bits.get(), let best = score.best else {
            table.add([score.method.name] + orders.map { _ in "—" } + [score.bits.failureTODO.map { "\($0) not written" } ?? "stopped (below)", ""])
            continue
        }
        table.add([score.method.name] + row.map(figure) + ["\(figure(best.bits)) (N=\(best.order))", String(format: "%.1f", score.seconds)])
        plot.add(score.method.name, x: orders, y: row)
    }
    if let lstm { table.add(["lesson 5's LSTM"] + orders.map { _ in "" } + [figure(lstm.bits), ""]) }
    print(table.render())
    print("(seconds: one heldOutBits call, every order\(lstm == nil ? "" : "; the LSTM on lesson 5's \(grouped(lstm!.probabilities.count)) validation targets").)")
    for score in scores {
        if case .failure(let error) = score.bits { print("\(score.method.name) — " + experiment.verdict(on: error, uses: score.method.exercises, what: "This method").message) }
    }
    if let lstm { plot.addLevel("lesson 5's LSTM", y: lstm.bits) }
    print(plot.terminal(height: 16))
    experiment.save(plot.svg(), as: "bits-\(corpus.name)")
    return scores
}

extension Result where Failure == Error {
    /// The exercise whose TODO stopped it, if one did.
    var failureTODO: String? {
        if case .failure(let error) = self { return (error as? TODO)?.exercise }
        return nil
    }
}
