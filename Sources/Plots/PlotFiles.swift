import Foundation

/// Where pictures are saved: SVG files under `.tutor/plots/` that open in any browser.
public enum PlotFiles {
    /// The course's root: `UNROLLED_ROOT` (which `tutor run` sets), or the current directory.
    public static var root: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["UNROLLED_ROOT"] ?? FileManager.default.currentDirectoryPath,
            isDirectory: true)
    }

    /// `.tutor/<name>` under `root`, where the tutor keeps what runs leave (plots, reports).
    public static func tutorDirectory(_ name: String, root: URL = PlotFiles.root) -> URL {
        root.appendingPathComponent(".tutor", isDirectory: true).appendingPathComponent(name, isDirectory: true)
    }

    /// `.tutor/plots` under the course's root.
    public static var defaultDirectory: URL { tutorDirectory("plots") }

    /// Writes `svg` to `<directory>/<name>.svg` atomically (creating the directory) and
    /// returns the file's URL. The name is sanitised first (see `sanitize`).
    @discardableResult
    public static func write(_ svg: String, name: String, directory: URL = PlotFiles.defaultDirectory) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(sanitize(name) + ".svg", isDirectory: false)
        try Data(svg.utf8).write(to: url, options: .atomic)
        return url
    }

    /// A file name from any text: lower case, accents dropped, runs of anything outside
    /// [a-z0-9-_] as one "-", no "-" at the ends; "plot" when nothing is left.
    /// "Lesson 3: Mask (padded)" → "lesson-3-mask-padded".
    public static func sanitize(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        var out = ""
        for scalar in folded.unicodeScalars {
            let allowed = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_"
            if allowed {
                out.unicodeScalars.append(scalar)
            } else if out.last != "-" {
                out += "-"
            }
        }
        while out.hasPrefix("-") { out.removeFirst() }
        while out.hasSuffix("-") { out.removeLast() }
        return out.isEmpty ? "plot" : String(out.prefix(100))
    }
}
