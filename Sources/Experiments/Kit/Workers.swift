import Dispatch
import Foundation

/// Independent pieces of work (trainings from different seeds, say) shared out among
/// threads: each thread takes the next piece when it finishes one, so a slow piece does
/// not hold the others up. Results come back in the order of the pieces, whatever order
/// they finished in.
public struct Workers: Sendable {
    /// How many threads work at once.
    public let count: Int

    /// `count` threads (at least 1).
    public init(count: Int) { self.count = max(1, count) }

    /// `body` applied to every piece, on up to `count` threads. The first error (in the
    /// order of the pieces) is rethrown once every thread has stopped; after an error no
    /// thread starts another piece.
    public func map<Piece, Result>(_ pieces: [Piece], _ body: @escaping (Piece) throws -> Result) throws -> [Result] {
        let threads = min(count, pieces.count)
        if threads <= 1 { return try pieces.map(body) }
        let state = Shared<Result>(count: pieces.count)
        let job = Job(body: body, pieces: pieces, state: state)
        // Threads of their own, with a main thread's stack (a dispatch worker's 512 KB is
        // too small for some debug-built lesson code); this thread works too.
        let finished = DispatchSemaphore(value: 0)
        for _ in 1..<threads {
            let thread = Thread {
                job.work()
                finished.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        job.work()
        for _ in 1..<threads { finished.wait() }
        return try state.results()
    }

    /// One thread's loop: take the next piece, run it, store what it gave.
    private struct Job<Piece, Result>: @unchecked Sendable {
        let body: (Piece) throws -> Result
        let pieces: [Piece]
        let state: Shared<Result>

        func work() {
            while let i = state.next() {
                let outcome = Swift.Result { try body(pieces[i]) }
                state.store(outcome, at: i)
            }
        }
    }

    /// The pieces handed out and the results stored, behind a lock.
    private final class Shared<Result>: @unchecked Sendable {
        private let lock = NSLock()
        private var handedOut = 0
        private var failed = false
        private var outcomes: [Swift.Result<Result, Error>?]

        init(count: Int) { outcomes = Array(repeating: nil, count: count) }

        /// The next piece's index, or nil when all are handed out or one failed.
        func next() -> Int? {
            lock.withLock {
                guard !failed, handedOut < outcomes.count else { return nil }
                handedOut += 1
                return handedOut - 1
            }
        }

        func store(_ outcome: Swift.Result<Result, Error>, at i: Int) {
            lock.withLock {
                outcomes[i] = outcome
                if case .failure = outcome { failed = true }
            }
        }

        /// Every result in order, or the first error in order.
        func results() throws -> [Result] {
            // Every piece ran when none failed; `get()` throws the first failure in order.
            try lock.withLock { try outcomes.compactMap { $0 }.map { try $0.get() } }
        }
    }
}

/// A value that several threads update, behind a lock (a progress count, say).
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `change` on the value with no other thread inside; returns what it returns.
    public func update<T>(_ change: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try change(&value) }
    }
}
