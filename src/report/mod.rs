//! The warning board as one self-contained HTML page: the board's cards,
//! a chart of every series the rules read with their thresholds and
//! windows, and a timeline of each rule's status. Pure: it takes what the
//! evaluator computed and returns the page; inline CSS and SVG only, no
//! script, nothing fetched from anywhere.

mod axis;
mod board;
mod charts;
mod feeds;
mod history;
pub mod html;
mod instances;
pub mod reads;
pub mod svg;
mod ticks;
mod unknown;

use crate::board::{Board, Entry};
use crate::data::Store;
use crate::diag::SourceMap;
use crate::eval::backtest::Backtest;
use crate::eval::{Evaluator, Model, RuleResult, Status};
use crate::time::Date;
use html::{esc, plural, status_class};
use std::fmt::Write;

/// Everything the page shows.
pub struct Report<'a> {
    /// The evaluation date.
    pub at: Date,
    /// First date of the charts and of the status history.
    pub from: Date,
    /// The rules and the series they read.
    pub model: &'a Model,
    /// The data, for the series' units and descriptions.
    pub store: &'a Store,
    /// Every rule's result at `at`, in program order.
    pub results: &'a [RuleResult],
    /// Every rule's status on every day from `from` to `at`.
    pub backtest: &'a Backtest,
    /// The rule files, for the place each rule is written.
    pub sources: &'a SourceMap,
}

const STYLE: &str = include_str!("style.css");

/// The page.
pub fn render(r: &Report) -> String {
    let board = Board::new(r.at, r.model, r.results, r.sources);
    let mut ev = Evaluator::new(r.model);
    let reads = reads::find(&mut ev, r.at);
    let why = unknown::find(&mut ev, r);
    let mut page = String::with_capacity(1 << 18);
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"tocsin {}\">\n<title>Warning board at {} · tocsin</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        r.at
    );
    page.push_str(&masthead(r, &board));
    page.push_str("<main>\n");
    page.push_str(&board::section(r, &board, &why));
    page.push_str(&feeds::section(r, &board, &why));
    page.push_str(&charts::section(r, &reads, &mut ev));
    page.push_str(&history::section(r, &board));
    page.push_str("</main>\n");
    let _ = write!(
        page,
        "<footer class=\"page-foot\"><p>Made by tocsin {} from {} and {}. Evaluated at {}; status history by day from {} to {}.</p></footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION"),
        plural(r.model.program.rules.len(), "rule", "rules"),
        plural(r.model.program.series.len(), "series", "series"),
        r.at,
        r.from,
        r.at
    );
    page
}

