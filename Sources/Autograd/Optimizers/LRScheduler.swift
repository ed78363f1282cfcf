import Foundation

/// Learning-rate schedules: they set an optimizer's `learningRate` as training goes on.
///
/// As in PyTorch, a schedule sets the optimizer's rate when it is made (the value for
/// step 0) and again at each `step()`, which you call once per optimizer step (or once
/// per epoch, for an epoch-based schedule such as `StepLR`):
///
///     let optimizer = try SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
///     let schedule = try OneCycleLR(optimizer, maxLearningRate: 0.1, totalSteps: 1000)
///     for _ in 0..<1000 { ...; optimizer.step(); try schedule.step() }
public protocol LRScheduler: AnyObject {
    /// The optimizer whose rate this schedule sets.
    var optimizer: any Optimizer { get }
    /// How many times `step()` has been called (PyTorch's `last_epoch`).
    var stepCount: Int { get }
    /// The rate set last (PyTorch's `get_last_lr()`).
    var learningRate: Float { get }
    /// Advances the schedule by one step and sets the optimizer's rate.
    func step() throws
}

/// Multiplies the rate by `gamma` every `stepSize` steps: `torch.optim.lr_scheduler.StepLR`.
///
///     lr(n) = base · gamma^⌊n / stepSize⌋
///
/// where base is the optimizer's rate when the schedule is made and n counts `step()`
/// calls. (Computed in closed form: a rate changed by hand in between is overwritten.)
public final class StepLR: LRScheduler {
    public let optimizer: any Optimizer
    public let stepSize: Int
    public let gamma: Float
    /// The optimizer's rate when the schedule was made.
    public let baseLearningRate: Float
    public private(set) var stepCount = 0
    public private(set) var learningRate: Float

    /// Throws unless `stepSize` is positive and `gamma` a finite number ≥ 0.
    public init(
        _ optimizer: any Optimizer, stepSize: Int, gamma: Float = 0.1,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        guard stepSize > 0 else {
            throw TensorError(op: "StepLR", "stepSize = \(stepSize) must be positive", file: file, line: line)
        }
        try checkHyperparameter("StepLR", "gamma", gamma, atLeast: 0, file: file, line: line)
        self.optimizer = optimizer
        self.stepSize = stepSize
        self.gamma = gamma
        baseLearningRate = optimizer.learningRate
        learningRate = optimizer.learningRate
    }

    public func step() {
        stepCount += 1
        learningRate = Float(Double(baseLearningRate) * Foundation.pow(Double(gamma), Double(stepCount / stepSize)))
        optimizer.learningRate = learningRate
    }
}

/// The one-cycle policy (Smith & Topin, 2018): `torch.optim.lr_scheduler.OneCycleLR`
/// with cosine annealing, two phases.
///
/// The rate warms up from `maxLearningRate / divFactor` to `maxLearningRate` over the
/// first `pctStart · totalSteps` steps, then anneals down to
/// `maxLearningRate / (divFactor · finalDivFactor)` at step `totalSteps − 1`:
///
///     initial = max / divFactor,  final = initial / finalDivFactor
///     phase 1: steps 0 ... e₁ = pctStart · totalSteps − 1,   initial → max
///     phase 2: steps e₁ ... e₂ = totalSteps − 1,             max → final
///     within a phase from step s to e, going from a to b, at step n:
///         lr(n) = b + (a − b) / 2 · (1 + cos(π · (n − s) / (e − s)))
///
/// Only the rate is scheduled: PyTorch's momentum cycling (`cycle_momentum`, which moves
/// SGD's momentum or Adam's β1 opposite to the rate) is left out, as are its linear
/// annealing and three-phase variants. Stepping more than `totalSteps` times throws, as
/// in PyTorch.
public final class OneCycleLR: LRScheduler {
    public let optimizer: any Optimizer
    public let maxLearningRate: Float
    public let totalSteps: Int
    public let pctStart: Float
    public let divFactor: Float
    public let finalDivFactor: Float
    public private(set) var stepCount = 0
    public private(set) var learningRate: Float

    /// Throws unless `totalSteps` is positive, `pctStart` in [0, 1], `maxLearningRate`
    /// ≥ 0 and both factors positive. Sets the optimizer's rate to max / divFactor.
    public init(
        _ optimizer: any Optimizer, maxLearningRate: Float, totalSteps: Int, pctStart: Float = 0.3,
        divFactor: Float = 25, finalDivFactor: Float = 1e4,
        file: StaticString = #fileID, line: UInt = #line
    ) throws {
        guard totalSteps > 0 else {
            throw TensorError(op: "OneCycleLR", "totalSteps = \(totalSteps) must be positive", file: file, line: line)
        }
        guard pctStart >= 0, pctStart <= 1 else {
            throw TensorError(op: "OneCycleLR", "pctStart = \(pctStart) must be in [0, 1]", file: file, line: line)
        }
        try checkHyperparameter("OneCycleLR", "maxLearningRate", maxLearningRate, atLeast: 0, file: file, line: line)
        for (name, factor) in [("divFactor", divFactor), ("finalDivFactor", finalDivFactor)] where !(factor > 0 && factor.isFinite) {
            throw TensorError(op: "OneCycleLR", "\(name) = \(factor) must be a positive number", file: file, line: line)
        }
        self.optimizer = optimizer
        self.maxLearningRate = maxLearningRate
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        learningRate = 0
        learningRate = rate(at: 0)
        optimizer.learningRate = learningRate
    }

    /// Throws once the schedule has been stepped `totalSteps` times (PyTorch's limit).
    public func step() throws {
        guard stepCount < totalSteps else {
            throw TensorError(op: "OneCycleLR", "stepped \(stepCount + 1) times, but the schedule was made for totalSteps = \(totalSteps)")
        }
        stepCount += 1
        learningRate = rate(at: stepCount)
        optimizer.learningRate = learningRate
    }

    /// The rate at step `n` (PyTorch's `get_lr` at `last_epoch = n`).
    public func rate(at n: Int) -> Float {
        let peak = Double(maxLearningRate)
        let initial = peak / Double(divFactor)
        let final = initial / Double(finalDivFactor)
        let warmEnd = Double(pctStart) * Double(totalSteps) - 1
        let (start, end, from, to): (Double, Double, Double, Double) = Double(n) <= warmEnd
            ? (0, warmEnd, initial, peak)
            : (warmEnd, Double(totalSteps - 1), peak, final)
        // A phase of length zero (PyTorch divides by zero there) is already at its end.
        let pct = end > start ? (Double(n) - start) / (end - start) : 1
        return Float(to + (from - to) / 2 * (Foundation.cos(Double.pi * pct) + 1))
    }
}
