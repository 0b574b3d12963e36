//! The manual pages: tocsin(1) and one tocsin-COMMAND(1) per subcommand.
//! clap_mangen renders what the clap definitions hold (name, synopsis,
//! options); the sections it cannot know — exit status, environment,
//! files, examples, see also — come from [`super::man_pages`].

use super::args::Cli;
use super::man_pages::{self, Example, Page, VARIABLES};
use super::{BAD_INPUT, OK};
use clap::CommandFactory;
use clap_mangen::roff::{bold, italic, roman, Roff};
use std::path::Path;

/// What roff's apostrophe handling puts at the top of every piece that
/// clap_mangen and roff render; a page keeps only the first.
const APOSTROPHE_PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";

/// Runs `man`: prints the page of `command` (tocsin's own when `None`),
/// or with `out` writes it — or every page when no command is named —
/// into that folder.
pub fn run(command: Option<&str>, out: Option<&Path>) -> u8 {
    let root = root_command();
    let names: Vec<String> = subcommands(&root)
        .map(|c| c.get_name().to_string())
        .collect();
    if let Some(name) = command {
        if !names.iter().any(|n| n == name) {
            eprintln!(
                "error: `{}` is not a tocsin command; the pages are: {}",
                crate::diag::escape_controls(name),
                names.join(", ")
            );
            return BAD_INPUT;
        }
    }
    let wanted: Vec<Option<&str>> = match (command, out) {
        (Some(name), _) => vec![Some(name)],
        (None, Some(_)) => std::iter::once(None)
            .chain(names.iter().map(|n| Some(n.as_str())))
            .collect(),
        (None, None) => vec![None],
    };
    let Some(dir) = out else {
        let text = page(&root, wanted[0]);
        super::term::out(&text);
        return OK;
    };
    if let Err(e) = std::fs::create_dir_all(dir) {
        return cannot_write(dir, &e);
    }
    for name in wanted {
        let file = dir.join(format!("{}.1", title(name)));
        if let Err(e) = std::fs::write(&file, page(&root, name)) {
            return cannot_write(&file, &e);
        }
        super::term::outln(&crate::project::files::display(&file));
    }
    OK
}

fn cannot_write(path: &Path, e: &std::io::Error) -> u8 {
    eprintln!(
        "error: {}: cannot write the manual page: {e}",
        crate::project::files::display(path)
    );
    BAD_INPUT
}

/// The command as the pages describe it: built, so that each subcommand
/// knows its full name (`tocsin eval`) and the global options, and
/// without clap's `help` subcommand, which has no page.
fn root_command() -> clap::Command {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    cmd
}

fn subcommands(root: &clap::Command) -> impl Iterator<Item = &clap::Command> {
    root.get_subcommands().filter(|c| !c.is_hide_set())
}

/// `tocsin` or `tocsin-NAME`: the page's title and file name.
fn title(command: Option<&str>) -> String {
    match command {
        Some(name) => format!("tocsin-{name}"),
        None => "tocsin".to_string(),
    }
}

/// The roff text of one page; `command` is a subcommand's name, or `None`
/// for tocsin(1).
pub fn page(root: &clap::Command, command: Option<&str>) -> String {
    let cmd = match command.and_then(|n| root.find_subcommand(n)) {
        Some(sub) => sub.clone(),
        None => root.clone(),
    };
    let man = clap_mangen::Man::new(cmd)
        .source(format!("tocsin {}", env!("CARGO_PKG_VERSION")))
        .manual("tocsin manual");
    let mut pieces: Vec<Vec<u8>> = Vec::new();
    let mut render = |f: &dyn Fn(&mut Vec<u8>) -> std::io::Result<()>| {
        let mut buf = Vec::new();
        // Writing to memory cannot fail.
        let _ = f(&mut buf);
        pieces.push(buf);
    };
    render(&|w| man.render_title(w));
    render(&|w| man.render_name_section(w));
    render(&|w| man.render_synopsis_section(w));
    render(&|w| man.render_description_section(w));
    render(&|w| man.render_options_section(w));
    if command.is_none() {
        render(&|w| man.render_subcommands_section(w));
    }
    let extra = man_pages::page(command.unwrap_or(""));
    let mut text = String::new();
    for (i, piece) in pieces.iter().enumerate() {
        let piece = String::from_utf8_lossy(piece);
        let piece = if i == 0 {
            &piece[..]
        } else {
            piece.strip_prefix(APOSTROPHE_PREAMBLE).unwrap_or(&piece)
        };
        text.push_str(piece);
    }
    let ours = sections(&extra, root, command).render();
    text.push_str(ours.strip_prefix(APOSTROPHE_PREAMBLE).unwrap_or(&ours));
    text
}

/// EXIT STATUS, ENVIRONMENT, FILES, EXAMPLES and SEE ALSO.
fn sections(extra: &Page, root: &clap::Command, command: Option<&str>) -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in extra.exit {
        r.control("TP", []);
        r.text([bold(code.to_string())]);
        r.text([roman(*meaning)]);
    }
    if !extra.environment.is_empty() {
        r.control("SH", ["ENVIRONMENT"]);
        for name in extra.environment {
            let meaning = VARIABLES
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, m)| *m);
            r.control("TP", []);
            r.text([bold(*name)]);
            r.text([roman(meaning)]);
        }
    }
    if !extra.files.is_empty() {
        r.control("SH", ["FILES"]);
        for (path, meaning) in extra.files {
            r.control("TP", []);
            r.text([italic(*path)]);
            r.text([roman(*meaning)]);
        }
    }
    if !extra.examples.is_empty() {
        r.control("SH", ["EXAMPLES"]);
        for Example { what, command } in extra.examples {
            r.control("PP", []);
            r.text([roman(*what)]);
            r.control("PP", []);
            r.control("RS", ["4"]);
            r.control("nf", []);
            r.text([roman(*command)]);
            r.control("fi", []);
            r.control("RE", []);
        }
    }
    r.control("SH", ["SEE ALSO"]);
    let mut others: Vec<String> = Vec::new();
    if command.is_some() {
        others.push("tocsin".into());
    }
    let related: Vec<&str> = if command.is_some() {
        extra.see_also.to_vec()
    } else {
        subcommands(root).map(|c| c.get_name()).collect()
    };
    others.extend(related.iter().map(|n| format!("tocsin-{n}")));
    let mut line = Vec::new();
    for (i, name) in others.iter().enumerate() {
        if i > 0 {
            line.push(roman(", "));
        }
        line.push(bold(name.clone()));
        line.push(roman("(1)"));
    }
    r.text(line);
    r
}
