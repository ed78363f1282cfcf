import Autograd
import Foundation
@testable import Grading
import XCTest

/// Correct implementations of lesson 5's exercises written differently from the reference
/// (numbers spelled by their digits or by recursion, the batches dealt by index arithmetic,
/// the word loop from explicit zeros with the layer's product written out, the given state
/// detached again on the way in, the LSTM stepped layer by layer, the penalties as sums
/// over counts or through a difference matrix): every grader must pass them. Wrong ones
/// written differently are still named — and the shortcuts a student could take (the
/// probe's numbers in a table, a state kept between calls, a state with its history
/// switched off but kept) fail with a message that says where.
final class LessonFiveAlternativesTests: XCTestCase {
    // MARK: - 5.1 the numbers in words

    /// one … nineteen: `ones[n − 1]`.
    static let ones = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
        .split(separator: " ").map(String.init)
    /// twenty … ninety: `tens[d − 2]`.
    static let tens = "twenty thirty forty fifty sixty seventy eighty ninety".split(separator: " ").map(String.init)

    /// `n` in words by recursion on its parts; `unitFirst` says the unit before its ten
    /// ("one twenty", as German does); `lone`, when given, is written instead of "one" before
    /// a lone hundred or thousand ([] leaves it out, ["a"] says "a hundred").
    static func spoken(_ n: Int, unitFirst: Bool = false, lone: [String]? = nil) -> [String] {
        let say = { (k: Int) in spoken(k, unitFirst: unitFirst, lone: lone) }
        let count = { (k: Int) in k == 1 ? lone ?? say(k) : say(k) }
        switch n {
        case ..<1: return []
        case 1..<20: return [ones[n - 1]]
        case 20..<100: return unitFirst ? say(n % 10) + [tens[n / 10 - 2]] : [tens[n / 10 - 2]] + say(n % 10)
        case 100..<1000: return count(n / 100) + ["hundred"] + say(n % 100)
        default: return count(n / 1000) + ["thousand"] + say(n % 1000)
        }
    }

    /// `n`'s four digits (thousands first) from its decimal text, zeros in front.
    static func digits(_ n: Int) -> [Int] {
        let written = String(n).compactMap(\.wholeNumberValue)
        return [Int](repeating: 0, count: Swift.max(0, 4 - written.count)) + written
    }

    /// By the digits of the text: the words of the parts that are not zero, looked up.
    /// `britishAnd` puts "and" before the last two digits when something came before them;
    /// `zeroParts` writes the thousands whenever n ≥ 1000 and the hundreds whenever n ≥ 100,
    /// a zero digit as ""; `teensByDigits` spells ten to nineteen by their digits like the
    /// tens; `roundTenUnit` writes a round ten's unit too ("").
    static func byDigits(britishAnd: Bool = false, zeroParts: Bool = false, teensByDigits: Bool = false,
                         roundTenUnit: Bool = false) -> Lesson5Graders.NumberWords {
        { n in
            let d = digits(n)
            let unit = { (k: Int) in k == 0 ? "" : ones[k - 1] }
            var words: [String] = []
            if d[0] > 0 || zeroParts && n >= 1000 { words += [unit(d[0]), "thousand"] }
            if d[1] > 0 || zeroParts && n >= 100 { words += [unit(d[1]), "hundred"] }
            let below = d[2] * 10 + d[3]
            if britishAnd, !words.isEmpty, below > 0 { words.append("and") }
            if below >= 20 || teensByDigits && below >= 10 {
                words.append(d[2] == 1 ? "" : tens[d[2] - 2])
                if d[3] > 0 || roundTenUnit { words.append(unit(d[3])) }
            } else if below > 0 {
                words.append(ones[below - 1])
            }
            return words
        }
    }

    /// The words written into one string and split at the spaces (the split drops what is
    /// empty); `hyphens` joins a ten and its unit with "-".
    static func byText(hyphens: Bool = false) -> Lesson5Graders.NumberWords {
        { n in
            var text = ""
            if n >= 1000 { text += "\(ones[n / 1000 - 1]) thousand " }
            if n % 1000 >= 100 { text += "\(ones[n % 1000 / 100 - 1]) hundred " }
            let below = n % 100
            if below >= 20 {
                text += tens[below / 10 - 2]
                if below % 10 > 0 { text += (hyphens ? "-" : " ") + ones[below % 10 - 1] }
            } else if below > 0 {
                text += ones[below - 1]
            }
            return text.split(separator: " ").map(String.init)
        }
    }

    /// The numbers the probe spells, from a right spelling; every other number by `elsewhere`.
    static func probeTable(elsewhere: @escaping Lesson5Graders.NumberWords) -> Lesson5Graders.NumberWords {
        let table = Dictionary(uniqueKeysWithValues: Lesson5Graders.spelledNumbers.map { ($0, spoken($0)) })
        return { n in try table[n] ?? elsewhere(n) }
    }

