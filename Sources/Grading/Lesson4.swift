import Autograd
import Foundation
import Solution4

/// The graders of lesson 4: an LSTM learns to add.
public enum Lesson4Graders {
    // MARK: - 4.1 a training set and a held-out set

    public typealias SplitSums = (Int, Int, ClosedRange<Int>, inout RNG) throws -> (train: [(x: Int, y: Int)], test: [(x: Int, y: Int)])

    /// The probe's splits: two small ranges, where every property shows for sure whatever the
    /// order of the draws (30 or 100 test pairs of 100 or 400 make repeats, swaps and the ends
    /// of the range certain), and the lesson's range at a realistic size.
    static let splitCases: [(range: ClosedRange<Int>, train: Int, test: Int, seed: UInt64)] = [
        (1...10, 1000, 30, 41), (1...20, 3000, 100, 42), (100...9999, 3000, 1000, 43),
    ]

    /// What the grader asks of a split, one entry each, in the order the rule checks them:
    /// its name in the outcome, and what to tell a student whose split has it wrong.
    static let splitChecks: [(name: String, advice: String)] = [
        ("sizes", "the sets do not have the sizes asked for: return exactly testCount held-out pairs and trainCount training pairs (keep drawing until you have them; a pair you skip does not count)"),
        ("operands outside the range", "some operands fall outside the range: draw each as range.lowerBound + rng.int(below: range.count), which covers both ends and nothing else"),
        ("the range's top is drawn", "the largest value of the range is never drawn: a ClosedRange includes its upper bound, so there are range.count values — rng.int(below: range.count), not below upperBound − lowerBound"),
        ("the range's bottom is drawn", "the smallest value of the range is never drawn: the values run from range.lowerBound, added to rng.int(below: range.count), which starts at 0"),
        ("training holds a held-out pair", "the training set holds pairs of the held-out set: skip every training draw that is held out, or the test measures memory, not addition"),
        ("training holds the swap of a held-out pair", "the training set holds y + x for some held-out x + y: hold out each test pair's swap too, and skip it when you draw training pairs"),
        ("the test set holds a pair twice (or with its swap)", "the held-out set holds some sum twice — the same pair, or a pair and its swap: skip a drawn pair that is already held out, and hold out its swap with it"),
        ("the test set has pairs with x < y and with x > y", "the held-out pairs are all written one way round (x ≤ y or x ≥ y): keep each pair as it was drawn, and use its swap only to decide what is held out"),
        ("training draws every pair that is not held out", "the training set leaves out pairs that are not held out (on 1...10, a thousand draws reach every one): draw each training pair uniformly from range × range, skipping only the held-out ones"),
        ("another seed gives another held-out set", "the held-out set is the same whatever the seed: draw its pairs at random from the rng, not in a fixed order"),
        ("the same seed gives the same split", "two runs from the same seed gave different splits: draw everything from the rng you are given (no Int.random, no SystemRandomNumberGenerator), so that a run can be repeated"),
        ("another seed gives another split", "a different seed gave the same split: draw from the rng parameter (`rng.int(below:)`), not from a generator made inside the function"),
    ]

