import Autograd

// Lesson 8, exercise 8.6: a transformer that reverses.
//
// The notebook's model is BERT (12 layers of width 768) with a linear layer on top; this one
// is the same shape, small enough to train in seconds:
//
//     tokens [B, T] ─▶ embedding [B, T, E] ─▶ + positions ─▶ encoder layers ─▶ final norm ─▶ head ─▶ [B, T, vocabulary]
//
// The head is one Linear(E → vocabulary) applied at EVERY position: the scores at position t
// are the model's guess of output token t, the input token at T − 1 − t. Nothing is generated
// one token at a time (no decoder): all T answers come out at once.
//
// Position t can only find token T − 1 − t if it knows where it is: without the positions,
// attention sees a bag of tokens (8.3), and every position must give the same answer for
// the same token.

/// The reverser: an embedding, learned positions, a pre-norm transformer encoder (with its
/// final LayerNorm) and a head per position. Not an exercise except `withWeights(_:)`.
public final class Reverser: Module {
    /// A vector per token [vocabulary, dModel].
    public let embedding: Embedding
    /// A learned vector per position [length, dModel], added to the tokens'.
    public let positions: PositionEmbedding
    /// The encoder layers (pre-norm, GELU) and the final LayerNorm (`encoder.norm`).
    public let encoder: TransformerEncoder
    /// Linear(dModel → vocabulary), at every position.
    public let head: Linear
    public var isTraining = true

    /// How many different tokens there are.
    public var vocabulary: Int { head.outFeatures }
    /// The longest sequence the positions cover.
    public var length: Int { positions.weight.shape[0] }

    /// A reverser for sequences of up to `length` tokens below `vocabulary`, of width
    /// `dModel` with `heads` heads per layer, `layers` layers and a feed-forward block of
    /// `feedforward` units (4 · dModel when nil, as BERT's), no dropout. The weights, in the
    /// order above, come from `rng`.
    public init(vocabulary: Int, length: Int, dModel: Int = 64, heads: Int = 4, layers: Int = 2,
                feedforward: Int? = nil, rng: inout RNG) {
        embedding = Embedding(vocabulary, dModel, rng: &rng)
        positions = PositionEmbedding(maxLength: length, dim: dModel, rng: &rng)
        encoder = TransformerEncoder(dModel: dModel, nhead: heads, numLayers: layers, dimFeedforward: feedforward ?? 4 * dModel,
                                     dropout: 0, activation: .gelu(.none), normFirst: true, rng: &rng)
        head = Linear(dModel, vocabulary, rng: &rng)
    }

    /// A reverser made of the layers given, as they are (the graders build their own).
    public init(embedding: Embedding, positions: PositionEmbedding, encoder: TransformerEncoder, head: Linear) {
        (self.embedding, self.positions, self.encoder, self.head) = (embedding, positions, encoder, head)
    }

    public var submodules: [(name: String, module: any Module)] {
        [("embedding", embedding), ("positions", positions), ("encoder", encoder), ("head", head)]
    }

    /// The scores [B, T, vocabulary] for tokens [B, T] (codes as floats).
    public func callAsFunction(_ tokens: Tensor) throws -> Tensor {
        try withWeights(tokens).logits
    }

    /// The scores [B, T, vocabulary] for tokens [B, T], and each layer's attention weights
    /// [B, heads, T, T] (a read-out for pictures: no gradient flows through them).
    public func withWeights(_ tokens: Tensor) throws -> (logits: Tensor, weights: [Tensor]) {
        // TODO(8.6): x = positions(embedding(tokens)); (h, weights) = encoder.withWeights(x) — the encoder applies its final norm; return (head(h), weights).
        throw TODO("8.6")
    }
}
