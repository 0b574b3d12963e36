//! JSON indicator files, and the observation objects that JSON and NDJSON
//! files share.
//!
//! A JSON file is one series object or an array of them:
//! `{"series": NAME, "unit": "...", "description": "...", "observations": [...]}`.
//! Objects are read as ordered lists of raw values borrowed from the text
//! (see [`Entries`]), so every value keeps its byte offset for diagnostics.

use super::date::{date_diagnostic, is_date_name, parse_date, quote};
use super::{
    series_name, Batch, ColumnSelection, FileData, MAX_CELLS, MAX_FIELD_COLUMNS, MAX_FIELD_NAMES,
    MAX_RECORD_BYTES,
};
use crate::diag::{Code, Diagnostic, FileId, Span};
use crate::time::Date;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// Parses a JSON file; see the module documentation and `spec/data.md`.
/// Only the fields `selection` keeps get cells.
pub(super) fn load(
    file: FileId,
    stem: &str,
    text: &str,
    selection: &ColumnSelection,
) -> Result<FileData, Diagnostic> {
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let body = text.get(bom..).unwrap_or("");
    let mut reader = ObservationReader::new(file, text, stem);
    reader.selection = selection.clone();
    if body.trim().is_empty() {
        return Ok(reader.finish());
    }
    let src = reader.src;
    let top: &RawValue = serde_json::from_str(body).map_err(|e| src.syntax_error(body, &e))?;
    let objects: Vec<&RawValue> = match top.get().as_bytes().first() {
        Some(b'{') => vec![top],
        Some(b'[') => {
            serde_json::from_str(top.get()).map_err(|e| src.syntax_error(top.get(), &e))?
        }
        _ => {
            return Err(src.shape(
                top.get(),
                "expected a series object or an array of series objects",
            ))
        }
    };
    let mut lines = LineCounter::new(text);
    let mut entries = Vec::new();
    for object in objects {
        read_entries(&src, object.get(), &mut entries)
            .map_err(|e| e.with_note("each element of the array must be a series object: {\"series\": ..., \"observations\": [...]}"))?;
        let series = SeriesObject::of(&src, object.get(), &entries, stem)?;
        let batch = reader.batch(series.name);
        reader.set_info(batch, series.unit, series.description);
        let Some(observations) = series.observations else {
            continue;
        };
        if !observations.starts_with('[') {
            return Err(src.shape(
                observations,
                "`observations` must be an array of observation objects",
            ));
        }
        let list: Vec<&RawValue> =
            serde_json::from_str(observations).map_err(|e| src.syntax_error(observations, &e))?;
        for raw in list {
            let line = lines.line_at(src.offset(raw.get()));
            reader.read(raw.get(), line, Some(batch))?;
        }
    }
    Ok(reader.finish())
}

/// The keys of a series object that tocsin reads; others are ignored.
struct SeriesObject<'a> {
    name: String,
    unit: Option<String>,
    description: Option<String>,
    observations: Option<&'a str>,
}

impl<'a> SeriesObject<'a> {
    /// The series object `raw`, whose entries are `entries`.
    fn of(
        src: &Source,
        raw: &str,
        entries: &[(Cow<'a, str>, &'a RawValue)],
        stem: &str,
    ) -> Result<SeriesObject<'a>, Diagnostic> {
        let mut object = SeriesObject {
            name: series_name(stem),
            unit: None,
            description: None,
            observations: None,
        };
        let mut has_date = false;
        for (key, value) in entries {
            let value = value.get();
            // Kept whole as they are, unlike observations: bounded too,
            // so that no text is copied past the limit.
            if value.len() > MAX_RECORD_BYTES && matches!(&**key, "unit" | "description") {
                return Err(src.long_observation(value, key));
            }
            match &**key {
                "series" => object.name = src.series_name(value)?,
                "unit" => object.unit = src.optional_string(value, "unit")?,
                "description" => object.description = src.optional_string(value, "description")?,
                "observations" => object.observations = Some(value),
                other => {
                    has_date |= is_date_name(other);
                    if let Some(e) = src.unknown_series_key(key, value) {
                        return Err(e);
                    }
                }
            }
        }
        if object.observations.is_none() && has_date {
            return Err(Diagnostic::error(
                Code::InvalidJson,
                "expected a series object with `observations`, found what looks like one observation",
            )
            .with_primary(src.first_line(raw), "an object with a date key")
            .with_note("write {\"series\": NAME, \"observations\": [{\"date\": ..., \"value\": ...}]}, or one observation a line in an .ndjson file"));
        }
        Ok(object)
    }
}