fn masthead(r: &Report, board: &Board) -> String {
    let alerts: Vec<_> = board.results.iter().filter(|x| x.kind == "alert").collect();
    let met_alerts: Vec<_> = alerts.iter().filter(|x| x.status == Status::Met).collect();
    let mut s = String::from("<header class=\"masthead\">\n<div class=\"wrap\">\n");
    let _ = write!(
        s,
        "<p class=\"brand\">tocsin · warning board</p>\n<h1>Warning board at <time datetime=\"{at}\">{at}</time></h1>\n",
        at = r.at
    );
    // Counted by rule, as the sections below count; a rule with `by:`
    // also by instance, as the status pills count.
    let entries = board.entries();
    let rules_of = |kind: &str| entries.iter().filter(|e| e.kind() == kind).count();
    let (alert_rules, indicator_rules) = (rules_of("alert"), rules_of("indicator"));
    let alert_rules_met = entries
        .iter()
        .filter(|e| e.kind() == "alert")
        .filter(|e| match e {
            Entry::Rule(row) => row.status == Status::Met,
            Entry::Grouped(rows) => rows.iter().any(|row| row.status == Status::Met),
        })
        .count();
    let instances = alerts.len() != alert_rules;
    let headline = if alerts.is_empty() {
        "No alert in the ruleset.".to_string()
    } else if met_alerts.is_empty() {
        format!("No alert met out of {alert_rules}.")
    } else {
        let mut by_sev: Vec<String> = Vec::new();
        for sev in ["critical", "warning", "watch", "info"] {
            let n = met_alerts
                .iter()
                .filter(|x| x.severity == Some(sev))
                .count();
            if n > 0 {
                by_sev.push(format!("{n} {sev}"));
            }
        }
        let counted = if instances {
            format!(
                " ({} of {} counting each instance)",
                met_alerts.len(),
                alerts.len()
            )
        } else {
            String::new()
        };
        format!(
            "{alert_rules_met} of {alert_rules} alerts met{counted}: {}.",
            by_sev.join(", ")
        )
    };
    let _ = write!(
        s,
        "<p class=\"headline\">{}</p>\n<p class=\"subtitle\">{} and {} evaluated at {}, reading {}; charts and status history from {} to {}.</p>\n",
        esc(&headline),
        plural(alert_rules, "alert", "alerts"),
        plural(indicator_rules, "indicator", "indicators"),
        r.at,
        plural(r.model.data.len(), "data series", "data series"),
        r.from,
        r.at
    );
    s.push_str("<ul class=\"tally\" aria-label=\"Rules by status\">\n");
    for (status, n) in board.tally() {
        let _ = writeln!(
            s,
            "<li class=\"pill {}\"><strong>{n}</strong> {}</li>",
            status_class(status),
            html::status_label(status).to_lowercase()
        );
    }
    s.push_str("</ul>\n<nav aria-label=\"Sections\"><a href=\"#alerts\">Alerts</a> <a href=\"#indicators\">Indicators</a> ");
    if !board.feeds.is_empty() {
        s.push_str("<a href=\"#feeds\">Feeds</a> ");
    }
    s.push_str("<a href=\"#data\">Indicator data</a> <a href=\"#history\">Status history</a></nav>\n</div>\n</header>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{backtest, evaluate};
    use crate::time::Duration;
    use crate::workspace::{load, SourceFile};

    fn page(rules: &str, data: &[(&str, &str)], at: &str, from: &str) -> String {
        let data: Vec<SourceFile> = data.iter().map(|(n, t)| SourceFile::text(*n, *t)).collect();
        let ws = load(&[SourceFile::text("r.rules", rules)], &data);
        let model = ws.model.as_ref().expect("the rules check");
        let (at, from) = (Date::parse_iso(at).unwrap(), Date::parse_iso(from).unwrap());
        let results = evaluate(model, at);
        let days = backtest::steps(from, at, Duration::Days(1));
        let history = backtest::run(model, &days, Duration::Days(1), None, |_| {});
        render(&Report {
            at,
            from,
            model,
            store: &ws.store,
            results: &results,
            backtest: &history,
            sources: &ws.sources,
        })
    }

    #[test]
    fn user_text_is_escaped_everywhere() {
        let html = page(
            "indicator x {\n  title: \"<script>alert('t')</script>\"\n  when: count(e[\"k<\" == \"a&b\"], 30d) >= 1\n  summary: \"Q \\\"<b>{count(e, 30d)}</b>\\\"\"\n  source: \"<img src=x onerror=alert(1)>\"\n  tags: [\"<i>\"]\n}\n",
            &[("e.csv", "date,k<\n2025-07-01,a&b\n")],
            "2025-07-20",
            "2025-06-01",
        );
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(!html.contains("<i>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("e[&quot;k&lt;&quot; == &quot;a&amp;b&quot;]"));
    }

    const FEEDS: &str = "feed e {\n  stale_after: 10d\n  title: \"<script>t</script>\"\n  source: \"<img src=x>\"\n  description: \"a & b\"\n}\nfeed calm { stale_after: 1y }\nindicator busy { when: count(e, 30d) >= 1 }\nindicator calm_ok { when: latest(calm) > 0 }\nalert both { severity: info  when: busy and calm_ok }\n";

    fn feeds_page(at: &str) -> String {
        page(
            FEEDS,
            &[
                ("e.csv", "date\n2025-07-01\n"),
                ("calm.csv", "date,value\n2025-07-01,4\n"),
            ],
            at,
            "2025-06-01",
        )
    }

    /// The table row of a feed.
    fn feed_row<'a>(html: &'a str, name: &str) -> &'a str {
        let id = html
            .find(&format!("id=\"feed-{name}\""))
            .expect("the feed's row");
        let start = html[..id].rfind("<tr").unwrap();
        &html[start..start + html[start..].find("</tr>").unwrap()]
    }

    #[test]
    fn the_feeds_section_marks_stale_feeds_and_names_the_rules_they_leave_unknown() {
        let html = feeds_page("2025-07-20");
        assert!(html.contains("<a href=\"#feeds\">Feeds</a>"));
        assert!(html.contains("Feeds <span class=\"count\">1 stale of 2</span>"));
        let stale = feed_row(&html, "e");
        assert!(stale.starts_with("<tr class=\"feed-stale\""), "{stale}");
        assert!(stale.contains("<time datetime=\"2025-07-01\">2025-07-01</time>"));
        assert!(stale.contains("19 days"));
        assert!(stale.contains("<td>10d</td>"));
        assert!(stale.contains("✗ Stale"));
        // The rule reading it and the alert reading that rule.
        assert!(
            stale.contains("<a href=\"#rule-busy\"><code>busy</code></a>, <a href=\"#rule-both\">")
        );
        assert!(stale.contains("&lt;script&gt;t&lt;/script&gt;"));
        assert!(stale.contains("Source: &lt;img src=x&gt;"));
        assert!(stale.contains("a &amp; b"));
        let fresh = feed_row(&html, "calm");
        assert!(fresh.starts_with("<tr class=\"feed-fresh\""), "{fresh}");
        assert!(fresh.contains("✓ Fresh"));
        assert!(!fresh.contains("#rule-"), "{fresh}");
        assert!(!html.contains("<script") && !html.contains("<img"));
    }

    #[test]
    fn an_unknown_card_gives_the_stale_reason_and_links_the_feed() {
        let html = feeds_page("2025-07-20");
        let reason = "<li class=\"feed-stale\">stale: newest observation of <code>e</code> 2025-07-01, more than 10d before 2025-07-20 <a href=\"#feed-e\">feed</a></li>";
        for rule in ["busy", "both"] {
            let at = html.find(&format!("id=\"rule-{rule}\"")).unwrap();
            let card = &html[at..at + html[at..].find("</article>").unwrap()];
            assert!(card.contains("✗ stale feed"), "{card}");
            assert!(card.contains(reason), "{card}");
        }
        let at = html.find("id=\"rule-calm_ok\"").unwrap();
        let card = &html[at..at + html[at..].find("</article>").unwrap()];
        assert!(!card.contains("Unknown because") && !card.contains("stale feed"));
    }

    #[test]
    fn fresh_feeds_leave_no_reason_and_a_series_without_a_feed_is_never_stale() {
        let html = feeds_page("2025-07-05");
        assert!(!html.contains("Unknown because"));
        assert!(html.contains("Feeds <span class=\"count\">0 stale of 2</span>"));
        let html = page(
            "indicator a { when: count(e, 30d) >= 1 }\n",
            &[("e.csv", "date\n2025-07-01\n")],
            "2026-07-20",
            "2026-07-01",
        );
        let row = feed_row(&html, "e");
        assert!(row.starts_with("<tr class=\"feed-undeclared\""), "{row}");
        assert!(row.contains("not declared") && row.contains("never stale"));
    }

    #[test]
    fn an_unknown_rule_with_no_stale_feed_gives_its_reason_unmarked() {
        let html = page(
            "indicator a { when: latest(e) > 1 }\n",
            &[("e.csv", "date,value\n2025-07-01,3\n")],
            "2025-06-20",
            "2025-06-01",
        );
        let at = html.find("id=\"rule-a\"").unwrap();
        let card = &html[at..at + html[at..].find("</article>").unwrap()];
        assert!(card.contains("Unknown because"), "{card}");
        assert!(!card.contains("stale"), "{card}");
        assert!(feed_row(&html, "e").contains("no observation"));
    }

    #[test]
    fn a_series_without_data_gives_no_data_charts_and_finite_numbers() {
        let html = page(
            "indicator a { when: sum(level, 30d) > 10 }\nindicator b { when: latest(level) >= 50% }\n",
            &[("level.csv", "date,value\n2020-01-01,3\n")],
            "2025-07-20",
            "2025-07-20",
        );
        assert!(html.contains("No data from 2025-07-20 to 2025-07-20"));
        for bad in ["NaN", "=\"inf", "=\"-inf", "Infinity"] {
            assert!(!html.contains(bad), "{bad}");
        }
        // Both thresholds are known, though neither can be drawn.
        assert!(html.contains("sum(level, 30d)"));
    }

    #[test]
    fn a_value_compared_with_a_percent_shows_as_a_percent() {
        let html = page(
            "indicator a { when: latest(level) >= 300% }\nindicator b { when: latest(level) >= 3 }\n",
            &[("level.csv", "date,value\n2025-07-01,3.2\n")],
            "2025-07-20",
            "2025-07-01",
        );
        let card = |rule: &str| {
            let at = html.find(&format!("id=\"rule-{rule}\"")).unwrap();
            html[at..at + html[at..].find("</article>").unwrap()].to_string()
        };
        assert!(card("a").contains("<strong>320%</strong>"), "{}", card("a"));
        assert!(card("b").contains("<strong>3.2</strong>"), "{}", card("b"));
    }

    #[test]
    fn a_rule_with_instances_is_named_once_among_those_a_stale_feed_leaves_unknown() {
        let html = page(
            "feed e { stale_after: 10d }\nindicator busy { by: k  when: count(e, 30d) >= 1 }\n",
            &[(
                "e.csv",
                "date,k\n2025-07-01,a\n2025-07-01,b\n2025-07-01,c\n",
            )],
            "2025-07-20",
            "2025-06-01",
        );
        let stale = feed_row(&html, "e");
        assert_eq!(stale.matches("#rule-busy").count(), 1, "{stale}");
        // Its card says why its instances are unknown.
        let at = html.find("id=\"rule-busy\"").unwrap();
        let card = &html[at..at + html[at..].find("</article>").unwrap()];
        assert!(card.contains("✗ stale feed"), "{card}");
        assert!(card.contains("Unknown because"), "{card}");
    }

    #[test]
    fn the_headline_counts_rules_as_the_sections_do_and_instances_besides() {
        let headline = |rules: &str| {
            let html = page(
                rules,
                &[("e.csv", "date,k\n2025-07-01,a\n2025-07-02,b\n")],
                "2025-07-20",
                "2025-06-01",
            );
            let at = html.find("<p class=\"headline\">").unwrap();
            html[at..at + html[at..].find("</p>").unwrap()].to_string()
        };
        assert!(
            headline("alert busy { severity: warning  by: k  when: count(e, 30d) >= 1 }\n")
                .ends_with("1 of 1 alerts met (2 of 2 counting each instance): 2 warning.")
        );
        assert!(headline("indicator busy { when: count(e, 30d) >= 1 }\n")
            .ends_with("No alert in the ruleset."));
    }

    #[test]
    fn no_column_is_empty_on_every_row() {
        // With no feed stale, no rule is unknown because of one.
        let html = feeds_page("2025-07-05");
        assert!(!html.contains("Rules unknown because of it"));
        assert!(!feed_row(&html, "e").contains("<td></td>"));
        let html = feeds_page("2025-07-20");
        assert!(html.contains("Rules unknown because of it"));
        // The changes column hides on narrow screens with its heading.
        assert!(html.contains("<th scope=\"col\" class=\"changes\">Changes</th>"));
    }
}
