import ExperimentKit
import Foundation
import Lesson6
import Plots

// The compare part: on exactly the held-out characters lesson 5's LSTM is scored on, each
// method at its best order N, the characters split by whether their context of N characters
// was seen in training. The counts know a seen context exactly; an unseen one they can
// only guess from a shorter one, where the LSTM still has its state to go on.

/// Bits/char summed over some targets, for the Markov model and the LSTM.
private struct Tally {
    var count = 0, markov = 0.0, lstm = 0.0
    mutating func add(markov p: Double, lstm q: Double) {
        count += 1
        markov -= log2(p)
        lstm -= log2(q)
    }
    var cells: [String] { [grouped(count), count == 0 ? "—" : figure(markov / Double(count)), count == 0 ? "—" : figure(lstm / Double(count))] }
}

/// The table of one corpus: per method (at its best N), all targets, those with a seen and
/// an unseen context, where the Markov model gives the true character more probability, and
/// the mixture ½ Markov + ½ LSTM.
func showComparison(_ corpus: Corpus, tables: [Counts], kneserNey: KneserNey, scores: [MethodScore], lstm: LSTMFigure) throws {
    let targets = lstm.probabilities.keys.sorted()
    var table = Table(title: "Lesson 5's \(grouped(targets.count)) validation characters, each method at its best N (bits/char)",
                      header: ["method (N)", "Markov", "LSTM", "seen context", "Markov", "LSTM", "unseen context", "Markov", "LSTM",
                               "Markov more probable", "½ Markov + ½ LSTM"], alignments: [.left] + Array(repeating: .right, count: 10))
    for score in scores {
        guard let n = score.best?.order else { continue }
        let model = Array(tables[0...n])
        var all = Tally(), seen = Tally(), unseen = Tally()
        var wins = 0, mixture = 0.0
        for t in targets {
            let context = corpus.codes[(t - n)..<t]
            let p = try score.method.probability(model, context, corpus.codes[t], v: corpus.v, kneserNey: kneserNey)
            let q = lstm.probabilities[t]!
            all.add(markov: p, lstm: q)
            if tables[n][Array(context)] != nil { seen.add(markov: p, lstm: q) } else { unseen.add(markov: p, lstm: q) }
            if p > q { wins += 1 }
            mixture -= log2(0.5 * p + 0.5 * q)
        }
        table.add(["\(score.method.name) (\(n))"] + all.cells.dropFirst() + seen.cells + unseen.cells
                  + [percent(wins, of: targets.count), figure(mixture / Double(targets.count))])
    }
    print(table.render())
    print("(N: the order with the fewest bits in the bits part; Markov, LSTM: bits/char on all these characters, then on those whose"
          + " context of N characters occurs in training and on the others; more probable: the share of characters the Markov model"
          + " gives more probability than the LSTM; ½ + ½: the two models' probabilities averaged.)")
}
