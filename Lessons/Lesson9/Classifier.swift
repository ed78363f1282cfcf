import Autograd

// Lesson 9's model (given, not an exercise): a transformer encoder that reads an expression's
// tokens and says how many terms have a like partner, 0…13.
//
//     codes [B, T] ─▶ embedding ─▶ + positions ─▶ encoder layers (padding masked) ─▶ final norm
//                  ─▶ pool over the real positions (9.5) ─▶ head ─▶ [B, 14] scores
//
// The notebook's model is a Reformer that writes its answer as text at position 0; this one
// is a classifier with one head on the pooled vector, which is what the label asks for.

/// The like-term classifier: an embedding, learned positions, a pre-norm transformer
/// encoder (GELU, final LayerNorm), a pooling over the real positions and Linear(E → 14).
public final class LikeTermClassifier: Module {
    public let embedding: Embedding
    public let positions: PositionEmbedding
    public let encoder: TransformerEncoder
    public let head: Linear
    /// A mean over the real positions (true) or their sum (false, the default: the label is a count).
    public var meanPooling: Bool
    public var isTraining = true

    /// How many answers the head scores: 0…13.
    public static let classes = 14

    /// A classifier for token codes below `vocabulary`, rows of up to `length` tokens, width
    /// `dModel`, `heads` heads, `layers` layers and a feed-forward block of 2 · dModel.
    public init(vocabulary: Int, length: Int, dModel: Int = 64, heads: Int = 4, layers: Int = 2,
                meanPooling: Bool = false, rng: inout RNG) {
        embedding = Embedding(vocabulary, dModel, rng: &rng)
        positions = PositionEmbedding(maxLength: length, dim: dModel, rng: &rng)
        encoder = TransformerEncoder(dModel: dModel, nhead: heads, numLayers: layers, dimFeedforward: 2 * dModel,
                                     dropout: 0, activation: .gelu(.none), normFirst: true, rng: &rng)
        head = Linear(dModel, Self.classes, rng: &rng)
        self.meanPooling = meanPooling
    }

    public var submodules: [(name: String, module: any Module)] {
        [("embedding", embedding), ("positions", positions), ("encoder", encoder), ("head", head)]
    }

    /// Scores [B, 14] for codes [B, T] (as floats, padded with 0) and padding [B, T] (1 = padding),
    /// and each layer's attention weights [B, heads, T, T].
    public func withWeights(_ codes: Tensor, padding: Tensor) throws -> (logits: Tensor, weights: [Tensor]) {
        let x = try positions(embedding(codes))
        let (h, weights) = try encoder.withWeights(x, keyPaddingMask: padding)
        return (try head(pool(h, padding: padding, mean: meanPooling)), weights)
    }

    public func callAsFunction(_ codes: Tensor, padding: Tensor) throws -> Tensor {
        try withWeights(codes, padding: padding).logits
    }
}

/// A batch of rows of codes, padded with 0 to the longest (the core's `padBatch`): codes and
/// padding [B, T] (1 at the padding), as floats.
public func paddedBatch(_ rows: [[Int]]) throws -> (codes: Tensor, padding: Tensor) {
    let batch = try padBatch(rows, length: Swift.max(1, rows.map(\.count).max() ?? 1))
    return (batch.codes, 1 - batch.mask)
}
