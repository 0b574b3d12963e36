//! The labels of an announced instance, held compactly.

use rustc_hash::FxHashSet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// An instance's `by:` fields and values, in field order, as a
/// [`RuleRecord`](super::RuleRecord) keeps them: written as a JSON object,
/// like a change's labels. The daemon keeps one record per instance, tens
/// of thousands for an export broken down by country and event type; a
/// map of one or two entries took a node of over 500 bytes each. The
/// texts are shared between records through [`Texts`]: 40,000 instances of
/// 200 countries hold 200 country names, and the records of the rules
/// broken down alike hold each instance's labels once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Set);

/// Fields and values, in field order.
type Set = Arc<[(Arc<str>, Arc<str>)]>;

/// The label texts and sets of labels met so far, each held once and
/// handed to every record that has it. A cache: it grows with the
/// distinct fields, values and instances, not with the records.
#[derive(Clone, Debug, Default)]
pub(crate) struct Texts {
    texts: FxHashSet<Arc<str>>,
    sets: FxHashSet<Set>,
}

impl Texts {
    fn share(&mut self, text: &str) -> Arc<str> {
        if let Some(t) = self.texts.get(text) {
            return Arc::clone(t);
        }
        let t: Arc<str> = Arc::from(text);
        self.texts.insert(Arc::clone(&t));
        t
    }

    /// `pairs`, with their texts shared, as a set held once.
    fn share_set<'a>(&mut self, pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Labels {
        let pairs: Vec<(Arc<str>, Arc<str>)> =
            pairs.map(|(k, v)| (self.share(k), self.share(v))).collect();
        if pairs.is_empty() {
            return Labels::default();
        }
        if let Some(set) = self.sets.get(pairs.as_slice()) {
            return Labels(Arc::clone(set));
        }
        let set: Set = Arc::from(pairs);
        self.sets.insert(Arc::clone(&set));
        Labels(set)
    }
}

impl Labels {
    /// Whether there are none (a rule without `by:`).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value of `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| &**k == field)
            .map(|(_, v)| &**v)
    }

    /// `map` as labels whose texts are shared through `texts`.
    pub(crate) fn shared(map: &BTreeMap<String, String>, texts: &mut Texts) -> Labels {
        texts.share_set(map.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    /// These labels with their texts shared through `texts`.
    pub(crate) fn share(&mut self, texts: &mut Texts) {
        if !self.is_empty() {
            *self = texts.share_set(self.0.iter().map(|(k, v)| (&**k, &**v)));
        }
    }

    /// The labels as a change carries them.
    pub fn to_map(&self) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }
}

impl From<&BTreeMap<String, String>> for Labels {
    fn from(map: &BTreeMap<String, String>) -> Labels {
        Labels(
            map.iter()
                .map(|(k, v)| (k.as_str().into(), v.as_str().into()))
                .collect(),
        )
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (&**k, &**v)))
    }
}

impl<'de> Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Labels, D::Error> {
        BTreeMap::<String, String>::deserialize(d).map(|m| Labels::from(&m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_read_as_an_object() {
        let map: BTreeMap<String, String> = [("country", "Chad"), ("event_type", "Riots")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let labels = Labels::from(&map);
        let json = serde_json::to_string(&labels).unwrap();
        assert_eq!(json, r#"{"country":"Chad","event_type":"Riots"}"#);
        assert_eq!(serde_json::from_str::<Labels>(&json).unwrap(), labels);
        assert_eq!(labels.to_map(), map);
        assert_eq!(labels.get("event_type"), Some("Riots"));
        assert_eq!(labels.get("actor"), None);
        assert!(Labels::default().is_empty());
    }

    #[test]
    fn records_share_their_texts() {
        let map = |country: &str| -> BTreeMap<String, String> {
            [("country".to_string(), country.to_string())].into()
        };
        let mut texts = Texts::default();
        let a = Labels::shared(&map("Chad"), &mut texts);
        let b = Labels::shared(&map("Chad"), &mut texts);
        let c = Labels::shared(&map("Mali"), &mut texts);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(Arc::ptr_eq(&a.0[0].1, &b.0[0].1));
        assert!(Arc::ptr_eq(&a.0[0].0, &c.0[0].0));
        let mut read: Labels = serde_json::from_str(r#"{"country":"Chad"}"#).unwrap();
        read.share(&mut texts);
        assert!(Arc::ptr_eq(&read.0[0].1, &a.0[0].1));
        // The same set of labels is held once.
        assert!(Arc::ptr_eq(&read.0, &a.0) && Arc::ptr_eq(&a.0, &b.0));
        assert!(!Arc::ptr_eq(&a.0, &c.0));
    }
}
