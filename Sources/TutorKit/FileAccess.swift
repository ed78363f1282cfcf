import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading and writing the course's files with errors a student can act on: a failed
/// read or write becomes `TutorError.fileAccess`, one line naming the file, what is wrong
/// (permission denied, a folder that is a file, a full disk…) and what to do, instead of
/// Foundation's "NSCocoaErrorDomain error 512".
enum FileAccess {
    /// What the tutor was doing with the file.
    enum Action: String { case read, write, backUp = "back up" }

    /// `error` (from Foundation or POSIX) as a `TutorError` about `path` (relative to `root`).
    static func error(_ error: Error, _ action: Action, _ path: String, root: URL) -> TutorError {
        if let e = error as? TutorError { return e }
        let (problem, advice) = explain(code: posixCode(error), action, path, root: root, fallback: error)
        return .fileAccess(action: action.rawValue, path: path, problem: problem, advice: advice)
    }

    /// Runs `body`, turning any error into `error(_:_:_:root:)`.
    static func attempt<T>(_ action: Action, _ path: String, root: URL, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw self.error(error, action, path, root: root) }
    }

    /// The POSIX error number behind a Foundation error, if there is one.
    static func posixCode(_ error: Error) -> Int32? {
        if let posix = error as? POSIXError { return posix.code.rawValue }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return Int32(ns.code) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? Error, let code = posixCode(underlying) { return code }
        guard ns.domain == NSCocoaErrorDomain else { return nil }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileReadNoPermission, .fileWriteNoPermission: return EACCES
        case .fileNoSuchFile, .fileReadNoSuchFile: return ENOENT
        case .fileWriteOutOfSpace: return ENOSPC
        case .fileWriteVolumeReadOnly: return EROFS
        default: return nil
        }
    }

    /// The problem and the advice for an error number.
    static func explain(code: Int32?, _ action: Action, _ path: String, root: URL, fallback: Error) -> (String, String) {
        let again = "then run the command again"
        if [ENOTDIR, ENOENT, EEXIST].contains(code), let file = fileInTheWay(of: path, root: root) {
            return ("\(file) is a file, not a folder", "move or rename \(file), \(again)")
        }
        switch code {
        case EACCES?, EPERM?:
            let folder = (path as NSString).deletingLastPathComponent
            return ("permission denied", "check the permissions of the file and its folder (ls -l \(folder.isEmpty ? "." : folder)), e.g. `chmod u+rw \(path)`, \(again)")
        case ENOENT?:
            return action == .read ? ("it does not exist", "check that the file is there (git status shows deleted files)")
                                   : ("its folder does not exist", "create the folder, \(again)")
        case EISDIR?:
            return ("it is a folder, not a file", "move the folder out of the way, \(again)")
        case ENOSPC?, EDQUOT?:
            return ("the disk is full", "free some space, \(again)")
        case EROFS?:
            return ("the file system is read-only", "work in a copy of the course on a writable disk")
        case let code?:
            return (String(cString: strerror(code)).lowercased(), "fix that, \(again)")
        case nil:
            let text = (fallback as NSError).localizedDescription.replacingOccurrences(of: "The operation could not be completed. ", with: "")
            return (text.split(separator: "\n").first.map(String.init) ?? text, "fix that, \(again)")
        }
    }

    /// The first parent of `path` (relative to `root`) that exists but is not a folder.
    static func fileInTheWay(of path: String, root: URL) -> String? {
        let parts = path.split(separator: "/").dropLast()
        for k in parts.indices {
            let prefix = parts[...k].joined(separator: "/")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: root.appendingPathComponent(prefix).path, isDirectory: &isDir) {
                if !isDir.boolValue { return prefix }
            } else {
                return nil
            }
        }
        return nil
    }

    // MARK: - Reading and writing

    /// The text of `path` (relative to `root`); a missing file is `TutorError.missingFile`.
    static func read(_ path: String, root: URL) throws -> String {
        let url = root.appendingPathComponent(path)
        do {
            return String(decoding: try Data(contentsOf: url), as: UTF8.self)
        } catch {
            if posixCode(error) == ENOENT && fileInTheWay(of: path, root: root) == nil { throw TutorError.missingFile(path) }
            throw self.error(error, .read, path, root: root)
        }
    }

    /// Writes `data` to `path` (relative to `root`) atomically, creating its folder.
    static func write(_ data: Data, to path: String, root: URL) throws {
        let url = root.appendingPathComponent(path)
        try attempt(.write, path, root: root) {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        }
    }
}
