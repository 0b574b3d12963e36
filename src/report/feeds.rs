//! The `Feeds` section: every data series the rules read, with its newest
//! observation, its age, its feed's `stale_after` and whether it is stale
//! now, stale ones marked and linked to the rules they leave unknown.

use super::html::{esc, id_safe, plural, rule_anchor};
use super::unknown::Why;
use super::Report;
use crate::board::{Board, FeedRow};
use std::collections::HashMap;
use std::fmt::Write;

/// The fragment id of a data series' row.
pub fn feed_anchor(name: &str) -> String {
    format!("feed-{}", id_safe(name))
}

/// The section.
pub fn section(r: &Report, board: &Board, why: &HashMap<String, Why>) -> String {
    if board.feeds.is_empty() {
        return String::new();
    }
    let stale = board.feeds.iter().filter(|f| f.stale).count();
    let mut s = format!(
        "<section id=\"feeds\" aria-labelledby=\"feeds-h\">\n<h2 id=\"feeds-h\">Feeds <span class=\"count\">{stale} stale of {}</span></h2>\n<p class=\"lede\">Every data series the rules read, with its newest observation on or before {}. A series is stale when its feed's <code>stale_after</code> has passed with no observation: every rule reading it is unknown until new data arrives, rather than read as a lull.</p>\n",
        board.feeds.len(),
        r.at
    );
    // Focusable, so that a keyboard can scroll it on a narrow screen.
    s.push_str("<div class=\"scroll\" role=\"region\" aria-label=\"Feeds table\" tabindex=\"0\"><table class=\"feeds\">\n<caption class=\"visually-hidden\">Freshness of every data series the rules read</caption>\n<thead><tr><th scope=\"col\">Data series</th><th scope=\"col\">Newest</th><th scope=\"col\">Age</th><th scope=\"col\">Stale after</th><th scope=\"col\">Now</th>");
    // With no feed stale the last column would be empty on every row.
    let unknown: Vec<Vec<&str>> = (0..board.feeds.len())
        .map(|i| unknown_because(r, i, why))
        .collect();
    let with_rules = unknown.iter().any(|u| !u.is_empty());
    if with_rules {
        s.push_str("<th scope=\"col\">Rules unknown because of it</th>");
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    // The board lists the feeds in the order of `Model::data`, which is
    // what a reason's `stale` index points into.
    for (f, rules) in board.feeds.iter().zip(&unknown) {
        s.push_str(&row(f, with_rules.then_some(rules.as_slice())));
    }
    s.push_str("</tbody>\n</table></div>\n</section>\n");
    s
}

/// The rules unknown because feed `i` is stale, each once (a rule with
/// `by:` has a result for each of its instances).
fn unknown_because<'a>(r: &'a Report, i: usize, why: &HashMap<String, Why>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    r.results
        .iter()
        .filter(|x| {
            why.get(&x.name)
                .is_some_and(|w| w.reasons.iter().any(|y| y.stale == Some(i)))
        })
        .map(|x| x.name.as_str())
        .filter(|name| seen.insert(*name))
        .collect()
}

/// A feed's row; `unknown` is `None` when the table has no column for
/// the rules it makes unknown.
fn row(f: &FeedRow, unknown: Option<&[&str]>) -> String {
    let class = match (f.stale, &f.stale_after) {
        (true, _) => "feed-stale",
        (false, Some(_)) => "feed-fresh",
        (false, None) => "feed-undeclared",
    };
    let mut s = format!(
        "<tr class=\"{class}\" id=\"{}\"><th scope=\"row\"><code>{}</code>",
        feed_anchor(&f.name),
        esc(&f.name)
    );
    if let Some(t) = &f.title {
        let _ = write!(s, "<span class=\"sub feed-title\">{}</span>", esc(t));
    }
    for src in &f.sources {
        let _ = write!(s, "<span class=\"sub\">Source: {}</span>", esc(src));
    }
    if let Some(d) = &f.description {
        let _ = write!(s, "<span class=\"sub\">{}</span>", esc(d));
    }
    s.push_str("</th>");
    match (&f.newest, f.age_days) {
        (Some(n), Some(age)) => {
            let _ = write!(
                s,
                "<td><time datetime=\"{n}\">{n}</time></td><td class=\"num\">{}</td>",
                plural(age.max(0) as usize, "day", "days")
            );
        }
        _ => s.push_str("<td>no observation</td><td class=\"num\">–</td>"),
    }
    let _ = write!(
        s,
        "<td>{}</td>",
        f.stale_after.as_deref().map_or_else(
            || "<span class=\"sub\">not declared</span>".to_string(),
            esc
        )
    );
    s.push_str(match (f.stale, &f.stale_after) {
        (true, _) => "<td><span class=\"chip feed-stale\">✗ Stale</span></td>",
        (false, Some(_)) => "<td><span class=\"chip feed-fresh\">✓ Fresh</span></td>",
        (false, None) => "<td><span class=\"sub\">never stale</span></td>",
    });
    let Some(unknown) = unknown else {
        s.push_str("</tr>\n");
        return s;
    };
    s.push_str("<td>");
    let links: Vec<String> = unknown
        .iter()
        .map(|n| {
            format!(
                "<a href=\"#{}\"><code>{}</code></a>",
                rule_anchor(n),
                esc(n)
            )
        })
        .collect();
    s.push_str(&links.join(", "));
    s.push_str("</td></tr>\n");
    s
}
