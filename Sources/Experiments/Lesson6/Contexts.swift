import ExperimentKit
import Foundation
import Lesson6
import Plots

// The counts part's table: how many contexts each order has in the training text, how many
// of them were seen only once, and how much of the held-out text follows a context that
// training never saw — why a longer context stops helping.

/// For N = 0…: distinct contexts, those seen once, distinct (context, next) pairs, held-out
/// targets whose context is unseen, distinct held-out contexts and how many of them are
/// unseen, and the seconds countNext took.
func contextTable(_ corpus: Corpus, tables: [Counts], seconds: [Double]) -> Table {
    var table = Table(title: "Contexts of order N in the \(grouped(corpus.cut)) training characters, and the \(grouped(corpus.targets.count)) held-out ones",
                      header: ["N", "contexts", "seen once", "pairs", "held-out characters after an unseen context", "held-out contexts",
                               "of them unseen", "counting, s"], alignments: Array(repeating: .right, count: 8))
    let codes = corpus.codes
    for (n, counts) in tables.enumerated() {
        var once = 0, pairs = 0
        for row in counts.values {
            pairs += row.count
            if row.count == 1, row.first!.value == 1 { once += 1 }
        }
        var unseen = 0
        var contexts = Set<ArraySlice<Int>>(), unseenContexts = Set<ArraySlice<Int>>()
        for t in corpus.targets {
            let context = codes[(t - n)..<t]
            contexts.insert(context)
            if counts[Array(context)] == nil {
                unseen += 1
                unseenContexts.insert(context)
            }
        }
        table.add(["\(n)", grouped(counts.count), grouped(once), grouped(pairs), "\(grouped(unseen)) (\(percent(unseen, of: corpus.targets.count)))",
                   grouped(contexts.count), "\(grouped(unseenContexts.count)) (\(percent(unseenContexts.count, of: contexts.count)))",
                   String(format: "%.2f", seconds[n])])
    }
    return table
}
