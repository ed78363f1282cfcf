import Autograd

// Lesson 7, exercise 7.3: learning online — a gradient step after every letter.
//
// The notebook does not wait for a batch: after each letter it computes the loss of the
// network's guess for the next one, and the optimizer takes a step at once.
//
//     state ─▶ model(input) ─▶ scores ─▶ crossEntropy(scores, target) ─▶ backward ─▶ step
//                  │
//                  └▶ new state ─▶ detached ─▶ handed to the next letter
//
// The state handed on keeps its VALUES (the network still knows the letters before) but
// loses its history: the next letter's backward stops here instead of running back through
// every letter since the start of the string (one-step truncated backpropagation).
//
// crossEntropy takes the scores themselves: it applies log-softmax inside. The notebook
// applied a softmax first (nn.Softmax, then nn.CrossEntropyLoss), which squashes the loss:
// it cannot fall below log(1 + 25/e) ≈ 2.32 however sure the network is.

/// One online training step: the scores for the letter after `input` from `state`, the
/// cross-entropy of those scores against `target`, the gradients forgotten, computed, and
/// one step of `optimizer`. Returns the loss (before the step) and the new state, detached
/// (h and c both).
public func trainStep(_ model: Memoriser, optimizer: any Optimizer, input: Int, target: Int, state: LSTMState) throws -> (loss: Float, state: LSTMState) {
    // TODO(7.3): (scores, next) = model(input, state); loss = crossEntropy(scores, Tensor(indices: [target])); zeroGrad, backward, step; return the loss's value and next's h and c detached.
    // BEGIN SOLUTION
    let (scores, next) = try model(input, state)
    let loss = try crossEntropy(scores, Tensor(indices: [target]))
    optimizer.zeroGrad()
    try loss.backward()
    optimizer.step()
    return (try loss.item(), (next.h.detached(), next.c.detached()))
    // END SOLUTION
}
