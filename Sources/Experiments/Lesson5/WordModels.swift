import Autograd
import Foundation
import Lesson5

// The chapter's seven word models (LMModel1…7), each run through the student's function
// for one batch, with the settings the chapter trains it with; model 5, which has no
// exercise, is written here in the same shape; and model 7 with each of its three
// changes removed, for the ablation.

/// A word model as the training loop drives it: a batch in, logits out, and the state it
/// carries from one batch to the next.
protocol WordLanguageModel: AnyObject {
    /// The layers, for the optimizer, `train()` and `eval()`.
    var module: any Module { get }
    /// The logits of a batch of `[B, T]` codes (`[B, V]` for models 1–3, `[B, T, V]` for
    /// 4–7) and, while training, a penalty to add to the loss (model 7's AR and TAR).
    func callAsFunction(_ words: Tensor) throws -> (logits: Tensor, penalty: Tensor?)
    /// Forgets the state carried across batches (fastai's `ModelResetter`: at the start
    /// of every epoch, and before validation).
    func reset()
}

/// Model 1: three words written out (5.3); nothing carried.
final class ThreeWordsLM: WordLanguageModel {
    let model: WordModel
    var module: any Module { model }
    init(_ model: WordModel) { self.model = model }
    func callAsFunction(_ words: Tensor) throws -> (logits: Tensor, penalty: Tensor?) { (try threeWords(words, model: model), nil) }
    func reset() {}
}

/// Models 2–5: a pass that starts from a state and returns the next — the loop (5.4), a
/// guess after every word (5.5), or model 5's stacked RNN — its state from zeros every batch
/// (`carries: false`, model 2) or carried on.
final class CarriedLM: WordLanguageModel {
    let module: any Module
    let carries: Bool
    let pass: (_ words: Tensor, _ state: Tensor?) throws -> (logits: Tensor, state: Tensor)
    var state: Tensor? = nil
    init(_ module: any Module, carries: Bool = true, pass: @escaping (_ words: Tensor, _ state: Tensor?) throws -> (logits: Tensor, state: Tensor)) {
        self.module = module
        self.carries = carries
        self.pass = pass
    }
    func callAsFunction(_ words: Tensor) throws -> (logits: Tensor, penalty: Tensor?) {
        let (logits, next) = try pass(words, carries ? state : nil)
        if carries { state = next }
        return (logits, nil)
    }
    func reset() { state = nil }
}

/// Model 5 (the chapter's LMModel5), which has no exercise: model 4 with the core's tanh
/// RNN, `layers` deep, in place of the hand-written relu loop.
final class StackedRNNWordModel: Module {
    let embedding: Embedding
    let rnn: RNN
    let head: Linear
    var isTraining = true

    /// The embedding, the RNN and the head, drawn from `rng` in that order.
    init(vocabulary: Int, hidden: Int, layers: Int, rng: inout RNG) {
        embedding = Embedding(vocabulary, hidden, rng: &rng)
        rnn = RNN(hidden, hidden, numLayers: layers, rng: &rng)
        head = Linear(hidden, vocabulary, rng: &rng)
    }

    var submodules: [(name: String, module: any Module)] { [("i_h", embedding), ("rnn", rnn), ("h_o", head)] }
}

/// Model 5 on one batch, shaped as the exercises' functions: `words` `[B, T]` codes from
/// `state` (`[layers, B, H]`; nil: zeros) → logits `[B, T, vocabulary]` and the RNN's
/// final state, detached.
func stackedWords(_ words: Tensor, state: Tensor?, model: StackedRNNWordModel) throws -> (logits: Tensor, state: Tensor) {
    let (output, hidden) = try model.rnn(model.embedding(words), state)
    return (try model.head(output), hidden.detached())
}

/// Models 6 and 7: the LSTM word model (5.6), its state carried on; while training, the
/// activation penalty (5.8) when α or β is not 0.
final class LSTMLM: WordLanguageModel {
    let model: LSTMWordModel
    let alpha: Float, beta: Float
    var state: (h: Tensor, c: Tensor)? = nil
    var module: any Module { model }
    init(_ model: LSTMWordModel, alpha: Float = 0, beta: Float = 0) {
        self.model = model
        self.alpha = alpha
        self.beta = beta
    }
    func callAsFunction(_ words: Tensor) throws -> (logits: Tensor, penalty: Tensor?) {
        let run = try lstmWords(words, state: state, model: model)
        state = run.state
        guard model.isTraining, alpha > 0 || beta > 0 else { return (run.logits, nil) }
        return (run.logits, try activationPenalty(raw: run.raw, dropped: run.dropped, alpha: alpha, beta: beta))
    }
    func reset() { state = nil }
}

