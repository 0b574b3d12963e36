//! The layers of the library, checked: which top-level module may name
//! which, across the crates (where Cargo already refuses an upward
//! dependency) and within each (where only this test does). The language, the data and the evaluator stay below the daemon
//! and the command line, so that each layer could be lifted out into a
//! crate of its own without a cycle.

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    /// Modules a layer may name, for the layers held to a short list.
    const ONLY: &[(&str, &[&str])] = &[
        ("time", &[]),
        ("diag", &[]),
        ("heap", &[]),
        ("pretty", &[]),
        ("clock", &["time"]),
        ("lang", &["diag", "time"]),
        ("data", &["diag", "time"]),
        ("change", &["lang", "diag", "time"]),
        ("board", &["eval", "lang", "diag", "time", "pretty"]),
    ];

    /// Modules a layer must never name, for the layers above.
    const NEVER: &[(&str, &[&str])] = &[
        (
            "eval",
            &[
                "cli", "watch", "state", "sinks", "report", "ruletest", "board", "project",
            ],
        ),
        (
            "library",
            &[
                "cli", "watch", "state", "sinks", "report", "ruletest", "board", "project",
            ],
        ),
        (
            "workspace",
            &[
                "cli", "watch", "state", "sinks", "report", "ruletest", "board", "project",
            ],
        ),
        (
            "project",
            &["cli", "watch", "state", "sinks", "report", "ruletest"],
        ),
        ("ruletest", &["cli", "watch", "state", "sinks", "report"]),
        ("report", &["cli", "watch", "state", "sinks"]),
        ("state", &["cli", "watch", "sinks"]),
        ("sinks", &["cli", "watch", "state"]),
        ("watch", &["cli"]),
    ];

    /// The top-level modules named by `crate::` paths in `text`, groups
    /// `crate::{a, b::c}` included; comments, doc links among them, do not
    /// count.
    fn named(text: &str) -> BTreeSet<String> {
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .flat_map(|l| [l, "\n"])
            .collect();
        let text = code.as_str();
        let ident = |s: &str| -> String {
            s.trim_start()
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let mut out = BTreeSet::new();
        for (at, _) in text.match_indices("crate::") {
            let rest = &text[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 1;
                let mut part = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 1 => {
                            out.insert(ident(&part));
                            part.clear();
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 {
                        out.insert(ident(&part));
                        break;
                    }
                    if depth == 1 {
                        part.push(c);
                    }
                }
            } else {
                out.insert(ident(rest));
            }
        }
        out.retain(|m| !m.is_empty());
        out
    }

    /// A file of unit tests (`tests.rs`, `*_tests.rs`). Tests may name a
    /// layer above their own, as a crate's dev-dependencies may: the
    /// language's checker is tested with the library's signatures.
    fn is_test_file(p: &Path) -> bool {
        p.file_stem()
            .is_some_and(|s| s == "tests" || s.to_string_lossy().ends_with("_tests"))
    }

    fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, files);
            } else if p.extension().is_some_and(|x| x == "rs") && !is_test_file(&p) {
                files.push(p);
            }
        }
    }

    /// Every top-level module and the modules its files name.
    fn graph() -> BTreeMap<String, BTreeMap<String, BTreeSet<String>>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut srcs = vec![root.join("src")];
        for c in ["tocsin-lang", "tocsin-data", "tocsin-engine"] {
            srcs.push(root.join("crates").join(c).join("src"));
        }
        let mut g: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
        for src in &srcs {
            let mut files = Vec::new();
            walk(src, &mut files);
            for f in files {
                add_file(&mut g, src, &f);
            }
        }
        assert!(
            g.contains_key("lang") && g.contains_key("eval"),
            "sources not found"
        );
        g
    }

    /// Adds the modules that the file `f` under `src` names to `g`.
    fn add_file(
        g: &mut BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
        src: &Path,
        f: &Path,
    ) {
        let rel = f.strip_prefix(src).unwrap();
        let top = rel.iter().next().unwrap().to_string_lossy();
        let top = top.trim_end_matches(".rs").to_string();
        let text = std::fs::read_to_string(f).unwrap();
        for m in named(&text) {
            if m != top {
                g.entry(top.clone())
                    .or_default()
                    .entry(m)
                    .or_default()
                    .insert(rel.display().to_string());
            }
        }
    }

    #[test]
    fn crate_paths_are_found_in_groups_too() {
        let text = "use crate::a::b;\nuse crate::{c::{d, e}, f};\n/// [`crate::z`]\nlet x = crate::g::h(crate::i);";
        let found: Vec<String> = named(text).into_iter().collect();
        assert_eq!(found, ["a", "c", "f", "g", "i"]);
    }

    #[test]
    fn each_layer_names_only_the_layers_below_it() {
        let g = graph();
        let mut wrong = Vec::new();
        for (module, names) in &g {
            for (name, files) in names {
                let only = ONLY.iter().find(|(m, _)| m == module);
                let never = NEVER.iter().find(|(m, _)| m == module);
                let bad = only.is_some_and(|(_, ok)| !ok.contains(&name.as_str()))
                    || never.is_some_and(|(_, no)| no.contains(&name.as_str()));
                if bad {
                    wrong.push(format!("{module} names {name} in {files:?}"));
                }
            }
        }
        assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
    }
}
