import Autograd

// One training step of a small transformer encoder (`autograd-bench --transformer`, and the
// last table of the default run); Benchmarks/pytorch/transformer.py times the same step.

/// The sizes of one step: model width, heads, sequence length, batch.
struct TransformerSize {
    let dModel: Int, heads: Int, length: Int, batch: Int
    var name: String { "d_model \(dModel), \(heads) heads, batch \(batch) × \(length)" }
}

/// The two sizes the benchmark times.
let transformerSizes = [TransformerSize(dModel: 64, heads: 4, length: 32, batch: 32),
                        TransformerSize(dModel: 128, heads: 8, length: 64, batch: 32)]

/// Tokens of a vocabulary of 32 → embedding + sinusoidal positions → one pre-norm
/// `TransformerEncoderLayer` (feed-forward 4·d, relu, dropout 0.1) → a linear head.
final class EncoderModel: Module {
    static let vocabulary = 32
    let embed: Embedding
    let positions: SinusoidalPositionEncoding
    let layer: TransformerEncoderLayer
    let head: Linear
    var isTraining = true

    init(_ size: TransformerSize, rng: inout RNG) {
        embed = Embedding(Self.vocabulary, size.dModel, rng: &rng)
        positions = SinusoidalPositionEncoding(maxLength: size.length, dim: size.dModel)
        layer = TransformerEncoderLayer(dModel: size.dModel, nhead: size.heads, dimFeedforward: 4 * size.dModel,
                                        dropout: 0.1, normFirst: true, rng: &rng)
        head = Linear(size.dModel, Self.vocabulary, rng: &rng)
    }

    var submodules: [(name: String, module: any Module)] { [("embed", embed), ("layer", layer), ("head", head)] }

    /// codes `[B, T]` → logits `[B, T, vocabulary]`.
    func callAsFunction(_ codes: Tensor, keyPaddingMask: Tensor) throws -> Tensor {
        try head(layer(positions(embed(codes)), keyPaddingMask: keyPaddingMask))
    }
}

/// A fresh model and batch, and the call that runs one training step on them: forward,
/// cross-entropy over every position, zeroGrad, backward, Adam. The second half of the
/// batch is padding over its last quarter (the key padding mask).
func transformerStep(_ size: TransformerSize, seed: UInt64) throws -> () throws -> Void {
    var rng = RNG(seed: seed)
    let model = EncoderModel(size, rng: &rng)
    let (x, y) = (randomCodes([size.batch, size.length], below: EncoderModel.vocabulary, rng: &rng),
                  randomCodes([size.batch, size.length], below: EncoderModel.vocabulary, rng: &rng))
    let padding = try Tensor((0..<size.batch * size.length).map { i in
        i / size.length >= size.batch / 2 && i % size.length >= 3 * size.length / 4 ? 1 : 0
    }, shape: [size.batch, size.length])
    return trainingStep(try Adam(model.parameters(), learningRate: 1e-3)) { try crossEntropy(model(x, keyPaddingMask: padding), y) }
}