/// One model of the progression with the chapter's settings for it: its layout, its
/// `fit_one_cycle(epochs, lr, wd)`, and the accuracy the chapter printed at its end.
struct WordSetup: Sendable {
    /// "1" … "7", or the ablation's "7 − tying".
    let name: String
    let about: String
    /// The exercises it runs through (a model whose exercise is not written is skipped).
    let uses: [String]
    let layout: Layout
    let epochs: Int
    let learningRate: Float
    let weightDecay: Float
    /// The chapter's accuracy after its last epoch (nil for the ablation's variants).
    let chapter: Double?
    /// The model, drawn from `rng`, for a vocabulary of that many words.
    let make: @Sendable (_ vocabulary: Int, _ rng: inout RNG) throws -> any WordLanguageModel

    static let hidden = 64

    /// The chapter's seven models in its order.
    static let chapter: [WordSetup] = [
        WordSetup(name: "1", about: "three words in, the fourth out", uses: ["5.1", "5.3"], layout: .windows,
                  epochs: 4, learningRate: 1e-3, weightDecay: 0.01, chapter: 0.494) {
            ThreeWordsLM(WordModel(vocabulary: $0, hidden: hidden, rng: &$1))
        },
        WordSetup(name: "2", about: "the same as a loop", uses: ["5.1", "5.4"], layout: .windows,
                  epochs: 4, learningRate: 1e-3, weightDecay: 0.01, chapter: 0.470) {
            let model = WordModel(vocabulary: $0, hidden: hidden, rng: &$1)
            return CarriedLM(model, carries: false) { try wordLoop($0, state: $1, model: model) }
        },
        WordSetup(name: "3", about: "the state carried on, detached", uses: ["5.1", "5.2", "5.4"], layout: .groupedWindows,
                  epochs: 10, learningRate: 3e-3, weightDecay: 0.01, chapter: 0.574) {
            let model = WordModel(vocabulary: $0, hidden: hidden, rng: &$1)
            return CarriedLM(model) { try wordLoop($0, state: $1, model: model) }
        },
        WordSetup(name: "4", about: "a guess after every word", uses: ["5.1", "5.2", "5.5"], layout: .sequences,
                  epochs: 15, learningRate: 3e-3, weightDecay: 0.01, chapter: 0.59) {
            let model = WordModel(vocabulary: $0, hidden: hidden, rng: &$1)
            return CarriedLM(model) { try everyWord($0, state: $1, model: model) }
        },
        WordSetup(name: "5", about: "two stacked tanh RNN layers", uses: ["5.1", "5.2"], layout: .sequences,
                  epochs: 15, learningRate: 3e-3, weightDecay: 0.01, chapter: 0.53) {
            let model = StackedRNNWordModel(vocabulary: $0, hidden: hidden, layers: 2, rng: &$1)
            return CarriedLM(model) { try stackedWords($0, state: $1, model: model) }
        },
        WordSetup(name: "6", about: "a two-layer LSTM", uses: ["5.1", "5.2", "5.6"], layout: .sequences,
                  epochs: 15, learningRate: 1e-2, weightDecay: 0.01, chapter: 0.76) {
            LSTMLM(try LSTMWordModel(vocabulary: $0, hidden: hidden, layers: 2, rng: &$1))
        },
        lstm("7", about: "6 + dropout 0.4, tied weights, AR/TAR", dropout: 0.4, tied: true, penalty: true, chapter: 0.87),
    ]

    /// Model 7 with each of its three changes removed in turn (not in the chapter).
    static let ablation: [WordSetup] = [
        lstm("7 − tying", about: "dropout 0.4, AR/TAR; a head of its own", dropout: 0.4, tied: false, penalty: true),
        lstm("7 − dropout", about: "tied weights, AR/TAR; no dropout", dropout: 0, tied: true, penalty: true),
        lstm("7 − AR/TAR", about: "dropout 0.4, tied weights; no penalty", dropout: 0.4, tied: true, penalty: false),
    ]

    /// Model 7 (`fit_one_cycle(15, 1e-2, wd=0.1)`) or a variant of it.
    static func lstm(_ name: String, about: String, dropout: Float, tied: Bool, penalty: Bool, chapter: Double? = nil) -> WordSetup {
        let uses = ["5.1", "5.2", "5.6"] + (tied ? ["5.7"] : []) + (penalty ? ["5.8"] : [])
        return WordSetup(name: name, about: about, uses: uses, layout: .sequences, epochs: 15, learningRate: 1e-2, weightDecay: 0.1,
                         chapter: chapter) {
            LSTMLM(try LSTMWordModel(vocabulary: $0, hidden: hidden, layers: 2, dropout: dropout, tied: tied, rng: &$1),
                   alpha: penalty ? 2 : 0, beta: penalty ? 1 : 0)
        }
    }
}
