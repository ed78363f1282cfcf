import Autograd

// Lesson 5, exercise 5.3: three words in, the fourth out.
//
// The first model reads exactly three words and guesses the fourth. Each word becomes a
// vector (an embedding: row `code` of a table), and ONE hidden layer reads them one after
// another: the first word alone, then what the layer made of it plus the second word,
// then that plus the third. The same layer three times — a word means the same thing
// wherever it stands — and the order is kept, because each word enters at its own step:
//
//     e0 = E[x0]   e1 = E[x1]   e2 = E[x2]                       (embedding, [B, H] each)
//     h = relu(W e0 + b)
//     h = relu(W (h + e1) + b)
//     h = relu(W (h + e2) + b)
//     logits = head(h)                                           ([B, vocabulary])
//
//         x0 ──E──▶ [W,relu] ──h──▶ (+) ──▶ [W,relu] ──h──▶ (+) ──▶ [W,relu] ──▶ head ──▶ the 4th word
//                                    ▲                       ▲
//                        x1 ──E──────┘           x2 ──E──────┘
//
// Written out like this, it is already a recurrent network: look at the picture
// sideways. Exercise 5.4 writes it as the loop it is.

/// The word models of exercises 5.3–5.5 (the chapter's LMModel1–4): an embedding of the
/// vocabulary, one hidden layer shared by every step, and a head that scores every word.
public final class WordModel: Module {
    /// `[vocabulary, hidden]`: row c is word c's vector.
    public let embedding: Embedding
    /// `hidden → hidden`, applied at every step (the chapter's `h_h`).
    public let hidden: Linear
    /// `hidden → vocabulary`: a score for each possible next word (the chapter's `h_o`).
    public let head: Linear
    public var isTraining = true

    public init(vocabulary: Int, hidden: Int, rng: inout RNG) {
        embedding = Embedding(vocabulary, hidden, rng: &rng)
        self.hidden = Linear(hidden, hidden, rng: &rng)
        head = Linear(hidden, vocabulary, rng: &rng)
    }

    /// A model made of existing layers (the graders make theirs so).
    public init(embedding: Embedding, hidden: Linear, head: Linear) {
        self.embedding = embedding
        self.hidden = hidden
        self.head = head
    }

    public var submodules: [(name: String, module: any Module)] { [("i_h", embedding), ("h_h", hidden), ("h_o", head)] }
}

/// The chapter's first model on a batch of three-word windows: `words` is `[B, 3]` codes
/// (as Floats); returns the logits of the fourth word, `[B, vocabulary]` (no softmax: the
/// loss takes logits). The three steps are written out, one after the other, as drawn
/// above: h = relu(hidden(e0)); h = relu(hidden(h + e1)); h = relu(hidden(h + e2)).
public func threeWords(_ words: Tensor, model: WordModel) throws -> Tensor {
    // TODO(5.3): e = model.embedding(words), [B, 3, H]; word i is e.select(axis: 1, index: i). Three steps through model.hidden with relu, adding the next word's vector before each later step; then model.head.
    throw TODO("5.3")
}
