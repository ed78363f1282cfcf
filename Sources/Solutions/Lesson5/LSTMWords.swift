import Autograd

// Lesson 5, exercise 5.6: an LSTM language model, its state carried on.
//
// Models 4 and 5 forget fast: a tanh or relu state is multiplied by the same matrix at
// every step, and what it knew a dozen words ago fades or blows up (model 5, two layers
// of it, does worse than one). An LSTM keeps a cell that each step may leave untouched
// (lesson 4). The model is the same shape as before — embedding, recurrent layer, head —
// with the core's LSTM as the recurrent layer, two layers deep.
//
// Its state is a PAIR, (h, c), each [layers, B, H], and both are carried to the next
// batch, both detached: a cell handed on with its history ties the next batch's backward
// pass to this one just as h would.
//
// Model 7 adds dropout on the LSTM's output while training: each value zeroed with
// probability p and the others scaled by 1/(1 − p) (the core's `dropout`), so the head
// cannot lean on any one unit; in evaluation the output passes unchanged.
//
//     words ─▶ embedding ─▶ LSTM (from state) ─▶ raw ─▶ dropout ─▶ dropped ─▶ head ─▶ logits
//                              │
//                              └─▶ (h, c), detached ─▶ the next batch

/// The LSTM word models of exercises 5.6–5.8 (the chapter's LMModel6 and LMModel7).
public final class LSTMWordModel: Module {
    public let embedding: Embedding
    /// `layers` LSTM layers, hidden → hidden.
    public let lstm: LSTM
    /// hidden → vocabulary; with `tied`, its weight IS the embedding's table (5.7).
    public let head: Linear
    /// The probability that dropout zeroes a value of the LSTM's output (0: no dropout).
    public let dropout: Float
    /// Where dropout draws its masks.
    public var rng: RNG
    public var isTraining = true

    /// The embedding, the LSTM and the head, drawn from `rng` in that order; with `tied`,
    /// the head's weight is replaced by the embedding's (`tie(_:to:)`, exercise 5.7).
    public init(vocabulary: Int, hidden: Int, layers: Int, dropout: Float = 0, tied: Bool = false, rng: inout RNG) throws {
        embedding = Embedding(vocabulary, hidden, rng: &rng)
        lstm = LSTM(hidden, hidden, numLayers: layers, rng: &rng)
        let head = Linear(hidden, vocabulary, rng: &rng)
        self.head = tied ? try tie(head, to: embedding) : head
        self.dropout = dropout
        self.rng = rng.split()
    }

    /// A model made of existing layers, drawing its dropout masks from `rng` (the graders
    /// make theirs so).
    public init(embedding: Embedding, lstm: LSTM, head: Linear, dropout: Float, rng: RNG) {
        self.embedding = embedding
        self.lstm = lstm
        self.head = head
        self.dropout = dropout
        self.rng = rng
    }

    public var submodules: [(name: String, module: any Module)] { [("i_h", embedding), ("rnn", lstm), ("h_o", head)] }
}

/// One batch of the LSTM word model: `words` `[B, T]` codes, from `state` (h and c, each
/// `[layers, B, H]`; nil: zeros). The LSTM reads the embedded words; its output (`raw`,
/// `[B, T, H]`) goes through dropout — `dropout(raw, p: model.dropout, training:
/// model.isTraining, rng: &model.rng)`, once — giving `dropped`, which the head scores.
/// Returns the logits `[B, T, vocabulary]`, the state to start the next batch from (the
/// LSTM's final h and c, both detached), and `raw` and `dropped` (exercise 5.8 needs them).
public func lstmWords(_ words: Tensor, state: (h: Tensor, c: Tensor)?, model: LSTMWordModel) throws
    -> (logits: Tensor, state: (h: Tensor, c: Tensor), raw: Tensor, dropped: Tensor)
{
    // TODO(5.6): (raw, next) = model.lstm(model.embedding(words), state); dropped = dropout(raw, …) as above; return (model.head(dropped), (next.h.detached(), next.c.detached()), raw, dropped).
    // BEGIN SOLUTION
    let (raw, next) = try model.lstm(model.embedding(words), state)
    let dropped = try Autograd.dropout(raw, p: model.dropout, training: model.isTraining, rng: &model.rng)
    return (try model.head(dropped), (next.h.detached(), next.c.detached()), raw, dropped)
    // END SOLUTION
}
