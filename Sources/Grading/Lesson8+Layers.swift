import Autograd
import Solution8

// The graders of lesson 8, continued: multi-head self-attention and the encoder layer, each
// written with the parameters of a core layer the probe makes (biases and norms set to random
// values: a layer starts with zeros and ones there, and a term left out would not show).

extension Lesson8Graders {
    // MARK: - 8.4 multi-head self-attention

    /// (x, layer, keyPadding) → [B, T, E].
    public typealias Heads = (Tensor, MultiheadAttention, Tensor?) throws -> Tensor

    /// (what, B, T, E, heads, padding rows or none): two heads with padding in a different
    /// place in each sequence; three heads and no padding; three heads of two columns each.
    static let headCases: [(what: String, batch: Int, length: Int, embed: Int, heads: Int, padding: [[Float]]?)] = [
        ("E = 8 in 2 heads, padding at the end, nowhere and at the start", 3, 5, 8, 2, [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0], [1, 0, 0, 0, 0]]),
        ("E = 12 in 3 heads, no padding", 2, 4, 12, 3, nil),
        ("E = 6 in 3 heads of 2, padding", 2, 3, 6, 3, [[0, 0, 1], [0, 1, 1]]),
    ]

    static func headsProbe(_ heads: Heads) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in headCases.enumerated() {
            let suffix = " (\(c.what))"
            try Probes.attempt("output\(suffix)", into: &outcome) { o in
                let seed = 881 + 10 * UInt64(k)
                var rng = RNG(seed: seed)
                let layer = MultiheadAttention(c.embed, c.heads, rng: &rng)
                try randomize(layer.inProjBias, seed: seed + 1, -0.5...0.5)
                try randomize(layer.outProj.bias, seed: seed + 2, -0.5...0.5)
                let x = Probes.input([c.batch, c.length, c.embed], seed: seed + 3, -1.5...1.5)
                let mask = try c.padding.map(padding)
                let named = [("x", x)] + layer.namedParameters().map { ($0.name, $0.tensor) }
                Probes.expose(named)
                let y = try heads(x, layer, mask)
                try Probes.record(y, as: "output\(suffix)", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &o)
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to multi-head attention (8.4's known mistakes).
    enum HeadsChange { case noTransposes, headsNotSwapped, mergeNotTransposed, queryKeySwapped, strided, noOutProjection, paddingDropped, inBiasDropped, scaledByE }

    static func headsWith(_ change: HeadsChange) -> Heads {
        { x, layer, keyPadding in
            let (b, t, e, h) = (x.shape[0], x.shape[1], layer.embedDim, layer.numHeads)
            let qkv = try linear(x, weight: layer.inProjWeight, bias: change == .inBiasDropped ? nil : layer.inProjBias).chunk(3, axis: 2)
            func split(_ y: Tensor) throws -> Tensor {
                switch change {
                case .noTransposes: return try y.reshape([b, h, t, e / h])
                case .headsNotSwapped: return try y.reshape([b, t, h, e / h])
                case .strided: return try y.reshape([b, t, e / h, h]).permute([0, 3, 1, 2])
                default: return try y.reshape([b, t, h, e / h]).permute([0, 2, 1, 3])
                }
            }
            var (q, k, v) = (try split(qkv[0]), try split(qkv[1]), try split(qkv[2]))
            if change == .queryKeySwapped { (q, k) = (k, q) }
            if change == .scaledByE { q = q * (Float(e / h) / Float(e)).squareRoot() }
            let out = try scaledDotProductAttention(q, k, v, keyPaddingMask: change == .paddingDropped ? nil : keyPadding).output
            let merged: Tensor
            switch change {
            case .noTransposes, .headsNotSwapped, .mergeNotTransposed: merged = try out.reshape([b, t, e])
            case .strided: merged = try out.permute([0, 2, 3, 1]).reshape([b, t, e])
            default: merged = try out.permute([0, 2, 1, 3]).reshape([b, t, e])
            }
            return change == .noOutProjection ? merged : try layer.outProj(merged)
        }
    }
    // END INSTRUCTOR

    public static let multiHeadSelfAttention = Exercise<Heads>(
        id: "8.4", title: "Multi-head self-attention", symbol: "multiHeadSelfAttention(_:layer:keyPadding:)", file: "Lessons/Lesson8/Heads.swift",
        reference: { try Solution8.multiHeadSelfAttention($0, layer: $1, keyPadding: $2) },
        mistakes: [
            Mistake("reshaped-without-transpose", "the heads are made by reshaping [B, T, E] straight to [B, h, T, E/h] (and merged back the same way)",
                    feedback: "A reshape never moves a number: it only re-reads the same row-major order. [B, T, E] read as [B, h, T, E/h] cuts each sequence's T·E numbers into h consecutive blocks — head 0 gets the whole vectors of the first positions, not every position's first E/h columns. Reshape to [B, T, h, E/h] (which splits each vector), then swap axes 1 and 2; merge with the swap back, then the reshape.",
                    headsWith(.noTransposes)),
            Mistake("heads-not-swapped", "the heads are split to [B, T, h, E/h] but axes 1 and 2 are never swapped: each position's heads attend to each other",
                    feedback: "scaledDotProductAttention attends over the second-to-last axis: given [B, T, h, E/h] it treats the h heads of ONE position as the keys, and the positions as a batch — no position ever sees another (and a [B, T] padding mask does not fit). Swap axes 1 and 2 after the reshape, [B, h, T, E/h], so that each head attends over the T positions; swap them back before merging.",
                    headsWith(.headsNotSwapped)),
            Mistake("merge-not-transposed", "the heads' outputs [B, h, T, E/h] are reshaped to [B, T, E] without swapping axes 1 and 2 back",
                    feedback: "The split was right, but the merge must undo it step by step: first transpose(1, 2) to [B, T, h, E/h], so that each position's h heads sit side by side, then reshape to [B, T, E]. Reshaping [B, h, T, E/h] directly lays head 0's outputs for all positions across the first rows.",
                    headsWith(.mergeNotTransposed)),
            Mistake("query-and-key-swapped", "the first chunk is used as the keys and the second as the queries",
                    feedback: "inProjWeight stacks the query, key and value projections in that order (PyTorch's in_proj_weight): chunk 0 is q, chunk 1 is k, chunk 2 is v. Swapped, each position's weights are another position's, transposed. Take them in order.",
                    headsWith(.queryKeySwapped)),
            Mistake("strided-heads", "head j takes every h-th column (reshape to [B, T, E/h, h]), not a block of E/h consecutive ones",
                    feedback: "PyTorch's layout (and so inProjWeight's and outProj's) gives head j the consecutive columns j·E/h ..< (j + 1)·E/h: reshape to [B, T, h, E/h], heads before their columns. [B, T, E/h, h] deals the columns out like cards, so every head works with the wrong rows of the projections.",
                    headsWith(.strided)),
            Mistake("no-out-projection", "the heads' merged outputs are returned without outProj",
                    feedback: "After the merge each column still belongs to one head: the output projection (layer.outProj, a Linear E → E) is what mixes the heads' findings. Apply it to the merged [B, T, E].",
                    headsWith(.noOutProjection)),
            Mistake("padding-dropped", "keyPadding is not passed on: the heads attend to the padding",
                    feedback: "Every head must ignore the padding keys: pass keyPadding to scaledDotProductAttention (keyPaddingMask:), which hides them in all heads of each sequence.",
                    headsWith(.paddingDropped)),
            Mistake("in-projection-bias-dropped", "the in-projection leaves out inProjBias",
                    feedback: "q, k and v are x·Wᵀ + b, with b = layer.inProjBias (its three thirds for q, k, v). Pass it as the bias: linear(x, weight: layer.inProjWeight, bias: layer.inProjBias).",
                    headsWith(.inBiasDropped)),
            Mistake("scaled-by-embedding-size", "each head's scores are divided by √E, not by √(E/h)",
                    feedback: "Each head is an attention of its own over vectors of size E/h: its dot products spread like √(E/h), and that is what scaledDotProductAttention divides by when given the split heads. Dividing by √E (or scaling q by 1/√E first) makes every head's softmax flatter than PyTorch's. Give the heads to scaledDotProductAttention unscaled.",
                    headsWith(.scaledByE)),
        ],
        probe: headsProbe
    )

    // MARK: - 8.5 the encoder layer

    /// (x, layer, keyPadding) → [B, T, E].
    public typealias EncoderStep = (Tensor, TransformerEncoderLayer, Tensor?) throws -> Tensor

    /// (what, B, T, E, heads, feed-forward units, activation, whether the layer is pre-norm,
    /// padding rows): GELU (so that relu shows) with padding in different places; GELU's tanh
    /// form, with the parameters of a post-norm layer (so that calling the layer itself shows).
    static let encoderCases: [(what: String, batch: Int, length: Int, embed: Int, heads: Int, feedforward: Int, activation: Activation, normFirst: Bool, padding: [[Float]])] = [
        ("E = 8, 2 heads, GELU, padding at the end, nowhere and at the start", 3, 5, 8, 2, 12, .gelu(.none), true,
         [[0, 0, 0, 1, 1], [0, 0, 0, 0, 0], [1, 1, 0, 0, 0]]),
        ("E = 6, 3 heads, GELU (tanh), a post-norm layer's parameters", 2, 4, 6, 3, 10, .gelu(.tanh), false, [[0, 0, 0, 1], [0, 1, 0, 0]]),
    ]

    static func encoderProbe(_ step: EncoderStep) throws -> Outcome {
        var outcome = Outcome()
        for (k, c) in encoderCases.enumerated() {
            let suffix = " (\(c.what))"
            try Probes.attempt("output\(suffix)", into: &outcome) { o in
                let seed = 911 + 20 * UInt64(k)
                var rng = RNG(seed: seed)
                let layer = TransformerEncoderLayer(dModel: c.embed, nhead: c.heads, dimFeedforward: c.feedforward, dropout: 0,
                                                    activation: c.activation, normFirst: c.normFirst, rng: &rng)
                for (i, norm) in [layer.norm1, layer.norm2].enumerated() {
                    try randomize(norm.weight, seed: seed + 1 + UInt64(i), 0.5...1.5)
                    try randomize(norm.bias, seed: seed + 3 + UInt64(i), -0.5...0.5)
                }
                try randomize(layer.selfAttn.inProjBias, seed: seed + 5, -0.5...0.5)
                try randomize(layer.selfAttn.outProj.bias, seed: seed + 6, -0.5...0.5)
                let x = Probes.input([c.batch, c.length, c.embed], seed: seed + 7, -1.5...1.5)
                let mask = try padding(c.padding)
                let named = [("x", x)] + layer.namedParameters().map { ($0.name, $0.tensor) }
                Probes.expose(named)
                let y = try step(x, layer, mask)
                try Probes.record(y, as: "output\(suffix)", gradientsOf: named.map { ("\($0.0)\(suffix)", $0.1) }, into: &o)
            }
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the encoder layer (8.5's known mistakes).
    enum LayerChange { case postNorm, noAttentionResidual, noFeedForwardResidual, norm1Twice, relu, residualFromNormed, paddingDropped, noFirstNorm, noSecondNorm, callsTheLayer, activationLast }

    static func encoderWith(_ change: LayerChange) -> EncoderStep {
        { x, layer, keyPadding in
            if change == .callsTheLayer { return try layer(x, keyPaddingMask: keyPadding) }
            let mask = change == .paddingDropped ? nil : keyPadding
            func attend(_ y: Tensor) throws -> Tensor { try layer.selfAttn(y, y, y, keyPaddingMask: mask).output }
            func feedForward(_ y: Tensor) throws -> Tensor {
                let hidden = try layer.linear1(y)
                if change == .activationLast { return layer.activation(try layer.linear2(hidden)) }
                return try layer.linear2(change == .relu ? hidden.relu() : layer.activation(hidden))
            }
            if change == .postNorm {
                let y = try layer.norm1(x + attend(x))
                return try layer.norm2(y + feedForward(y))
            }
            let n1 = change == .noFirstNorm ? x : try layer.norm1(x)
            let y: Tensor
            switch change {
            case .noAttentionResidual: y = try attend(n1)
            case .residualFromNormed: y = try n1 + attend(n1)
            default: y = try x + attend(n1)
            }
            let n2 = change == .norm1Twice ? try layer.norm1(y) : change == .noSecondNorm ? y : try layer.norm2(y)
            switch change {
            case .noFeedForwardResidual: return try feedForward(n2)
            case .residualFromNormed: return try n2 + feedForward(n2)
            default: return try y + feedForward(n2)
            }
        }
    }
    // END INSTRUCTOR

    public static let encoderLayer = Exercise<EncoderStep>(
        id: "8.5", title: "A pre-norm encoder layer", symbol: "encoderLayer(_:layer:keyPadding:)", file: "Lessons/Lesson8/EncoderLayer.swift",
        reference: { try Solution8.encoderLayer($0, layer: $1, keyPadding: $2) },
        mistakes: [
            Mistake("post-norm", "the norms come after the sums (post-norm): norm1(x + attention(x)), norm2(y + ff(y))",
                    feedback: "That is the original transformer's layer (and BERT's), a fine layer — but not this one: here each sublayer reads a normalised copy and its result is added to the UNnormalised stream, y = x + selfAttn(norm1(x)), which keeps a clean residual path through every layer. Move each norm in front of its sublayer.",
                    encoderWith(.postNorm)),
            Mistake("no-attention-residual", "the attention's output replaces x instead of being added to it",
                    feedback: "y = x + selfAttn(norm1(x)): the sublayer learns a CHANGE to x. Without the residual every layer must pass on everything itself, and the gradient loses its straight path to the input. Add x back.",
                    encoderWith(.noAttentionResidual)),
            Mistake("no-feedforward-residual", "the feed-forward block's output is returned without adding y",
                    feedback: "The feed-forward block sits on a residual connection too: output = y + linear2(activation(linear1(norm2(y)))). Add y to it.",
                    encoderWith(.noFeedForwardResidual)),
            Mistake("norm1-for-both", "norm1 is used in front of both sublayers; norm2 never",
                    feedback: "Each sublayer has a LayerNorm of its own, with its own weight and bias: norm1 before the attention, norm2 before the feed-forward block. Normalise y with layer.norm2.",
                    encoderWith(.norm1Twice)),
            Mistake("relu-not-the-layer-activation", "the feed-forward block uses relu whatever the layer's activation is",
                    feedback: "The layer says which nonlinearity it was made with (layer.activation: here GELU, as BERT's and GPT-2's); relu gives other values wherever the input is near or below 0. Call layer.activation(…) on linear1's output.",
                    encoderWith(.relu)),
            Mistake("residual-adds-the-normed-x", "the residuals add the normalised input instead of the input itself",
                    feedback: "The stream that runs through the layer is x itself: y = x + selfAttn(n) with n = norm1(x), not n + selfAttn(n). Adding n throws away x's scale and offset at every layer (and the next layer's residual adds norm2(y) instead of y the same way). Keep the normed copy for the sublayer's input only.",
                    encoderWith(.residualFromNormed)),
            Mistake("padding-dropped", "the padding mask is not passed to the attention",
                    feedback: "The attention must ignore the padding keys: pass keyPadding as keyPaddingMask: to layer.selfAttn(n, n, n, keyPaddingMask:).",
                    encoderWith(.paddingDropped)),
            Mistake("no-first-norm", "the attention reads x itself, not norm1(x)",
                    feedback: "Pre-norm normalises the input of EACH sublayer: the attention reads layer.norm1(x) (its queries, keys and values all come from the normed copy), while the residual adds x. Without it the attention's scores grow with whatever scale x has drifted to. Insert norm1.",
                    encoderWith(.noFirstNorm)),
            Mistake("no-second-norm", "the feed-forward block reads y itself, not norm2(y)",
                    feedback: "Pre-norm normalises the input of EACH sublayer: the feed-forward block reads layer.norm2(y), while the residual adds y. Insert norm2.",
                    encoderWith(.noSecondNorm)),
            Mistake("calls-the-layer", "the answer is layer(x) itself, which follows layer.normFirst",
                    feedback: "layer(x, keyPaddingMask:) is the core's answer key: it is pre-norm or post-norm as the layer was made, and the grader also hands you the parameters of a post-norm layer, whose steps you must still run in the pre-norm order. Write the two sublayers yourself with layer.norm1, layer.selfAttn, layer.norm2, layer.linear1, layer.activation and layer.linear2.",
                    encoderWith(.callsTheLayer)),
            Mistake("activation-after-linear2", "the activation comes after linear2 instead of between the two linear layers",
                    feedback: "The feed-forward block is linear1 → activation → linear2: the nonlinearity acts on the wide hidden layer (dimFeedforward units), and linear2 brings it back to E, free to give any sign. After linear2, GELU squashes the block's output, which the residual then adds. Put layer.activation between linear1 and linear2.",
                    encoderWith(.activationLast)),
        ],
        probe: encoderProbe
    )
}
