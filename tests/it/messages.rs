//! Messages that once misled a reader of real exports, as a person sees
//! them now: each is a golden text.

use crate::common::{project, tocsin};
use tocsin::diag::render;
use tocsin::workspace::{load, Contents, SourceFile};

fn file(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        contents: Contents::Text(text.to_string()),
    }
}

/// A few ACLED-style events, spelled as ACLED spells them.
const ACLED: &str = "\
EVENT_DATE,SUB_EVENT_TYPE,ACTOR1,FATALITIES
2024-01-10,Air/drone strike,Military Forces of Yemen (2017-) Houthi,0
2024-01-12,Shelling/artillery/missile attack,Military Forces of Yemen (2017-) Houthi,2
2024-01-15,Air/drone strike,Military Forces of the United States (2021-2025),1
2024-01-20,Change to group/activity,Military Forces of Yemen (2017-) Houthi,0
";

/// The diagnostics of one rule file checked against `acled.csv`.
fn diagnose(rules: &str, data: &str) -> String {
    let ws = load(
        &[file("rules/t.rules", rules)],
        &[file("indicators/acled.csv", data)],
    );
    render::to_plain_string(&ws.diagnostics, &ws.sources)
}

#[test]
fn ordering_comparison_with_a_quoted_number() {
    insta::assert_snapshot!(diagnose(
        "indicator deadly { when: count(acled[fatalities >= \"1\"], 30d) > 0 }\n",
        ACLED
    ));
}

#[test]
fn ordering_comparison_with_text() {
    insta::assert_snapshot!(diagnose(
        "indicator deadly { when: count(acled[actor1 > \"Houthi\"], 30d) > 0 }\n",
        ACLED
    ));
}