    func test_5_1_numberWords() {
        let exercise = Lesson5Graders.numberWords
        assertPasses(exercise, { Self.spoken($0) }, "recursion on the thousands, the hundreds and the tens")
        assertPasses(exercise, Self.byDigits(), "the digits of the text, looked up")
        assertPasses(exercise, Self.byText(), "one string, split at the spaces")
        // The words of 1…99 made once into a table, then the hundreds and thousands around them.
        var below100: [[String]] = [[]]
        for n in 1..<100 { below100.append(n < 20 ? [Self.ones[n - 1]] : [Self.tens[n / 10 - 2]] + (n % 10 > 0 ? [Self.ones[n % 10 - 1]] : [])) }
        assertPasses(exercise, { n in
            var words: [String] = []
            if n >= 1000 { words += below100[n / 1000] + ["thousand"] }
            if n % 1000 >= 100 { words += below100[n % 1000 / 100] + ["hundred"] }
            return words + below100[n % 100]
        }, "a table of 1…99")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, Self.byText(hyphens: true), as: "hyphens")
        assertDiagnosed(exercise, Self.byDigits(britishAnd: true), as: "and-after-hundred")
        assertDiagnosed(exercise, Self.byDigits(zeroParts: true), as: "zero-parts-written")
        assertDiagnosed(exercise, Self.byDigits(teensByDigits: true), as: "teens-as-tens")
        assertDiagnosed(exercise, Self.byDigits(roundTenUnit: true), as: "empty-unit-after-a-round-ten")
        assertDiagnosed(exercise, { Self.spoken($0, lone: []) }, as: "one-left-out")
        // "a hundred", "a thousand": no known mistake writes "a", but the number is named.
        assertFails(exercise, { Self.spoken($0, lone: ["a"]) }, "\"a hundred\"", saying: ["numberWords(100)", "[\"a\", \"hundred\"]"])
        // The probe's numbers from a table; the rules wrong everywhere else. The counts over
        // 1…9999 tell an extra word…
        assertFails(exercise, Self.probeTable(elsewhere: Self.byDigits(britishAnd: true)), "the probe's numbers in a table, \"and\" elsewhere",
                    saying: ["over all of 1…9999", "(any other)"])
        // …and the words of each hundred numbers tell words in another order, which no count can.
        assertFails(exercise, Self.probeTable(elsewhere: { Self.spoken($0, unitFirst: true) }),
                    "the probe's numbers in a table, the unit before the ten elsewhere", saying: ["1…99 are not the chapter's", "in another order"])
        // (The first count that differs is named even when it is the first word's.)
        assertFails(exercise, Self.probeTable(elsewhere: { Self.spoken($0, lone: []) }),
                    "the probe's numbers in a table, no \"one\" before a lone hundred elsewhere", saying: ["\"one\" occurs"])
    }

    // MARK: - 5.2 batches that continue each other

    func test_5_2_groupChunks() {
        let exercise = Lesson5Graders.groupChunks
        assertPasses(exercise, { samples, batch in
            let m = samples.count / batch
            return (0..<(m * batch)).map { k in samples[(k % batch) * m + k / batch] }
        }, "element k is samples[(k % batchSize) · m + k / batchSize]")
        assertPasses(exercise, { samples, batch in
            let m = samples.count / batch
            var grouped: [Int] = []
            for i in 0..<m { grouped += stride(from: i, to: m * batch, by: m).map { samples[$0] } }
            return grouped
        }, "each batch a strided slice")
        assertPasses(exercise, { samples, batch in
            let m = samples.count / batch
            let streams = (0..<batch).map { j in Array(samples[(j * m)..<((j + 1) * m)]) }
            return (0..<m).flatMap { i in streams.map { $0[i] } }
        }, "the streams cut first, then read across")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { samples, batch in
            let m = samples.count / batch
            return (0..<batch).flatMap { j in samples[(j * m)..<((j + 1) * m)] }
        }, as: "loops-swapped")
        assertDiagnosed(exercise, { samples, batch in
            let m = samples.count / batch
            return (0..<m).flatMap { i in (0..<batch).map { samples[$0 * m + i] } } + samples.suffix(samples.count % batch)
        }, as: "leftovers-kept")
        assertDiagnosed(exercise, { samples, batch in
            let m = Int((Double(samples.count) / Double(batch)).rounded(.up))
            return (0..<m).flatMap { i in (0..<batch).map { $0 * m + i }.filter { $0 < samples.count }.map { samples[$0] } }
        }, as: "streams-rounded-up")
        // In their own order, the leftovers dropped: what the swapped loops give.
        assertDiagnosed(exercise, { samples, batch in Array(samples.prefix(samples.count / batch * batch)) }, as: "loops-swapped")
        // Wrong ones no known mistake fits: the order they get wrong is named.
        assertFails(exercise, { samples, batch in
            let m = samples.count / batch, skipped = samples.count - m * batch
            return (0..<m).flatMap { i in (0..<batch).map { samples[skipped + $0 * m + i] } }
        }, "the leftovers dropped from the front", saying: ["the order of 14 samples, batchSize 3"])
        assertFails(exercise, { samples, batch in
            guard samples.count >= batch else { return samples }
            let m = samples.count / batch
            return (0..<m).flatMap { i in (0..<batch).map { samples[$0 * m + i] } }
        }, "fewer samples than a batch returned as they are", saying: ["the order of 4 samples, batchSize 5"])
        // The loop that skips data: the last batch left out.
        assertFails(exercise, { samples, batch in
            let m = samples.count / batch
            return stride(from: 0, to: m - 1, by: 1).flatMap { i in (0..<batch).map { samples[$0 * m + i] } }
        }, "the last batch left out", saying: ["the order of 12 samples, batchSize 3"])
    }

    // MARK: - 5.3 three words in, the fourth out

    /// One step of the hidden layer with its product written out: relu(v · Wᵀ + b), or, with
    /// `transposed`, relu(v · W + b).
    static func layer(_ v: Tensor, _ hidden: Linear, transposed: Bool = false) throws -> Tensor {
        try (v.matmul(transposed ? hidden.weight : hidden.weight.T) + hidden.bias!).relu()
    }

    func test_5_3_threeWords() {
        let exercise = Lesson5Graders.threeWords
        assertPasses(exercise, { x, embedding, hidden, head in
            let e = try embedding(x)
            var h: Tensor? = nil
            for i in 0..<3 {
                let word = try e.select(axis: 1, index: i)
                h = try hidden(h.map { try $0 + word } ?? word).relu()
            }
            return try head(h!)
        }, "a loop over the three words")
        assertPasses(exercise, { x, embedding, hidden, head in
            var h = Tensor.zeros([x.shape[0], hidden.outFeatures])
            for i in 0..<3 { h = try Self.layer(h + embedding(x.select(axis: 1, index: i)), hidden) }
            return try head(h)
        }, "from explicit zeros, each column of codes looked up, the layer's product written out")
        assertPasses(exercise, { x, embedding, hidden, head in
            let e = try oneHot(x, classes: embedding.count).matmul(embedding.weight)    // [B, 3, H]
            let (e0, e1, e2) = (try e.select(axis: 1, index: 0), try e.select(axis: 1, index: 1), try e.select(axis: 1, index: 2))
            let h = try hidden(hidden(hidden(e0).relu() + e1).relu() + e2).relu()
            return try h.matmul(head.weight.T) + head.bias!
        }, "the embedding as one-hots times the table, the head's product written out")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { x, embedding, hidden, head in
            var h = Tensor.zeros([x.shape[0], hidden.outFeatures])
            for i in 0..<3 {
                let z = try hidden(h + embedding(x.select(axis: 1, index: i)))
                h = try ((z * 2).exp() - 1) / ((z * 2).exp() + 1)                         // tanh, by its formula
            }
            return try head(h)
        }, as: "tanh-for-relu")
        assertDiagnosed(exercise, { x, embedding, hidden, head in try head(hidden(embedding(x).sum(axis: 1)).relu()) }, as: "bag-of-words")
        assertDiagnosed(exercise, { x, embedding, hidden, head in
            var h = Tensor.zeros([x.shape[0], hidden.outFeatures])
            for i in (0..<3).reversed() { h = try hidden(h + embedding(x.select(axis: 1, index: i))).relu() }
            return try head(h)
        }, as: "words-reversed")
        assertDiagnosed(exercise, { x, embedding, hidden, head in
            try head(hidden(embedding(x.narrow(axis: 1, start: 2, length: 1)).squeeze(1)).relu())
        }, as: "last-word-only")
        assertDiagnosed(exercise, { x, embedding, hidden, head in
            let e = try embedding(x)
            var h = try hidden(e.select(axis: 1, index: 0)).relu()
            for i in 1..<3 { h = try hidden(h).relu() + e.select(axis: 1, index: i) }
            return try head(h)
        }, as: "word-added-after-the-layer")
        // Right shapes, wrong content: the vectors copied out of the embedding (no gradient
        // reaches the table), and the hidden layer's weight used untransposed.
        assertFails(exercise, { x, embedding, hidden, head in
            let looked = try embedding(x)
            let e = try Tensor(looked.scalars, shape: looked.shape)
            var h = try hidden(e.select(axis: 1, index: 0)).relu()
            for i in 1..<3 { h = try hidden(h + e.select(axis: 1, index: i)).relu() }
            return try head(h)
        }, "the embedded words copied into a new tensor", saying: ["∂embedding.weight (inputs #1) is missing"])
        assertFails(exercise, { x, embedding, hidden, head in
            var h = Tensor.zeros([x.shape[0], hidden.outFeatures])
            for i in 0..<3 { h = try Self.layer(h + embedding(x.select(axis: 1, index: i)), hidden, transposed: true) }
            return try head(h)
        }, "v · W where v · Wᵀ belongs", saying: ["hidden.weight transposed"])
    }

    // MARK: - 5.4 and 5.5 the loop, its state carried on

    /// The word loop written another way: h from explicit zeros when no state is given, each
    /// word looked up by its own column of codes, the hidden layer's product written out, the
    /// state handed on by `handOn`; a guess after the last word (5.4) or a head per step,
    /// stacked (5.5).
    static func loopByHand(everyWord: Bool, steps: @escaping (Int) -> Range<Int> = { 0..<$0 },
                           handOn: @escaping (Tensor) throws -> Tensor = { try Tensor($0.scalars, shape: $0.shape) }) -> Lesson5Graders.WordLoop {
        { x, state, embedding, hidden, head in
            var h = state ?? Tensor.zeros([x.shape[0], hidden.outFeatures])
            var guesses: [Tensor] = []
            for t in steps(x.shape[1]) {
                h = try layer(h + embedding(x.select(axis: 1, index: t)), hidden)
                if everyWord { guesses.append(try head(h)) }
            }
            return (everyWord ? try stack(guesses, axis: 1) : try head(h), try handOn(h))
        }
    }

    /// A loop that keeps the last state it returned (in a global, say) and, when no state is
    /// given and the kept one has the batch's shape, starts from it: the next epoch, or the
    /// validation pass, would go on from wherever training stopped.
    static func loopKeepingItsState(everyWord: Bool) -> Lesson5Graders.WordLoop {
        final class Kept { var h: Tensor? }
        let kept = Kept(), loop = loopByHand(everyWord: everyWord)
        return { x, state, embedding, hidden, head in
            let fits = kept.h.flatMap { $0.shape == [x.shape[0], hidden.outFeatures] ? $0 : nil }
            let result = try loop(x, state ?? fits, embedding, hidden, head)
            kept.h = result.state
            return result
        }
    }

    /// A state handed on with its history switched off (requiresGrad = false) but kept: no
    /// gradient crosses it, but every batch's graph stays alive behind it for the epoch.
    static let historyKept: (Tensor) throws -> Tensor = { h in
        let copy = h * 1
        copy.requiresGrad = false
        return copy
    }

    func test_5_4_wordLoop() {
        let exercise = Lesson5Graders.wordLoop
        assertPasses(exercise, Self.loopByHand(everyWord: false), "from explicit zeros, the product written out, detached by a new Tensor")
        assertPasses(exercise, { x, state, embedding, hidden, head in
            let e = try embedding(x)
            var h = state
            for word in try e.split(size: 1, axis: 1).map({ try $0.squeeze(1) }) { h = try hidden(h.map { try $0 + word } ?? word).relu() }
            return (try head(h!), noGrad { h! * 1 })
        }, "the words split off one by one, the state copied under noGrad")
        assertPasses(exercise, { x, state, embedding, hidden, head in
            let logits = try Self.loopByHand(everyWord: false)(x, state, embedding, hidden, head).logits
            return (logits, try noGrad { try Self.loopByHand(everyWord: false, handOn: { $0 })(x, state, embedding, hidden, head).state })
        }, "the state from a second run under noGrad")
        // The state detached on the way in too, as PyTorch's word_language_model does at the
        // start of every batch (repackage_hidden): the state a batch is given has no history.
        assertPasses(exercise, { x, state, embedding, hidden, head in
            try Self.loopByHand(everyWord: false)(x, state?.detached(), embedding, hidden, head)
        }, "the given state detached on the way in")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, Self.loopByHand(everyWord: false, handOn: { $0 * 1 }), as: "state-not-detached")
        assertDiagnosed(exercise, { x, _, embedding, hidden, head in
            try Self.loopByHand(everyWord: false)(x, nil, embedding, hidden, head)
        }, as: "state-ignored")
        assertDiagnosed(exercise, { x, state, embedding, hidden, head in
            var h = state ?? Tensor.zeros([x.shape[0], hidden.outFeatures])
            for t in 0..<x.shape[1] { h = try Self.layer(Tensor(h.scalars, shape: h.shape) + embedding(x.select(axis: 1, index: t)), hidden) }
            return (try head(h), try Tensor(h.scalars, shape: h.shape))
        }, as: "detached-every-step")
        assertDiagnosed(exercise, { x, state, embedding, hidden, head in
            let start = state ?? Tensor.zeros([x.shape[0], hidden.outFeatures])
            let run = try Self.loopByHand(everyWord: false)(x, start, embedding, hidden, head)
            return (run.logits, try Tensor(start.scalars, shape: start.shape))
        }, as: "state-not-updated")
        assertDiagnosed(exercise, { x, state, embedding, hidden, head in
            let run = try Self.loopByHand(everyWord: false)(x, state, embedding, hidden, head)
            let last = try noGrad { try Self.loopByHand(everyWord: false)(x, state, embedding, hidden, head).state }
            return (try head.weight.matmul(last.T).T + head.bias!, run.state)
        }, as: "logits-from-the-detached-state")
        // The loop that skips data, and the loop run under noGrad: they fail, and say where.
        assertFails(exercise, Self.loopByHand(everyWord: false, steps: { 0..<($0 - 1) }), "the loop stops a word early",
                    saying: ["(inputs #1) differs"])
        assertFails(exercise, { x, state, embedding, hidden, head in
            try noGrad { try Self.loopByHand(everyWord: false)(x, state, embedding, hidden, head) }
        }, "the whole loop under noGrad", saying: ["is missing"])
        // Shortcuts: a state kept between calls, a history switched off but kept.
        assertFails(exercise, Self.loopKeepingItsState(everyWord: false), "a state kept between calls", saying: ["logits of the first batch"])
        assertFails(exercise, Self.loopByHand(everyWord: false, handOn: Self.historyKept), "the state's requiresGrad switched off, its history kept",
                    saying: ["no history"])
    }

    func test_5_5_everyWord() {
        let exercise = Lesson5Graders.everyWord
        assertPasses(exercise, Self.loopByHand(everyWord: true), "from explicit zeros, a head per step, stacked")
        // The states concatenated as [B, 1, H] slices, one head call over all of them.
        assertPasses(exercise, { x, state, embedding, hidden, head in
            let e = try embedding(x)
            var h = state, states: [Tensor] = []
            for t in 0..<x.shape[1] {
                let word = try e.narrow(axis: 1, start: t, length: 1).squeeze(1)
                h = try hidden(h.map { try $0 + word } ?? word).relu()
                states.append(try h!.unsqueeze(1))
            }
            return (try concat(states, axis: 1).matmul(head.weight.T) + head.bias!, h!.detached())
        }, "the states concatenated, the head's product over [B, T, H]")
        assertPasses(exercise, { x, state, embedding, hidden, head in
            try Self.loopByHand(everyWord: true)(x, state.map { try Tensor($0.scalars, shape: $0.shape) }, embedding, hidden, head)
        }, "the given state copied on the way in")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { x, state, embedding, hidden, head in
            var h = state ?? Tensor.zeros([x.shape[0], hidden.outFeatures]), guesses: [Tensor] = []
            for t in 0..<x.shape[1] {
                guesses.append(try head(h))
                h = try Self.layer(h + embedding(x.select(axis: 1, index: t)), hidden)
            }
            return (try stack(guesses, axis: 1), h.detached())
        }, as: "guess-before-the-word")
        assertDiagnosed(exercise, { x, state, embedding, hidden, head in
            let run = try Self.loopByHand(everyWord: false, handOn: { $0.detached() })(x, state, embedding, hidden, head)
            return (try run.logits.unsqueeze(1).expand(to: [x.shape[0], x.shape[1], head.outFeatures]), run.state)
        }, as: "last-guess-repeated")
        assertDiagnosed(exercise, { x, state, embedding, hidden, head in
            let run = try Self.loopByHand(everyWord: true)(x, state, embedding, hidden, head)
            return (try run.logits.transpose(0, 1), run.state)
        }, as: "stacked-on-axis-0")
        assertDiagnosed(exercise, Self.loopByHand(everyWord: true, handOn: { $0 + 0 }), as: "state-not-detached")
        assertDiagnosed(exercise, { x, _, embedding, hidden, head in
            try Self.loopByHand(everyWord: true)(x, Tensor.zeros([x.shape[0], hidden.outFeatures]), embedding, hidden, head)
        }, as: "state-ignored")
        // Wrong ones no known mistake fits.
        assertFails(exercise, { x, state, embedding, hidden, head in
            let run = try Self.loopByHand(everyWord: true)(x, state, embedding, hidden, head)
            return (run.logits.detached(), run.state)
        }, "the logits detached", saying: ["∂embedding.weight (inputs #1) is missing"])
        assertFails(exercise, Self.loopByHand(everyWord: true, steps: { 1..<$0 }), "the first word skipped", saying: ["has shape"])
        assertFails(exercise, Self.loopKeepingItsState(everyWord: true), "a state kept between calls", saying: ["logits of the first batch"])
        assertFails(exercise, Self.loopByHand(everyWord: true, handOn: Self.historyKept), "the state's requiresGrad switched off, its history kept",
                    saying: ["no history"])
    }

    // MARK: - 5.6 the LSTM word model

    /// The LSTM word model written another way: each layer run with `lstmSequence` on its own
    /// weights from its own slice of the state (explicit zeros when none), the final states
    /// stacked and handed on by `handOn`; dropout by `drop`.
    static func lstmByLayer(
        handOn: @escaping (Tensor) throws -> Tensor = { try Tensor($0.scalars, shape: $0.shape) },
        handOnCell: ((Tensor) throws -> Tensor)? = nil,
        drop: @escaping (Tensor, Float, Bool, inout RNG) throws -> Tensor = { try dropout($0, p: $1, training: $2, rng: &$3) }
    ) -> Lesson5Graders.LSTMWords {
        { x, state, embedding, lstm, head, p, training, rng in
            let zeros = Tensor.zeros([lstm.numLayers, x.shape[0], lstm.hiddenSize])
            let (h0, c0) = state ?? (zeros, zeros)
            var input = try embedding(x), hs: [Tensor] = [], cs: [Tensor] = []
            for (l, w) in lstm.weights.enumerated() {
                let run = try lstmSequence(input, h0: h0.select(axis: 0, index: l), c0: c0.select(axis: 0, index: l), weights: w)
                (input, hs, cs) = (run.output, hs + [run.h], cs + [run.c])
            }
            let dropped = try drop(input, p, training, &rng)
            let (h, c) = (try stack(hs, axis: 0), try stack(cs, axis: 0))
            return (try head(dropped), (try handOn(h), try (handOnCell ?? handOn)(c)), input, dropped)
        }
    }

    /// Dropout written out, drawing the same mask as the core's (one uniform per value, in
    /// order); `scaled: false` forgets the 1/(1 − p).
    static func dropoutByHand(scaled: Bool = true) -> (Tensor, Float, Bool, inout RNG) throws -> Tensor {
        { x, p, training, rng in
            guard training, p > 0 else { return x }
            let keep: Float = scaled ? 1 / (1 - p) : 1
            return try x * Tensor((0..<x.count).map { _ in rng.uniform() < p ? 0 : keep }, shape: x.shape)
        }
    }

    /// An LSTM word model that keeps the last state it returned and starts from it when no
    /// state is given and its shape fits.
    static func lstmKeepingItsState() -> Lesson5Graders.LSTMWords {
        final class Kept { var state: (h: Tensor, c: Tensor)? }
        let kept = Kept(), pass = lstmByLayer()
        return { x, state, embedding, lstm, head, p, training, rng in
            let fits = kept.state.flatMap { $0.h.shape[1] == x.shape[0] ? $0 : nil }
            let result = try pass(x, state ?? fits, embedding, lstm, head, p, training, &rng)
            kept.state = result.state
            return result
        }
    }

    func test_5_6_lstmWords() {
        let exercise = Lesson5Graders.lstmWords
        assertPasses(exercise, Self.lstmByLayer(), "layer by layer with lstmSequence, detached by a new Tensor")
        assertPasses(exercise, Self.lstmByLayer(handOn: { $0.detached() }, drop: Self.dropoutByHand()), "dropout written out with the same draws")
        // Time outside, the layers inside, one lstmCell per layer and step.
        assertPasses(exercise, { x, state, embedding, lstm, head, p, training, rng in
            let e = try embedding(x), batch = x.shape[0]
            let zeros = Tensor.zeros([batch, lstm.hiddenSize])
            var h = try (0..<lstm.numLayers).map { try state?.h.select(axis: 0, index: $0) ?? zeros }
            var c = try (0..<lstm.numLayers).map { try state?.c.select(axis: 0, index: $0) ?? zeros }
            var outputs: [Tensor] = []
            for t in 0..<x.shape[1] {
                var input = try e.select(axis: 1, index: t)
                for l in 0..<lstm.numLayers {
                    (h[l], c[l]) = try lstmCell(input, h[l], c[l], weights: lstm.weights[l])
                    input = h[l]
                }
                outputs.append(input)
            }
            let raw = try stack(outputs, axis: 1)
            let dropped = try dropout(raw, p: p, training: training, rng: &rng)
            let handedOn = try noGrad { (h: try stack(h, axis: 0) * 1, c: try stack(c, axis: 0) * 1) }
            return (try head(dropped), handedOn, raw, dropped)
        }, "stepped in time with lstmCell, the layers inside")
        assertPasses(exercise, { x, state, embedding, lstm, head, p, training, rng in
            try Self.lstmByLayer()(x, state.map { ($0.h.detached(), $0.c.detached()) }, embedding, lstm, head, p, training, &rng)
        }, "the given h and c detached on the way in (repackage_hidden)")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, Self.lstmByLayer(handOnCell: { $0 }), as: "cell-not-detached")
        assertDiagnosed(exercise, Self.lstmByLayer(handOn: { $0 * 1 }), as: "state-not-detached")
        assertDiagnosed(exercise, { x, _, embedding, lstm, head, p, training, rng in
            try Self.lstmByLayer()(x, nil, embedding, lstm, head, p, training, &rng)
        }, as: "state-ignored")
        assertDiagnosed(exercise, Self.lstmByLayer(drop: { x, p, _, rng in try Self.dropoutByHand()(x, p, true, &rng) }),
                        as: "dropout-in-evaluation")
        assertDiagnosed(exercise, Self.lstmByLayer(drop: { x, _, _, _ in x }), as: "no-dropout")
        assertDiagnosed(exercise, { x, state, embedding, lstm, head, p, training, rng in
            let run = try Self.lstmByLayer()(x, state, embedding, lstm, head, p, training, &rng)
            return (try run.raw.matmul(head.weight.T) + head.bias!, run.state, run.raw, run.dropped)
        }, as: "head-on-raw")
        // A Dropout layer made on every call, switched by train(_:): its masks come from a
        // stream split off the model's rng, not from the rng itself.
        assertDiagnosed(exercise, Self.lstmByLayer(drop: { x, p, training, rng in
            var split = rng
            let layer = Dropout(p: p, rng: &split)
            rng = split
            layer.train(training)
            return try layer(x)
        }), as: "dropout-layer")
        // Wrong ones no known mistake fits: the mask not scaled; the rng copied and never
        // advanced, so that every batch draws the first one's mask.
        assertFails(exercise, Self.lstmByLayer(drop: Self.dropoutByHand(scaled: false)), "the kept values not scaled by 1/(1 − p)",
                    saying: ["dropped (training, inputs #1) differs"])
        assertFails(exercise, { x, state, embedding, lstm, head, p, training, rng in
            var copy = rng
            return try Self.lstmByLayer()(x, state, embedding, lstm, head, p, training, &copy)
        }, "the rng copied, not advanced", saying: ["logits of the second batch"])
        // Shortcuts: a state kept between calls, a history switched off but kept.
        assertFails(exercise, Self.lstmKeepingItsState(), "a state kept between calls", saying: ["logits of the first batch"])
        assertFails(exercise, Self.lstmByLayer(handOn: Self.historyKept), "the state's requiresGrad switched off, its history kept",
                    saying: ["no history"])
    }

    // MARK: - 5.7 weight tying

    func test_5_7_tie() {
        let exercise = Lesson5Graders.tie
        assertPasses(exercise, { head, embedding in Linear(weight: embedding.parameters()[0], bias: head.bias) },
                     "the table as the embedding's first parameter")
        assertPasses(exercise, { head, embedding in
            let table = embedding.namedParameters().first { $0.name == "weight" }!.tensor
            return Linear(weight: table, bias: head.namedParameters().first { $0.name == "bias" }?.tensor)
        }, "both found by name among the parameters")
        // The bias moved into a new leaf: the old head is dropped, so nothing else held it.
        assertPasses(exercise, { head, embedding in
            let b = head.bias!
            return Linear(weight: embedding.weight, bias: try Tensor(b.scalars, shape: b.shape, requiresGrad: true))
        }, "the bias's values in a new leaf")
        // Known mistakes written other ways: still named.
        assertDiagnosed(exercise, { head, embedding in
            try head.weight.assign(embedding.weight)
            return head
        }, as: "values-copied")
        assertDiagnosed(exercise, { head, embedding in Linear(weight: try embedding.weight.permute([1, 0]), bias: head.bias) },
                        as: "weight-transposed")
        assertDiagnosed(exercise, { head, embedding in
            Linear(weight: embedding.weight, bias: Tensor.full([embedding.count], 0, requiresGrad: true))
        }, as: "bias-zeroed")
        // A tensor computed from the table is not the table: its gradient reaches the table,
        // but the model counts (and an optimizer would step) a second [vocabulary, hidden] tensor.
        assertFails(exercise, { head, embedding in Linear(weight: embedding.weight.T.T, bias: head.bias) }, "the table transposed twice",
                    saying: ["the head's weight is the embedding's tensor (1: the same)", "expected 1, got 0"])
        assertFails(exercise, { head, embedding in Linear(weight: embedding.weight * 1, bias: head.bias) }, "the table times 1",
                    saying: ["the head's weight is the embedding's tensor"])
        // A shortcut for the square case only.
        assertFails(exercise, { head, embedding in embedding.count == embedding.dim ? Linear(weight: embedding.weight, bias: head.bias) : head },
                    "tied only when the table is square", saying: ["(inputs #1)"])
    }

    // MARK: - 5.8 the activation penalties

    func test_5_8_activationPenalty() {
        let exercise = Lesson5Graders.activationPenalty
        assertPasses(exercise, { raw, dropped, alpha, beta in
            let (b, t, h) = (raw.shape[0], raw.shape[1], raw.shape[2])
            let ar = try (dropped * dropped).sum() / Float(dropped.count) * alpha
            guard t > 1 else { return ar }
            let change = try raw.narrow(axis: 1, start: 1, length: t - 1) - raw.narrow(axis: 1, start: 0, length: t - 1)
            return try ar + (change * change).sum() * (beta / Float(b * (t - 1) * h))
        }, "sums over counts")
        assertPasses(exercise, { raw, dropped, alpha, beta in
            let steps = raw.shape[1]
            var total = Tensor(scalar: 0)
            for t in 0..<Swift.max(steps - 1, 0) {
                total = try total + (raw.select(axis: 1, index: t + 1) - raw.select(axis: 1, index: t)).pow(2).sum()
            }
            let pairs = Float(raw.count / steps * Swift.max(steps - 1, 1))
            return try dropped.pow(2).mean() * alpha + total * (beta / pairs)
        }, "the differences step by step with select")
        // (raw[:, 1:] − raw[:, :-1]) as raw times a [T, T − 1] matrix of −1 and +1.
        assertPasses(exercise, { raw, dropped, alpha, beta in
            let steps = raw.shape[1]
            let ar = try dropped.squared().mean(axes: [0, 1, 2]) * alpha
            guard steps > 1 else { return ar }
            var d = [Float](repeating: 0, count: steps * (steps - 1))
            for k in 0..<(steps - 1) { (d[k * (steps - 1) + k], d[(k + 1) * (steps - 1) + k]) = (-1, 1) }
            let change = try raw.transpose(1, 2).matmul(Tensor(d, shape: [steps, steps - 1]))     // [B, H, T − 1]
            return try ar + change.squared().mean() * beta
        }, "the differences through a matrix")
        // No case for T = 1: the slices are empty, and the mean of nothing is 0 in this core.
        assertPasses(exercise, { raw, dropped, alpha, beta in
            let steps = raw.shape[1]
            let change = try raw.slice(axis: 1, 1..<steps) - raw.slice(axis: 1, 0..<(steps - 1))
            return try dropped.squared().mean() * alpha + change.squared().mean() * beta
        }, "no case for a single step")
        // (a − b)² expanded: a² − 2ab + b².
        assertPasses(exercise, { raw, dropped, alpha, beta in
            let steps = raw.shape[1]
            let ar = dropped.squared().mean() * alpha
            guard steps > 1 else { return ar }
            let (a, b) = (try raw.slice(axis: 1, 1..<steps), try raw.slice(axis: 1, 0..<(steps - 1)))
            return try ar + (a.squared() - a * b * 2 + b.squared()).mean() * beta
        }, "the square expanded")
        // Known mistakes written other ways: still named.
        /// α · ar(raw, dropped) + β · tar(raw, dropped).
        func penalty(ar: @escaping (Tensor, Tensor) throws -> Tensor = { $1.squared().mean() },
                     tar: @escaping (Tensor, Tensor) throws -> Tensor) -> Lesson5Graders.Penalty {
            { raw, dropped, alpha, beta in try ar(raw, dropped) * alpha + tar(raw, dropped) * beta }
        }
        /// The differences between neighbours along `axis` (zeros when there is one entry).
        func steps(_ x: Tensor, axis: Int = 1) throws -> Tensor {
            let n = x.shape[axis]
            guard n >= 2 else { return Tensor.zeros([1, 1, 1]) }
            return try x.narrow(axis: axis, start: 1, length: n - 1) - x.narrow(axis: axis, start: 0, length: n - 1)
        }
        assertDiagnosed(exercise, penalty(ar: { raw, _ in raw.pow(2).mean() }, tar: { raw, _ in try steps(raw).pow(2).mean() }), as: "ar-on-raw")
        assertDiagnosed(exercise, penalty(tar: { _, dropped in try steps(dropped).pow(2).mean() }), as: "tar-on-dropped")
        assertDiagnosed(exercise, penalty(tar: { raw, _ in try steps(raw, axis: 0).pow(2).mean() }), as: "difference-over-the-batch")
        assertDiagnosed(exercise, penalty(ar: { $1.squared().sum() }, tar: { raw, _ in try steps(raw).squared().sum(axes: [0, 1, 2]) }),
                        as: "sums-not-means")
        assertDiagnosed(exercise, { raw, dropped, alpha, beta in
            try penalty(tar: { raw, _ in try steps(raw).squared().mean() })(raw, dropped, beta, alpha)
        }, as: "alpha-and-beta-swapped")
        assertDiagnosed(exercise, penalty(tar: { raw, _ in try steps(raw).mean() }), as: "differences-not-squared")
        // Wrong ones no known mistake fits: the formula that divides by every value of raw, the
        // sum over a count that is 0 with one step, the loop that skips the first pair.
        assertFails(exercise, penalty(tar: { raw, _ in try steps(raw).squared().sum() / Float(raw.count) }),
                    "TAR over B·T·H values, not B·(T − 1)·H", saying: ["penalty (inputs #1) differs"])
        assertFails(exercise, { raw, dropped, alpha, beta in
            let n = raw.shape[1]
            let change = try raw.slice(axis: 1, 1..<n) - raw.slice(axis: 1, 0..<(n - 1))
            return try dropped.squared().mean() * alpha + change.squared().sum() / Float(change.count) * beta
        }, "0 / 0 with a single step", saying: ["penalty (inputs #3) has NaN"])
        assertFails(exercise, { raw, dropped, alpha, beta in
            let n = raw.shape[1]
            var pairs: [Tensor] = []
            for t in stride(from: 1, to: n - 1, by: 1) {
                pairs.append(try raw.select(axis: 1, index: t + 1) - raw.select(axis: 1, index: t))
            }
            let tar = pairs.isEmpty ? Tensor(scalar: 0) : try stack(pairs, axis: 1).squared().mean()
            return try dropped.squared().mean() * alpha + tar * beta
        }, "the loop skips the first pair of steps", saying: ["∂raw (inputs #2) is missing"])
    }
}
