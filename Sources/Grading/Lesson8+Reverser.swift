import Autograd
import Solution8

// The graders of lesson 8, continued: the reverser's forward pass, on a small model the probe
// builds (7 tokens, 6 positions, width 8, 2 heads, 2 layers), handed to the student's
// `Reverser` as its layers.

extension Lesson8Graders {
    // MARK: - 8.6 the reverser

    /// (embedding, positions, encoder, head, tokens) → (logits, each layer's weights).
    public typealias Reverse = (Embedding, PositionEmbedding, TransformerEncoder, Linear, Tensor) throws -> (logits: Tensor, weights: [Tensor])

    /// The reverser's layers from `seed`: the encoder's norms and attention biases set to random
    /// values (they start as ones and zeros), no dropout, GELU, pre-norm with a final norm.
    static func reverserLayers(seed: UInt64) throws -> (embedding: Embedding, positions: PositionEmbedding, encoder: TransformerEncoder, head: Linear) {
        var rng = RNG(seed: seed)
        let embedding = Embedding(7, 8, rng: &rng), positions = PositionEmbedding(maxLength: 6, dim: 8, rng: &rng)
        let encoder = TransformerEncoder(dModel: 8, nhead: 2, numLayers: 2, dimFeedforward: 16, dropout: 0, activation: .gelu(.none),
                                         normFirst: true, rng: &rng)
        let head = Linear(8, 7, rng: &rng)
        for (i, (name, p)) in encoder.namedParameters().enumerated() where name.contains("norm") || name.hasSuffix("bias") {
            try randomize(p, seed: seed + 100 + UInt64(i), name.hasSuffix("weight") ? 0.5...1.5 : -0.5...0.5)
        }
        return (embedding, positions, encoder, head)
    }

    /// Three sequences as long as the positions go, then two shorter ones (only the first
    /// positions are used).
    static let reverserCases: [(what: String, batch: Int, length: Int)] = [("3 sequences of 6 tokens", 3, 6), ("2 sequences of 4 tokens", 2, 4)]

