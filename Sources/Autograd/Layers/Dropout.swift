/// `Dropout` as a layer, as `torch.nn.Dropout`: active only while training.

/// Zeroes each value with probability `p` and scales the rest by 1/(1−p) while
/// `isTraining`; the identity in evaluation mode (`eval()`). The layer holds its own
/// generator, split from the one given at construction, so a run is reproducible.
///
///     let drop = Dropout(p: 0.2, rng: &rng)
///     let y = try drop(x)   // same shape as x
public final class Dropout: Module {
    /// The probability of zeroing a value, in [0, 1) (checked when called).
    public let p: Float
    public var isTraining = true
    /// This layer's own random stream.
    var rng: RNG

    public init(p: Float = 0.5, rng: inout RNG) {
        self.p = p
        self.rng = rng.split()
    }

    /// x of any shape → the same shape.
    public func callAsFunction(_ x: Tensor, file: StaticString = #fileID, line: UInt = #line) throws -> Tensor {
        try dropout(x, p: p, training: isTraining, rng: &rng, file: file, line: line)
    }
}
