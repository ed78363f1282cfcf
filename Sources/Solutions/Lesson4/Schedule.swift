import Autograd
import Foundation

// Lesson 4, exercise 4.8: a learning rate that falls — the cosine schedule.
//
// Adam's steps are about as long as the learning rate. Early in training long steps cross
// the loss quickly; late, the same steps hop about the minimum the weights should settle
// in. A schedule lets the rate fall as training goes. The cosine schedule stays near the
// full rate at first, falls fastest half way, and lands softly on its floor (the
// experiment's: 3·10⁻³ down to 1/100 of it over the run):
//
//           base ┤********                                            * the cosine
//                │    ····******                                      · a straight line
//                │          ····*****
//                │                ···****
//         base/2 ┤                      ·****·
//                │                           ****···
//                │                               ****·····
//                │                                   ******·····
//     base·floor ┤                                         ********
//                └─────────────────────────────────────────────────
//                0                     steps/2               steps

/// The learning rate at `step` of `steps` (0 ≤ step < steps): from `base` at step 0 down a
/// half cosine towards `base · floor` at the end:
///     progress p = step / steps;   rate = base · (floor + (1 − floor) · ½ · (1 + cos(π p)))
/// Step 0 trains at base, step steps/2 at base · (1 + floor)/2, and the last step, steps − 1,
/// a little above base · floor (p reaches 1 only after the last step). The floor, a fraction
/// of base, is a Double: the schedule is worked out in Double, and only the rate is a Float.
public func cosineRate(step: Int, steps: Int, base: Float, floor: Double) throws -> Float {
    // TODO(4.8): p = step / steps, divided as Doubles (or Floats), not Ints; then base · (floor + (1 − floor) · ½ · (1 + cos(π p))).
    // BEGIN SOLUTION
    let progress = Double(step) / Double(steps)
    return base * Float(floor + (1 - floor) * 0.5 * (1 + Foundation.cos(Double.pi * progress)))
    // END SOLUTION
}
