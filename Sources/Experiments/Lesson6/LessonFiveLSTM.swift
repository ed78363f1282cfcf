import Autograd
import ExperimentKit
import Foundation
import Plots

// The LSTM line of `tutor run 6`: lesson 5's character LSTM on each corpus, read from lesson
// 5's checkpoint when that model learned this very vocabulary, else read from this lesson's
// cache, else trained here exactly as lesson 5 trains it (and cached). Its bits per character
// are always recomputed on lesson 5's validation targets, never read from the metadata.

/// Lesson 5's LSTM on one corpus: its probability of each validation target, and where it came from.
struct LSTMFigure {
    /// p(target) by text position, on lesson 5's validation targets (its batches).
    let probabilities: [Int: Double]
    /// Mean bits over those targets: lesson 5's validation figure.
    var bits: Double { meanBits(probabilities.values) }
    /// One line: which model, from where.
    let source: String
}

/// The size of LSTM to train when no checkpoint serves: lesson 5's default, or its `--full`.
struct LSTMSize: Equatable {
    let hidden: Int, steps: Int
    static let lessonFive = LSTMSize(hidden: 128, steps: 1500)
    static let lessonFiveFull = LSTMSize(hidden: 256, steps: 6000)
    var about: String { "hidden \(hidden), \(grouped(steps)) steps" }
}

/// A model file that may serve a corpus: its path and what its metadata says.
private struct Candidate {
    let url: URL
    let metadata: [String: String]
    var hidden: Int? { Int(metadata["hidden"] ?? "") }
    var layers: Int? { Int(metadata["layers"] ?? "") }
    var steps: Int? { Int(metadata["steps"] ?? "") }

    init?(_ url: URL) {
        guard FileManager.default.fileExists(atPath: url.path), let contents = try? Safetensors.read(from: url) else { return nil }
        self.url = url
        metadata = contents.metadata
    }

    /// The model, if the file holds one of this vocabulary's size whose weights load.
    func model(_ corpus: Corpus) -> CharacterLSTM? {
        guard let hidden, let layers else { return nil }
        var rng = RNG(seed: 0)
        let model = CharacterLSTM(vocabulary: corpus.v, hidden: hidden, layers: layers, rng: &rng)
        return (try? model.load(from: url)) == nil ? nil : model
    }
}

/// The vocabulary as lesson 5 writes it in its checkpoint's metadata.
func vocabularyJSON(_ corpus: Corpus) -> String {
    String(decoding: (try? JSONEncoder().encode(corpus.vocabulary.map(String.init))) ?? Data(), as: UTF8.self)
}

/// FNV-1a of the codes: whether a cached model learned this very text.
func textHash(_ corpus: Corpus) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for c in corpus.codes { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
    return String(h, radix: 16)
}

/// `url` relative to the course's root, for the printout.
func shortPath(_ url: URL, root: URL) -> String {
    let prefix = root.standardizedFileURL.path + "/"
    let path = url.standardizedFileURL.path
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
}

/// Where this lesson keeps the model it trained for `corpus`: `.tutor/lesson6/lstm-<corpus>[-<hidden>x<steps>].safetensors`.
func cacheURL(_ corpus: Corpus, size: LSTMSize, root: URL) -> URL {
    let suffix = size == .lessonFive ? "" : "-\(size.hidden)x\(size.steps)"
    return PlotFiles.tutorDirectory("lesson6", root: root).appendingPathComponent("lstm-\(corpus.name)\(suffix).safetensors")
}

/// A model already saved for `corpus`, if one serves, with its bits recomputed: lesson 5's
/// checkpoint (or the one it replaced) when its vocabulary is the corpus's and, for another
/// size than lesson 5's default, its size is `size`; else this lesson's cache, when it learned
/// this very text at this size.
func savedFigure(_ corpus: Corpus, size: LSTMSize, root: URL) throws -> LSTMFigure? {
    let json = vocabularyJSON(corpus)
    let lessonFive = PlotFiles.tutorDirectory("lesson5", root: root)
    let checkpoints = corpus.lessonFiveCorpus == nil ? [] : ["characters", "characters-previous"].compactMap {
        Candidate(lessonFive.appendingPathComponent("\($0).safetensors"))
    }
    if let saved = checkpoints.first(where: { $0.metadata["vocabulary"] == json && (size == .lessonFive || ($0.hidden == size.hidden && $0.steps == size.steps)) }),
       let model = saved.model(corpus) {
        let p = try probabilities(model, validationBatches(corpus))
        let claimed = saved.metadata["validation_bits_per_char"].map { "; its metadata says \($0)" } ?? ""
        return LSTMFigure(probabilities: p, source: "lesson 5's checkpoint \(shortPath(saved.url, root: root))"
            + " (hidden \(saved.hidden ?? 0), \(grouped(saved.steps ?? 0)) steps): \(String(format: "%.4f", meanBits(p.values))) bits/char recomputed here\(claimed)")
    }
    if let saved = Candidate(cacheURL(corpus, size: size, root: root)), saved.metadata["vocabulary"] == json, saved.metadata["text"] == textHash(corpus),
       saved.hidden == size.hidden, saved.steps == size.steps, let model = saved.model(corpus) {
        let p = try probabilities(model, validationBatches(corpus))
        return LSTMFigure(probabilities: p, source: "lesson 5's model trained by an earlier run of this lesson, "
            + "\(shortPath(saved.url, root: root)) (\(size.about)): \(String(format: "%.4f", meanBits(p.values))) bits/char")
    }
    return nil
}

/// Lesson 5's LSTM for each corpus, in the corpora's order: a saved one (`savedFigure`), or
/// one trained here (side by side on the experiment's workers) and saved for the next run.
func lessonFiveFigures(_ corpora: [Corpus], size: LSTMSize, experiment: Experiment) throws -> [LSTMFigure] {
    let root = experiment.root
    var found = try corpora.map { try savedFigure($0, size: size, root: root) }
    let missing = corpora.indices.filter { found[$0] == nil }
    guard !missing.isEmpty else { return found.map { $0! } }
    let which = size == .lessonFive ? "" : " (\(size.about))"
    print("No model\(which) of \(missing.map { corpora[$0].name }.joined(separator: " or ")) to read (lesson 5's checkpoint of that text, or .tutor/lesson6's):"
          + " training lesson 5's model (\(size.about), seed 5000) here, as lesson 5 does, \(min(missing.count, experiment.workers.count)) at a time.")
    let bar = ProgressBar(total: missing.count * size.steps, label: "LSTM")
    let trained = try experiment.workers.map(missing) { c -> (model: CharacterLSTM, seconds: Double) in
        try trainLikeLessonFive(corpora[c], hidden: size.hidden, steps: size.steps, seed: 0) { bar.advance(by: 1, message: corpora[c].name) }
    }
    bar.finish()
    for (c, (model, seconds)) in zip(missing, trained) {
        let corpus = corpora[c]
        let p = try probabilities(model, validationBatches(corpus))
        let url = cacheURL(corpus, size: size, root: root)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try model.save(to: url, metadata: [
            "vocabulary": vocabularyJSON(corpus), "text": textHash(corpus), "hidden": "\(size.hidden)", "layers": "1", "corpus": corpus.about,
            "steps": "\(size.steps)", "validation_bits_per_char": String(format: "%.4f", meanBits(p.values)),
        ])
        found[c] = LSTMFigure(probabilities: p, source: "lesson 5's model (\(size.about)) trained here in "
            + String(format: "%.1f s: %.4f bits/char; saved to ", seconds, meanBits(p.values)) + "\(shortPath(url, root: root)) for the next run")
    }
    return found.map { $0! }
}
