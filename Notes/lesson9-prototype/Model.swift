import Autograd

// Lesson 9 prototype: a transformer encoder that reads an expression and says how many of its
// terms have a like partner.
//
//   codes [B, T] ─▶ embedding ─▶ + positions ─▶ encoder (pre-norm, GELU, final norm) [B, T, E]
//                ─▶ mean over the non-padding positions [B, E] ─▶ Linear(E → classes) [B, classes]

/// How the encoder's outputs become one vector per expression.
enum Pooling: String { case mean, sum, first }

/// Mean of h [B, T, E] over the positions where padding [B, T] is 0: [B, E].
func maskedMean(_ h: Tensor, padding: Tensor) throws -> Tensor {
    let keep = try (1 - padding).unsqueeze(2)                 // [B, T, 1]
    let total = try (h * keep).sum(axis: 1)                   // [B, E]
    let count = try keep.sum(axis: 1)                         // [B, 1]
    return try total / count
}

final class LikeTermClassifier: Module {
    let embedding: Embedding
    let positions: PositionEmbedding
    let encoder: TransformerEncoder
    let head: Linear
    let pooling: Pooling
    /// Whether position vectors are added (a term tokeniser's label does not depend on order).
    var usePositions = true
    var isTraining = true

    init(vocabulary: Int, length: Int, classes: Int, dModel: Int, heads: Int, layers: Int, feedforward: Int,
         pooling: Pooling = .mean, rng: inout RNG) {
        embedding = Embedding(vocabulary, dModel, rng: &rng)
        positions = PositionEmbedding(maxLength: length, dim: dModel, rng: &rng)
        encoder = TransformerEncoder(dModel: dModel, nhead: heads, numLayers: layers, dimFeedforward: feedforward,
                                     dropout: 0, activation: .gelu(.none), normFirst: true, rng: &rng)
        head = Linear(dModel, classes, rng: &rng)
        self.pooling = pooling
    }

    var submodules: [(name: String, module: any Module)] {
        [("embedding", embedding), ("positions", positions), ("encoder", encoder), ("head", head)]
    }

    func callAsFunction(_ codes: Tensor, padding: Tensor) throws -> Tensor {
        try forward(codes, padding: padding, weights: false).logits
    }

    func forward(_ codes: Tensor, padding: Tensor, weights: Bool) throws -> (logits: Tensor, weights: [Tensor]) {
        let x = usePositions ? try positions(embedding(codes)) : try embedding(codes)
        let (h, w) = weights ? try encoder.withWeights(x, keyPaddingMask: padding) : (try encoder(x, keyPaddingMask: padding), [])
        let pooled: Tensor
        switch pooling {
        case .mean: pooled = try maskedMean(h, padding: padding)
        case .sum: pooled = try (h * (1 - padding).unsqueeze(2)).sum(axis: 1)
        case .first: pooled = try h.select(axis: 1, index: 0)
        }
        return (try head(pooled), w)
    }
}
