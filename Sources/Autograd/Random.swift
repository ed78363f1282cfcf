import Foundation

/// The one random generator of the course: every random draw (initialisation, shuffling,
/// dropout, sampling) takes one of these, so a run is reproducible bit for bit.
///
/// xoshiro256** seeded through SplitMix64. It is a value: pass it `inout`.
public struct RNG: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is fixed by `seed`.
    public init(seed: UInt64) {
        var z = seed
        func splitmix() -> UInt64 {
            z &+= 0x9E37_79B9_7F4A_7C15
            var x = z
            x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
            return x ^ (x >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0; s.3 ^= s.1; s.1 ^= s.2; s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A new generator for a part of the program (a dropout layer, say), drawn from this one.
    public mutating func split() -> RNG { RNG(seed: next()) }

    /// Uniform in [0, 1).
    public mutating func uniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * uniform() }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Float {
        let u1 = Double(next() >> 11) * 0x1.0p-53, u2 = Double(next() >> 11) * 0x1.0p-53
        return Float((-2 * Foundation.log(1 - u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// An integer in 0..<n.
    public mutating func int(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }

    /// The indices 0..<n in random order.
    public mutating func permutation(_ n: Int) -> [Int] { Array(0..<n).shuffled(using: &self) }
}

extension Tensor {
    /// Standard normal values (times `std`, plus `mean`).
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, requiresGrad: Bool = false, rng: inout RNG) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in mean + std * rng.normal() }, requiresGrad: requiresGrad)
    }

    /// Uniform values in [low, high).
    public static func uniform(_ shape: [Int], _ low: Float = 0, _ high: Float = 1, requiresGrad: Bool = false, rng: inout RNG) -> Tensor {
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<n).map { _ in rng.uniform(low, high) }, requiresGrad: requiresGrad)
    }
}