    /// The split's properties, as 0/1 flags and counts: the same for every right answer
    /// (whatever the order of its draws), and a fingerprint of each known mistake.
    static func splitProbe(_ split: SplitSums) throws -> Outcome {
        var outcome = Outcome()
        var flags: [String: Bool] = [:]
        func flag(_ name: String, _ value: Bool) { flags[name, default: false] = flags[name, default: false] || value }
        var sizesRight = true, top = true, bottom = true, bothWays = true, coversTraining = true
        for (k, c) in splitCases.enumerated() {
            var rng = RNG(seed: c.seed)
            let (train, test) = try split(c.train, c.test, c.range, &rng)
            sizesRight = sizesRight && train.count == c.train && test.count == c.test
            let operands = (train + test).flatMap { [$0.x, $0.y] }
            flag("operands outside the range", operands.contains { !c.range.contains($0) })
            var held = Set<[Int]>(), repeated = false
            for p in test {
                if held.contains([p.x, p.y]) { repeated = true }
                held.insert([p.x, p.y])
                if p.x != p.y { held.insert([p.y, p.x]) }
            }
            let exact = Set(test.map { [$0.x, $0.y] })
            flag("the test set holds a pair twice (or with its swap)", repeated)
            flag("training holds a held-out pair", train.contains { exact.contains([$0.x, $0.y]) })
            flag("training holds the swap of a held-out pair", train.contains { !exact.contains([$0.x, $0.y]) && exact.contains([$0.y, $0.x]) })
            if k == 0 {   // 1...10: about 40 pairs are not held out, and 1 000 draws reach them all
                let drawn = Set(train.map { [$0.x, $0.y] })
                coversTraining = c.range.allSatisfy { x in c.range.allSatisfy { y in held.contains([x, y]) || drawn.contains([x, y]) } }
            }
            if k < 2 {   // the small ranges, where both ends and both orders are certain
                top = top && operands.contains(c.range.upperBound)
                bottom = bottom && operands.contains(c.range.lowerBound)
                bothWays = bothWays && test.contains { $0.x < $0.y } && test.contains { $0.x > $0.y }
            }
        }
        let c = splitCases[0]
        let key = { (s: (train: [(x: Int, y: Int)], test: [(x: Int, y: Int)])) in (s.test + s.train).flatMap { [$0.x, $0.y] } }
        var a = RNG(seed: c.seed), b = RNG(seed: c.seed), other = RNG(seed: c.seed + 100)
        let first = key(try split(c.train, c.test, c.range, &a)), again = key(try split(c.train, c.test, c.range, &b))
        let otherSplit = try split(c.train, c.test, c.range, &other)
        let different = key(otherSplit)
        var firstAgain = RNG(seed: c.seed)
        let sameTest = try split(c.train, c.test, c.range, &firstAgain).test.map { [$0.x, $0.y] } == otherSplit.test.map { [$0.x, $0.y] }
        for (name, _) in splitChecks {
            let value: Bool
            switch name {
            case "sizes": value = sizesRight
            case "the range's top is drawn": value = top
            case "the range's bottom is drawn": value = bottom
            case "the test set has pairs with x < y and with x > y": value = bothWays
            case "training draws every pair that is not held out": value = coversTraining
            case "another seed gives another held-out set": value = !sameTest
            case "the same seed gives the same split": value = first == again
            case "another seed gives another split": value = first != different
            default: value = flags[name] ?? false
            }
            outcome.record(name, value ? 1 : 0)
        }
        return outcome
    }

    /// Passes when every property is the reference's; else says the first that is not.
    static func splitRule(_ got: Outcome, _ want: Outcome) -> String? {
        for (name, advice) in splitChecks {
            guard let g = got[name]?.values.first, let w = want[name]?.values.first else { return "splitSums returned nothing to grade" }
            if g != w { return advice }
        }
        return nil
    }

    // BEGIN INSTRUCTOR
    /// A split drawn the reference's way with one step done another way (4.1's known mistakes).
    static func splitWith(
        holdsSwaps: Bool = true, skipsRepeats: Bool = true, filtersTraining: Bool = true, sorted: Bool = false,
        width: @escaping (ClosedRange<Int>) -> Int = { $0.count }, ownSeed: Bool = false
    ) -> SplitSums {
        { trainCount, testCount, range, given in
            var own = RNG(seed: 0)
            func draw() -> (x: Int, y: Int) {
                let x = range.lowerBound + (ownSeed ? own.int(below: width(range)) : given.int(below: width(range)))
                let y = range.lowerBound + (ownSeed ? own.int(below: width(range)) : given.int(below: width(range)))
                return sorted ? (Swift.min(x, y), Swift.max(x, y)) : (x, y)
            }
            var held = Set<[Int]>(), test: [(x: Int, y: Int)] = []
            while test.count < testCount {
                let p = draw()
                if skipsRepeats { guard !held.contains([p.x, p.y]) else { continue } }
                held.insert([p.x, p.y])
                if holdsSwaps { held.insert([p.y, p.x]) }
                test.append(p)
            }
            var train: [(x: Int, y: Int)] = []
            while train.count < trainCount {
                let p = draw()
                if !filtersTraining || !held.contains([p.x, p.y]) { train.append(p) }
            }
            return (train, test)
        }
    }
    // END INSTRUCTOR

