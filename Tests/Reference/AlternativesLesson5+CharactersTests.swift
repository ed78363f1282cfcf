import Autograd
import Foundation
@testable import Grading
import XCTest

/// Lesson 5, Part B (5.9–5.12), against answers written differently: the vocabulary by
/// binary insertion or a sorted text, bits by a log-sum-exp of our own or in base 2, draws by
/// Gumbel-max or from the end of the running sums, the writing loop from the layers
/// themselves, a code at a time, or the whole text again at every step. Wrong ones are named,
/// or fail saying where — and the shortcuts (a draw that ignores the rng, a state kept
/// between calls, logits handed to `pick` in the wrong shape) fail too.
extension LessonFiveAlternativesTests {
    // MARK: - 5.9 characters to codes

    /// Where `c` is, or would go, in the sorted `vocabulary` (a binary search), and whether it is there.
    static func place(_ c: Character, in vocabulary: [Character]) -> (at: Int, found: Bool) {
        var (low, high) = (0, vocabulary.count)
        while low < high {
            let middle = (low + high) / 2
            if vocabulary[middle] < c { low = middle + 1 } else { high = middle }
        }
        return (low, low < vocabulary.count && vocabulary[low] == c)
    }

    /// The codes of `text` through `vocabulary`, looked up in a dictionary; `first` is the first code.
    static func codes(_ text: String, _ vocabulary: [Character], first: Int = 0) -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0 + first) })
        return text.map { index[$0]! }
    }

    func test_5_9_characterCodes() {
        let exercise = Lesson5Graders.characterCodes
        assertPasses(exercise, { text in
            var vocabulary: [Character] = []
            for c in text {
                let (at, found) = Self.place(c, in: vocabulary)
                if !found { vocabulary.insert(c, at: at) }
            }
            return (vocabulary, text.map { Self.place($0, in: vocabulary).at })
        }, "the vocabulary kept sorted by insertion, the codes by binary search")
        assertPasses(exercise, { text in
            var vocabulary: [Character] = []
            for c in text.sorted() where vocabulary.last != c { vocabulary.append(c) }
            return (vocabulary, text.map { vocabulary.firstIndex(of: $0)! })
        }, "the text sorted and its repeats dropped, the codes by firstIndex")
        assertPasses(exercise, { text in
            let vocabulary = Dictionary(grouping: text) { $0 }.keys.sorted()
            return (vocabulary, Self.codes(text, vocabulary))
        }, "the keys of the characters grouped, sorted")
        // Read from the end, a set keeps the LAST spelling of a character: "é" as e + U+0301
        // (from "café"), where the text spells it U+00E9 first. The same Character (Swift
        // compares characters by canonical equivalence): vocabulary[code] == the character.
        assertPasses(exercise, { text in
            let vocabulary = Set(text.reversed()).sorted()
            return (vocabulary, Self.codes(text, vocabulary))
        }, "the set made from the text reversed")
        // Known mistakes written other ways: still named.
        // Code points sorted by their values: right on ASCII, where a character is one code point.
        assertDiagnosed(exercise, { text in
            let scalars = Set(text.unicodeScalars).sorted { $0.value < $1.value }
            let index = Dictionary(uniqueKeysWithValues: scalars.enumerated().map { ($1, $0) })
            return (scalars.map(Character.init), text.unicodeScalars.map { index[$0]! })
        }, as: "unicode-scalars")
        assertDiagnosed(exercise, { text in
            let bytes = Set(text.utf8).sorted()
            return (bytes.map { Character(Unicode.Scalar($0)) }, text.utf8.map { bytes.firstIndex(of: $0)! })
        }, as: "utf8-bytes")
        assertDiagnosed(exercise, { text in
            let vocabulary = text.reduce(into: [Character]()) { if !$0.contains($1) { $0.append($1) } }
            return (vocabulary, Self.codes(text, vocabulary))
        }, as: "first-seen-order")
        assertDiagnosed(exercise, { text in
            let vocabulary = Array(Set(text)).sorted(by: <)
            return (vocabulary, text.map { vocabulary.firstIndex(of: $0)! + 1 })
        }, as: "codes-from-one")
        // Wrong ones no known mistake fits: the text and the vocabulary are named.
        assertFails(exercise, { text in
            let vocabulary = Set(text).sorted(by: >)
            return (vocabulary, Self.codes(text, vocabulary))
        }, "sorted backwards", saying: ["the vocabulary of \"hello, world\" is [\"w\", \"r\""])
        assertFails(exercise, { text in
            let kept = String(text.filter { !$0.isWhitespace })
            let vocabulary = Set(kept).sorted()
            return (vocabulary, Self.codes(kept, vocabulary))
        }, "the spaces and line breaks left out", saying: ["the vocabulary of \"hello, world\""])
        assertFails(exercise, { text in
            let lower = text.lowercased(), vocabulary = Set(lower).sorted()
            return (vocabulary, Self.codes(lower, vocabulary))
        }, "the text lowercased", saying: ["the vocabulary of \"Crème"])
        // Sorted by each character's first code point: e + U+0301 files under "e", before "f"
        // (Swift sorts it as é, after "z"), and 👍🏽 ties with 👍 — a tie the set's order breaks,
        // and that order changes from run to run.
        assertFails(exercise, { text in
            let vocabulary = Set(text).sorted { $0.unicodeScalars.first!.value < $1.unicodeScalars.first!.value }
            return (vocabulary, Self.codes(text, vocabulary))
        }, "sorted by the first code point", saying: ["the vocabulary of"])
    }

    // MARK: - 5.10 bits per character

    /// `loss(row, target)` at every position: the logits' last axis is a row.
    static func perPosition(_ logits: Tensor, _ targets: Tensor, _ loss: ([Float], Int) -> Double) -> [Double] {
        let v = logits.shape.last!, values = logits.scalars
        return targets.scalars.enumerated().map { k, t in loss(Array(values[(k * v)..<((k + 1) * v)]), Int(t)) }
    }

    static func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

    /// −ln p(target) by a log-sum-exp of our own, in Doubles: max + ln Σ e^(x − max) − x[target].
    static func nats(_ row: [Float], _ target: Int) -> Double {
        let m = Double(row.max()!)
        return m + Foundation.log(row.reduce(0.0) { $0 + Foundation.exp(Double($1) - m) }) - Double(row[target])
    }

    func test_5_10_bitsPerCharacter() {
        let exercise = Lesson5Graders.bitsPerCharacter
        assertPasses(exercise, { logits, targets in Float(Self.mean(Self.perPosition(logits, targets, Self.nats)) / M_LN2) },
                     "a log-sum-exp of our own, in Doubles")
        assertPasses(exercise, { logits, targets in
            let v = logits.shape.last!, logP = try logits.logSoftmax(axis: -1).scalars
            var total: Float = 0
            for (k, t) in targets.scalars.enumerated() { total -= logP[k * v + Int(t)] }
            return total / Float(targets.count) / Float(M_LN2)
        }, "the log-softmax, gathered by a loop")
        // In base 2 all along: x · log₂ e, then max + log₂ Σ 2^(x − max) − x[target].
        assertPasses(exercise, { logits, targets in
            Float(Self.mean(Self.perPosition(logits, targets) { row, t in
                let x = row.map { $0 * Float(M_LOG2E) }, m = x.max()!
                return Double(m + log2(x.reduce(0) { $0 + exp2($1 - m) }) - x[t])
            }))
        }, "log₂ and 2^x directly")
        assertPasses(exercise, { logits, targets in try nllLoss(logits.logSoftmax(axis: -1) / Float(M_LN2), targets).item() },
                     "the negative log-likelihood of log-probabilities in bits")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { logits, targets in Float(Self.mean(Self.perPosition(logits, targets, Self.nats))) }, as: "nats")
        assertDiagnosed(exercise, { logits, targets in Float(Self.mean(Self.perPosition(logits, targets, Self.nats)) / M_LN10) }, as: "log10")
        assertDiagnosed(exercise, { logits, targets in Float(Self.perPosition(logits, targets, Self.nats).reduce(0, +) / M_LN2) }, as: "summed")
        assertDiagnosed(exercise, { logits, targets in exp2(Float(Self.mean(Self.perPosition(logits, targets, Self.nats)) / M_LN2)) },
                        as: "perplexity")
        // p = e^x / Σ e^x by hand, in Floats: e^(60 · 2) is past a Float's largest value.
        assertDiagnosed(exercise, { logits, targets in
            Float(Self.mean(Self.perPosition(logits, targets) { row, t in
                let e = row.map { Foundation.exp($0) }
                return Double(-log2(e[t] / e.reduce(0, +)))
            }))
        }, as: "softmax-overflows")
        // Wrong ones no known mistake fits.
        assertFails(exercise, { logits, targets in
            let p = try logits.softmax(axis: -1), v = logits.shape.last!
            let rows = p.scalars
            let bits = (0..<(p.count / v)).map { k in -log2(rows[(k * v)..<((k + 1) * v)].max()!) }
            return bits.reduce(0, +) / Float(bits.count)
        }, "the bits of the most likely code, not of the target", saying: ["bits per character, random logits [2, 3, 5] (inputs #1) differs"])
        // log₂ of the softmax: stable, but a probability of e^−200 is below a Float's smallest
        // (the core's softmax stops at about e^−87), and its bits come out far too few.
        assertFails(exercise, { logits, targets in
            let p = try logits.softmax(axis: -1).scalars, v = logits.shape.last!
            return targets.scalars.enumerated().map { k, t in -log2(p[k * v + Int(t)]) }.reduce(0, +) / Float(targets.count)
        }, "log₂ of the softmax's probabilities", saying: ["large logits (±120)", "expected 140"])
        assertFails(exercise, { logits, targets in
            Float(Self.perPosition(logits, targets, Self.nats).reduce(0, +) / Double(logits.count) / M_LN2)
        }, "divided by the number of logits, not of positions", saying: ["(inputs #1) differs"])
    }

    // MARK: - 5.11 sampling with a temperature

    /// softmax(logits / T) by hand, the largest value subtracted first, in Doubles.
    static func probabilities(_ logits: Tensor, _ temperature: Float) -> [Double] {
        let x = logits.scalars.map { Double($0) / Double(temperature) }, m = x.max()!
        let e = x.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
        return e.map { $0 / total }
    }

    /// The first code whose running sum exceeds u (the last if rounding leaves them all below it).
    static func inverseCDF(_ p: [Double], _ u: Double) -> Int {
        var sums: [Double] = [], sum = 0.0
        for q in p {
            sum += q
            sums.append(sum)
        }
        return sums.firstIndex { u < $0 } ?? p.count - 1
    }

    /// Gumbel-max: argmax of logits · `scale` + g, g = −ln(−ln u), one u from the rng per code.
    static func gumbel(_ logits: Tensor, scale: Float, _ rng: inout RNG) -> Int {
        let x = logits.scalars.map { $0 * scale - Foundation.log(-Foundation.log(rng.uniform())) }
        return x.indices.max { x[$0] < x[$1] }!
    }

    /// A counter shared by every call of a sampler (a global, in a student's file).
    final class Calls { var count = 0 }

    func test_5_11_sampleCode() {
        let exercise = Lesson5Graders.sampleCode
        assertPasses(exercise, { logits, temperature, rng in Self.inverseCDF(Self.probabilities(logits, temperature), Double(rng.uniform())) },
                     "the softmax by hand, the running sums searched")
        assertPasses(exercise, { logits, temperature, rng in Self.gumbel(logits, scale: 1 / temperature, &rng) }, "Gumbel-max")
        // u from the standard library's Float.random, using the rng; the unnormalised e^(x − max)
        // walked from the last code down.
        assertPasses(exercise, { logits, temperature, rng in
            let x = logits.scalars.map { $0 / temperature }, m = x.max()!
            let e = x.map { Foundation.exp($0 - m) }
            var rest = Float.random(in: 0..<1, using: &rng) * e.reduce(0, +)
            for code in e.indices.reversed() {
                rest -= e[code]
                if rest < 0 { return code }
            }
            return 0
        }, "Float.random(in:using:), the weights walked from the end")
        // The temperature after the softmax: p^(1/T), renormalised, is softmax(logits / T).
        assertPasses(exercise, { logits, temperature, rng in
            let q = try logits.softmax(axis: 0).scalars.map { Foundation.pow(Double($0), Double(1 / temperature)) }
            let total = q.reduce(0, +)
            return Self.inverseCDF(q.map { $0 / total }, Double(rng.uniform()))
        }, "p^(1/T) renormalised")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { logits, temperature, rng in Self.gumbel(logits, scale: temperature, &rng) }, as: "times-temperature")
        assertDiagnosed(exercise, { logits, _, rng in Self.inverseCDF(Self.probabilities(logits, 1), Double(rng.uniform())) },
                        as: "temperature-ignored")
        assertDiagnosed(exercise, { logits, _, _ in
            let x = logits.scalars
            return x.firstIndex(of: x.max()!)!
        }, as: "greedy")
        assertDiagnosed(exercise, { logits, temperature, rng in
            let e = logits.scalars.map { Foundation.exp($0 / temperature) }
            let target = rng.uniform() * e.reduce(0, +)
            var sum: Float = 0
            for (code, w) in e.enumerated() {
                sum += w
                if target < sum { return code }
            }
            return e.count - 1
        }, as: "softmax-overflows")
        assertDiagnosed(exercise, { logits, temperature, rng in
            let p = Self.probabilities(logits, temperature), u = Double(rng.uniform())
            return p.indices.first { u < p[$0] } ?? p.count - 1
        }, as: "no-running-sum")
        // Wrong ones no known mistake fits: the frequency that is off is named.
        assertFails(exercise, { logits, temperature, rng in
            let q = try logits.softmax(axis: 0).scalars.map { Foundation.pow(Double($0), Double(1 / temperature)) }
            return Self.inverseCDF(q, Double(rng.uniform()))
        }, "p^(1/T) not renormalised", saying: ["temperature 0.5 (inputs #2)", "Draw each code with its probability"])
        assertFails(exercise, { logits, temperature, rng in
            let p = try logits.softmax(axis: 0).scalars.map { Double($0 / temperature) }
            return Self.inverseCDF(p, Double(rng.uniform()))
        }, "the probabilities divided by the temperature", saying: ["temperature 0.5 (inputs #2)"])
        assertFails(exercise, { logits, _, rng in Int.random(in: 0..<logits.count, using: &rng) }, "every code equally likely",
                    saying: ["(inputs #1)"])
        // The probabilities sorted, largest first, and the RANK drawn returned, not the code.
        assertFails(exercise, { logits, temperature, rng in
            Self.inverseCDF(Self.probabilities(logits, temperature).sorted(by: >), Double(rng.uniform()))
        }, "the rank drawn, not the code", saying: ["(inputs #1)"])
        // Shortcuts. A generator of its own, made afresh on every call: the same u every time
        // (seed 42's first u is below 0.25, so the first code every time: named as greedy).
        assertFails(exercise, { logits, temperature, _ in
            var own = RNG(seed: 42)
            return Self.inverseCDF(Self.probabilities(logits, temperature), Double(own.uniform()))
        }, "a generator of its own, made on every call", saying: ["% of the time"])
        // A generator of its own, kept between calls: right frequencies, but not the rng's draws.
        let kept = { () -> Lesson5Graders.SampleCode in
            final class Kept { var rng = RNG(seed: 42) }
            let own = Kept()
            return { logits, temperature, _ in Self.inverseCDF(Self.probabilities(logits, temperature), Double(own.rng.uniform())) }
        }()
        assertFails(exercise, kept, "a generator of its own, kept between calls", saying: ["two runs from the same seed drew different codes"])
        // No rng at all: u walks [0, 1) by the golden ratio (a Weyl sequence), call after call,
        // so every code comes up in its exact proportion.
        let weyl = { () -> Lesson5Graders.SampleCode in
            let calls = Calls()
            return { logits, temperature, _ in
                calls.count += 1
                let u = (Double(calls.count) * 0.618_033_988_749_894_9).truncatingRemainder(dividingBy: 1)
                return Self.inverseCDF(Self.probabilities(logits, temperature), u)
            }
        }()
        assertFails(exercise, weyl, "the rng ignored, the codes cycled through in proportion", saying: ["two runs from the same seed drew different codes"])
        // Antithetic draws: every other call uses 1 − u. Each draw is right and comes from the
        // rng, but the same seed gives other codes after an odd number of draws.
        let antithetic = { () -> Lesson5Graders.SampleCode in
            let calls = Calls()
            return { logits, temperature, rng in
                calls.count += 1
                let u = Double(rng.uniform())
                return Self.inverseCDF(Self.probabilities(logits, temperature), calls.count % 2 == 0 ? 1 - u : u)
            }
        }()
        assertFails(exercise, antithetic, "antithetic draws, every other call", saying: ["two runs from the same seed drew different codes"])
    }

    // MARK: - 5.12 writing one character at a time

    typealias State = (h: Tensor, c: Tensor)

    /// The model read from its layers: the LSTM over the embedded `codes` (`[1, n]`) from
    /// `state`, the head over its output → (logits `[1, n, V]`, the state it leaves).
    static func read(_ codes: [Int], from state: State?, _ embedding: Embedding, _ lstm: LSTM, _ head: Linear) throws
        -> (logits: Tensor, state: State)
    {
        let (output, next) = try lstm(embedding(Tensor(codes.map(Float.init), shape: [1, codes.count])), state)
        return (try head(output), next)
    }

    /// The logits after the last code read, `[V]`.
    static func last(_ logits: Tensor) throws -> Tensor {
        try logits.select(axis: 1, index: logits.shape[1] - 1).reshape([logits.shape[2]])
    }

    /// The writing loop from the layers: the prompt read from `start(kept)` in one call (or one
    /// code at a time when `stepped`), then count times: pick from `shown(logits)`, feed the
    /// code back from `next(state after the prompt, state after the last code)`.
    static func writer(stepped: Bool = false, start: @escaping () -> State? = { nil }, shown: @escaping (Tensor) throws -> Tensor = { try LessonFiveAlternativesTests.last($0) },
                       next: @escaping (_ afterPrompt: State, _ latest: State) throws -> State? = { $1 },
                       kept: ((State) -> Void)? = nil) -> Lesson5Graders.Generate {
        { embedding, lstm, head, prompt, count, pick in
            var (logits, state) = try read(stepped ? [prompt[0]] : prompt, from: start(), embedding, lstm, head)
            if stepped { for code in prompt.dropFirst() { (logits, state) = try read([code], from: state, embedding, lstm, head) } }
            let afterPrompt = state
            var written: [Int] = []
            for _ in 0..<count {
                written.append(try pick(shown(logits)))
                (logits, state) = try read([written.last!], from: next(afterPrompt, state), embedding, lstm, head)
            }
            kept?(state)
            return written
        }
    }

    /// One step of the LSTM cell by cell, layer by layer: `code` read from (h, c) → the logits `[V]`.
    static func step(_ code: Int, _ h: inout [Tensor], _ c: inout [Tensor], _ embedding: Embedding, _ lstm: LSTM, _ head: Linear) throws -> Tensor {
        var input = try embedding(Tensor([Float(code)], shape: [1]))
        for l in 0..<lstm.numLayers {
            (h[l], c[l]) = try lstmCell(input, h[l], c[l], weights: lstm.weights[l])
            input = h[l]
        }
        return try head(input).reshape([head.outFeatures])
    }

    func test_5_12_generate() {
        let exercise = Lesson5Graders.generate
        assertPasses(exercise, Self.writer(), "the embedding, the LSTM and the head called directly")
        assertPasses(exercise, Self.writer(stepped: true), "the prompt read one code at a time from the state")
        // lstmCell, layer by layer, a code at a time; no forward after the last pick, and an
        // extra one, for nothing, after the loop.
        assertPasses(exercise, { embedding, lstm, head, prompt, count, pick in
            let zeros = Tensor.zeros([1, lstm.hiddenSize])
            var h = [Tensor](repeating: zeros, count: lstm.numLayers), c = h
            var logits = zeros
            for code in prompt { logits = try Self.step(code, &h, &c, embedding, lstm, head) }
            var written: [Int] = []
            while written.count < count {
                written.append(try pick(logits))
                if written.count < count { logits = try Self.step(written.last!, &h, &c, embedding, lstm, head) }
            }
            _ = try Self.step(written.last ?? prompt.last!, &h, &c, embedding, lstm, head)
            return written
        }, "cell by cell, no forward after the last pick and one extra after the loop")
        // The whole text so far read again from no state for every code: the same logits, so it
        // passes — slow but right: n codes cost n(n + 1)/2 steps where the state costs n.
        assertPasses(exercise, { embedding, lstm, head, prompt, count, pick in
            var written: [Int] = []
            for _ in 0..<count { written.append(try pick(Self.last(Self.read(prompt + written, from: nil, embedding, lstm, head).logits))) }
            return written
        }, "the prompt and every code written read again from no state at each step")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { embedding, lstm, head, prompt, count, pick in
            var (logits, state) = try Self.read(prompt, from: nil, embedding, lstm, head)
            var code = prompt.last!, written: [Int] = []
            for _ in 0..<count {
                (logits, state) = try Self.read([code], from: state, embedding, lstm, head)
                code = try pick(Self.last(logits))
                written.append(code)
            }
            return written
        }, as: "last-prompt-code-fed-twice")
        assertDiagnosed(exercise, Self.writer(stepped: true, next: { _, _ in nil }), as: "state-reset-every-step")
        assertDiagnosed(exercise, { embedding, lstm, head, prompt, count, pick in
            try prompt + Self.writer(stepped: true)(embedding, lstm, head, prompt, count, pick)
        }, as: "prompt-included")
        assertDiagnosed(exercise, Self.writer(shown: { try $0.select(axis: 1, index: 0).squeeze(0) }), as: "first-position-logits")
        assertDiagnosed(exercise, { embedding, lstm, head, prompt, count, pick in
            try Self.writer(stepped: true)(embedding, lstm, head, prompt, count - 1, pick)
        }, as: "one-too-few")
        // Wrong ones no known mistake fits: what pick was shown says where.
        assertFails(exercise, Self.writer(shown: { try Self.last($0).softmax(axis: 0) }), "pick shown the probabilities",
                    saying: ["the logits pick was shown, one row per call (inputs #1) differs"])
        assertFails(exercise, Self.writer(next: { afterPrompt, _ in afterPrompt }), "every code fed from the state after the prompt",
                    saying: ["the logits pick was shown, one row per call (inputs #1) differs"])
        assertFails(exercise, Self.writer(next: { _, latest in (latest.h, Tensor.zeros(latest.c.shape)) }), "the cell state reset at every step",
                    saying: ["the logits pick was shown, one row per call (inputs #1) differs"])
        assertFails(exercise, { embedding, lstm, head, prompt, count, pick in
            var logits = try Self.read(prompt, from: nil, embedding, lstm, head).logits, written: [Int] = []
            for _ in 0..<count {
                written.append(try pick(Self.last(logits)))
                logits = try Self.read(written, from: nil, embedding, lstm, head).logits
            }
            return written
        }, "the codes written read again without the prompt", saying: ["the logits pick was shown, one row per call (inputs #1) differs"])
        // Shortcuts. The logits handed over as [1, V], not [V]: the right numbers, but the
        // experiment's pick (sampleCode, softmax over axis 0) would draw code 0 every time.
        assertFails(exercise, Self.writer(shown: { try $0.select(axis: 1, index: $0.shape[1] - 1) }), "pick shown [1, V]",
                    saying: ["every logits pick was shown has shape [V] = [6] (1: yes) (inputs #1) differs"])
        // A state kept between calls (a global) and the next prompt read from it.
        let keeping = { () -> Lesson5Graders.Generate in
            final class Kept { var state: State? }
            let kept = Kept()
            return Self.writer(start: { kept.state }, kept: { kept.state = $0 })
        }()
        assertFails(exercise, keeping, "a state kept between calls", saying: ["a second call with the same model and prompt"])
        // The same, but only for the model it was left by (found by identity): a second text
        // from the same model goes on from the first.
        let keepingPerModel = { () -> Lesson5Graders.Generate in
            final class Kept { var lstm: LSTM?; var state: State? }
            let kept = Kept()
            return { embedding, lstm, head, prompt, count, pick in
                let start = kept.lstm === lstm ? kept.state : nil
                kept.lstm = lstm
                return try Self.writer(start: { start }, kept: { kept.state = $0 })(embedding, lstm, head, prompt, count, pick)
            }
        }()
        assertFails(exercise, keepingPerModel, "a state kept between calls on the same model", saying: ["a second call with the same model and prompt"])
    }
}