/// Reads observation objects into batches, one per series in order of
/// first appearance. Shared by the JSON and NDJSON loaders.
pub(super) struct ObservationReader<'a> {
    src: Source<'a>,
    default_series: String,
    batches: Vec<Batch>,
    by_name: HashMap<String, usize>,
    /// The entries of the observation being read, kept to reuse the vector.
    entries: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// Keys of a large observation in ASCII lower case, to find a key given
    /// twice without comparing every pair.
    keys: FxHashMap<String, usize>,
    /// Every field name of the file in lower case, against
    /// [`MAX_FIELD_NAMES`].
    field_names: FxHashSet<String>,
    /// Field columns over all series, against `max_field_columns`.
    field_columns: usize,
    /// [`MAX_FIELD_COLUMNS`], but in tests.
    pub(super) max_field_columns: usize,
    /// The fields whose cells are kept.
    pub(super) selection: ColumnSelection,
    /// Whether each key met is kept, so that a key is looked up in the
    /// selection once, not once an observation.
    kept: FxHashMap<Box<str>, bool>,
}

/// Observations with at most this many keys are searched for a key given
/// twice pair by pair, which is faster than hashing few keys.
const FEW_KEYS: usize = 16;

impl<'a> ObservationReader<'a> {
    /// A reader for `text`; observations without a series go to the
    /// series named after `stem`.
    pub(super) fn new(file: FileId, text: &'a str, stem: &str) -> ObservationReader<'a> {
        ObservationReader {
            src: Source { file, text },
            default_series: series_name(stem),
            batches: Vec::new(),
            by_name: HashMap::new(),
            entries: Vec::new(),
            keys: FxHashMap::default(),
            field_names: FxHashSet::default(),
            field_columns: 0,
            max_field_columns: MAX_FIELD_COLUMNS,
            selection: ColumnSelection::All,
            kept: FxHashMap::default(),
        }
    }

    /// The batch for a series name (normalised), created if new.
    fn batch(&mut self, name: String) -> usize {
        if let Some(&i) = self.by_name.get(&name) {
            return i;
        }
        self.batches.push(Batch {
            series: name.clone(),
            ..Batch::default()
        });
        self.by_name.insert(name, self.batches.len() - 1);
        self.batches.len() - 1
    }

    /// Unit and description of a series, where given.
    fn set_info(&mut self, batch: usize, unit: Option<String>, description: Option<String>) {
        if let Some(b) = self.batches.get_mut(batch) {
            b.unit = unit.or(b.unit.take());
            b.description = description.or(b.description.take());
        }
    }

    /// Reads one observation object, `raw` being a slice of the text that
    /// starts on `line`. With `batch` given, the observation belongs to it
    /// and a `series` key is an ordinary field (JSON files); without, the
    /// `series` key names the series (NDJSON lines).
    pub(super) fn read(
        &mut self,
        raw: &'a str,
        line: u32,
        batch: Option<usize>,
    ) -> Result<(), Diagnostic> {
        let src = self.src;
        if raw.len() > MAX_RECORD_BYTES {
            let what = if batch.is_none() {
                "line"
            } else {
                "observation"
            };
            return Err(src.long_observation(raw, what));
        }
        read_entries(&src, raw, &mut self.entries)?;
        if let Some((_, raw_value)) = self.entries.get(MAX_CELLS) {
            return Err(src.wide_observation(raw_value.get(), self.entries.len()));
        }
        self.keys.clear();
        let (mut date_at, mut value_at, mut series_at) = (None, None, None);
        for (i, (key, raw_value)) in self.entries.iter().enumerate() {
            let earlier = if self.entries.len() <= FEW_KEYS {
                self.entries[..i]
                    .iter()
                    .position(|(k, _)| k.eq_ignore_ascii_case(key))
            } else {
                self.keys.insert(key.to_ascii_lowercase(), i)
            };
            if let Some((earlier, _)) = earlier.and_then(|j| self.entries.get(j)) {
                return Err(src.duplicate_key(earlier, key, raw_value.get()));
            }
            if date_at.is_none() && is_date_name(key) {
                date_at = Some(i);
            } else if value_at.is_none() && key.eq_ignore_ascii_case("value") {
                value_at = Some(i);
            } else if batch.is_none() && series_at.is_none() && key.eq_ignore_ascii_case("series") {
                series_at = Some(i);
            }
        }
        let date = match date_at.and_then(|i| self.entries.get(i)) {
            Some((_, raw_date)) => src.date(raw_date.get())?,
            None => {
                let series_object = self
                    .entries
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("observations"));
                let e = src.no_date(raw);
                return Err(if series_object && batch.is_none() {
                    // A line of an NDJSON file holding what a `.json` file holds.
                    e.with_note("this looks like a series object, with `observations`: write it in a `.json` file, or one observation a line here")
                } else {
                    e
                });
            }
        };
        let value = match value_at.and_then(|i| self.entries.get(i)) {
            Some((_, raw_value)) => src.value(raw_value.get())?,
            None => 1.0,
        };
        let index = match (batch, series_at.and_then(|i| self.entries.get(i))) {
            (Some(index), _) => index,
            (None, Some((_, raw_series))) => {
                let name = src.series_name(raw_series.get())?;
                self.batch(name)
            }
            (None, None) => self.batch(self.default_series.clone()),
        };
        let Some(b) = self.batches.get_mut(index) else {
            return Ok(());
        };
        let row = b.dates.len();
        b.dates.push(date);
        b.values.push(value);
        b.lines.push(line);
        for (i, (key, raw_value)) in self.entries.iter().enumerate() {
            if [date_at, value_at, series_at].contains(&Some(i)) {
                continue;
            }
            let known = b.fields.names().len();
            let col = b.fields.column_or_insert(key);
            // A new column of this series: is it a new name of the file?
            if b.fields.names().len() > known {
                if self.field_names.insert(key.to_lowercase())
                    && self.field_names.len() > MAX_FIELD_NAMES
                {
                    return Err(src.too_many_fields(key, raw_value.get()));
                }
                self.field_columns += 1;
                if self.field_columns > self.max_field_columns {
                    let max = self.max_field_columns;
                    return Err(src.too_many_field_columns(&b.series, max, raw_value.get()));
                }
            }
            let kept = match self.kept.get(key.as_ref()) {
                Some(&kept) => kept,
                None => {
                    let kept = self.selection.keeps(key);
                    self.kept.insert(key.as_ref().into(), kept);
                    kept
                }
            };
            if !kept {
                continue;
            }
            let text = field_text(raw_value.get());
            // An empty text leaves the cell empty rather than replacing a
            // key that differs only in case.
            if !text.is_empty() {
                b.fields.set(col, row, &text);
            }
        }
        b.fields.pad_rows(row + 1);
        Ok(())
    }

