import Autograd
import Foundation

/// Probe inputs that the reference's own code makes: a training probe's data set comes from
/// the reference's `copyTaskData`, its padded codes from `padWithStops`. A student edition
/// (`tutor release`) has no reference, so its probes read these inputs from the fixtures,
/// where `tutor verify --record` writes them as the exercise's outcome "probe data"; the
/// course computes them (and `tutor verify` proves the recorded ones are still the live ones).
extension Probes {
    /// The tensors `make` computes, named `names` in the fixtures (names are unique in a
    /// lesson). In a student edition they are read from the fixtures and `make` never runs.
    /// `make` must not draw from a generator the probe uses afterwards: in an edition the
    /// draws would not happen. Draw the raw data (random sequences) outside, and record only
    /// what an exercise's reference makes of it.
    public static func recorded(_ names: [String], _ make: () throws -> [Tensor]) throws -> [Tensor] {
        #if EDITION
        return try names.map { name in
            guard let e = ProbeData.shared[name] else {
                throw FixtureError("the fixtures hold no probe data \"\(name)\": a bug in the edition, not in your code (restore Sources/Grading/Fixtures with `git checkout -- Sources/Grading/Fixtures`)")
            }
            return try Tensor(e.values, shape: e.shape)
        }
        #else
        let made = try make()
        precondition(made.count == names.count, "Probes.recorded: \(names.count) names for \(made.count) tensors")
        if let collector = dataCollector { for (n, t) in zip(names, made) { collector.add(n, t) } }
        return made
        #endif
    }

    /// One recorded tensor (see `recorded(_:_:)` for several).
    public static func recorded(_ name: String, _ make: () throws -> Tensor) throws -> Tensor {
        try recorded([name]) { [try make()] }[0]
    }

    /// Runs `body` (a reference's probe), collecting the probe data it records.
    static func collectingData<T>(_ body: () throws -> T) rethrows -> (T, Outcome) {
        let collector = DataCollector()
        let result = try $dataCollector.withValue(collector) { try body() }
        return (result, collector.outcome)
    }

    final class DataCollector: @unchecked Sendable {
        var outcome = Outcome()
        func add(_ name: String, _ t: Tensor) {
            if outcome[name] == nil { outcome.record(name, t) }
        }
    }

    @TaskLocal static var dataCollector: DataCollector? = nil
}

/// The probe data of the fixtures read so far in this process, by name: what a student
/// edition's probes use instead of the reference's code (see `Probes.recorded`).
public final class ProbeData: @unchecked Sendable {
    public static let shared = ProbeData()
    private var entries: [String: Outcome.Entry] = [:]
    private let lock = NSLock()

    public subscript(_ name: String) -> Outcome.Entry? {
        lock.lock()
        defer { lock.unlock() }
        return entries[name]
    }

    func install(_ outcome: Outcome) {
        lock.lock()
        defer { lock.unlock() }
        for e in outcome.entries { entries[e.name] = e }
    }
}
