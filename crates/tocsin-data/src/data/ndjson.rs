//! NDJSON indicator files (`.ndjson`, `.jsonl`): one observation object a
//! line, the append-only form for feeds.
//!
//! Each line is an observation as in a JSON file's `observations` array,
//! plus an optional `series` key naming its series (default: the file's
//! stem). Blank lines are skipped; a line may end in CRLF.

use super::json::ObservationReader;
use super::{ColumnSelection, FileData};
use crate::diag::{Diagnostic, FileId};

/// Parses an NDJSON file; see the module documentation.
/// Only the fields `selection` keeps get cells.
pub(super) fn load(
    file: FileId,
    stem: &str,
    text: &str,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    let mut reader = ObservationReader::new(file, text, stem);
    reader.selection = selection.clone();
    read(reader, text)
}

/// Reads the lines of `text` with `reader`.
fn read<'a>(mut reader: ObservationReader<'a>, text: &'a str) -> Result<FileData, Diagnostic> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, line) in body.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let number = u32::try_from(i + 1).unwrap_or(u32::MAX);
        reader.read(line, number, None)?;
    }
    Ok(reader.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Batch;
    use crate::diag::render::one_line;
    use crate::diag::SourceMap;

    fn load_ok(text: &str) -> Vec<Batch> {
        match load(FileId(0), "feed-a", text, &ColumnSelection::All) {
            Ok(data) => data.batches,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn load_err(text: &str) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add("feed.ndjson", text);
        match load(file, "feed", text, &ColumnSelection::All) {
            Ok(data) => panic!("loaded {:?}", data.batches),
            Err(e) => one_line(&e, &sources),
        }
    }

    fn cells(batch: &Batch) -> Vec<String> {
        batch.grid()
    }

    #[test]
    fn a_series_object_on_a_line_is_said_to_belong_in_a_json_file() {
        let text = "{\"series\": \"s\", \"observations\": [{\"date\": \"2025-01-01\"}]}\n";
        let mut sources = SourceMap::new();
        let file = sources.add("feed.ndjson", text);
        let e = load(file, "feed", text, &ColumnSelection::All).unwrap_err();
        assert!(e.message.starts_with("observation has no date"), "{e:?}");
        assert!(
            e.notes[0].starts_with("this looks like a series object"),
            "{e:?}"
        );
        // An observation merely without a date gets no such note.
        let e = load(file, "feed", "{\"value\": 1}\n", &ColumnSelection::All).unwrap_err();
        assert!(e.notes.is_empty(), "{e:?}");
    }

    #[test]
    fn one_observation_a_line_with_the_series_key() {
        let text = "{\"series\":\"incidents\",\"date\":\"2025-03-01\",\"value\":2}\n\
                    {\"series\":\"incidents\",\"date\":\"2025-03-02T23:10:00+00:00\",\"value\":5}\n";
        let [b] = &load_ok(text)[..] else { panic!() };
        assert_eq!(b.series, "incidents");
        assert_eq!(b.values, [2.0, 5.0]);
        assert_eq!(b.lines, [1, 2]);
        assert_eq!(b.dates[1].to_string(), "2025-03-02");
        assert!(b.fields.names().is_empty() && b.grid().is_empty());
    }

    #[test]
    fn default_series_blank_lines_crlf_and_events() {
        let text = "\u{feff}{\"date\":\"2025-03-01\",\"actor\":\"A\"}\r\n\r\n   \n{\"at\":\"2025-03-02\",\"series\":\"other-feed\",\"value\":1.5}\n{\"date\":\"2025-03-03\",\"Actor\":\"B\",\"n\":3}";
        let [a, b] = &load_ok(text)[..] else { panic!() };
        assert_eq!(a.series, "feed_a");
        assert_eq!(a.values, [1.0, 1.0]);
        assert_eq!(a.lines, [1, 5]);
        assert_eq!(a.fields.names(), ["actor", "n"]);
        assert_eq!(cells(a), ["A", "", "B", "3"]);
        assert_eq!(b.series, "other_feed");
        assert_eq!(b.lines, [4]);
        assert!(b.fields.names().is_empty());
    }

    #[test]
    fn errors_name_the_line_and_column() {
        let ok = "{\"date\":\"2025-03-01\"}\n";
        assert_eq!(
            load_err(&format!(
                "{ok}\n{{\"date\":\"2025-03-02\",\"value\":\"5\"}}\n"
            )),
            "feed.ndjson:3:30: error[E305]: value '\"5\"' is not a number"
        );
        assert_eq!(
            load_err(&format!("{ok}{{\"date\":\"03/02/2025\"}}\n")),
            "feed.ndjson:2:9: error[E304]: date '03/02/2025' is ambiguous: it could be read day-first or month-first"
        );
        assert_eq!(
            load_err(&format!("{ok}{{\"date\":\"2025-03-02\",}}\n")),
            "feed.ndjson:2:22: error[E308]: invalid JSON: trailing comma"
        );
        assert_eq!(
            load_err(&format!("{ok}[1]\n")),
            "feed.ndjson:2:1: error[E308]: expected an object, found an array"
        );
        assert_eq!(
            load_err(&format!("{ok}{{\"value\":1}}\r\n")),
            "feed.ndjson:2:1: error[E302]: observation has no date: expected a key named date, at, time, timestamp or event_date"
        );
        assert_eq!(
            load_err(&format!("{ok}{{\"date\":\"2025-03-02\",\"series\":7}}\n")),
            "feed.ndjson:2:31: error[E308]: `series` must be a string, found a number"
        );
        assert_eq!(
            load_err(&format!("{ok}{{\"date\":\"2025-03-02\"}} {{}}\n")),
            "feed.ndjson:2:23: error[E308]: invalid JSON: trailing characters"
        );
    }

    #[test]
    fn empty_files_define_an_empty_series() {
        for text in ["", "\n \r\n", "\u{feff}"] {
            let batches = load_ok(text);
            assert_eq!(batches.len(), 1, "{text:?}");
            assert_eq!(batches[0].series, "feed_a");
            assert!(batches[0].dates.is_empty());
        }
    }

    #[test]
    fn a_field_per_line_loads_in_linear_time_and_names_are_capped() {
        use crate::data::MAX_FIELD_NAMES;
        let line = |i: usize| format!("{{\"date\":\"2025-01-01\",\"f{i}\":\"x{i}\"}}\n");
        let text: String = (0..MAX_FIELD_NAMES).map(line).collect();
        let started = std::time::Instant::now();
        let [b] = &load_ok(&text)[..] else { panic!() };
        assert!(started.elapsed().as_secs_f64() < 2.0);
        assert_eq!(b.fields.names().len(), MAX_FIELD_NAMES);
        assert_eq!(b.fields.get(9_999, 9_999), "x9999");
        assert_eq!(b.fields.get(9_999, 0), "");
        let over = format!("{text}{}", line(MAX_FIELD_NAMES));
        assert_eq!(
            load_err(&over),
            "feed.ndjson:10001:31: error[E312]: more than 10000 field names in one file: 'f10000' is one too many"
        );
        // Names differing only in case are one field; series share names.
        let same = format!("{text}{}", line(5).replace("f5", "F5"));
        assert!(load(FileId(0), "feed", &same, &ColumnSelection::All).is_ok());
    }

    #[test]
    fn lines_and_observations_over_the_limits_are_errors() {
        use crate::data::{MAX_CELLS, MAX_RECORD_BYTES};
        let ok = "{\"date\":\"2025-01-01\"}\n";
        let long = format!(
            "{ok}{{\"date\":\"2025-01-02\",\"n\":\"{}\"}}\n",
            "x".repeat(MAX_RECORD_BYTES)
        );
        assert_eq!(
            load_err(&long),
            "feed.ndjson:2:1: error[E314]: line is 1048604 bytes long; tocsin reads at most 1048576 bytes (1 MiB) in one"
        );
        let keys = |n: usize| {
            let keys: Vec<String> = (1..n).map(|i| format!("\"k{i}\":1")).collect();
            format!("{{\"date\":\"2025-01-01\",{}}}\n", keys.join(","))
        };
        let [b] = &load_ok(&keys(MAX_CELLS))[..] else {
            panic!()
        };
        assert_eq!(b.fields.names().len(), MAX_CELLS - 1);
        assert_eq!(
            load_err(&keys(MAX_CELLS + 1)),
            "feed.ndjson:1:98914: error[E313]: observation has 10001 keys; tocsin reads at most 10000 in one"
        );
        // Many keys are checked for repeats by hash, and still found.
        let twice = keys(100).replace("\"k7\":1", "\"K99\":1");
        assert!(
            load_err(&twice).contains("error[E308]: key 'k99' appears twice in one observation")
        );
    }

    #[test]
    fn field_columns_over_all_series_are_capped() {
        let text = "{\"date\":\"2025-01-01\",\"series\":\"a\",\"x\":1,\"y\":2}\n\
                    {\"date\":\"2025-01-01\",\"series\":\"b\",\"x\":1}\n\
                    {\"date\":\"2025-01-02\",\"series\":\"a\",\"x\":1}\n\
                    {\"date\":\"2025-01-01\",\"series\":\"c\",\"z\":1}\n";
        let mut sources = SourceMap::new();
        let file = sources.add("feed.ndjson", text);
        let limited = |max: usize| {
            let mut reader = ObservationReader::new(file, text, "feed");
            reader.max_field_columns = max;
            read(reader, text)
        };
        assert!(limited(4).is_ok());
        let err = limited(3).err().map(|e| one_line(&e, &sources));
        assert_eq!(
            err.as_deref(),
            Some("feed.ndjson:4:39: error[E312]: the file's series have more than 3 field columns in all; series 'c' has one too many")
        );
    }
}
