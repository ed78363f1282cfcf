extension ReportPage {
    /// The page's CSS: readable text, output in monospace boxes that scroll sideways, plots
    /// at most as wide as the page, a coloured edge for how each section ended.
    static let style = """

    body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f7f9;
           max-width: 1100px; margin: 0 auto; padding: 1.5em; }
    h1 { font-size: 1.6em; margin: 0 0 .4em; }
    h2 { font-size: 1.15em; margin: 0 0 .6em; }
    code, pre { font-family: ui-monospace, "SF Mono", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
    code { font-size: .9em; }
    table { border-collapse: collapse; margin: .4em 0 1em; }
    th, td { text-align: left; vertical-align: top; padding: .25em 1em .25em 0; }
    .facts th { color: #57606a; font-weight: 600; }
    .parts th, .parts td { border-bottom: 1px solid #d8dee4; }
    .status { padding: .5em .8em; border-radius: 6px; }
    .status.finished { background: #e3f4e6; }
    .status.running { background: #fff3cd; }
    .status.interrupted { background: #fde2e0; }
    section { background: #ffffff; border: 1px solid #d8dee4; border-left: 6px solid #3b78d8; border-radius: 6px;
              padding: 1em 1.2em; margin: 1.2em 0; }
    section.skipped { border-left-color: #d4a017; }
    section.stopped { border-left-color: #cf222e; }
    section.unfinished { border-left-color: #8c959f; }
    pre { font-size: 13px; line-height: 1.35; background: #f6f8fa; padding: .8em; border-radius: 4px; overflow-x: auto; }
    figure { margin: 1em 0; }
    figure svg { display: block; max-width: 100%; height: auto; }
    figcaption { color: #57606a; font-size: .85em; margin-top: .3em; }
    .badge { display: inline-block; font-size: .8em; font-weight: normal; padding: 0 .5em; border-radius: 4px;
             color: #ffffff; background: #3b78d8; }
    .badge.skipped { background: #b8860b; }
    .badge.stopped { background: #cf222e; }
    .badge.unfinished, .badge.not-run { background: #6e7781; }

    """
}
