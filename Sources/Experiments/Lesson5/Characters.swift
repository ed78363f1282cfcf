import Autograd
import ExperimentKit
import Foundation
import Lesson5
import Plots

// Part B of `tutor run 5`: a character-level LSTM on real text — by default this course's
// own lessons — trained with the student's codes (5.9), batches (5.2), LSTM pass (5.6),
// bits per character (5.10), sampler (5.11) and writer (5.12); checkpointed under
// .tutor/lesson5/ so that `--resume` continues and lesson 6 can read it.

/// What Part B reads and how long it trains.
struct CharacterSettings {
    /// Where the text comes from.
    enum Corpus: Equatable {
        /// Lessons/Lesson0…4/README.md, joined: the lessons before this one, in the course's own
        /// words (this lesson's own README is left out, so that writing down its figures does not
        /// change the text they were measured on).
        case lessons
        /// Part A's numbers in words, as one text with spaces.
        case numbers
        /// Any UTF-8 text file.
        case file(String)
    }

    var corpus: Corpus = .lessons
    var steps: Int
    var resume = false
    var hidden: Int
    let layers = 1, batch = 32, length = 64
    let learningRate: Float = 3e-3, floor: Float = 0.05, maxNorm: Float = 1
    /// The share of the text, at its end, kept for validation.
    let validationShare = 0.1
    /// Validation bits/char is measured this many times during training…
    let checks = 10
    /// …on at most this many batches of the validation text (40 960 characters).
    let validationBatches = 20
    let temperatures: [Float] = [0.5, 0.8, 1.2]
    let sampleLength = 300

    /// The options Part B reads after `--`, for the usage line.
    static let usage = "--text FILE | --corpus lessons|numbers, --char-steps N, --hidden N, --resume"

    init(full: Bool) { (steps, hidden) = full ? (6000, 256) : (1500, 128) }

    /// Takes Part B's options out of `arguments` (leaving the others); a bad value fails
    /// with a one-line message.
    mutating func take(_ arguments: inout [String]) {
        Experiment.takeOptions(&arguments) { option, value in
            switch option {
            case "--text": corpus = .file(value())
            case "--corpus":
                switch value() {
                case "lessons": corpus = .lessons
                case "numbers": corpus = .numbers
                case let other: Experiment.fail("--corpus \(other): the corpora are lessons and numbers (or --text FILE for your own)")
                }
            case "--char-steps":
                steps = Experiment.positiveInteger(option, value)
            case "--hidden":
                hidden = Experiment.positiveInteger(option, value)
            case "--resume": resume = true
            default: return false
            }
            return true
        }
    }
}

/// The text Part B learns from, and its name for the printout.
func characterText(_ settings: CharacterSettings, root: URL) throws -> (name: String, text: String) {
    switch settings.corpus {
    case .lessons:
        let (about, text) = try CourseText.lessonReadmes(root: root)
        return (about, text)
    case .numbers:
        return ("the numbers in words", try numberTokens().joined(separator: " "))
    case .file(let path):
        return (path, try CourseText.readTextFile(path))
    }
}

/// Part B's text, checked before anything runs: a missing, empty, binary or too short file
/// stops the run with one line.
func loadCharacterText(_ settings: CharacterSettings, root: URL) -> (name: String, text: String) {
    let loaded: (name: String, text: String)
    do {
        loaded = try characterText(settings, root: root)
    } catch let todo as TODO {
        Experiment.fail("the numbers corpus needs exercise \(todo.exercise): write it first (hint: `swift run tutor hint \(todo.exercise)`)")
    } catch {
        Experiment.fail("\(error)")
    }
    // A tenth for validation must hold two batches of sequences.
    let needed = 20 * settings.batch * (settings.length + 1)
    let count = loaded.text.count
    guard count >= needed else { Experiment.fail("\(loaded.name) has \(count) characters; Part B needs at least \(needed): give a longer text") }
    return loaded
}

/// How a character is shown in a table or a bar label: visible stand-ins for blanks.
func shown(_ c: Character) -> String {
    switch c {
    case " ": return "␣"
    case "\n": return "⏎"
    case "\r\n": return "␍⏎"
    case "\t": return "⇥"
    default: return c.unicodeScalars.allSatisfy { $0.properties.generalCategory != .control } ? String(c) : c.unicodeScalars.map { $0.escaped(asASCII: true) }.joined()
    }
}

/// Bits per character over `batches` (state carried, evaluation mode, no tape), with the
/// student's bitsPerCharacter.
func validationBits(_ model: LSTMWordModel, _ batches: [Batch]) throws -> Double {
    model.eval()
    defer { model.train() }
    var state: (h: Tensor, c: Tensor)? = nil
    var total = 0.0
    try noGrad {
        for b in batches {
            let pass = try lstmWords(b.x, state: state, model: model)
            state = pass.state
            total += Double(try bitsPerCharacter(logits: pass.logits, targets: b.y))
        }
    }
    return total / Double(batches.count)
}

