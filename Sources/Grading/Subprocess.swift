import CIsolation
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs child processes: `swift build`, a grader's child in its own process group with a
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
        /// Processes the child left running (an isolated child only), as their command
        /// lines: they were killed.
        public let leftovers: [String]
        public var succeeded: Bool { termination == .exited(0) }

        public init(termination: Termination, output: String, seconds: Double, leftovers: [String] = []) {
            self.termination = termination
            self.output = output
            self.seconds = seconds
            self.leftovers = leftovers
        }
    }

    // MARK: - Running

    /// Runs `arguments` (the first is looked up in PATH) in `directory`.
    /// - captureOutput: collect stdout and stderr (through a temporary file, so a chatty
    ///   child never blocks on a full pipe); otherwise the child shares the terminal.
    /// - captureStandardError: with captureOutput off, still collect standard error alone
    ///   (an experiment draws on the terminal; its crash report is summarised after).
    /// - timeout: run the child isolated — in its own process group, killed with every
    ///   process it started (however it tried to escape) when it ends or at the deadline;
    ///   Ctrl-C on this process kills it too.
    public static func run(_ arguments: [String], in directory: URL? = nil, captureOutput: Bool = true,
                           captureStandardError: Bool = false, timeout: Double? = nil,
                           environment: [String: String] = [:]) throws -> Result {
        let outputURL = TemporaryFiles.make("log")
        defer { TemporaryFiles.remove(outputURL) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if captureOutput {
            posix_spawn_file_actions_addopen(&actions, 1, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        } else if captureStandardError {
            posix_spawn_file_actions_addopen(&actions, 2, outputURL.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        // In `directory`: through sh, which changes directory and execs the command (same pid).
        let argv = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0.path] + arguments } ?? arguments

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Ctrl-C is handled on a queue here (SIGINT ignored): the child gets the default back.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF)
        if timeout != nil {
            Orphans.adopt()
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let envStrings = env.map { "\($0.key)=\($0.value)" }

        let start = Date()
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(envStrings) { envp in posix_spawnp(&pid, argv[0], &actions, &attributes, cArgv, envp) }
        }
        guard status == 0 else {
            throw SubprocessError("could not start `\(arguments.joined(separator: " "))`: \(String(cString: strerror(status)))")
        }

        let termination: Termination
        var leftovers: [String] = []
        if let timeout {
            ChildGroup.current = pid
            defer { ChildGroup.current = 0 }
            termination = waitWithDeadline(pid, deadline: start.addingTimeInterval(timeout), timeout: timeout)
            leftovers = Orphans.stop()  // every process it left is our child now
            kill(-pid, SIGKILL)
        } else {
            termination = waitForExit(pid)
        }
        let seconds = Date().timeIntervalSince(start)
        let captured = captureOutput || captureStandardError
        let output = captured ? (try? Data(contentsOf: outputURL)).map { String(decoding: $0, as: UTF8.self) } ?? "" : ""
        return Result(termination: termination, output: output, seconds: seconds, leftovers: leftovers)
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
            usleep(10_000)
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

/// A child process that could not be started, in one line.
public struct SubprocessError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

// MARK: - Processes left behind

/// Finds and stops the processes an isolated child leaves behind. This process becomes
/// the "subreaper" of its descendants (Linux), so a process started by a grader's child
/// — even one that left the process group or started its own session — becomes our
/// child when its parent ends, and can be found by its parent pid.
enum Orphans {
    /// Becomes the subreaper, once.
    static func adopt() {
        _ = adopted
    }
    private static let adopted: Bool = unrolled_become_subreaper() == 0

    /// Kills and reaps every child of this process; returns the command lines of those
    /// that were still running (zombies are reaped without a word).
    static func stop() -> [String] {
        #if os(Linux)
        var stopped: [String] = []
        for _ in 0..<100 {
            let children = Self.children()
            if children.isEmpty { break }
            for child in children where !child.zombie {
                stopped.append(child.command)
                kill(child.pid, SIGKILL)
            }
            for child in children {
                var status: Int32 = 0
                while waitpid(child.pid, &status, 0) == -1 && errno == EINTR {}
            }
        }
        return stopped
        #else
        return []
        #endif
    }

    /// This process's children, from /proc: pid, whether a zombie, command line.
    static func children() -> [(pid: pid_t, zombie: Bool, command: String)] {
        let me = getpid()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> (pid_t, Bool, String)? in
            guard let pid = pid_t(name), let stat = FileManager.default.contents(atPath: "/proc/\(name)/stat") else { return nil }
            // "pid (comm) S ppid …": comm may hold spaces and parentheses; the last ')' ends it.
            let text = String(decoding: stat, as: UTF8.self)
            guard let close = text.lastIndex(of: ")") else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            guard fields.count > 1, pid_t(fields[1]) == me else { return nil }
            let raw = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") ?? Data()
            var command = String(decoding: raw.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            if command.isEmpty, let open = text.firstIndex(of: "(") { command = String(text[text.index(after: open)..<close]) }
            return (pid, fields[0] == "Z", String(command.prefix(60)))
        }
    }
}

// MARK: - Temporary files and Ctrl-C

/// The temporary files of this process (captured output, grader reports), removed when
/// done and also on Ctrl-C, so none are left behind.
public enum TemporaryFiles {
    nonisolated(unsafe) private static var live: Set<String> = []
    private static let lock = NSLock()

    /// A fresh path in the temporary directory, `tutor-<pid>-<uuid>.<ext>`, registered for removal.
    public static func make(_ ext: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("tutor-\(getpid())-\(UUID().uuidString).\(ext)")
        lock.lock()
        live.insert(url.path)
        lock.unlock()
        return url
    }

    public static func remove(_ url: URL) {
        try? FileManager.default.removeItem(at: url)
        lock.lock()
        live.remove(url.path)
        lock.unlock()
    }

    /// What Ctrl-C does to them, for a test.
    public static func removeAllForTesting() { removeAll() }

    /// Removes every registered file (on Ctrl-C).
    static func removeAll() {
        lock.lock()
        let paths = live
        live = []
        lock.unlock()
        for p in paths { unlink(p) }
    }
}

/// The process group of the child running now, so that Ctrl-C on this process stops it
/// too (an isolated child runs in its own group, which the terminal's Ctrl-C does not reach).
public enum ChildGroup {
    nonisolated(unsafe) public static var current: pid_t = 0
    nonisolated(unsafe) static var source: DispatchSourceSignal?

    /// On Ctrl-C: kill the running child's group and what it left behind, remove the
    /// temporary files, exit 130. (Handled on a queue, not in the signal handler, so the
    /// clean-up may use the file system freely.)
    public static func installInterruptHandler() {
        guard source == nil else { return }
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "tutor.interrupt"))
        s.setEventHandler {
            let group = ChildGroup.current
            if group > 0 { kill(-group, SIGKILL) }
            _ = Orphans.stop()
            TemporaryFiles.removeAll()
            _exit(130)
        }
        s.resume()
        source = s
    }
}
