//! A backtest cut into shares on several threads tells exactly what one
//! evaluator on one thread tells.

use super::*;
use crate::workspace::{load, Contents, SourceFile};
use std::fmt::Write;

const RULES: &str = r#"
indicator busy { when: count(ev, 20d) >= 12 }
indicator deadly { by: country when: sum(ev.fatalities, 30d) >= 9 for: 10d }
indicator strikes { by: country when: count(ev[kind == "strike"], 15d) >= 2 }
alert both {
  severity: warning
  by: country
  when: deadly and strikes and busy
}
indicator calm { when: not busy for: 7d }
indicator pairs { by: country, kind when: count(ev, 25d) >= 3 or calm }
"#;

/// Events in a few countries, one appearing late and one after the range.
fn events() -> String {
    let mut csv = String::from("date,country,kind,fatalities\n");
    let start = Date::parse_iso("2025-01-01").unwrap();
    let mut x: u32 = 7;
    for day in 0..215 {
        let date = start.add_days(day).unwrap();
        for _ in 0..3 {
            // A small linear congruential generator: the same rows each run.
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let r = (x >> 16) as usize;
            let country = match r % 7 {
                0..=2 => "Yemen",
                3 | 4 => "Sudan",
                5 if day > 120 => "Mali",
                5 => "Sudan",
                _ if day > 205 => "Chad",
                _ => continue,
            };
            let kind = ["strike", "raid", "protest"][(r / 7) % 3];
            let _ = writeln!(csv, "{date},{country},{kind},{}", (r / 21) % 5);
        }
    }
    csv
}

fn file(name: &str, text: String) -> SourceFile {
    SourceFile {
        name: name.into(),
        contents: Contents::Text(text),
    }
}

#[test]
fn shares_on_threads_tell_what_one_evaluator_tells() {
    let ws = load(
        &[file("r.rules", RULES.to_string())],
        &[file("ev.csv", events())],
    );
    assert!(
        !ws.diagnostics.iter().any(|d| d.is_error()),
        "{:?}",
        ws.diagnostics
    );
    let model = ws.model.expect("a model");
    let from = Date::parse_iso("2025-01-10").unwrap();
    let to = Date::parse_iso("2025-07-25").unwrap();
    let dates = steps(from, to, Duration::Days(1));
    let outcome = Some(Outcome {
        series: "ev".to_string(),
        first: Some(Date::parse_iso("2025-05-01").unwrap()),
    });
    let one = run_with(
        &model,
        &dates,
        Duration::Days(1),
        outcome.clone(),
        |_| {},
        (1, 0, 1),
    );
    // Every rule kind is there, met and not, with and without `for:`.
    assert!(one.rules.iter().any(|h| h.labels.is_empty()));
    assert!(one
        .rules
        .iter()
        .any(|h| h.name == "both" && h.met_steps > 0));
    assert!(one.rules.iter().any(|h| h.pending_steps > 0));
    assert!(one
        .rules
        .iter()
        .any(|h| h.name == "pairs" && h.labels.len() == 2));
    assert!(one
        .rules
        .iter()
        .any(|h| h.labels.iter().any(|(_, v)| &**v == "Mali")));
    assert!(!one
        .rules
        .iter()
        .any(|h| h.labels.iter().any(|(_, v)| &**v == "Chad")));
    assert_eq!(one.groups.len(), 4);
    let json = serde_json::to_string(&one).unwrap();
    for (shares, threads) in [(2, 2), (7, 3), (60, 2), (60, 1)] {
        let (plan, _) = shares::plan(&model, &dates, shares, 0);
        assert!(plan.len() > 1, "{shares} shares planned as {}", plan.len());
        let mut told = Vec::new();
        let many = run_with(
            &model,
            &dates,
            Duration::Days(1),
            outcome.clone(),
            |k| told.push(k),
            (shares, 0, threads),
        );
        assert_eq!(
            serde_json::to_string(&many).unwrap(),
            json,
            "{shares} shares"
        );
        assert_eq!(many, one);
        // Progress only grows, and ends at the number of steps.
        assert!(told.windows(2).all(|w| w[0] < w[1]), "{told:?}");
        assert_eq!(told.last(), Some(&dates.len()));
    }
}
