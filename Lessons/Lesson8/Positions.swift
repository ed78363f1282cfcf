import Foundation
import Autograd

// Lesson 8, exercise 8.3: where am I? Positions, written into the vectors.
//
// Attention compares every query with every key, and the sum over s does not care in which
// order the keys come: shuffle the input positions and the outputs come out shuffled the same
// way, otherwise unchanged. Attention alone sees a SET of tokens, not a sequence — and the
// answer "the token at position T − 1 − t" is about positions only.
//
// So each position gets a vector of its own, added to its token's. The original transformer's
// is fixed: pairs of columns that turn at geometrically slower rates, like the hands of a
// clock, so that every position has its own pattern and a shift by k is one fixed rotation:
//
//     PE[pos, 2i]     = sin(pos / 10000^(2i / dim))
//     PE[pos, 2i + 1] = cos(pos / 10000^(2i / dim))
//
// Column pair i turns with wavelength 2π · 10000^(2i/dim): from 2π (≈ 6 positions) for the
// first pair to about 2π · 10000 for the last. BERT, the notebook's model, learns its
// position vectors instead (`PositionEmbedding`); this lesson's reverser does too.

/// The sin/cos position table [length, dim]: row pos, column 2i holds
/// sin(pos / 10000^(2i/dim)) and column 2i + 1 holds cos of the same angle (an odd dim
/// ends with a sin column). Positions count from 0.
public func sinusoidalPositions(length: Int, dim: Int) throws -> Tensor {
    // TODO(8.3): for each pos in 0..<length and each even column j = 2i < dim: angle = pos / 10000^(j / dim), in Double; column j gets sin(angle), column j + 1 (if it exists) cos(angle).
    throw TODO("8.3")
}
