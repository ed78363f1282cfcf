import Autograd

// Lesson 4, exercise 4.5: is the sum right?
//
// A sum is right when EVERY digit is right: 4690 with one digit wrong is 4680, which is
// just wrong. Counting digits flatters a model — one that gets 4 of 5 digits of every sum
// right has a digit accuracy of 80% and may not have a single sum right:
//
//     target      0 9 6 4 0      0 9 6 4 0      1 1 1 1 0
//     predicted   0 9 6 4 0      0 8 6 4 0      1 1 1 1 1
//                 right          wrong          wrong (the last carry)
//     exact match 1/3,  digit accuracy 13/15

/// The exact match (the fraction of sums with every place right) and the digit accuracy
/// (the fraction of all places right) of predicted digit codes.
/// predicted, targets: `[B, T]` codes. Returns both as fractions in 0…1.
public func additionScores(predicted: Tensor, targets: Tensor) throws -> (exact: Float, digits: Float) {
    // TODO(4.5): compare predicted and targets (eq); digits = the mean of the comparison; a sum is exact when its row has no 0 (its row's min, or its row's sum == T); exact = the fraction of such rows.
    // BEGIN SOLUTION
    let right = try predicted.eq(targets)                               // [B, T] of 0/1
    let places = Float(targets.shape[1])
    let exact = try right.sum(axis: 1).eq(places).mean().item()
    return (exact, try right.mean().item())
    // END SOLUTION
}
