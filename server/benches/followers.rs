//! Many servers (issue #17): how long a server takes to be ready with an index that is already
//! current, and to take in changes it missed (docs/performance.md, "Many servers").
//!
//! `cargo bench -p signpost --bench followers`. What it does, on SQLite:
//!
//! 1. A directory of `BENCH_SERVICES` services (default 100,000): the demo county, exported as
//!    ORUK and multiplied by `scripts/generate_services.py` (deterministic), then imported through
//!    the ordinary import. Kept in `BENCH_DIR` (default: the system's temporary folder) so later
//!    runs skip this step, which takes minutes.
//! 2. The embedded index built once (a new server's first start).
//! 3. **Start-up with a current index**: a new `Search` on the same folder and the start-up step
//!    (`sync::prepare`), as a restarted server does — timed three times.
//! 4. **Catching up at start-up**: 1,000 directory changes (one service each, each its own
//!    transaction and change number) while the server is "down", then the start-up step again.
//! 5. **Catching up while running**: another 1,000 changes, then the follower's passes
//!    (`sync::run_once`) until it reaches the feed's head, on a running server's `Search`.

use signpost::config::SearchSettings;
use signpost::db::Db;
use signpost::directory::import;
use signpost::search::sync;
use signpost::startup::{open_search, prepare_directory};
use sqlx::Row;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

async fn directory(dir: &Path, services: usize) -> Db {
    let url = signpost::config::DatabaseUrl::Sqlite {
        path: dir.join("directory.db"),
    };
    let ready = dir.join("directory.ready");
    let db = Db::connect_with(&url, 4, Duration::from_secs(30))
        .await
        .expect("database");
    db.migrate().await.expect("migrations");
    if ready.exists() {
        return db;
    }
    eprintln!(
        "building a directory of {services} services in {} …",
        dir.display()
    );
    let started = Instant::now();
    prepare_directory(&db, true, &signpost::clock::Clock::system())
        .await
        .expect("demo county");
    let demo = import::export_services(&db).await.expect("export");
    let demo_file = dir.join("demo.json");
    std::fs::write(&demo_file, serde_json::to_vec(&demo).expect("json")).expect("write");
    let out = std::process::Command::new("python3")
        .arg(workspace().join("scripts/generate_services.py"))
        .arg(&demo_file)
        .arg(services.to_string())
        .output()
        .expect("python3 runs scripts/generate_services.py");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values = import::parse_document(&String::from_utf8_lossy(&out.stdout)).expect("ORUK");
    for chunk in values.chunks(5_000) {
        import::import_services(&db, chunk).await.expect("import");
    }
    std::fs::write(&ready, b"ok").expect("marker");
    eprintln!("… in {:.1} s", started.elapsed().as_secs_f64());
    db
}

/// `n` directory writes, one service each, each its own transaction (a change number each).
async fn changes(db: &Db, n: usize, round: usize) {
    let ids: Vec<String> = sqlx::query(&format!(
        "SELECT id FROM service WHERE status = 'active' ORDER BY id LIMIT {n} OFFSET {}",
        round * n
    ))
    .fetch_all(db.pool())
    .await
    .expect("ids")
    .iter()
    .map(|r| r.get(0))
    .collect();
    for id in &ids {
        let mut tx = db.pool().begin().await.expect("tx");
        sync::begin_change(&mut tx).await.expect("number");
        sqlx::query(
            "UPDATE service SET summary = summary || ' (changed)', last_modified = $1 WHERE id = $2",
        )
        .bind(signpost::clock::now())
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("update");
        sync::enqueue(&mut tx, id).await.expect("feed");
        tx.commit().await.expect("commit");
    }
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let services: usize = std::env::var("BENCH_SERVICES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = std::env::var("BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("signpost-followers-{services}")));
    std::fs::create_dir_all(&dir).expect("bench folder");
    let db = directory(&dir, services).await;
    let count: i64 = sqlx::query("SELECT COUNT(*) FROM service")
        .fetch_one(db.pool())
        .await
        .expect("count")
        .get(0);
    let settings = SearchSettings::Embedded {
        dir: dir.join("index"),
    };
    println!(
        "directory: {count} services; load average before: {}",
        load()
    );

    let started = Instant::now();
    let search = open_search(&settings).expect("index");
    let first = sync::prepare(&db, &search).await.expect("prepare");
    println!(
        "first start (index missing or out of date): {:?} in {:.2} s",
        first,
        started.elapsed().as_secs_f64()
    );
    drop(search);

    for run in 1..=3 {
        let started = Instant::now();
        let search = open_search(&settings).expect("index");
        let prepared = sync::prepare(&db, &search).await.expect("prepare");
        println!(
            "start-up with a current index, run {run}: {:?} in {:.3} s (load {})",
            prepared,
            started.elapsed().as_secs_f64(),
            load()
        );
    }

    let rounds: usize = std::env::var("BENCH_CHANGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    let started = Instant::now();
    changes(&db, rounds, 0).await;
    println!(
        "{rounds} changes written (server down) in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let search = open_search(&settings).expect("index");
    let prepared = sync::prepare(&db, &search).await.expect("prepare");
    println!(
        "start-up after missing {rounds} changes: {:?} in {:.3} s (load {})",
        prepared,
        started.elapsed().as_secs_f64(),
        load()
    );

    changes(&db, rounds, 1).await;
    let started = Instant::now();
    let mut passes = 0;
    let mut applied = 0;
    loop {
        let pass = sync::run_once(&db, &search).await.expect("pass");
        passes += 1;
        applied += pass.applied;
        if !pass.more {
            break;
        }
    }
    println!(
        "a running server takes in {rounds} missed changes ({applied} services, {passes} pass(es)) in {:.3} s (load {}); lag now {}",
        started.elapsed().as_secs_f64(),
        load(),
        search.feed().snapshot().lag
    );
    db.close().await;
}
