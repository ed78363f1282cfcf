import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs child processes: `swift build`, a grader in its own process group with a
/// timeout, an experiment on the student's terminal.
public enum Subprocess {
    /// How a child process ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)
        /// Still running at the deadline: its process group was killed.
        case timedOut(Double)
    }

    public struct Result: Sendable {
        public let termination: Termination
        /// Standard output and standard error, interleaved (empty when not captured).
        public let output: String
        public let seconds: Double
        public var succeeded: Bool { termination == .exited(0) }
    }

    // MARK: - Running

    /// Runs `arguments` (the first is looked up in PATH) in `directory`.
    /// - captureOutput: collect stdout and stderr (through a temporary file, so a chatty
    ///   child never blocks on a full pipe); otherwise the child shares the terminal.
    /// - timeout: kill the child's whole process group after this many seconds. A child
    ///   with a timeout runs in its own process group, which Ctrl-C on the tutor also kills.
    public static func run(_ arguments: [String], in directory: URL? = nil, captureOutput: Bool = true,
                           timeout: Double? = nil, environment: [String: String] = [:]) throws -> Result {
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-\(getpid())-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: outputURL) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if captureOutput {
            posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        // In `directory`: through sh, which changes directory and execs the command (same pid).
        let argv = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path] + arguments } ?? arguments

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if timeout != nil {
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
            posix_spawnattr_setpgroup(&attributes, 0)
        }

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let envStrings = env.map { "\($0.key)=\($0.value)" }

        let start = Date()
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(envStrings) { envp in posix_spawnp(&pid, argv[0], &actions, &attributes, cArgv, envp) }
        }
        guard status == 0 else {
            throw TutorError.commandFailed("could not start `\(arguments.joined(separator: " "))`: \(String(cString: strerror(status)))")
        }

        let termination: Termination
        if let timeout {
            ChildGroup.current = pid
            defer { ChildGroup.current = 0 }
            termination = waitWithDeadline(pid, deadline: start.addingTimeInterval(timeout), timeout: timeout)
        } else {
            termination = waitForExit(pid)
        }
        let seconds = Date().timeIntervalSince(start)
        let output = captureOutput ? (try? Data(contentsOf: outputURL)).map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
        return Result(termination: termination, output: output, seconds: seconds)
    }

    /// Waits for `pid` to end, however long it takes.
    static func waitForExit(_ pid: pid_t) -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return decode(status)
    }

    /// Polls `pid` until it ends or the deadline passes; then kills its process group.
    static func waitWithDeadline(_ pid: pid_t, deadline: Date, timeout: Double) -> Termination {
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { return decode(status) }
            if r == -1 && errno != EINTR { return .exited(-1) }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                return .timedOut(timeout)
            }
            usleep(20_000)
        }
    }

    /// The exit code or signal in a `waitpid` status.
    static func decode(_ status: Int32) -> Termination {
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    static func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
        pointers.append(nil)
        defer { for p in pointers { free(p) } }
        return body(pointers)
    }

    /// A signal's name and what usually raises it in Swift code.
    public static func describe(signal: Int32) -> String {
        switch signal {
        case SIGILL, SIGTRAP: return "signal \(signal), a trap: fatalError, a force-unwrapped nil, an index out of range or an arithmetic overflow"
        case SIGSEGV, SIGBUS: return "signal \(signal), a memory fault: often unbounded recursion (a stack overflow)"
        case SIGABRT: return "signal \(signal), abort"
        case SIGKILL: return "signal \(signal), killed (out of memory?)"
        case SIGFPE: return "signal \(signal), a division by zero in integer arithmetic"
        default: return "signal \(signal)"
        }
    }
}

// MARK: - Ctrl-C

/// The process group of the grader running now, so that Ctrl-C on the tutor stops it
/// too (a grader runs in its own group, which the terminal's Ctrl-C does not reach).
enum ChildGroup {
    nonisolated(unsafe) static var current: pid_t = 0

    /// Installs the SIGINT handler: kill the running grader's group, then exit 130.
    static func installInterruptHandler() {
        current = 0  // initialised before the handler can read it
        signal(SIGINT) { _ in
            let group = ChildGroup.current
            if group > 0 { kill(-group, SIGKILL) }
            _exit(130)
        }
    }
}
