//! Where output goes and whether it is coloured: colour only on a terminal,
//! never with --no-color or NO_COLOR (anstream strips it otherwise).

use std::io::Write;

use owo_colors::{OwoColorize, Style};

pub struct Output {
    color: bool,
    quiet: bool,
}

impl Output {
    pub fn new(no_color: bool, quiet: bool) -> Output {
        let choice = if no_color {
            anstream::ColorChoice::Never
        } else {
            anstream::AutoStream::choice(&std::io::stdout())
        };
        Output {
            color: !matches!(choice, anstream::ColorChoice::Never),
            quiet,
        }
    }

    /// `text` in `style` when colour is on.
    pub fn paint(&self, text: &str, style: Style) -> String {
        if self.color {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }

    pub fn print(&self, text: &str) {
        let mut out = anstream::stdout().lock();
        // A closed pipe (`| head`) is not an error worth a message.
        out.write_all(text.as_bytes()).ok();
        if !text.ends_with('\n') {
            out.write_all(b"\n").ok();
        }
    }

    /// Machine-readable output (JSON, dot, mermaid): never coloured, so it
    /// skips the colour-stripping stream.
    pub fn print_raw(&self, text: &str) {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        // As in `print`: a closed pipe is not worth a message.
        out.write_all(text.as_bytes()).ok();
        if !text.ends_with('\n') {
            out.write_all(b"\n").ok();
        }
        out.flush().ok();
    }

    pub fn error(&self, message: &str) {
        let label = self.paint("error:", Style::new().red().bold());
        // Standard error closed: there is nowhere left to say it.
        writeln!(anstream::stderr(), "{label} {message}").ok();
    }

    pub fn warning(&self, message: &str) {
        if !self.quiet {
            let label = self.paint("warning:", Style::new().yellow().bold());
            writeln!(anstream::stderr(), "{label} {message}").ok();
        }
    }

    /// A line for the person at the terminal, on standard error (so that
    /// standard output stays the report), even with `-q`: what is about to
    /// be written, and where.
    pub fn note(&self, message: &str) {
        writeln!(anstream::stderr(), "{message}").ok();
    }
}