    /// The batches read. A file that names no series (an empty file, an
    /// empty array, an NDJSON file of blank lines) has its stem's series,
    /// empty, so that a feed can be set up before its first observation.
    pub(super) fn finish(mut self) -> FileData {
        if self.batches.is_empty() {
            self.batch(self.default_series.clone());
        }
        FileData {
            file: self.src.file,
            batches: self.batches,
            warnings: Vec::new(),
            newlines: None,
        }
    }
}

/// The text a field keeps: strings as they are, numbers and booleans as
/// written, `null` as `""`, arrays and objects as compact JSON.
fn field_text(raw: &str) -> Cow<'_, str> {
    match raw.as_bytes().first() {
        Some(b'"') => string_value(raw).unwrap_or(Cow::Borrowed(raw)),
        Some(b'n') => Cow::Borrowed(""),
        Some(b'[' | b'{') => serde_json::from_str::<serde_json::Value>(raw)
            .map_or(Cow::Borrowed(raw), |v| Cow::Owned(v.to_string())),
        _ => Cow::Borrowed(raw),
    }
}

/// The text of a JSON string token; `None` if `raw` is not a string.
fn string_value(raw: &str) -> Option<Cow<'_, str>> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains('\\') {
        serde_json::from_str::<String>(raw).ok().map(Cow::Owned)
    } else {
        Some(Cow::Borrowed(inner))
    }
}

