import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What XMLParser saw in a document (an SVG, a report page): the root, its namespace, every
/// element with its attributes, and the text of `<title>` and `<text>` elements.
final class XMLDocumentSummary: NSObject, XMLParserDelegate {
    var root: String?
    var namespace: String?
    var elements: [(name: String, attributes: [String: String])] = []
    var titles: [String] = []
    var texts: [String] = []
    private var open: [String] = []
    private var buffer = ""

    /// Parses `document`, throwing with the parser's error and position when it is not XML.
    init(_ document: String, _ name: String) throws {
        super.init()
        let parser = XMLParser(data: Data(document.utf8))
        parser.shouldProcessNamespaces = true
        parser.delegate = self
        guard parser.parse() else {
            throw XMLFailure(description: "\(name): not well-formed XML at line \(parser.lineNumber), column \(parser.columnNumber): \(String(describing: parser.parserError))")
        }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if root == nil { root = elementName; namespace = namespaceURI }
        elements.append((elementName, attributeDict))
        open.append(elementName)
        buffer = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { buffer += string }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        if elementName == "title" { titles.append(buffer) }
        if elementName == "text" { texts.append(buffer) }
        open.removeLast()
        buffer = ""
    }
}

struct XMLFailure: Error, CustomStringConvertible {
    let description: String
}
