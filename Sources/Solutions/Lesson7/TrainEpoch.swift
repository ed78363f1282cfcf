import Autograd

// Lesson 7, exercise 7.4: an epoch — the string once, a letter at a time.
//
// The state starts at zeros at the start of every epoch (the network is asked to recite
// from the first letter, from zeros, so that is what it trains for) and is carried from
// letter to letter through the epoch:
//
//     zeros ─▶ A→B ─▶ B→C ─▶ C→D ─▶ … ─▶ Z→A        carried: the state knows where it is
//     zeros ─▶ A→B   zeros ─▶ B→C   zeros ─▶ C→D …   one-step: reset before every letter
//
// One-step mode resets the state before EVERY letter: the network then sees one letter and
// nothing before it — a feed-forward network, which is what the notebook's cases 1 and 3 train.

/// One epoch over `pairs`, in order: the state starts at zeros; for each pair one
/// `trainStep`, its returned state carried to the next pair — or, when `oneStep`, the state
/// reset to zeros before every pair. Returns the loss of every step, in order.
public func trainEpoch(_ model: Memoriser, optimizer: any Optimizer, pairs: [(input: Int, target: Int)], oneStep: Bool) throws -> [Float] {
    // TODO(7.4): state = model.zeroState(); for each pair: reset the state first if oneStep; trainStep from the state; keep its loss and carry its state.
    // BEGIN SOLUTION
    var state = model.zeroState()
    var losses: [Float] = []
    for pair in pairs {
        if oneStep { state = model.zeroState() }
        let step = try trainStep(model, optimizer: optimizer, input: pair.input, target: pair.target, state: state)
        losses.append(step.loss)
        state = step.state
    }
    return losses
    // END SOLUTION
}
