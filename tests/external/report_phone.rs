//! `tocsin report` on a phone (390 CSS px) and a desktop (1280 px), as
//! Chromium lays it out: no two labels of the status history's axis
//! overlap, chart text is at least 11 px on the phone, and nothing makes
//! the page scroll sideways there.
//!
//! Headless Chromium gives no layout boxes without script and will not
//! make its window narrower than 500 px, so a test copy of the report gets
//! a script that measures the page, and is shown in an iframe of the
//! width under test; the script writes what it measured into the frame's
//! parent, which `--dump-dom` prints.

use super::report_browser::{chromium, find_chromium};
use crate::common::example_report;
use tempfile::TempDir;

/// Measures the page and appends the numbers, as JSON, to the parent.
const MEASURE: &str = r#"<script>
window.addEventListener('load', () => {
  const shown = e => e.getBoundingClientRect().width > 0;
  const axis = [...document.querySelectorAll('.history .axis span')].filter(shown)
    .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; });
  const fonts = [...document.querySelectorAll('svg.chart text')].filter(shown)
    .map(e => parseFloat(getComputedStyle(e).fontSize) * e.getScreenCTM().a);
  const out = { width: innerWidth, scroll: document.documentElement.scrollWidth,
    axis, font: Math.min(...fonts) };
  const pre = parent.document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  parent.document.body.appendChild(pre);
});
</script>"#;

/// What the script measured with the report `width` CSS px wide.
fn measure(width: u32) -> Option<serde_json::Value> {
    run_in_frame(width, MEASURE, "measured")
}

/// Runs the example report, with `script` added, in an iframe `width` CSS
/// px wide, and returns the JSON the script wrote into `<pre id="{id}">`
/// of the parent.
fn run_in_frame(width: u32, script: &str, id: &str) -> Option<serde_json::Value> {
    let binary = find_chromium()?;
    let dir = TempDir::new().unwrap();
    let (page, html) = example_report(dir.path());
    let copy = page.with_file_name("measured.html");
    std::fs::write(
        &copy,
        html.replacen("</body>", &format!("{script}</body>"), 1),
    )
    .unwrap();
    let frame = dir.path().join("frame.html");
    std::fs::write(
        &frame,
        format!("<!doctype html><body style=\"margin:0\"><iframe src=\"measured.html\" style=\"width:{width}px;height:2400px;border:0\"></iframe></body>"),
    )
    .unwrap();
    let (dom, stderr) = chromium(
        &binary,
        &frame,
        &[
            "--allow-file-access-from-files".to_string(),
            "--virtual-time-budget=20000".to_string(),
            "--dump-dom".to_string(),
        ],
    );
    let open = format!("<pre id=\"{id}\">");
    let start = dom
        .find(&open)
        .unwrap_or_else(|| panic!("nothing measured; stderr:\n{stderr}"))
        + open.len();
    let end = start + dom[start..].find("</pre>").unwrap();
    Some(serde_json::from_str(&dom[start..end]).unwrap())
}

fn check(width: u32) {
    let Some(m) = measure(width) else {
        if std::env::var_os("CI").is_some() {
            panic!("no Chromium: run .ci/chromium-setup");
        }
        eprintln!("skipping: no Chromium");
        return;
    };
    assert_eq!(m["width"].as_f64(), Some(f64::from(width)), "{m}");
    let mut boxes: Vec<(f64, f64)> = m["axis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b[0].as_f64().unwrap(), b[1].as_f64().unwrap()))
        .collect();
    boxes.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert!(boxes.len() >= 2, "{m}");
    for w in boxes.windows(2) {
        assert!(w[0].1 <= w[1].0, "axis labels overlap at {width} px: {m}");
    }
    if width <= 390 {
        let font = m["font"].as_f64().unwrap();
        assert!(font >= 11.0, "chart text {font} px at {width} px: {m}");
    }
    let scroll = m["scroll"].as_f64().unwrap();
    assert!(scroll <= f64::from(width), "the page scrolls sideways: {m}");
}

#[test]
fn on_a_phone_axis_labels_do_not_overlap_and_chart_text_is_readable() {
    check(390);
}

#[test]
fn on_a_desktop_axis_labels_do_not_overlap() {
    check(1280);
}

/// axe-core's checks, when `$TOCSIN_AXE` names its `axe.min.js`
/// (`.ci/axe-setup` downloads it; `npm install axe-core` has it too);
/// skipped without it.
#[test]
fn axe_finds_no_violation_on_a_phone_or_a_desktop() {
    // `.ci/run` sets it empty when axe-core could not be downloaded.
    let Some(path) = std::env::var_os("TOCSIN_AXE").filter(|p| !p.is_empty()) else {
        eprintln!("skipping: TOCSIN_AXE not set");
        return;
    };
    let axe = std::fs::read_to_string(path).unwrap();
    let script = format!(
        "<script>{axe}</script><script>window.addEventListener('load', () => axe.run(document).then(r => {{ const pre = parent.document.createElement('pre'); pre.id = 'axe'; pre.textContent = JSON.stringify(r.violations.map(v => [v.id, v.impact, v.nodes.map(n => n.target.join(' '))])); parent.document.body.appendChild(pre); }}));</script>"
    );
    for width in [390, 1280] {
        let Some(found) = run_in_frame(width, &script, "axe") else {
            eprintln!("skipping: no Chromium");
            return;
        };
        assert_eq!(found, serde_json::json!([]), "at {width} px");
    }
}
