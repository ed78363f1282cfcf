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

/// The rate times a factor of the step count: `torch.optim.lr_scheduler.LambdaLR`.
///
///     lr(n) = base · factor(n)
///
/// where base is the optimizer's rate when the schedule is made and n counts `step()`
/// calls. A linear warm-up over the first 400 steps (the transformer's usual start with Adam):
///
///     let warmup = LambdaLR(optimizer) { n in Swift.min(1, Float(n + 1) / 400) }
public final class LambdaLR: LRScheduler {
    public let optimizer: any Optimizer
    /// The factor of step n.
    public let factor: (Int) -> Float
    /// The optimizer's rate when the schedule was made.
    public let baseLearningRate: Float
    public private(set) var stepCount = 0
    public private(set) var learningRate: Float

    public init(_ optimizer: any Optimizer, factor: @escaping (_ step: Int) -> Float) {
        self.optimizer = optimizer
        self.factor = factor
        baseLearningRate = optimizer.learningRate
        learningRate = baseLearningRate * factor(0)
        optimizer.learningRate = learningRate
    }

    public func step() {
        stepCount += 1
        learningRate = baseLearningRate * factor(stepCount)
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
/// The momentum moves the other way (`cycleMomentum`, on by default as in PyTorch): from
/// `maxMomentum` down to `baseMomentum` while the rate warms up, and back up while it
/// anneals — a large step gets less momentum. It is SGD's `momentum` or the Adams' β1
/// (`MomentumOptimizer`); as in PyTorch it is set even if the optimizer was made without
/// momentum. PyTorch's linear annealing and three-phase variants are left out. Stepping
/// more than `totalSteps` times throws, as in PyTorch.
public final class OneCycleLR: LRScheduler {
    public let optimizer: any Optimizer
    public let maxLearningRate: Float
    public let totalSteps: Int
    public let pctStart: Float
    public let divFactor: Float
    public let finalDivFactor: Float
    /// The momentum's range, when it is cycled (nil with `cycleMomentum: false`).
    public let momentumRange: (base: Float, max: Float)?
    public private(set) var stepCount = 0
    public private(set) var learningRate: Float
    /// The momentum set last, or nil when it is not cycled.
    public private(set) var momentum: Float?

    /// Throws unless `totalSteps` is positive, `pctStart` in [0, 1], `maxLearningRate`
    /// ≥ 0 and both factors positive; with `cycleMomentum`, unless the optimizer has a
    /// momentum (`MomentumOptimizer`) and 0 ≤ baseMomentum ≤ maxMomentum < 1. Sets the
    /// optimizer's rate to max / divFactor (and its momentum to maxMomentum).
    public init(
        _ optimizer: any Optimizer, maxLearningRate: Float, totalSteps: Int, pctStart: Float = 0.3,
        divFactor: Float = 25, finalDivFactor: Float = 1e4,
        cycleMomentum: Bool = true, baseMomentum: Float = 0.85, maxMomentum: Float = 0.95,
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
        if cycleMomentum {
            guard optimizer is any MomentumOptimizer else {
                throw TensorError(op: "OneCycleLR", "cycleMomentum needs an optimizer with a momentum (SGD) or β1 (Adam, AdamW, RAdam); pass cycleMomentum: false", file: file, line: line)
            }
            try checkHyperparameter("OneCycleLR", "baseMomentum", baseMomentum, atLeast: 0, below: 1, file: file, line: line)
            try checkHyperparameter("OneCycleLR", "maxMomentum", maxMomentum, atLeast: 0, below: 1, file: file, line: line)
            guard baseMomentum <= maxMomentum else {
                throw TensorError(op: "OneCycleLR", "baseMomentum = \(baseMomentum) must not exceed maxMomentum = \(maxMomentum)", file: file, line: line)
            }
        }
        self.optimizer = optimizer
        self.maxLearningRate = maxLearningRate
        self.totalSteps = totalSteps
        self.pctStart = pctStart
        self.divFactor = divFactor
        self.finalDivFactor = finalDivFactor
        momentumRange = cycleMomentum ? (baseMomentum, maxMomentum) : nil
        learningRate = 0
        set(step: 0)
    }

    /// Throws once the schedule has been stepped `totalSteps` times (PyTorch's limit).
    public func step() throws {
        guard stepCount < totalSteps else {
            throw TensorError(op: "OneCycleLR", "stepped \(stepCount + 1) times, but the schedule was made for totalSteps = \(totalSteps)")
        }
        stepCount += 1
        set(step: stepCount)
    }

    /// Sets the optimizer's rate (and momentum) for step `n`.
    private func set(step n: Int) {
        learningRate = rate(at: n)
        optimizer.learningRate = learningRate
        momentum = self.momentum(at: n)
        if let momentum, let cycled = optimizer as? any MomentumOptimizer { cycled.momentumTerm = momentum }
    }

    /// The rate at step `n` (PyTorch's `get_lr` at `last_epoch = n`).
    public func rate(at n: Int) -> Float {
        let peak = Double(maxLearningRate)
        let initial = peak / Double(divFactor)
        let final = initial / Double(finalDivFactor)
        let (warmingUp, pct) = phase(at: n)
        return Float(warmingUp ? cosine(from: initial, to: peak, pct) : cosine(from: peak, to: final, pct))
    }

    /// The momentum at step `n`, or nil when it is not cycled: max → base while the rate
    /// warms up, base → max while it anneals.
    public func momentum(at n: Int) -> Float? {
        guard let (base, top) = momentumRange.map({ (Double($0.base), Double($0.max)) }) else { return nil }
        let (warmingUp, pct) = phase(at: n)
        return Float(warmingUp ? cosine(from: top, to: base, pct) : cosine(from: base, to: top, pct))
    }

    /// Whether step `n` is in the warm-up, and how far through its phase it is (0 ... 1).
    private func phase(at n: Int) -> (warmingUp: Bool, pct: Double) {
        let warmEnd = Double(pctStart) * Double(totalSteps) - 1
        let (start, end): (Double, Double) = Double(n) <= warmEnd ? (0, warmEnd) : (warmEnd, Double(totalSteps - 1))
        // A phase of length zero (PyTorch divides by zero there) is already at its end.
        return (Double(n) <= warmEnd, end > start ? (Double(n) - start) / (end - start) : 1)
    }

    /// Cosine annealing from `a` to `b`: a at pct 0, b at pct 1.
    private func cosine(from a: Double, to b: Double, _ pct: Double) -> Double {
        b + (a - b) / 2 * (Foundation.cos(Double.pi * pct) + 1)
    }
}
