import ArgumentParser
import Foundation
import Grading

/// `tutor watch`: re-checks the current exercise whenever a lesson file is saved.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Re-check the current exercise whenever a lesson file is saved (Ctrl-C stops).",
        discussion: "A save re-checks the exercises of the file saved (those not passing yet, else all of them); a save in a file with no exercise re-checks the current one: the first not passing after the one checked last."
    )

    @Option(help: ArgumentHelp("Seconds before the grader is stopped as hung.", valueName: "seconds"))
    var timeout: Double = 60

    func validate() throws {
        guard timeout > 0, timeout.isFinite else { throw TutorError.badOption("--timeout must be a positive number of seconds, not \(timeout)") }
        _ = try Catalog.current()
    }

    func run() throws {
        let session = try Session.open()
        let s = session.style
        print("Watching Lessons/**/*.swift (checked every second). Save a lesson file to re-check the current exercise; Ctrl-C stops.")
        ChildGroup.installInterruptHandler()
        announce(session)
        var saves = Saves(seen: Self.modificationTimes(root: session.root))
        while true {
            Thread.sleep(forTimeInterval: 1)
            let changed = saves.poll(Self.modificationTimes(root: session.root))
            guard !changed.isEmpty else { continue }
            let toCheck = Self.exercises(savedIn: changed, catalog: session.catalog, progress: session.progress.load())
            guard !toCheck.isEmpty else {
                print(s.green("Every exercise passes.") + " Nothing left to watch; Ctrl-C stops.")
                continue
            }
            print("\n" + s.dim("\(changed.joined(separator: ", ")) changed: checking \(toCheck.map(\.id).joined(separator: ", "))…"))
            do {
                try Checker(session: session, timeout: timeout).check(toCheck)
            } catch let error as TutorError {
                print("error: \(error)")
            }
            // A save during the check (a fix made while a hung grader ran out its time) differs
            // from what the last poll saw, so the next poll checks again.
            announce(session)
        }
    }

    /// What a save re-checks: the exercises of the saved files that do not pass yet, else
    /// all of them (a passing exercise edited again is checked again); when the saved files
    /// hold no exercise (or many were saved at once, as by a `git checkout`), the current one.
    static func exercises(savedIn changed: [String], catalog: Catalog, progress: Progress) -> [ExerciseInfo] {
        let saved = catalog.exercises.filter { changed.contains($0.path) }
        if !saved.isEmpty, Set(saved.map(\.path)).count <= 2 {
            let open = saved.filter { progress[$0.id].status != .passing }
            return open.isEmpty ? saved : open
        }
        return progress.current(in: catalog).map { [$0] } ?? []
    }

    /// The lesson files as last seen; each poll says which changed since.
    struct Saves {
        var seen: [String: Date]

        /// The files saved since the last poll (sorted); remembers `now`.
        mutating func poll(_ now: [String: Date]) -> [String] {
            let changed = Set(now.keys).union(seen.keys).filter { now[$0] != seen[$0] }.sorted()
            seen = now
            return changed
        }
    }

    func announce(_ session: Session) {
        if let e = session.progress.load().current(in: session.catalog) {
            print(session.style.dim("Current exercise: \(e.id) \(e.title) — `\(e.symbol)` in \(e.path). Waiting for a save…"))
        }
        Terminal.flush()
    }

    /// Every Swift file under Lessons/, relative to the root, with its modification time.
    static func modificationTimes(root: URL) -> [String: Date] {
        let lessons = root.appendingPathComponent("Lessons")
        guard let walker = FileManager.default.enumerator(at: lessons, includingPropertiesForKeys: [.contentModificationDateKey]) else { return [:] }
        var times: [String: Date] = [:]
        for case let url as URL in walker where url.pathExtension == "swift" {
            let date = (try? url.resourceValues(forKeys: [.contentModificationDateKey]))?.contentModificationDate
            times[String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))] = date ?? .distantPast
        }
        return times
    }
}