/// Reads the object `raw` (a slice of the text) into `out` as (key, raw
/// value) pairs in document order.
fn read_entries<'a>(
    src: &Source,
    raw: &'a str,
    out: &mut Vec<(Cow<'a, str>, &'a RawValue)>,
) -> Result<(), Diagnostic> {
    out.clear();
    let trimmed = raw.trim_start();
    if !trimmed.starts_with('{') {
        let shown = raw.trim();
        return Err(src.shape(shown, "expected an object"));
    }
    let mut de = serde_json::Deserializer::from_str(raw);
    Entries(out)
        .deserialize(&mut de)
        .and_then(|()| de.end())
        .map_err(|e| src.syntax_error(raw, &e))
}

/// A seed that reads an object's entries into a reused vector.
struct Entries<'v, 'a>(&'v mut Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> DeserializeSeed<'a> for Entries<'_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'a> Visitor<'a> for Entries<'_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'a>>(self, mut map: M) -> Result<(), M::Error> {
        while let Some(Key(key)) = map.next_key()? {
            let value: &'a RawValue = map.next_value()?;
            self.0.push((key, value));
        }
        Ok(())
    }
}

/// An object key, borrowed from the text unless it holds escapes.
struct Key<'a>(Cow<'a, str>);

impl<'a> serde::Deserialize<'a> for Key<'a> {
    fn deserialize<D: Deserializer<'a>>(deserializer: D) -> Result<Key<'a>, D::Error> {
        struct KeyVisitor;
        impl<'a> Visitor<'a> for KeyVisitor {
            type Value = Key<'a>;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_borrowed_str<E>(self, v: &'a str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Key<'a>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// 1-based line numbers of offsets visited in increasing order, counted
/// as the reader moves forward.
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u32,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> LineCounter<'a> {
        LineCounter {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    fn line_at(&mut self, offset: usize) -> u32 {
        if offset < self.offset {
            (self.offset, self.line) = (0, 1);
        }
        let skipped = self.bytes.get(self.offset..offset).unwrap_or(&[]);
        self.line = self
            .line
            .saturating_add(skipped.iter().filter(|&&c| c == b'\n').count() as u32);
        self.offset = offset;
        self.line
    }
}

/// The file being read, for placing diagnostics: every slice handed to it
/// lies in `text`, so its offset is known.
#[derive(Clone, Copy)]
struct Source<'a> {
    file: FileId,
    text: &'a str,
}

impl Source<'_> {
    /// Byte offset of `part`, a slice of the text.
    fn offset(&self, part: &str) -> usize {
        let offset = (part.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize);
        if offset <= self.text.len() {
            offset
        } else {
            0
        }
    }

    /// The span of `part`, a slice of the text.
    fn span(&self, part: &str) -> Span {
        let start = self.offset(part);
        Span::new(self.file, start, (start + part.len()).min(self.text.len()))
    }

    /// A syntax error of `serde_json` while reading `part`, a slice of the
    /// text: its line and column (in bytes) count from the slice's start.
    fn syntax_error(&self, part: &str, error: &serde_json::Error) -> Diagnostic {
        let base = self.offset(part);
        let line_start = part
            .match_indices('\n')
            .nth(error.line().saturating_sub(2))
            .filter(|_| error.line() > 1)
            .map_or(0, |(i, _)| i + 1);
        let mut at = (base + line_start + error.column().saturating_sub(1)).min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        let end = self.text[at..]
            .chars()
            .next()
            .map_or(at, |c| at + c.len_utf8());
        let full = error.to_string();
        let message = full
            .rsplit_once(" at line ")
            .map_or(full.as_str(), |(m, _)| m);
        Diagnostic::error(Code::InvalidJson, format!("invalid JSON: {message}"))
            .with_primary(Span::new(self.file, at, end), "here")
    }

    /// A value of the wrong shape.
    fn shape(&self, part: &str, expected: &str) -> Diagnostic {
        let found = match part.as_bytes().first() {
            Some(b'{') => "an object",
            Some(b'[') => "an array",
            Some(b'"') => "a string",
            Some(b't' | b'f') => "a boolean",
            Some(b'n') => "null",
            _ => "a number",
        };
        Diagnostic::error(Code::InvalidJson, format!("{expected}, found {found}"))
            .with_primary(self.first_line(part), "")
    }

    /// An error for a key of a series object that tocsin does not read
    /// but that looks meant as one it reads (`observation`, `obs`), or
    /// that holds an array of objects (observations under another name): silently
    /// ignored, it would leave the series empty. `None` for other keys,
    /// which may carry the file's own metadata.
    fn unknown_series_key(&self, key: &str, value: &str) -> Option<Diagnostic> {
        const KEYS: [&str; 4] = ["series", "unit", "description", "observations"];
        // A key that only extends one (`description_zh`, `unit_label`) is
        // the file's own, not a misspelling.
        let lower = key.to_ascii_lowercase();
        let near = crate::diag::did_you_mean(key, KEYS)
            .filter(|k| !(lower.len() > k.len() && lower.contains(k)));
        let objects = value
            .strip_prefix('[')
            .is_some_and(|rest| rest.trim_start().starts_with('{'));
        if near.is_none() && !objects {
            return None;
        }
        // A key with escapes was copied out of the text: marked at its value.
        let text = self.text.as_ptr() as usize..=self.text.as_ptr() as usize + self.text.len();
        let span = if text.contains(&(key.as_ptr() as usize)) {
            self.span(key)
        } else {
            self.first_line(value)
        };
        let meant = near.unwrap_or("observations");
        Some(
            Diagnostic::error(
                Code::InvalidJson,
                format!("unknown key `{key}` in a series object; did you mean `{meant}`?"),
            )
            .with_primary(span, "not a key of a series object")
            .with_note(
                "a series object has the keys `series`, `unit`, `description` and `observations`; \
                 its observations are read only from `observations`",
            ),
        )
    }

    /// The span of `part` up to its first line break, so that a long
    /// object is marked on one line.
    fn first_line(&self, part: &str) -> Span {
        self.span(part.split('\n').next().unwrap_or(part).trim_end())
    }

    /// A series name from a JSON string, normalised.
    fn series_name(&self, raw: &str) -> Result<String, Diagnostic> {
        match string_value(raw) {
            Some(name) if !name.trim().is_empty() => Ok(series_name(name.trim())),
            Some(_) => Err(Diagnostic::error(
                Code::InvalidJson,
                "`series` is empty: expected the series name",
            )
            .with_primary(self.span(raw), "empty series name")),
            None => Err(self.shape(raw, "`series` must be a string")),
        }
    }

    /// A string or `null`.
    fn optional_string(&self, raw: &str, key: &str) -> Result<Option<String>, Diagnostic> {
        if raw == "null" {
            return Ok(None);
        }
        string_value(raw)
            .map(|s| Some(s.into_owned()))
            .ok_or_else(|| self.shape(raw, &format!("`{key}` must be a string")))
    }

    fn date(&self, raw: &str) -> Result<Date, Diagnostic> {
        let Some(text) = string_value(raw) else {
            return Err(Diagnostic::error(
                Code::InvalidDate,
                format!(
                    "date {} is not a string: expected a date such as \"2025-03-01\"",
                    quote(raw)
                ),
            )
            .with_primary(self.span(raw), "expected a string"));
        };
        parse_date(&text).map_err(|e| date_diagnostic(e, &text, self.span(raw)))
    }

    fn value(&self, raw: &str) -> Result<f64, Diagnostic> {
        let number = matches!(raw.as_bytes().first(), Some(b'-' | b'0'..=b'9'));
        match raw.parse::<f64>() {
            Ok(v) if number && v.is_finite() => Ok(v),
            _ if number => Err(Diagnostic::error(
                Code::InvalidValue,
                format!("value {} is not a finite number", quote(raw)),
            )
            .with_primary(self.span(raw), "too large for a number")),
            _ => Err(Diagnostic::error(
                Code::InvalidValue,
                format!("value {} is not a number", quote(raw)),
            )
            .with_primary(self.span(raw), "expected a number such as 20 or -3.5")
            .with_note("leave `value` out for an event (value 1)")),
        }
    }

    fn no_date(&self, raw: &str) -> Diagnostic {
        Diagnostic::error(
            Code::NoDateColumn,
            "observation has no date: expected a key named date, at, time, timestamp or event_date",
        )
        .with_primary(self.first_line(raw.trim()), "no date key")
    }

    /// The first character of `part`: a mark that stays short however
    /// long the text.
    fn point(&self, part: &str) -> Span {
        let start = self.offset(part);
        Span::new(
            self.file,
            start,
            start + part.chars().next().map_or(0, char::len_utf8),
        )
    }

    /// `raw` over [`MAX_RECORD_BYTES`]: an NDJSON `line`, an `observation`
    /// of a JSON file, or the `unit` or `description` of a series.
    fn long_observation(&self, raw: &str, what: &str) -> Diagnostic {
        let note = match what {
            "line" => "an NDJSON file holds one observation a line: keep long texts out of it, or cut them",
            "observation" => "keep long texts out of observations, or cut them",
            _ => "shorten it: it is shown beside alerts, not meant to hold documents",
        };
        Diagnostic::error(
            Code::LongRecord,
            format!(
                "{what} is {} bytes long; tocsin reads at most {MAX_RECORD_BYTES} bytes (1 MiB) in one",
                raw.len()
            ),
        )
        .with_primary(self.point(raw.trim_start()), "starts here")
        .with_note(note)
    }

    fn wide_observation(&self, raw_value: &str, keys: usize) -> Diagnostic {
        Diagnostic::error(
            Code::TooManyCells,
            format!("observation has {keys} keys; tocsin reads at most {MAX_CELLS} in one"),
        )
        .with_primary(
            self.point(raw_value),
            format!("key number {}", MAX_CELLS + 1),
        )
        .with_note("keep the fields that rules read, or move the others to another file")
    }

    fn too_many_fields(&self, key: &str, raw_value: &str) -> Diagnostic {
        Diagnostic::error(
            Code::TooManyFields,
            format!(
                "more than {MAX_FIELD_NAMES} field names in one file: {} is one too many",
                quote(key)
            ),
        )
        .with_primary(self.point(raw_value), "value of a new field")
        .with_note("keys that vary by observation (ids, dates) belong in values: write {\"id\": \"a1\"} rather than {\"a1\": true}")
    }

    fn too_many_field_columns(&self, series: &str, max: usize, raw_value: &str) -> Diagnostic {
        Diagnostic::error(
            Code::TooManyFields,
            format!(
                "the file's series have more than {max} field columns in all; series {} has one too many",
                quote(series)
            ),
        )
        .with_primary(self.point(raw_value), "value of a new field of the series")
        .with_note("a field counts once for each series that has it: split the file by series, or keep fewer fields")
    }

    fn duplicate_key(&self, earlier: &str, key: &str, raw_value: &str) -> Diagnostic {
        Diagnostic::error(
            Code::InvalidJson,
            format!("key {} appears twice in one observation", quote(key)),
        )
        .with_primary(
            self.span(raw_value),
            format!("second value of {}", quote(earlier)),
        )
        .with_note("keys are compared ignoring case, as filters compare field names")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::render::one_line;
    use crate::diag::SourceMap;

    fn load_ok(text: &str) -> Vec<Batch> {
        match load(FileId(0), "gdp-growth", text, &ColumnSelection::All) {
            Ok(data) => data.batches,
            Err(e) => panic!("{e:?}"),
        }
    }

    fn load_err(text: &str) -> String {
        let mut sources = SourceMap::new();
        let file = sources.add("gdp.json", text);
        match load(file, "gdp", text, &ColumnSelection::All) {
            Ok(data) => panic!("loaded {:?}", data.batches),
            Err(e) => {
                assert!(
                    e.primary_span()
                        .is_some_and(|s| s.end as usize <= text.len()),
                    "{e:?}"
                );
                one_line(&e, &sources)
            }
        }
    }

    fn cells(batch: &Batch) -> Vec<String> {
        batch.grid()
    }

    #[test]
    fn one_object_with_unit_description_and_default_series() {
        let text = r#"{
  "unit": "%",
  "description": "GDP growth",
  "source": "ignored",
  "observations": [
    {"date": "2024-01-01", "value": 2.5},
    {"date": "2025-01-01", "value": -1e1, "note": "revised"}
  ]
}"#;
        let [b] = &load_ok(text)[..] else { panic!() };
        assert_eq!(b.series, "gdp_growth");
        assert_eq!(b.unit.as_deref(), Some("%"));
        assert_eq!(b.description.as_deref(), Some("GDP growth"));
        assert_eq!(b.values, [2.5, -10.0]);
        assert_eq!(b.lines, [6, 7]);
        assert_eq!(b.fields.names(), ["note"]);
        assert_eq!(cells(b), ["", "revised"]);
    }

    #[test]
    fn an_array_of_series_objects() {
        let text = r#"[{"series": "a-b", "observations": [{"date": "2024-01-01", "value": 1}]},
{"series": "c", "observations": []},
{"series": "a b", "unit": "t", "observations": [{"date": "2024-01-02"}]}]"#;
        let [ab, c] = &load_ok(text)[..] else {
            panic!()
        };
        assert_eq!(ab.series, "a_b");
        assert_eq!(ab.values, [1.0, 1.0]);
        assert_eq!(ab.lines, [1, 3]);
        assert_eq!(ab.unit.as_deref(), Some("t"));
        assert_eq!(c.series, "c");
        assert!(c.dates.is_empty());
    }

    #[test]
    fn fields_keep_their_json_text() {
        let text = r#"{"observations": [
  {"time": "2025-03-02T23:10:00-05:00", "n": 20.0, "big": 1e3, "ok": true, "none": null,
   "tags": [ "a", 1 ], "where": {"lat": 1.5}, "esc": "a\"b\u00e9", "series": "s"},
  {"EVENT_DATE": "01 November 2024", "N": 3}
]}"#;
        let [b] = &load_ok(text)[..] else { panic!() };
        assert_eq!(b.dates[0].to_string(), "2025-03-03");
        assert_eq!(b.dates[1].to_string(), "2024-11-01");
        assert_eq!(b.values, [1.0, 1.0]);
        assert_eq!(
            b.fields.names(),
            ["n", "big", "ok", "none", "tags", "where", "esc", "series"]
        );
        assert_eq!(
            cells(b),
            [
                "20.0",
                "1e3",
                "true",
                "",
                "[\"a\",1]",
                "{\"lat\":1.5}",
                "a\"bé",
                "s",
                "3",
                "",
                "",
                "",
                "",
                "",
                "",
                ""
            ]
        );
    }

    #[test]
    fn empty_files_define_an_empty_series() {
        // Named by the stem, or by the `series` key where one is given.
        let names = |text: &str| -> Vec<String> {
            let batches = load_ok(text);
            assert!(batches.iter().all(|b| b.dates.is_empty()), "{text:?}");
            batches.into_iter().map(|b| b.series).collect()
        };
        for text in [
            "",
            " \n",
            "[]",
            "\u{feff}[]",
            "{}",
            "{\"observations\": []}",
        ] {
            assert_eq!(names(text), ["gdp_growth"], "{text:?}");
        }
        assert_eq!(
            names("{\"series\": \"pending\", \"observations\": []}"),
            ["pending"]
        );
        assert_eq!(
            names("[{\"series\": \"a\", \"observations\": []}, {\"series\": \"b\"}]"),
            ["a", "b"]
        );
    }

    #[test]
    fn a_misspelt_observations_key_is_an_error_not_an_empty_series() {
        assert_eq!(
            load_err("{\"series\": \"g\", \"observation\": [{\"date\": \"2024-01-01\", \"value\": 3}]}"),
            "gdp.json:1:18: error[E308]: unknown key `observation` in a series object; did you mean `observations`?"
        );
        assert!(load_err("[{\"series\": \"a\", \"observations\": []},\n {\"series\": \"h\", \"obs\": []}]")
            .starts_with("gdp.json:2:19: error[E308]: unknown key `obs` in a series object; did you mean `observations`?"));
        // An array of objects under any other key holds observations
        // meant as such; other arrays may be the file's own metadata.
        assert!(load_err("{\"data\": [{\"date\": \"2024-01-01\"}]}")
            .contains("unknown key `data` in a series object; did you mean `observations`?"));
        assert!(
            load_err("{\"unti\": \"t\", \"observations\": []}").contains("did you mean `unit`?")
        );
        // Metadata of the file's own is still read past.
        assert_eq!(
            load_ok(
                "{\"series\": \"a\", \"source\": \"MoD\", \"tags\": [\"x\"], \"description_zh\": \"x\", \"observations\": []}"
            )
            .into_iter()
            .map(|b| b.series)
            .collect::<Vec<_>>(),
            ["a"]
        );
    }

    #[test]
    fn syntax_errors_point_at_the_place() {
        assert_eq!(
            load_err("{\"observations\": [\n  {\"date\": \"2024-01-01\" \"value\": 1}\n]}"),
            "gdp.json:2:25: error[E308]: invalid JSON: expected `,` or `}`"
        );
        assert_eq!(
            load_err("\u{feff}[{\"observations\": [}]"),
            "gdp.json:1:21: error[E308]: invalid JSON: expected value"
        );
        assert_eq!(
            load_err("{\"observations\": [\n"),
            "gdp.json:2:1: error[E308]: invalid JSON: EOF while parsing a list"
        );
        assert_eq!(
            load_err("{\"a\": \"é\" x}"),
            "gdp.json:1:11: error[E308]: invalid JSON: expected `,` or `}`"
        );
    }

    #[test]
    fn values_must_be_finite_numbers() {
        let text = "{\"observations\": [\n  {\"date\": \"2024-01-01\", \"value\": 1},\n  {\"date\": \"2024-01-02\", \"value\": \"20\"}\n]}";
        assert_eq!(
            load_err(text),
            "gdp.json:3:35: error[E305]: value '\"20\"' is not a number"
        );
        let text = "{\"observations\": [{\"date\": \"2024-01-01\", \"value\": null}]}";
        assert_eq!(
            load_err(text),
            "gdp.json:1:51: error[E305]: value 'null' is not a number"
        );
        let text = "{\"observations\": [{\"date\": \"2024-01-01\", \"value\": 1e999}]}";
        assert_eq!(
            load_err(text),
            "gdp.json:1:51: error[E305]: value '1e999' is not a finite number"
        );
    }

    #[test]
    fn dates_must_be_strings_in_an_accepted_form() {
        let text = "{\"observations\": [{\"date\": 20240101}]}";
        assert_eq!(load_err(text), "gdp.json:1:28: error[E303]: date '20240101' is not a string: expected a date such as \"2025-03-01\"");
        let text = "{\"observations\": [{\"value\": 3, \"date\": \"2024-02-30\"}]}";
        assert_eq!(
            load_err(text),
            "gdp.json:1:40: error[E303]: date '2024-02-30' is not a valid date"
        );
        let text = "{\"observations\": [{\"value\": 3}]}";
        assert_eq!(
            load_err(text),
            "gdp.json:1:19: error[E302]: observation has no date: expected a key named date, at, time, timestamp or event_date"
        );
    }

    #[test]
    fn wrong_shapes_are_errors() {
        assert_eq!(load_err("3"), "gdp.json:1:1: error[E308]: expected a series object or an array of series objects, found a number");
        assert_eq!(
            load_err("[{\"observations\": []}, \"x\"]"),
            "gdp.json:1:24: error[E308]: expected an object, found a string"
        );
        assert_eq!(load_err("{\"observations\": {}}"), "gdp.json:1:18: error[E308]: `observations` must be an array of observation objects, found an object");
        assert_eq!(
            load_err("{\"observations\": [[]]}"),
            "gdp.json:1:19: error[E308]: expected an object, found an array"
        );
        assert_eq!(
            load_err("{\"series\": 1, \"observations\": []}"),
            "gdp.json:1:12: error[E308]: `series` must be a string, found a number"
        );
        assert_eq!(
            load_err("{\"unit\": [], \"observations\": []}"),
            "gdp.json:1:10: error[E308]: `unit` must be a string, found an array"
        );
        assert_eq!(
            load_err("{\"date\": \"2024-01-01\", \"value\": 3}"),
            "gdp.json:1:1: error[E308]: expected a series object with `observations`, found what looks like one observation"
        );
        assert_eq!(
            load_err(
                "{\"observations\": [{\"date\": \"2024-01-01\", \"Value\": 1, \"value\": 2}]}"
            ),
            "gdp.json:1:63: error[E308]: key 'value' appears twice in one observation"
        );
    }

    #[test]
    fn observations_and_texts_over_a_mebibyte_are_errors() {
        let long = "x".repeat(MAX_RECORD_BYTES);
        let observation = format!(
            "{{\"observations\": [{{\"date\": \"2025-01-01\"}},\n {{\"date\": \"2025-01-02\", \"note\": \"{long}\"}}]}}"
        );
        assert_eq!(
            load_err(&observation),
            "gdp.json:2:2: error[E314]: observation is 1048610 bytes long; tocsin reads at most 1048576 bytes (1 MiB) in one"
        );
        let unit = format!("{{\"unit\": \"{long}\", \"observations\": []}}");
        assert_eq!(
            load_err(&unit),
            "gdp.json:1:10: error[E314]: unit is 1048578 bytes long; tocsin reads at most 1048576 bytes (1 MiB) in one"
        );
    }
}
