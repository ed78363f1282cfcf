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
        ("the test set holds a pair twice (or with its swap)", "the held-out set holds some sum twice — the same pair, or a pair and its swap: skip a drawn pair that is already held out, and hold out its swap with it"),
        ("training holds a held-out pair", "the training set holds pairs of the held-out set: skip every training draw that is held out, or the test measures memory, not addition"),
        ("training holds the swap of a held-out pair", "the training set holds y + x for some held-out x + y: hold out each test pair's swap too, and skip it when you draw training pairs"),
        ("the test set has pairs with x < y and with x > y", "the held-out pairs are all written one way round (x ≤ y or x ≥ y): keep each pair as it was drawn, and use its swap only to decide what is held out"),
        ("the same seed gives the same split", "two runs from the same seed gave different splits: draw everything from the rng you are given (no Int.random, no SystemRandomNumberGenerator), so that a run can be repeated"),
        ("another seed gives another split", "a different seed gave the same split: draw from the rng parameter (`rng.int(below:)`), not from a generator made inside the function"),
    ]

    /// The split's properties, as 0/1 flags and counts: the same for every right answer
    /// (whatever the order of its draws), and a fingerprint of each known mistake.
    static func splitProbe(_ split: SplitSums) throws -> Outcome {
        var outcome = Outcome()
        var flags: [String: Bool] = [:]
        func flag(_ name: String, _ value: Bool) { flags[name, default: false] = flags[name, default: false] || value }
        var sizesRight = true, top = true, bottom = true, bothWays = true
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
        let different = key(try split(c.train, c.test, c.range, &other))
        for (name, _) in splitChecks {
            let value: Bool
            switch name {
            case "sizes": value = sizesRight
            case "the range's top is drawn": value = top
            case "the range's bottom is drawn": value = bottom
            case "the test set has pairs with x < y and with x > y": value = bothWays
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

    // MARK: - 4.3 an LSTM cell from scratch

    public typealias LSTMStep = (Tensor, Tensor, Tensor, RecurrentWeights) throws -> (h: Tensor, c: Tensor)

    /// One change to an LSTM step (4.3's known mistakes and variants).
    enum CellChange { case right, gatesIFOG, gatesFIGO, sigmoidCandidate, noTanhOnCell, oneBias, forgetAndInputSwapped, oldCellInH, tanhGates }

    /// The reference's LSTM step with one `CellChange`.
    static func lstmWith(_ x: Tensor, _ h: Tensor, _ c: Tensor, _ w: RecurrentWeights, _ change: CellChange) throws -> (h: Tensor, c: Tensor) {
        let z = try linear(x, weight: w.weightIH, bias: w.biasIH) + linear(h, weight: w.weightHH, bias: change == .oneBias ? nil : w.biasHH)
        let p = try z.chunk(4, axis: 1)
        let order: [Int]
        switch change {
        case .gatesIFOG: order = [0, 1, 3, 2]
        case .gatesFIGO: order = [1, 0, 2, 3]
        default: order = [0, 1, 2, 3]
        }
        let gate = { (t: Tensor) in change == .tanhGates ? t.tanh() : t.sigmoid() }
        let (i, f, o) = (gate(p[order[0]]), gate(p[order[1]]), gate(p[order[3]]))
        let g = change == .sigmoidCandidate ? p[order[2]].sigmoid() : p[order[2]].tanh()
        let c2 = change == .forgetAndInputSwapped ? try i * c + f * g : try f * c + i * g
        let shown = change == .noTanhOnCell ? c2 : change == .oldCellInH ? c.tanh() : c2.tanh()
        return (try o * shown, c2)
    }

    public static let lstmStep = Exercise<LSTMStep>(
        id: "4.3", title: "An LSTM cell from scratch", symbol: "lstmStep(_:_:_:weights:)", file: "Lessons/Lesson4/LSTMStep.swift",
        reference: { try Solution4.lstmStep($0, $1, $2, weights: $3) },
        mistakes: [
            Mistake("gates-i-f-o-g", "the four chunks are read as i, f, o, g: the candidate and the output gate swapped",
                    feedback: "PyTorch (and the core, and every checkpoint you will load) stacks the gates as i, f, g, o: chunk 2 is the candidate g, chunk 3 the output gate o. Some papers write i, f, o, g, and with those weights the cell computes something else. Take g from chunk 2 and o from chunk 3.") {
                try lstmWith($0, $1, $2, $3, .gatesIFOG)
            },
            Mistake("sigmoid-on-the-candidate", "the candidate g goes through σ instead of tanh",
                    feedback: "g is what the cell may ADD, and it must be able to add a negative amount: tanh gives −1 … 1, σ only 0 … 1, so with σ the cell can only grow. The three gates i, f, o are σ (how much, 0 to 1); the candidate g is tanh.") {
                try lstmWith($0, $1, $2, $3, .sigmoidCandidate)
            },
            Mistake("no-tanh-on-the-cell", "h' = o ⊙ c': the cell is shown without its tanh",
                    feedback: "The cell is a running sum and can grow past ±1; h' is what the next step and the head read, and tanh keeps it in −1 … 1. h' = o ⊙ tanh(c'): squash the new cell, then let the output gate choose how much of it to show.") {
                try lstmWith($0, $1, $2, $3, .noTanhOnCell)
            },
            Mistake("one-bias-only", "b_hh is left out: only b_ih is added",
                    feedback: "PyTorch's LSTM has two bias vectors, b_ih and b_hh, and adds both (their sum is what matters, but a checkpoint holds both, and the grader's weights have both non-zero). z = W_ih x + b_ih + W_hh h + b_hh: pass biasHH to the second linear too.") {
                try lstmWith($0, $1, $2, $3, .oneBias)
            },
            Mistake("forget-and-input-swapped", "c' = i ⊙ c + f ⊙ g: the input gate keeps the old cell and the forget gate lets the candidate in",
                    feedback: "The forget gate f decides how much of the OLD cell survives (f ⊙ c), the input gate i how much of the candidate enters (i ⊙ g). Swapped, the names are only names — but the weights you are given were trained (or initialised, in PyTorch's layout) with f on the old cell. c' = f ⊙ c + i ⊙ g.") {
                try lstmWith($0, $1, $2, $3, .forgetAndInputSwapped)
            },
            Mistake("old-cell-in-h", "h' = o ⊙ tanh(c): the output reads the old cell, not the new one",
                    feedback: "The new h shows the cell AFTER this step's update: what the step just added (i ⊙ g) must reach the output at once, or every answer comes one step late. Compute c' first, then h' = o ⊙ tanh(c').") {
                try lstmWith($0, $1, $2, $3, .oldCellInH)
            },
        ],
        variants: [
            Variant("gates-f-i-g-o", "the input and forget chunks read the other way round (f first)", { try lstmWith($0, $1, $2, $3, .gatesFIGO) }),
            Variant("tanh-for-sigmoid", "tanh where the gates have σ", { try lstmWith($0, $1, $2, $3, .tanhGates) }),
        ]
    ) { step in
        var outcome = Outcome()
        // Input size ≠ hidden size in two cases (sizes taken from the wrong tensor fail); equal
        // in one (so that a transposed W_hh runs and can be named).
        for (seed, batch, input, hidden): (UInt64, Int, Int, Int) in [(61, 2, 3, 4), (62, 3, 4, 4), (63, 2, 5, 2)] {
            var rng = RNG(seed: seed)
            let cell = LSTMCell(input, hidden, rng: &rng)
            // Biases away from 0, so that leaving one out shows.
            for p in [cell.biasIH!, cell.biasHH!] { try p.assign(p.scalars.map { $0 + 0.3 }) }
            let x = Tensor.uniform([batch, input], -1.5, 1.5, requiresGrad: true, rng: &rng)
            let h = Tensor.uniform([batch, hidden], -1, 1, requiresGrad: true, rng: &rng)
            let c = Tensor.uniform([batch, hidden], -2, 2, requiresGrad: true, rng: &rng)
            let named = cell.namedParameters().map { ($0.name, $0.tensor) }
            Probes.expose([("x", x), ("h", h), ("c", c)] + named)
            let (h2, c2) = try step(x, h, c, cell.weights)
            let suffix = " (inputs #\(seed % 10))"
            outcome.record("h'\(suffix)", h2)
            outcome.record("c'\(suffix)", c2)
            let both = try concat([h2.flatten(), c2.flatten()], axis: 0)
            try Probes.record(both, as: "h' and c', flattened\(suffix)",
                              gradientsOf: [("x\(suffix)", x), ("h\(suffix)", h), ("c\(suffix)", c)] + named.map { ("\($0.0)\(suffix)", $0.1) },
                              into: &outcome)
        }
        return outcome
    }

    // MARK: - 4.4 the adder unrolled

    public typealias UnrollAdder = (Tensor, RecurrentWeights, Linear) throws -> Tensor

    /// One change to how the adder is unrolled (4.4's known mistakes and variants).
    enum UnrollChange { case right, stateResetEveryStep, cellResetEveryStep, softmaxScores, headOnTheCell, scoresBeforeTheStep, headOnTheLastStepOnly, backwards }

    /// The reference's unrolled adder with one `UnrollChange`.
    static func unrolledWith(_ x: Tensor, _ w: RecurrentWeights, _ head: Linear, _ change: UnrollChange) throws -> Tensor {
        let zeros = Tensor.zeros([x.shape[0], w.hiddenSize])
        var (h, c) = (zeros, zeros)
        var scores: [Tensor] = []
        let steps = Array(0..<x.shape[1])
        for t in change == .backwards ? steps.reversed() : steps {
            if change == .stateResetEveryStep { (h, c) = (zeros, zeros) }
            if change == .cellResetEveryStep { c = zeros }
            let before = h
            (h, c) = try lstmCell(x.select(axis: 1, index: t), h, c, weights: w)
            scores.append(try head(change == .headOnTheCell ? c : change == .scoresBeforeTheStep ? before : h))
        }
        if change == .backwards { scores.reverse() }
        if change == .headOnTheLastStepOnly { scores = [Tensor](repeating: scores[scores.count - 1], count: scores.count) }
        let logits = try stack(scores, axis: 1)
        return change == .softmaxScores ? try logits.softmax(axis: -1) : logits
    }

    public static let unrollAdder = Exercise<UnrollAdder>(
        id: "4.4", title: "The adder: an LSTM unrolled over the columns", symbol: "unrollAdder(_:cell:head:)", file: "Lessons/Lesson4/Adder.swift",
        reference: { try Solution4.unrollAdder($0, cell: $1, head: $2) },
        mistakes: [
            Mistake("state-reset-every-step", "h and c start from zeros at every step, so nothing is carried from one column to the next",
                    feedback: "The state is how the carry gets from the units to the tens: reset at every step, each column is added on its own, and 7 + 3 can never make the next digit one larger. Start from zeros ONCE, before the loop, and let each step's (h, c) be the next step's state.") {
                try unrolledWith($0, $1, $2, .stateResetEveryStep)
            },
            Mistake("cell-reset-every-step", "h is carried from step to step but c starts from zeros at every step",
                    feedback: "An LSTM's memory is mostly its cell c: h is a squashed, gated view of it. Carrying h alone throws away what the cell kept, so the model is a weaker tanh-RNN-like cell. Carry both: (h, c) = lstmCell(x_t, h, c, …), and pass both on.") {
                try unrolledWith($0, $1, $2, .cellResetEveryStep)
            },
            Mistake("softmax-scores", "the scores go through a softmax: the function returns probabilities, not logits",
                    feedback: "crossEntropy takes LOGITS and applies the log-softmax itself; probabilities passed to it are softmaxed a second time, and the loss can then never approach 0. The head's output is what this function returns: leave the softmax to the loss (and to whoever wants probabilities).") {
                try unrolledWith($0, $1, $2, .softmaxScores)
            },
            Mistake("head-on-the-cell", "the head reads the cell c instead of h",
                    feedback: "The cell is the LSTM's private memory, unbounded; what the LSTM shows to the next layer or a head is h = o ⊙ tanh(c), as torch.nn.LSTM's output holds h. Apply the head to the new h of each step.") {
                try unrolledWith($0, $1, $2, .headOnTheCell)
            },
            Mistake("scores-before-the-step", "the scores at step t come from the state before reading column t",
                    feedback: "Digit t of the sum depends on column t (and the carry into it): the score at step t must come from the state AFTER the cell has read x_t. Recording h before the step makes every answer digit one column late, and step 0 answers from the zero state. Run the cell, then apply the head to its new h.") {
                try unrolledWith($0, $1, $2, .scoresBeforeTheStep)
            },
            Mistake("last-state-everywhere", "the head is applied to the last state only, and its scores repeated at every step",
                    feedback: "This is the encoder's habit — one summary after the whole sequence — but the adder answers as it reads: step t writes digit t. Apply the head to the new h after EVERY step and stack those scores along axis 1.") {
                try unrolledWith($0, $1, $2, .headOnTheLastStepOnly)
            },
        ],
        variants: [
            Variant("reads-backwards", "the columns read from the last to the first", { try unrolledWith($0, $1, $2, .backwards) }),
        ]
    ) { unroll in
        var outcome = Outcome()
        for (seed, batch, steps, hidden): (UInt64, Int, Int, Int) in [(71, 3, 4, 5), (72, 2, 6, 3)] {
            var rng = RNG(seed: seed)
            let cell = LSTMCell(20, hidden, rng: &rng)
            let head = Linear(hidden, 10, rng: &rng)
            let x = Tensor.uniform([batch, steps, 20], 0, 1, requiresGrad: true, rng: &rng)
            let named = cell.namedParameters().map { ($0.name, $0.tensor) } + head.namedParameters().map { ("head.\($0.name)", $0.tensor) }
            Probes.expose([("x", x)] + named)
            let logits = try unroll(x, cell.weights, head)
            let suffix = " (inputs #\(seed % 10))"
            try Probes.record(logits, as: "logits\(suffix)", gradientsOf: [("x\(suffix)", x)] + named.map { ("\($0.0)\(suffix)", $0.1) }, into: &outcome)
        }
        return outcome
    }

    // MARK: - 4.5 exact match and digit accuracy

    public typealias AdditionScores = (Tensor, Tensor) throws -> (exact: Float, digits: Float)

    /// Predicted and target digit codes, [B, T]: rows all right, wrong only at the last place
    /// (the final carry), wrong at the units, wrong in most places, wrong in 2 of 5 (a
    /// majority right); a batch with T = 6; a batch all right; a batch all wrong.
    static let scoreCases: [(predicted: [[Int]], targets: [[Int]])] = [
        ([[0, 9, 6, 4, 0], [0, 9, 6, 4, 1], [3, 1, 1, 1, 0], [1, 2, 3, 9, 1], [8, 9, 9, 9, 1], [5, 5, 0, 0, 0], [7, 0, 0, 0, 0]],
         [[0, 9, 6, 4, 0], [0, 9, 6, 4, 0], [2, 1, 1, 1, 0], [1, 0, 0, 0, 1], [8, 9, 9, 9, 1], [5, 5, 1, 1, 0], [7, 0, 0, 0, 0]]),
        ([[1, 2, 3, 4, 5, 0], [9, 9, 9, 9, 9, 0], [0, 0, 0, 0, 0, 1]], [[1, 2, 3, 4, 5, 0], [9, 9, 9, 9, 9, 1], [0, 0, 0, 0, 0, 1]]),
        ([[4, 0, 1, 0, 0], [2, 2, 0, 0, 0]], [[4, 0, 1, 0, 0], [2, 2, 0, 0, 0]]),
        ([[4, 0, 1, 0, 0], [2, 2, 0, 0, 1]], [[5, 1, 2, 1, 1], [3, 3, 1, 1, 0]]),
    ]

    /// The scores from the right/wrong table with the exact match decided another way (4.5's known mistakes).
    static func scoresWith(_ exactRow: @escaping (_ rightInRow: [Bool]) -> Bool, wholeBatch: Bool = false, digitsForExact: Bool = false) -> AdditionScores {
        { predicted, targets in
            let places = targets.shape[1]
            let right = zip(predicted.indices, targets.indices).map { $0 == $1 }
            let rows = stride(from: 0, to: right.count, by: places).map { Array(right[$0..<($0 + places)]) }
            let digits = Float(right.filter { $0 }.count) / Float(right.count)
            let exactRows = Float(rows.filter(exactRow).count) / Float(rows.count)
            let exact = digitsForExact ? digits : wholeBatch ? (right.allSatisfy { $0 } ? 1 : 0) : exactRows
            return (exact, digits)
        }
    }

    public static let additionScores = Exercise<AdditionScores>(
        id: "4.5", title: "Exact match and digit accuracy", symbol: "additionScores(predicted:targets:)", file: "Lessons/Lesson4/Scores.swift",
        reference: { try Solution4.additionScores(predicted: $0, targets: $1) },
        mistakes: [
            Mistake("digits-for-exact", "the exact match counts right digits, not right sums",
                    feedback: "A sum with one wrong digit is a wrong sum: 4680 is not 4690. Counting digits gives the digit accuracy a second time, which flatters a model that gets most digits of every sum right and no sum at all. A row counts when ALL its places are right: compare, then ask per row whether the row has no wrong place.",
                    scoresWith({ _ in true }, digitsForExact: true)),
            Mistake("last-place-ignored", "the exact match compares places 0 … T − 2 only: the last place, the final carry, is not checked",
                    feedback: "The last place is where 9999 + 9999 writes the 1 of 19998: a model that misses the final carry gets a sum 10 000 off. Every place counts, the last included — compare whole rows of T places.",
                    scoresWith({ $0.dropLast().allSatisfy { $0 } })),
            Mistake("whole-batch-exact", "the exact match is 1 when every sum of the batch is right, else 0",
                    feedback: "The exact match is a FRACTION of the sums: 1 of 3 right gives 0.333, not 0. Decide for each row whether all its places are right, then take the mean over the rows.",
                    scoresWith({ _ in true }, wholeBatch: true)),
            Mistake("majority-of-digits", "a sum counts as right when most of its digits are right",
                    feedback: "Rounding a row's digit accuracy (or asking for more than half right) accepts sums with a wrong digit or two: 5500 for 5511. A sum is right when every place is right: its row's count of right places must equal T (or its minimum must be 1).",
                    scoresWith({ row in row.filter { $0 }.count * 2 > row.count })),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-6, rtol: 0))
    ) { scores in
        var outcome = Outcome()
        for (k, c) in scoreCases.enumerated() {
            let predicted = try Tensor(indices: c.predicted), targets = try Tensor(indices: c.targets)
            let (exact, digits) = try scores(predicted, targets)
            outcome.record("exact match (batch #\(k + 1))", exact)
            outcome.record("digit accuracy (batch #\(k + 1))", digits)
        }
        return outcome
    }

    // MARK: - 4.6 a training step with clipping

    public typealias TrainStep = ((Tensor) throws -> Tensor, [Tensor], any Optimizer, Tensor, Tensor, Float) throws -> (loss: Float, gradientNorm: Float)

    /// Where a training step clips, and what it zeroes (4.6's known mistakes).
    enum Clipping { case afterBackward, beforeBackward, afterStep, eachTensor }

    /// The reference's step with the clipping done another way, or the zeroing forgotten.
    static func steppedWith(_ clipping: Clipping, zeroes: Bool = true) -> TrainStep {
        { model, parameters, optimizer, inputs, targets, maxNorm in
            if zeroes { optimizer.zeroGrad() }
            let loss = try crossEntropy(model(inputs), targets)
            var norm: Float = 0
            if clipping == .beforeBackward { norm = clipGradNorm(parameters, maxNorm: maxNorm) }
            try loss.backward()
            switch clipping {
            case .afterBackward: norm = clipGradNorm(parameters, maxNorm: maxNorm)
            case .eachTensor: norm = parameters.map { clipGradNorm([$0], maxNorm: maxNorm) }.reduce(0) { ($0 * $0 + $1 * $1).squareRoot() }
            default: break
            }
            optimizer.step()
            if clipping == .afterStep { norm = clipGradNorm(parameters, maxNorm: maxNorm) }
            return (try loss.item(), norm)
        }
    }

    /// Six steps of SGD (so that the length of a step shows in the weights) on a small adder
    /// and 16 sums, with a maximum norm the gradient exceeds (0.05: its norm is 0.1–0.2) and one it
    /// never reaches: every loss and gradient norm, and the weights after the six steps.
    static func trainStepProbe(_ train: TrainStep) throws -> Outcome {
        var outcome = Outcome()
        for (seed, maxNorm): (UInt64, Float) in [(81, 0.05), (82, 1000)] {
            var rng = RNG(seed: seed)
            let model = Solution4.Adder(hiddenSize: 8, rng: &rng)
            let parameters = model.parameters()
            let optimizer = try SGD(parameters, learningRate: 0.5)
            let pairs = (0..<16).map { _ in (x: 100 + rng.int(below: 9900), y: 100 + rng.int(below: 9900)) }
            let (inputs, targets) = try Solution4.encodeSums(pairs, places: 5)
            var losses: [Float] = [], norms: [Float] = []
            for _ in 0..<6 {
                let (loss, norm) = try train({ try model($0) }, parameters, optimizer, inputs, targets, maxNorm)
                losses.append(loss)
                norms.append(norm)
            }
            let suffix = " (max norm \(format(maxNorm)))"
            outcome.record("losses of 6 steps\(suffix)", losses)
            outcome.record("gradient norms of 6 steps\(suffix)", norms)
            outcome.record("weights after 6 steps\(suffix)", parameters.flatMap(\.scalars))
        }
        return outcome
    }

    public static let trainStep = Exercise<TrainStep>(
        id: "4.6", title: "A training step with the gradient clipped", symbol: "trainStep(_:parameters:optimizer:inputs:targets:maxNorm:)", file: "Lessons/Lesson4/Training.swift",
        reference: { try Solution4.trainStep($0, parameters: $1, optimizer: $2, inputs: $3, targets: $4, maxNorm: $5) },
        mistakes: [
            Mistake("clipped-before-backward", "the gradients are clipped before backward(), when there are none yet",
                    feedback: "After zeroGrad there is no gradient to clip: clipGradNorm finds nothing, returns 0, and backward then fills in the whole, unclipped gradient for the step. Clip between backward() and optimizer.step() — after the gradient exists, before it is used.",
                    steppedWith(.beforeBackward)),
            Mistake("clipped-after-step", "the step uses the whole gradient: it is clipped after optimizer.step() (or not at all)",
                    feedback: "The optimizer reads the gradients in step(): clipping them afterwards changes nothing that matters (the next step starts with zeroGrad), and the steps are exactly those of a run that never clips. The norm you return is right, which hides it. Clip after backward() and BEFORE optimizer.step().",
                    steppedWith(.afterStep)),
            Mistake("clipped-each-tensor", "each parameter's gradient is clipped to maxNorm on its own, not all of them together",
                    feedback: "clip_grad_norm_ takes the norm of ALL gradients as one vector, so that the step keeps its direction. Clipping tensor by tensor lets the whole gradient be up to √(number of tensors) × maxNorm long and bends it towards the tensors with small gradients. Pass every parameter to one clipGradNorm call.",
                    steppedWith(.eachTensor)),
            Mistake("norm-after-clipping", "the norm returned is measured after clipping, so it never shows more than maxNorm",
                    feedback: "The norm is returned to be logged: a run whose gradient norm jumps from 0.1 to 50 has met an explosion, and that is what you want to see. Measured after clipping it is never above maxNorm and hides exactly that. Return what clipGradNorm returns: the norm BEFORE clipping.") { model, parameters, optimizer, inputs, targets, maxNorm in
                let (loss, norm) = try steppedWith(.afterBackward)(model, parameters, optimizer, inputs, targets, maxNorm)
                return (loss, Swift.min(norm, maxNorm))
            },
            Mistake("forgot-zero-grad", "the gradients are never reset, so each step uses the sum of all past gradients",
                    feedback: "backward() adds to every parameter's gradient. Without optimizer.zeroGrad() at the start of each step, step k follows the sum of k gradients — and the norm you clip and report grows with every step. Call optimizer.zeroGrad() first.",
                    steppedWith(.afterBackward, zeroes: false)),
        ],
        criterion: .matchesReference(Tolerance(atol: 1e-4, rtol: 1e-3)),
        probe: trainStepProbe
    )

    /// Every exercise of lesson 4, in order.
    public static let all: [AnyExercise] = [
        AnyExercise(splitSums), AnyExercise(encodeSums), AnyExercise(lstmStep), AnyExercise(unrollAdder), AnyExercise(additionScores), AnyExercise(trainStep),
    ]
}
