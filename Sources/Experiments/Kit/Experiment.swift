import Autograd
import Foundation
import Plots

/// What every lesson's experiment shares: its options (`--full`, `--seed N`), sections
/// that survive an unfinished or failing exercise, saved plots, and timing.
public struct Experiment {
    /// The lesson number, for messages.
    public let lesson: Int
    /// Whether `--full` was given: more seeds, longer training.
    public let full: Bool
    /// The seed every random draw starts from (`--seed N`, default 0).
    public let seed: UInt64
    /// Other arguments, for the lesson to read (a text file, say).
    public let arguments: [String]
    private let start = Date()

    /// Reads the options from the command line; an unknown option ends the program with a
    /// one-line error.
    public init(lesson: Int, commandLine: [String] = Array(CommandLine.arguments.dropFirst())) {
        self.lesson = lesson
        var full = false, seed: UInt64 = 0, rest: [String] = []
        var i = 0
        while i < commandLine.count {
            switch commandLine[i] {
            case "--full": full = true
            case "--seed":
                guard i + 1 < commandLine.count, let s = UInt64(commandLine[i + 1]) else {
                    Experiment.fail("--seed needs a non-negative integer")
                }
                seed = s
                i += 1
            case "-h", "--help":
                print("usage: swift run tutor run \(lesson) [--full] [--seed N]")
                exit(0)
            default: rest.append(commandLine[i])
            }
            i += 1
        }
        self.full = full
        self.seed = seed
        self.arguments = rest
    }

    /// Prints a one-line error and exits non-zero.
    public static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        exit(1)
    }

    /// A section title.
    public func section(_ title: String) {
        print("\n== \(title) ==")
    }

    /// Runs one part of the experiment. An exercise that is not written yet, or that
    /// throws, skips this part with a message saying why and what to do; the rest runs.
    /// Returns whether the part completed.
    @discardableResult
    public func part(_ title: String, uses exercises: [String], _ body: () throws -> Void) -> Bool {
        section(title)
        do {
            try body()
            return true
        } catch let todo as TODO {
            print("Skipped: exercise \(todo.exercise) is not written yet. Write it (hint: `swift run tutor hint \(todo.exercise)`), then run this again.")
        } catch {
            print("Stopped: \(error)")
            print("This part uses exercise\(exercises.count > 1 ? "s" : "") \(exercises.joined(separator: ", ")): `swift run tutor check \(lesson)` says which one is wrong.")
        }
        return false
    }

    /// Saves an SVG under `.tutor/plots/` and says where.
    public func save(_ svg: String, as name: String) {
        do {
            let url = try PlotFiles.write(svg, name: "lesson\(lesson)-\(name)")
            print("saved \(url.path)")
        } catch {
            print("could not save the plot \(name): \(error)")
        }
    }

    /// Seconds since the experiment started.
    public var elapsed: Double { Date().timeIntervalSince(start) }

    /// The closing line: how long the run took.
    public func finish() {
        print(String(format: "\nDone in %.1f s.", elapsed))
    }
}
