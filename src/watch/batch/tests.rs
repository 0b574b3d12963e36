use super::*;

const MS: Duration = Duration::from_millis(1);

fn setup() -> (tempfile::TempDir, Roots) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    std::fs::write(dir.path().join("data/g.csv"), "date,value\n").unwrap();
    let roots = Roots {
        rules: vec![dir.path().join("rules")],
        data: vec![dir.path().join("data")],
    };
    (dir, roots)
}

#[test]
fn an_empty_batch_is_never_due() {
    assert_eq!(Batch::default().due_in(Instant::now()), None);
}

#[test]
fn a_batch_is_due_once_the_events_pause() {
    let (dir, roots) = setup();
    let p = dir.path().join("data/g.csv");
    let t0 = Instant::now();
    let mut b = Batch::default();
    b.files(vec![p.clone()], Touch::Other, &roots, t0);
    assert_eq!(b.due_in(t0), Some(DEBOUNCE));
    b.files(vec![p.clone()], Touch::Other, &roots, t0 + 60 * MS);
    assert_eq!(b.due_in(t0 + 100 * MS), Some(60 * MS));
    assert_eq!(b.due_in(t0 + 160 * MS), Some(Duration::ZERO));
    assert!(matches!(b.take(), Scope::Paths(v) if v == [p.clone(), p]));
    assert_eq!(b.due_in(t0 + 200 * MS), None);
}

#[test]
fn a_steady_stream_is_due_at_the_max_wait() {
    let (dir, roots) = setup();
    let p = dir.path().join("data/g.csv");
    let t0 = Instant::now();
    let mut b = Batch::default();
    // An append every 60 ms: the events never pause for the debounce.
    let mut t = t0;
    while t < t0 + MAX_WAIT {
        b.files(vec![p.clone()], Touch::Closed, &roots, t);
        assert!(b.due_in(t) > Some(Duration::ZERO), "{:?}", t - t0);
        t += 60 * MS;
    }
    assert_eq!(b.due_in(t0 + MAX_WAIT), Some(Duration::ZERO));
}

#[test]
fn a_file_still_open_for_writing_is_read_once_it_settles() {
    let (dir, roots) = setup();
    let p = dir.path().join("data/g.csv");
    let t0 = Instant::now();
    let mut b = Batch::default();
    b.files(vec![p.clone()], Touch::Written, &roots, t0);
    // Quiet for the debounce, but the writer has not closed the file.
    let wait = b.due_in(t0 + DEBOUNCE).unwrap();
    assert!(wait > Duration::ZERO && wait <= LOOK, "{wait:?}");
    // It writes again without an event seen yet: the settle starts over.
    std::fs::write(&p, "date,value\n2025-01-01,1\n").unwrap();
    assert!(b.due_in(t0 + 300 * MS) > Some(Duration::ZERO));
    assert!(b.due_in(t0 + 700 * MS) > Some(Duration::ZERO));
    assert_eq!(b.due_in(t0 + 800 * MS), Some(Duration::ZERO));
}

#[test]
fn a_closed_or_renamed_file_needs_no_settle() {
    let (dir, roots) = setup();
    let p = dir.path().join("data/g.csv");
    let t0 = Instant::now();
    let mut b = Batch::default();
    b.files(vec![p.clone()], Touch::Written, &roots, t0);
    b.files(vec![p.clone()], Touch::Closed, &roots, t0 + 10 * MS);
    assert_eq!(b.due_in(t0 + 110 * MS), Some(Duration::ZERO));
    b.take();
    // Written aside under a temporary name (litter), renamed into place.
    let tmp = dir.path().join("data/g.csv.tmp");
    b.files(vec![tmp.clone()], Touch::Written, &roots, t0);
    b.files(vec![tmp, p], Touch::Other, &roots, t0 + 10 * MS);
    assert_eq!(b.due_in(t0 + 110 * MS), Some(Duration::ZERO));
}

#[test]
fn the_max_wait_overrides_the_settle() {
    let (dir, roots) = setup();
    let p = dir.path().join("data/g.csv");
    let t0 = Instant::now();
    let mut b = Batch::default();
    b.files(vec![p.clone()], Touch::Written, &roots, t0);
    // A writer that keeps the file open and keeps writing, its events not
    // seen (a slow watcher): the file never settles.
    let mut text = String::from("date,value\n");
    for step in 1..10 {
        text.push_str("2025-01-01,1\n");
        std::fs::write(&p, &text).unwrap();
        let wait = b.due_in(t0 + step * 100 * MS).unwrap();
        assert!(wait > Duration::ZERO, "{step}");
    }
    assert_eq!(b.due_in(t0 + MAX_WAIT), Some(Duration::ZERO));
}

#[test]
fn what_the_reload_reads() {
    let (dir, roots) = setup();
    let p = dir.path().join("data/g.csv");
    let t0 = Instant::now();
    let mut b = Batch::default();
    b.files(vec![p.clone()], Touch::Other, &roots, t0);
    b.files(vec![], Touch::Other, &roots, t0);
    assert!(matches!(b.take(), Scope::Changed));
    b.files(vec![p], Touch::Other, &roots, t0);
    b.everything(t0);
    assert!(matches!(b.take(), Scope::Everything));
}
