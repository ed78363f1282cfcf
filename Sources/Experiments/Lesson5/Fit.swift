import Autograd
import Foundation
import Lesson5

// Training the chapter's way: fastai's `fit_one_cycle` with its default Adam, mapped onto
// the core's AdamW and OneCycleLR; the carried state forgotten at the start of every
// epoch and before validation; the validation loss and accuracy after every epoch.

/// What one epoch left: the mean training cross-entropy (without model 7's penalty), and
/// the validation cross-entropy and accuracy after it.
struct Epoch: Sendable {
    let trainLoss: Double
    let validLoss: Double
    let accuracy: Double
}

/// One training of one setup from one seed.
struct Training: Sendable {
    let parameters: Int
    let epochs: [Epoch]
    /// Training and validation, all epochs.
    let seconds: Double
    var accuracy: Double { epochs.last!.accuracy }
}

/// Trains `setup`'s model, drawn from `seed`, on `data`; `progress` hears each epoch's
/// batches.
///
/// fastai's Adam: β = (0.9, 0.99), eps 1e-5, weight decay decoupled (AdamW; fastai leaves
/// biases undecayed, the core's AdamW decays every parameter). `fit_one_cycle`: pct_start
/// 0.25, div 25, div_final 1e5 of the top rate (the core's finalDivFactor is of the
/// starting rate: 1e5 / 25), momentum 0.95 → 0.85 → 0.95, cosine.
func fit(_ setup: WordSetup, seed: UInt64, vocabulary: Int, data: (train: [Batch], valid: [Batch]),
         progress: (Int) -> Void) throws -> Training {
    let start = Date()
    var rng = RNG(seed: seed)
    let model = try setup.make(vocabulary, &rng)
    let layers = model.module
    let optimizer = try AdamW(layers.parameters(), learningRate: setup.learningRate, betas: (0.9, 0.99), eps: 1e-5,
                              weightDecay: setup.weightDecay)
    let schedule = try OneCycleLR(optimizer, maxLearningRate: setup.learningRate, totalSteps: setup.epochs * data.train.count,
                                  pctStart: 0.25, divFactor: 25, finalDivFactor: 1e5 / 25, baseMomentum: 0.85, maxMomentum: 0.95)
    var epochs: [Epoch] = []
    for _ in 0..<setup.epochs {
        layers.train()
        model.reset()
        var trainLoss = 0.0
        for batch in data.train {
            let (logits, penalty) = try model(batch.x)
            let loss = try crossEntropy(logits, batch.y)
            let minimized = try penalty.map { try loss + $0 } ?? loss
            layers.zeroGrad()
            try minimized.backward()
            optimizer.step()
            try schedule.step()
            trainLoss += Double(try loss.item())
        }
        progress(data.train.count)
        let (validLoss, accuracy) = try validate(model, on: data.valid)
        epochs.append(Epoch(trainLoss: trainLoss / Double(data.train.count), validLoss: validLoss, accuracy: accuracy))
    }
    return Training(parameters: layers.parameterCount, epochs: epochs, seconds: Date().timeIntervalSince(start))
}

/// The mean cross-entropy and the accuracy (the most likely word is the target) over
/// every target of `batches`, in evaluation mode, the state starting from zeros.
func validate(_ model: any WordLanguageModel, on batches: [Batch]) throws -> (loss: Double, accuracy: Double) {
    model.module.eval()
    model.reset()
    defer { model.module.train() }
    var (loss, right, count) = (0.0, 0, 0)
    try noGrad {
        for batch in batches {
            let (logits, _) = try model(batch.x)
            let targets = batch.y.indices
            loss += Double(try crossEntropy(logits, batch.y).item()) * Double(targets.count)
            right += zip(try logits.argmax(axis: -1).indices, targets).filter { $0 == $1 }.count
            count += targets.count
        }
    }
    return (loss / Double(count), Double(right) / Double(count))
}
