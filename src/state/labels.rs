//! The labels of an announced instance, held compactly.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;

/// An instance's `by:` fields and values, in field order, as a
/// [`RuleRecord`](super::RuleRecord) keeps them: written as a JSON object,
/// like a change's labels. The daemon keeps one record per instance, tens
/// of thousands for an export broken down by country and event type; a
/// map of one or two entries took a node of over 500 bytes each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels(Box<[(Box<str>, Box<str>)]>);

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
}
