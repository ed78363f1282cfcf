import ArgumentParser
import Foundation

/// `tutor` / `tutor list`: every lesson and exercise with its status, and what to do next.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show every lesson and exercise with its status, and what to do next."
    )

    func validate() throws { _ = try Catalog.current() }

    func run() throws {
        let session = try Session.open(warnBroken: false)
        let progress = session.progress.load()
        print(Self.render(session.catalog, progress, style: session.style))
        print(session.nextLine(progress))
    }

    /// The listing, lesson by lesson.
    static func render(_ catalog: Catalog, _ progress: Progress, style: Style) -> String {
        let all = catalog.exercises
        let passing = all.filter { progress[$0.id].status == .passing }.count
        var lines = [style.bold("Unrolled") + " — \(passing) of \(all.count) exercises pass", ""]
        let width = min(44, all.map(\.title.count).max() ?? 0)
        let numbers = (catalog.lessons.map(\.lesson) + catalog.broken.map(\.lesson)).sorted()
        for n in numbers {
            guard let lesson = catalog.lesson(n) else {
                if let bad = catalog.brokenLesson(n) { lines += [style.bold("Lesson \(n)") + " " + style.red("✗ \(bad.error)"), ""] }
                continue
            }
            lines.append(style.bold("Lesson \(lesson.lesson) · \(lesson.title)") + style.dim("   Lessons/Lesson\(lesson.lesson)/README.md"))
            for e in lesson.exercises {
                let record = progress[e.id]
                let hints = record.hintLevel > 0 ? style.dim("  (hint \(record.hintLevel)/3 seen)") : ""
                lines.append("  \(pad(e.id, 5)) \(pad(clip(e.title, width), width))  \(style.status(record.status))\(hints)")
            }
            lines.append("")
        }
        if let last = progress.lastCheck {
            lines.append(style.dim("Statuses as of the last check (\(Self.describe(last))); `swift run tutor check` grades again."))
        } else {
            lines.append(style.dim("Nothing checked yet: `swift run tutor check` grades your code."))
        }
        return lines.joined(separator: "\n")
    }

    static func describe(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: date)
    }
}