    static func reverserProbe(_ reverse: Reverse) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in reverserCases.enumerated() {
            let suffix = " (\(c.what))"
            try Probes.attempt("logits\(suffix)", into: &outcome) { o in
                let seed = 951 + 10 * UInt64(k)
                let (embedding, positions, encoder, head) = try reverserLayers(seed: seed)
                var rng = RNG(seed: seed + 5)
                let tokens = try Tensor((0..<(c.batch * c.length)).map { _ in Float(rng.int(below: 7)) }, shape: [c.batch, c.length])
                // The layers' own parameters are 8.5's business: the gradients recorded are the reverser's own.
                let named = [("embedding.weight", embedding.weight), ("positions.weight", positions.weight)]
                    + (encoder.norm?.namedParameters() ?? []).map { ("encoder.norm.\($0.name)", $0.tensor) } + [("head.weight", head.weight), ("head.bias", head.bias!)]
                Probes.expose([("tokens", tokens)] + named)
                let (logits, weights) = try reverse(embedding, positions, encoder, head, tokens)
                try Probes.record(logits, as: "logits\(suffix)", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &o)
                o.record("how many layers' weights are returned\(suffix)", Float(weights.count))
                for (i, w) in weights.enumerated() { o.record("the weights of layer \(i)\(suffix)", w.detached()) }
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the reverser (8.6's known mistakes).
    enum ReverserChange { case noPositions, embeddingScaled, headOnTheMean, weightsAveraged, tokensFlipped, noFinalNorm, sinusoidal }

    static func reverserWith(_ change: ReverserChange) -> Reverse {
        { embedding, positions, encoder, head, tokens in
            let (b, t, d) = (tokens.shape[0], tokens.shape[1], embedding.dim)
            let input = change == .tokensFlipped ? try tokens.indexSelect(axis: 1, indices: Array((0..<t).reversed())) : tokens
            var x = try embedding(input)
            if change == .embeddingScaled { x = x * Float(d).squareRoot() }
            switch change {
            case .noPositions: break
            case .sinusoidal: x = try x + sinusoidalPositionEncoding(length: t, dim: d)
            default: x = try positions(x)
            }
            var (h, weights) = try encoder.withWeights(x)
            if change == .noFinalNorm {
                (h, weights) = (x, [])
                for layer in encoder.layers {
                    let (y, w) = try layer.withWeights(h)
                    (h, weights) = (y, weights + [w])
                }
            }
            if change == .weightsAveraged { weights = try weights.map { try $0.mean(axis: 1) } }
            let logits = change == .headOnTheMean ? try head(h.mean(axis: 1, keepDims: true)).expand(to: [b, t, head.outFeatures]) : try head(h)
            return (logits, weights)
        }
    }
    // END INSTRUCTOR

    public static let withWeights = Exercise<Reverse>(
        id: "8.6", title: "The reverser's forward pass", symbol: "Reverser.withWeights(_:)", file: "Lessons/Lesson8/Reverser.swift",
        reference: { try Solution8.Reverser(embedding: $0, positions: $1, encoder: $2, head: $3).withWeights($4) },
        mistakes: [
            Mistake("no-positions", "the positions are never added",
                    feedback: "Without them the encoder sees a bag of tokens: permute the input and every position's output permutes alike, so position t cannot know it must fetch the token at T − 1 − t. Add the learned positions to the embedded tokens: positions(embedding(tokens)).",
                    reverserWith(.noPositions)),
            Mistake("embedding-scaled", "the embedded tokens are multiplied by √d (the original transformer's scaling)",
                    feedback: "\"Attention Is All You Need\" scales its embeddings by √d because its fixed sin/cos positions are small; this model's positions are learned vectors like the tokens', and BERT (the notebook's model) adds the two as they are. Leave the embedding unscaled.",
                    reverserWith(.embeddingScaled)),
            Mistake("head-on-the-mean", "the head reads the mean over the positions: every position gets the same answer",
                    feedback: "A classifier pools the sequence into one vector, but reversing needs a DIFFERENT token at every position: the head must run on each position's own vector, [B, T, E] → [B, T, vocabulary]. Apply head to the encoder's output itself (a Linear acts on the last axis).",
                    reverserWith(.headOnTheMean)),
            Mistake("weights-averaged-over-heads", "each layer's weights are averaged over the heads: [B, T, T], not [B, heads, T, T]",
                    feedback: "The pictures of lesson 8 show each head on its own — one may look at the mirror position while another looks at itself — and the mean blurs them together. Return the encoder's weights as they come, one [B, heads, T, T] per layer.",
                    reverserWith(.weightsAveraged)),
            Mistake("tokens-flipped", "the tokens are reversed before the model sees them",
                    feedback: "Flipping the input makes the task trivial — each position's answer is its own token — and teaches nothing about attention; the experiment is to see the network learn to look at position T − 1 − t. The forward pass takes the tokens as they are: positions(embedding(tokens)), the encoder, the head.",
                    reverserWith(.tokensFlipped)),
            Mistake("no-final-norm", "the encoder's layers are run without its final LayerNorm",
                    feedback: "A pre-norm layer adds to its input without normalising the sum, so the last layer's output still needs a norm: the encoder's own (encoder.norm), which encoder(x) or encoder.withWeights(x) applies after the layers. If you loop over encoder.layers yourself, finish with encoder.norm.",
                    reverserWith(.noFinalNorm)),
            Mistake("sin-cos-positions", "the fixed sin/cos table is added instead of the model's learned positions",
                    feedback: "8.3's table is one way to mark positions; this model learns its own (BERT's way), in self.positions, and the optimizer trains them — a table added in the forward pass leaves positions.weight without a gradient. Apply positions to the embedded tokens.",
                    reverserWith(.sinusoidal)),
        ],
        probe: reverserProbe
    )
}
