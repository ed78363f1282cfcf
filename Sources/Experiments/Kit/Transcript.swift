import Foundation
import Plots

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything the program writes to standard output, handed to `sink` for the run's report
/// while it still reaches the terminal unchanged.
///
/// Standard output (descriptor 1) is moved onto a pipe; a thread copies what arrives to
/// where standard output was, then hands it to `sink`. Questions about the terminal (is it
/// one? how wide?) are asked of where it was (`Terminal.descriptor`), and standard output
/// stays line-buffered on a terminal, so colours and redrawn progress bars are as before.
/// `stop()` drains the pipe and puts standard output back.
///
/// An exit or a crash would lose what is still in the pipe, so while the transcript runs,
/// `exit` stops it first (which drains the pipe), and a crash's signal first copies the
/// rest to the terminal, then goes on to the handler it had (Swift's backtrace, or the
/// default).
final class Transcript: @unchecked Sendable {
    /// The pipe's end the copying thread reads.
    private let pipeEnd: Int32
    /// Where standard output was (a duplicate of descriptor 1 as it was).
    private let terminal: Int32
    private let drained = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var stopped = false

    /// The transcript running now, which `exit` stops.
    nonisolated(unsafe) private static weak var running: Transcript?
    /// Registers, once, the stop at `exit`.
    private static let stopsAtExit: Void = { atexit { Transcript.running?.stop() } }()

    /// Starts copying; nil when the pipe cannot be made (the run then goes on unrecorded).
    init?(sink: @escaping @Sendable (Data) -> Void) {
        fflush(stdout)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        let terminal = dup(STDOUT_FILENO)
        guard terminal >= 0 else { close(ends[0]); close(ends[1]); return nil }
        for fd in [ends[0], terminal] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let wasTerminal = isatty(STDOUT_FILENO) != 0
        dup2(ends[1], STDOUT_FILENO)
        close(ends[1])
        if wasTerminal { setvbuf(stdout, nil, _IOLBF, Int(BUFSIZ)) }
        Terminal.descriptor = terminal
        pipeEnd = ends[0]
        self.terminal = terminal
        CrashDrain.install(pipe: pipeEnd, terminal: terminal)
        Self.stopsAtExit
        Self.running = self
        let thread = Thread { [pipeEnd, drained] in
            Self.copy(from: pipeEnd, to: terminal, sink: sink)
            drained.signal()
        }
        thread.name = "transcript"
        thread.start()
    }

    /// Flushes standard output, waits until the thread has copied everything, and puts
    /// standard output back where it was. Only the first call does anything.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        fflush(stdout)
        CrashDrain.uninstall()
        dup2(terminal, STDOUT_FILENO)  // closes the pipe's last writing end: the thread sees its end
        _ = drained.wait(timeout: .now() + 5)
        Terminal.descriptor = STDOUT_FILENO
        close(terminal)
        close(pipeEnd)
    }

    /// Copies `source` to `destination` and `sink` until the pipe ends.
    private static func copy(from source: Int32, to destination: Int32, sink: @Sendable (Data) -> Void) {
        let size = 1 << 16
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { buffer.deallocate() }
        while true {
            let n = read(source, buffer, size)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            writeAll(buffer, n, to: destination)
            sink(Data(bytes: buffer, count: n))
        }
    }
}

/// Writes `count` bytes to `fd`, however many calls it takes (async-signal-safe).
private func writeAll(_ bytes: UnsafeMutablePointer<UInt8>, _ count: Int, to fd: Int32) {
    var done = 0
    while done < count {
        let n = write(fd, bytes + done, count - done)
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { return }
        done += n
    }
}

// MARK: - Crashes

/// On a crash (a Swift trap, a bad access), copies what is left in the transcript's pipe to
/// the terminal, then lets the crash go on to the handler installed before (Swift's
/// backtrace, or the default): the handler is put back and returns, and the faulting
/// instruction faults again. Only async-signal-safe calls happen in the handler.
private enum CrashDrain {
    #if arch(arm64)
    /// The signals a crash raises (a Swift trap is `brk` on arm64: SIGTRAP, re-raised on return).
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE]
    #else
    /// The signals a crash raises (a Swift trap is `ud2` on x86-64: SIGILL).
    static let signals: [Int32] = [SIGILL, SIGSEGV, SIGBUS, SIGFPE]
    #endif
    nonisolated(unsafe) static var pipe: Int32 = -1
    nonisolated(unsafe) static var terminal: Int32 = -1
    /// The handlers that were there before, one per signal.
    nonisolated(unsafe) static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: signals.count)
    /// The handler's buffer, allocated beforehand (allocating is not safe in a handler).
    nonisolated(unsafe) static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: bufferSize)
    static let bufferSize = 4096

    static func install(pipe: Int32, terminal: Int32) {
        Self.pipe = pipe
        Self.terminal = terminal
        _ = buffer  // made now, not in the handler
        var action = sigaction()
        #if os(Linux)
        action.__sigaction_handler.sa_handler = { _ in CrashDrain.handle() }
        #else
        action.__sigaction_u.__sa_handler = { _ in CrashDrain.handle() }
        #endif
        action.sa_flags = Int32(SA_ONSTACK)
        sigemptyset(&action.sa_mask)
        for (i, s) in signals.enumerated() { sigaction(s, &action, previous + i) }
    }

    static func uninstall() {
        for (i, s) in signals.enumerated() { sigaction(s, previous + i, nil) }
    }

    /// In the signal handler: put the previous handlers back, copy the pipe's rest.
    static func handle() {
        uninstall()
        _ = fcntl(pipe, F_SETFL, fcntl(pipe, F_GETFL) | O_NONBLOCK)
        while true {
            let n = read(pipe, buffer, bufferSize)
            guard n > 0 else { return }
            writeAll(buffer, n, to: terminal)
        }
    }
}