    public static let splitSums = Exercise<SplitSums>(
        id: "4.1", title: "A training set and a held-out set of sums", symbol: "splitSums(trainCount:testCount:range:rng:)", file: "Lessons/Lesson4/Sums.swift",
        reference: { try Solution4.splitSums(trainCount: $0, testCount: $1, range: $2, rng: &$3) },
        mistakes: [
            Mistake("swap-seen-in-training", "only the held-out pair itself is kept out of training, not its swap",
                    feedback: "Addition does not care about order: a model that trained on 4567 + 123 has seen the sum 123 + 4567, and testing on it measures memory as much as addition. Hold out both (x, y) and (y, x) — insert both keys into the held-out set — and skip both when you draw training pairs.",
                    splitWith(holdsSwaps: false)),
            Mistake("repeated-test-pairs", "the held-out pairs are drawn with replacement, so a sum can be held out twice",
                    feedback: "A test set that holds 123 + 4567 twice (or with 4567 + 123) counts that sum twice and has fewer different sums than it says. Before keeping a drawn pair, check it is not already held out (a Set of keys: insert returns whether it was new); skip it if it is.",
                    splitWith(skipsRepeats: false)),
            Mistake("training-not-filtered", "the training pairs are drawn without looking at the held-out set",
                    feedback: "Drawing the training pairs freely puts some held-out sums into training, and the held-out accuracy then partly measures what the model memorised. Skip every training draw whose pair (or its swap) is held out.",
                    splitWith(filtersTraining: false)),
            Mistake("range-top-never-drawn", "the operands are drawn with rng.int(below: upper − lower), so the range's top is never drawn",
                    feedback: "A ClosedRange includes both ends: 100...9999 holds 9 900 numbers, and range.count says so. rng.int(below: upperBound − lowerBound) gives 0 … 9 898, so 9999 never appears. Draw range.lowerBound + rng.int(below: range.count).",
                    splitWith(width: { $0.count - 1 })),
            Mistake("pairs-sorted", "each pair is written with the smaller operand first, so the test never has x > y",
                    feedback: "Sorting a pair is a neat way to spot its swap, but the pair you keep must stay as drawn: with every pair written x ≤ y the model trains and is tested on one half of the inputs only, and never sees 4567 + 123. Use the sorted pair (or both orders) as the KEY of the held-out set, and keep the pair itself.",
                    splitWith(sorted: true)),
            Mistake("own-seed", "the pairs are drawn from a new RNG made inside the function, not from the rng given",
                    feedback: "A generator made inside the function starts from the same seed every time: every call returns the same split whatever seed the caller chose, and the rng you are given never moves. Draw from the rng parameter (rng.int(below:)).",
                    splitWith(ownSeed: true)),
        ],
        criterion: .rule(splitRule),
        probe: splitProbe
    )

    // MARK: - 4.2 the sums column by column

    public typealias EncodeSums = ([(x: Int, y: Int)], Int) throws -> (inputs: Tensor, targets: Tensor)

    /// The probe's sums: ragged operands (1 to 6 digits), the largest sum of the lesson's
    /// range, a carry that ripples through every place, zero, and places = 5 and 7.
    static let encodeCases: [(pairs: [(x: Int, y: Int)], places: Int)] = [
        ([(4567, 123), (9999, 9999), (100, 9999), (5, 7), (0, 0), (50, 58)], 5),
        ([(123_456, 7), (31, 969), (8, 9_999_990)], 7),
    ]

    // BEGIN INSTRUCTOR
    /// Digit t of n, least significant first.
    static func digit(_ n: Int, _ t: Int) -> Int { var n = n; for _ in 0..<t { n /= 10 }; return n % 10 }

    /// The digits of n as written (most significant first), as many as it has.
    static func writtenDigits(_ n: Int) -> [Int] { String(n).map { Int(String($0))! } }

    /// The encoding built from three choices (4.2's known mistakes): the digits of a number
    /// at each place, the targets' digits, and how the one-hots are laid out.
    static func encodedWith(
        operand: @escaping (_ n: Int, _ places: Int) -> [Int?] = { n, p in (0..<p).map { digit(n, $0) } },
        target: @escaping (_ pair: (x: Int, y: Int), _ places: Int) -> [Int] = { s, p in (0..<p).map { digit(s.x + s.y, $0) } },
        shared: Bool = false
    ) -> EncodeSums {
        { pairs, places in
            let width = shared ? 10 : 20
            var inputs = [Float](repeating: 0, count: pairs.count * places * width), targets: [Float] = []
            for (b, pair) in pairs.enumerated() {
                let (dx, dy) = (operand(pair.x, places), operand(pair.y, places))
                for t in 0..<places {
                    let at = (b * places + t) * width
                    if let d = dx[t] { inputs[at + d] += 1 }
                    if let d = dy[t] { inputs[at + (shared ? 0 : 10) + d] += 1 }
                }
                targets += target(pair, places).map(Float.init)
            }
            return (try Tensor(inputs, shape: [pairs.count, places, width]), try Tensor(targets, shape: [pairs.count, places]))
        }
    }