/// Where the trained model is kept: `.tutor/lesson5/characters.safetensors`.
func checkpointURL(root: URL) -> URL {
    PlotFiles.tutorDirectory("lesson5", root: root).appendingPathComponent("characters.safetensors")
}

/// Part B: the text, its characters, a character LSTM trained with the student's code,
/// validation bits/char against knowing only the characters' frequencies, and samples.
func runCharacters(_ experiment: Experiment, _ settings: CharacterSettings, text: (name: String, text: String)) throws {
    let name = text.name
    let (vocabulary, codes) = try characterCodes(text.text)
    let v = vocabulary.count
    let cut = Int(Double(codes.count) * (1 - settings.validationShare))
    let train = Array(codes[..<cut])
    // Validation: the rest of the text, up to validationBatches batches of it.
    let limit = settings.validationBatches * settings.batch * settings.length
    let valid = Array(codes[cut...].prefix(limit + 1))
    print("Text: \(name) — \(codes.count) characters, \(v) distinct; training on the first \(train.count), validation on \(codes.count - cut > valid.count ? "the first \(valid.count) of " : "")the last \(codes.count - cut).")

    // Character frequencies, and what knowing only them is worth.
    var counts = [Int](repeating: 0, count: v)
    for c in train { counts[c] += 1 }
    let order = counts.indices.sorted { counts[$0] > counts[$1] }
    var chart = BarChart(title: "The 20 most frequent characters of the training text", valueLabel: "share of the characters")
    for c in order.prefix(20) { chart.add(shown(vocabulary[c]), Double(counts[c]) / Double(train.count)) }
    print(chart.terminal())
    experiment.save(chart.svg(), as: "characters")
    // Frequencies with one extra count each (a character unseen in training still has a chance).
    let smoothed = counts.map { Double($0 + 1) / Double(train.count + v) }
    let unigram = -valid.reduce(0.0) { $0 + log2(smoothed[$1]) } / Double(valid.count)
    print(String(format: "Knowing only how often each character comes: %.3f bits/char on the validation text (uniform over %d characters: %.3f).", unigram, v, log2(Double(v))))

    // The model, fresh or resumed.
    var rng = RNG(seed: 5000 + experiment.seed)
    let model = try LSTMWordModel(vocabulary: v, hidden: settings.hidden, layers: settings.layers, rng: &rng)
    let url = checkpointURL(root: experiment.root)
    let vocabularyJSON = String(decoding: try JSONEncoder().encode(vocabulary.map(String.init)), as: UTF8.self)
    var stepsBefore = 0
    if settings.resume {
        // A saved model that cannot continue here stops the run with one line (not a fault of the exercises).
        guard FileManager.default.fileExists(atPath: url.path) else { Experiment.fail("--resume: no saved model at \(url.path) yet: run without --resume first") }
        let saved: Safetensors.Contents
        do { saved = try Safetensors.read(from: url) } catch { Experiment.fail("--resume: \(url.path) cannot be read (\(error)): run without --resume to start afresh") }
        guard saved.metadata["vocabulary"] == vocabularyJSON else {
            Experiment.fail("--resume: the saved model learned another text (\(saved.metadata["corpus"] ?? "?"), whose characters are not those of \(name)): run without --resume to start afresh")
        }
        guard saved.metadata["hidden"] == "\(settings.hidden)", saved.metadata["layers"] == "\(settings.layers)" else {
            Experiment.fail("--resume: the saved model has hidden size \(saved.metadata["hidden"] ?? "?") (this run: \(settings.hidden)): pass --hidden \(saved.metadata["hidden"] ?? "?"), or run without --resume")
        }
        try model.load(from: url)
        stepsBefore = Int(saved.metadata["steps"] ?? "") ?? 0
        print("Resumed from \(url.path) (\(stepsBefore) steps before).")
    }
    print("Model: embedding \(v)×\(settings.hidden), LSTM \(settings.layers) layer\(settings.layers > 1 ? "s" : "") of \(settings.hidden), head → \(v); \(model.parameterCount) parameters. Batches of \(settings.batch) × \(settings.length) characters, \(settings.steps) steps, Adam \(settings.learningRate) down a cosine to \(settings.floor) of it, gradient clipped to norm \(settings.maxNorm).")

    // Sequences shifted by one, laid out by the student's groupChunks so that the rows continue.
    let trainBatches = try batch(groupChunks(shiftedSequences(train, length: settings.length), batchSize: settings.batch), size: settings.batch, dropLast: true)
    let validBatches = try batch(groupChunks(shiftedSequences(valid, length: settings.length), batchSize: settings.batch), size: settings.batch, dropLast: true)
    let optimizer = try Adam(model.parameters(), learningRate: settings.learningRate)
    var state: (h: Tensor, c: Tensor)? = nil
    var losses: [Double] = [], checkSteps: [Int] = [], checkBits: [Double] = []
    let every = max(1, settings.steps / settings.checks)
    let started = Date()
    var trainingSeconds = 0.0
    for step in 0..<settings.steps {
        let k = step % trainBatches.count
        if k == 0 { state = nil }   // a new epoch: the rows start the text again
        let t0 = Date()
        let progress = Double(step) / Double(settings.steps)
        optimizer.learningRate = settings.learningRate * (settings.floor + (1 - settings.floor) * Float(0.5 * (1 + cos(Double.pi * progress))))
        let pass = try lstmWords(trainBatches[k].x, state: state, model: model)
        state = pass.state
        let loss = try crossEntropy(pass.logits, trainBatches[k].y)
        optimizer.zeroGrad()
        try loss.backward()
        _ = clipGradNorm(model.parameters(), maxNorm: settings.maxNorm)
        optimizer.step()
        trainingSeconds += Date().timeIntervalSince(t0)
        losses.append(Double(try loss.item()) / log(2))
        if (step + 1) % every == 0 || step + 1 == settings.steps {
            let bits = try validationBits(model, validBatches)
            checkSteps.append(stepsBefore + step + 1)
            checkBits.append(bits)
            let recent = losses.suffix(every)
            print(String(format: "step %5d   training %.3f bits/char   validation %.3f bits/char   %.1f s",
                         stepsBefore + step + 1, recent.reduce(0, +) / Double(recent.count), bits, Date().timeIntervalSince(started)))
        }
    }
    let msPerStep = 1000 * trainingSeconds / Double(settings.steps)
    print(String(format: "Trained %d steps in %.1f s (%.1f ms a step, %d epochs of the training text).",
                 settings.steps, trainingSeconds, msPerStep, (settings.steps + trainBatches.count - 1) / trainBatches.count))

    var plot = LinePlot(title: "Bits per character: \(name)", xLabel: "training step", yLabel: "bits/char")
    plot.add("training (each step's batch)", x: (0..<losses.count).map { Double(stepsBefore + $0 + 1) }, y: losses)
    plot.add("validation", x: checkSteps.map(Double.init), y: checkBits)
    plot.addLevel("character frequencies only", y: unigram)
    print(plot.terminal(height: 14))
    experiment.save(plot.svg(), as: "bits")

    // A fresh run keeps the model it replaces, once: nothing trained is lost without a word.
    let previous = url.deletingLastPathComponent().appendingPathComponent("characters-previous.safetensors")
    if !settings.resume, FileManager.default.fileExists(atPath: url.path) {
        try? FileManager.default.removeItem(at: previous)
        try FileManager.default.moveItem(at: url, to: previous)
        print("The model saved before this run is now \(previous.path).")
    }
    try model.save(to: ensureFolder(url), metadata: [
        "vocabulary": vocabularyJSON, "hidden": "\(settings.hidden)", "layers": "\(settings.layers)", "corpus": name,
        "steps": "\(stepsBefore + settings.steps)", "validation_bits_per_char": String(format: "%.4f", checkBits.last ?? .nan),
    ])
    print("Saved the model to \(url.path) (`tutor run 5 -- --resume` trains it further; lesson 6 compares with it).")

    // Samples: a prompt, then the model writes.
    model.eval()
    let promptText = settings.corpus == .numbers ? "one thousand " : settings.corpus == .lessons ? "A language model " : String(text.text.dropFirst(cut).prefix(16))
    let index = Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
    let prompt = promptText.compactMap { index[$0] }
    guard !prompt.isEmpty else { return }
    for temperature in settings.temperatures {
        var sampler = RNG(seed: 5100 + experiment.seed)
        let written = try noGrad {
            try generate(model: model, prompt: prompt, count: settings.sampleLength) { try sampleCode($0, temperature: temperature, rng: &sampler) }
        }
        print("\nTemperature \(format(temperature)):\n\(promptText)\(String(written.map { vocabulary[$0] }))")
    }
    model.train()
}

/// `url`, after making its folder.
func ensureFolder(_ url: URL) throws -> URL {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    return url
}

/// A temperature as the printout shows it: 0.5, 1, 1.2.
func format(_ t: Float) -> String { t == t.rounded() ? String(Int(t)) : String(format: "%g", t) }
