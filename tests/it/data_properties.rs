//! Properties of the data loaders: any text, as a CSV, JSON or NDJSON file,
//! loads or is refused with a diagnostic that renders; never a panic.

use proptest::prelude::*;
use tocsin::data::{load_text, Format};
use tocsin::diag::render::{one_line, record, to_plain_string};
use tocsin::diag::SourceMap;

fn load_all_ways(text: &str) {
    for (name, format) in [
        ("feed.csv", Format::Csv),
        ("feed.json", Format::Json),
        ("feed.ndjson", Format::Ndjson),
    ] {
        let mut sources = SourceMap::new();
        let id = sources.add(name, text);
        let diags = match load_text(id, "feed", format, text) {
            Ok(data) => data.warnings,
            Err(d) => vec![d],
        };
        for d in &diags {
            let _ = to_plain_string(std::slice::from_ref(d), &sources);
            let _ = one_line(d, &sources);
            let _ = serde_json::to_string(&record(d, &sources));
        }
    }
}

/// Text made of the pieces data files are made of, so that the loaders get
/// past their first line more often than with arbitrary characters.
fn data_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("date,value\n".to_string()),
        Just("date,series,value,actor\n".to_string()),
        Just("2025-07-20".to_string()),
        Just("2024-02-29".to_string()),
        Just("20 July 2025".to_string()),
        Just("2025-03-02T23:10:00Z".to_string()),
        Just(",".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\"".to_string()),
        Just("{\"date\": \"2025-01-01\", \"value\": 3}".to_string()),
        Just("{\"series\": \"s\", \"observations\": [".to_string()),
        Just("]}".to_string()),
        Just("1e308".to_string()),
        Just("-0.5".to_string()),
        Just("NaN".to_string()),
        Just("\u{feff}".to_string()),
        "[0-9]{1,6}",
        "[a-z ]{0,8}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_text_loads_or_is_refused(text in any::<String>()) {
        load_all_ways(&text);
    }

    #[test]
    fn data_like_text_loads_or_is_refused(text in data_like()) {
        load_all_ways(&text);
    }
}
