//! The output, one line at a time. Line breaks are requested, not written:
//! a requested break is written only when the next token comes, so that a
//! trailing comment found in between still lands at the end of its line.

/// A requested line break, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Break {
    /// None requested.
    None,
    /// A new line.
    Line,
    /// A new line after one empty line.
    Blank,
}

/// The text written so far and the line being written.
#[derive(Debug, Default)]
pub struct Writer {
    done: String,
    line: String,
    /// Indentation of `line`, in columns.
    indent: usize,
    /// `line` holds more than its indentation.
    content: bool,
    /// `line` ends in a comment.
    commented: bool,
    /// Anything written at all (no break is written before the first line).
    started: bool,
    pending: Option<(Break, usize)>,
    /// Blanks wanted before the next token on this line.
    pad: usize,
}

impl Writer {
    /// Requests a break of at least `kind`, after which the next line is
    /// indented by `indent`.
    pub fn brk(&mut self, kind: Break, indent: usize) {
        let old = self.pending.map_or(Break::None, |p| p.0);
        self.pending = Some((old.max(kind), indent));
        self.pad = 0;
    }

    /// The break requested and not yet written, if any.
    pub fn pending(&self) -> Option<(Break, usize)> {
        self.pending
    }

    /// Asks for at least `n` blanks before the next token on this line.
    pub fn pad(&mut self, n: usize) {
        self.pad = self.pad.max(n);
    }

    /// Writes `s` after any requested break or blanks.
    pub fn write(&mut self, s: &str) {
        if self.commented && self.pending.is_none() {
            // Nothing may follow a comment on its line.
            self.pending = Some((Break::Line, self.indent));
        }
        if let Some((kind, indent)) = self.pending.take() {
            if self.started {
                self.done.push_str(self.line.trim_end());
                self.done.push('\n');
                if kind == Break::Blank {
                    self.done.push('\n');
                }
            }
            self.line = " ".repeat(indent);
            self.indent = indent;
            self.content = false;
            self.commented = false;
            self.pad = 0;
        }
        if self.content {
            self.line.push_str(&" ".repeat(self.pad));
        }
        self.pad = 0;
        self.line.push_str(s);
        self.content = true;
        self.started = true;
    }

    /// Writes a comment on a line of its own (after the requested break).
    pub fn write_comment(&mut self, comment: &str) {
        self.write(comment);
        self.commented = true;
    }

    /// Adds a trailing comment to the line being written, before any
    /// requested break.
    pub fn append_trailing(&mut self, comment: &str) {
        self.line.push(' ');
        self.line.push_str(comment);
        self.commented = true;
        self.pad = 0;
    }

    /// True when a comment may be added at the end of the line being
    /// written: it holds a token and no comment yet.
    pub fn can_trail(&self) -> bool {
        self.content && !self.commented
    }

    /// The indentation of the line being written.
    pub fn indent(&self) -> usize {
        self.indent
    }

    /// The column after the line being written, blanks asked for included.
    pub fn column(&self) -> usize {
        self.line.chars().count() + if self.content { self.pad } else { 0 }
    }

    /// The text, ending in one newline (or empty if nothing was written).
    pub fn finish(mut self) -> String {
        let last = self.line.trim_end();
        if !last.is_empty() {
            self.done.push_str(last);
            self.done.push('\n');
        }
        self.done
    }
}
