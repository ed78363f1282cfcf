import Autograd
import Foundation
import Solution4

// The graders of lesson 4, continued: the cosine schedule of the learning rate.

extension Lesson4Graders {
    // MARK: - 4.8 the cosine schedule

    public typealias CosineRate = (Int, Int, Float, Double) throws -> Float

    /// The probe's schedules (steps, base, floor): a run of one step (the full rate; p =
    /// step / (steps − 1) divides 0 by 0 there), of two (the second half way), short runs with
    /// a floor and without one (plain cosine annealing, down to 0), and the experiment's base
    /// and floor over 250 steps. No base is 1, so that a floor added to the rate instead of
    /// scaling it shows.
    static let scheduleCases: [(steps: Int, base: Float, floor: Double)] = [
        (1, 0.5, 0.1), (2, 0.4, 0.2), (10, 0.1, 0.1), (8, 2, 0), (250, 3e-3, 0.01),
    ]

    /// Every step's rate of every case, as a fraction of the case's base: the tolerance is then
    /// relative to the base (a rate computed in Float is off by about 10⁻⁷ of the base, which is
    /// far more than 10⁻⁷ of a rate near a floor of 0).
    static func scheduleProbe(_ rate: CosineRate) throws -> Outcome {
        var outcome = Outcome()
        for c in scheduleCases {
            let rates = try (0..<c.steps).map { try rate($0, c.steps, c.base, c.floor) / c.base }
            let which = c.steps == 1 ? "step 0 of 1" : "steps 0…\(c.steps - 1) of \(c.steps)"
            outcome.record("rate ÷ base, \(which) (base \(format(c.base)), floor \(format(Float(c.floor))))", rates)
        }
        return outcome
    }

    // BEGIN INSTRUCTOR
    /// One change to the cosine schedule (4.8's known mistakes).
    enum ScheduleChange {
        case linear, floorIgnored, withoutPi, stepsMinusOne, rising, integerDivision, degrees, floorAdded
    }

    /// The reference's schedule, in Double, with one `ScheduleChange`.
    static func rateWith(_ change: ScheduleChange) -> CosineRate {
        { step, steps, base, floor in
            let (b, f) = (Double(base), floor)
            let p: Double
            switch change {
            case .stepsMinusOne: p = Double(step) / Double(steps - 1)
            case .integerDivision: p = Double(step / steps)
            default: p = Double(step) / Double(steps)
            }
            let fall: Double                                            // 1 at the start, 0 at the end
            switch change {
            case .linear: fall = 1 - p
            case .withoutPi: fall = 0.5 * (1 + Foundation.cos(p))
            case .rising: fall = 0.5 * (1 - Foundation.cos(Double.pi * p))
            case .degrees: fall = 0.5 * (1 + Foundation.cos(180 * p))
            default: fall = 0.5 * (1 + Foundation.cos(Double.pi * p))
            }
            switch change {
            case .floorIgnored: return Float(b * fall)
            case .floorAdded: return Float(f + (b - f) * fall)
            default: return Float(b * (f + (1 - f) * fall))
            }
        }
    }
    // END INSTRUCTOR

    public static let cosineRate = Exercise<CosineRate>(
        id: "4.8", title: "A learning rate that falls: the cosine schedule", symbol: "cosineRate(step:steps:base:floor:)", file: "Lessons/Lesson4/Schedule.swift",
        reference: { try Solution4.cosineRate(step: $0, steps: $1, base: $2, floor: $3) },
        mistakes: [
            Mistake("linear-decay", "the rate falls along a straight line, floor + (1 − floor) · (1 − p), not along the cosine",
                    feedback: "A straight line is half way down at the middle of the run, as the cosine is, but it leaves the full rate at once and lands on the floor at full speed. The cosine lingers near base while the loss falls fast and near the floor where small steps let the weights settle. Replace (1 − p) by ½ · (1 + cos(π p)): 1 at p = 0, 0 at p = 1.",
                    rateWith(.linear)),
            Mistake("floor-ignored", "the rate falls to 0: base · ½ · (1 + cos(π p)), the floor left out",
                    feedback: "Without the floor the last steps barely move the weights: the last step of 250 trains at 0.004% of base where the schedule asks for base · floor. Blend the two ends before scaling: base · (floor + (1 − floor) · ½ · (1 + cos(π p))), which is base at p = 0 and base · floor at p = 1.",
                    rateWith(.floorIgnored)),
            Mistake("cos-without-pi", "cos(p) instead of cos(π p): the rate barely falls",
                    feedback: "p runs from 0 to 1, and cos(p) only from 1 to cos 1 ≈ 0.54: the rate ends at about 77% of base instead of base · floor. Half a cosine needs its angle to run from 0 to π: cos(Double.pi * p).",
                    rateWith(.withoutPi)),
            Mistake("steps-minus-one", "p = step / (steps − 1): the rate reaches the floor one step early",
                    feedback: "Divided by steps − 1, the last step (steps − 1) already has p = 1 and trains at the floor, every step before it is a little ahead, and a run of one step divides 0 by 0. The steps run 0..<steps, as the experiment's loop does: p = step / steps is 0 at the first step and reaches 1 only after the last. Divide by steps.",
                    rateWith(.stepsMinusOne)),
            Mistake("rising", "the rate rises: ½ · (1 − cos(π p)) goes from the floor up to base",
                    feedback: "1 − cos(π p) is 0 at p = 0 and 2 at p = 1: the run starts with its smallest steps and ends with its largest, the wrong way round — late steps that long throw the weights out of the minimum they have found. The factor must be 1 at the start and 0 at the end: ½ · (1 + cos(π p)).",
                    rateWith(.rising)),
            Mistake("integer-division", "p = step / steps divided as Ints: 0 at every step, so the rate never falls",
                    feedback: "step and steps are Ints, and step / steps is 0 for every step before the end: p stays 0 and the rate stays at base, a constant rate. Convert before dividing: Double(step) / Double(steps).",
                    rateWith(.integerDivision)),
            Mistake("degrees", "cos(180 · p): an angle in degrees, where cos takes radians",
                    feedback: "cos takes radians: cos(180 · p) turns through 180 radians, almost 29 whole turns, and the rate goes up and down all run long. Half a turn in radians is π: cos(Double.pi * p).",
                    rateWith(.degrees)),
            Mistake("floor-added", "the floor is added as a rate of its own, floor + (base − floor) · ½ · (1 + cos(π p)), not taken as a fraction of base",
                    feedback: "floor is a fraction of base, not a learning rate: 0.01 means down to 1/100 of base. Taken as a rate of its own (as PyTorch's CosineAnnealingLR takes its eta_min), the run ends at 0.01 whatever base is — with the experiment's base of 3·10⁻³, at more than three times the rate it started with. Scale it by base: base · (floor + (1 − floor) · ½ · (1 + cos(π p))).",
                    rateWith(.floorAdded)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-6, rtol: 0)),
        probe: scheduleProbe
    )
}