    /// The digits as written, padded with zeros on the right to `places`.
    static func readingOrder(_ n: Int, _ places: Int) -> [Int] {
        let d = writtenDigits(n)
        return (0..<places).map { $0 < d.count ? d[$0] : 0 }
    }
    // END INSTRUCTOR

    public static let encodeSums = Exercise<EncodeSums>(
        id: "4.2", title: "Sums column by column, least significant digit first", symbol: "encodeSums(_:places:)", file: "Lessons/Lesson4/Digits.swift",
        reference: { try Solution4.encodeSums($0, places: $1) },
        mistakes: [
            Mistake("most-significant-first", "the digits are read as written, most significant first, and padded on the right",
                    feedback: "Reading \"4567\" and \"123\" as written puts 4 above 1 — thousands above hundreds — and the columns no longer line up; and the carry flows from the right, so at the first step the network would have to know a carry it has not seen yet. Step t holds the digits of place t, (n / 10^t) % 10: the units first, then the tens, with zeros past a number's last digit.",
                    encodedWith(operand: { n, p in readingOrder(n, p) }, target: { s, p in readingOrder(s.x + s.y, p) })),
            Mistake("targets-most-significant-first", "the inputs are least significant first but the targets are the sum's digits most significant first",
                    feedback: "Step t must write the digit of the same place it reads: the units of the sum at step 0, when the units of x and y are in. Written most significant first, the first answer digit depends on every column and every carry, none of which the network has read yet. Target t is (s / 10^t) % 10 for s = x + y.",
                    encodedWith(target: { s, p in (0..<p).map { digit(s.x + s.y, p - 1 - $0) } })),
            Mistake("column-sums-without-carry", "each target digit is (digit of x + digit of y) % 10: the carries are lost",
                    feedback: "Adding each column on its own forgets the carry: 4567 + 123 gives 4680 column by column, but the answer is 4690. The targets are the digits of the SUM, (x + y) / 10^t % 10 — the carries are what the network has to learn, so they must be in the targets.",
                    encodedWith(target: { s, p in (0..<p).map { (digit(s.x, $0) + digit(s.y, $0)) % 10 } })),
            Mistake("blank-past-the-last-digit", "places past a number's last digit get no one-hot at all (all zeros) instead of the digit 0",
                    feedback: "123 is 00123: every place of a number holds a digit, and past its last one that digit is 0. Leaving those places empty makes the network read a third kind of column (neither 0 nor any digit) and the input of a 3-digit number unlike the same number written with 4. Write the one-hot of (n / 10^t) % 10 at every place.",
                    encodedWith(operand: { n, p in let count = String(n).count; return (0..<p).map { $0 < count ? digit(n, $0) : nil } })),
            Mistake("one-one-hot-for-both", "x's digit and y's digit are added into the same 10 features, [B, T, 10]",
                    feedback: "With both one-hots in one block of 10, the input of 3 + 5 is the input of 5 + 3 — harmless for addition — but 4 + 4 is a single 2 and the network must learn that a 2 means two fours. The lesson's input keeps the operands apart: x's one-hot in features 0…9 and y's in 10…19, 20 wide.",
                    encodedWith(shared: true)),
        ],
        criterion: .matchesReference(Tolerance(atol: 0, rtol: 0))
    ) { encode in
        var outcome = Outcome()
        for (k, c) in encodeCases.enumerated() {
            let (inputs, targets) = try encode(c.pairs, c.places)
            outcome.record("inputs (sums #\(k + 1))", inputs)
            outcome.record("targets (sums #\(k + 1))", targets)
        }
        return outcome
    }

    /// Every exercise of lesson 4, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(splitSums), AnyExercise(encodeSums), AnyExercise(lstmStep), AnyExercise(unrollAdder), AnyExercise(additionScores), AnyExercise(trainStep),
        AnyExercise(greedyDecode), AnyExercise(cosineRate),
        AnyExercise(teacherForcedLogits),
    ]
}
