import Autograd

// Lesson 9, exercise 9.5: one vector per expression, from the real positions only.
//
// The encoder gives a vector per token, h [B, T, E]; the label is one number per expression.
// Pooling adds up (or averages) each row's vectors — but only the real tokens': a batch pads
// its short rows, and the padding's vectors are not part of the expression.
//
//     h      [B, T, E]  ──▶  × (1 − padding) [B, T, 1] ──▶ sum over T ──▶ [B, E]
//     padding [B, T]: 1 at padding, 0 at a real token (as the encoder's keyPaddingMask)
//                                           mean: ÷ the number of real tokens of that row
//
// A sum keeps how many terms there are; a mean throws it away. The label is a count.

/// The sum (mean: false) or the mean (mean: true) of h [B, T, E] over the positions where
/// padding [B, T] is 0: [B, E]. Every row has at least one real position.
public func pool(_ h: Tensor, padding: Tensor, mean: Bool) throws -> Tensor {
    // TODO(9.5): keep = 1 − padding, with an axis for E; sum h · keep over axis 1; for the mean, divide each row by its number of real positions.
    // BEGIN SOLUTION
    let keep = try (1 - padding).unsqueeze(2)
    let total = try (h * keep).sum(axis: 1)
    guard mean else { return total }
    return try total / keep.sum(axis: 1)
    // END SOLUTION
}
