//! Search benchmark: `cargo bench -p signpost --bench search` (see docs/performance.md).
//!
//! For 10,000 and 100,000 services (the demo county plus generated variants of its services):
//! index build time, p50/p99 latency of 200 mixed queries (words with typos and synonyms,
//! filters, distance, browsing, later pages), and memory. The embedded engine always; Meilisearch
//! too, side by side, when `MEILI_URL` is set (its memory is read from /proc for the process
//! `MEILI_PID` names, else for the process named `meilisearch`). `BENCH_SIZES=10000` runs one
//! size; `BENCH_OUT=file.md` also writes the table.

use signpost::db::Db;
use signpost::search::document::{Geo, SearchDocument};
use signpost::search::embedded::EmbeddedIndex;
use signpost::search::meili::MeiliIndex;
use signpost::search::{
    document, synonyms, DeliveryMode, Filters, Near, QueryText, Search, SearchIndex, SearchQuery,
    SortOrder, Suggester,
};
use signpost::startup::prepare_directory;
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUERIES: usize = 200;
const WARM_UP: usize = 20;

/// Services in the demo county, as search documents.
async fn demo_documents(dir: &std::path::Path) -> (Db, Vec<SearchDocument>) {
    let url = signpost::config::DatabaseUrl::Sqlite {
        path: dir.join("bench.db"),
    };
    let db = Db::connect_with(&url, 2, Duration::from_secs(10))
        .await
        .expect("database");
    db.migrate().await.expect("migrations");
    prepare_directory(&db, true, &signpost::clock::Clock::system())
        .await
        .expect("demo county");
    let docs = document::load(db.pool(), None).await.expect("documents");
    (db, docs)
}

/// A small deterministic generator (xorshift), so every run indexes the same services.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOWNS: [&str; 14] = [
    "Brackenfield",
    "Hollowmere",
    "Saxby Bridge",
    "Greyford",
    "Lydmoor",
    "Marrowby",
    "Fennick Green",
    "Little Ashby",
    "Oakhallow",
    "Kingsholt",
    "Stowe Parva",
    "Pelham Cross",
    "Fordingham",
    "Ravensholme",
];

/// `n` documents: the demo services, then variants of them (another town, ages, days and place,
/// a number in the name) so the vocabulary and the spread of filter values stay realistic.
fn generate(demo: &[SearchDocument], n: usize) -> Vec<SearchDocument> {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut out: Vec<SearchDocument> = demo.iter().take(n).cloned().collect();
    let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
    let times = ["morning", "afternoon", "evening"];
    while out.len() < n {
        let base = &demo[rng.below(demo.len())];
        let i = out.len();
        let town = TOWNS[rng.below(TOWNS.len())];
        let mut d = base.clone();
        d.id = format!("gen-{i:06}");
        d.name = format!("{} ({town} {})", base.name, i % 97);
        d.place = format!("{town} BK{} {}", 1 + rng.below(28), rng.below(9));
        d.age_min = base
            .age_min
            .saturating_add((rng.below(3)) as u8)
            .min(d.age_max);
        d.days = (0..1 + rng.below(3))
            .map(|_| days[rng.below(7)].to_owned())
            .collect();
        d.days.sort();
        d.days.dedup();
        d.times = vec![times[rng.below(3)].to_owned()];
        d.free = rng.below(3) > 0;
        d.geo = d.geo.map(|g| Geo {
            lat: g.lat + (rng.below(2000) as f64 - 1000.0) / 10_000.0,
            lng: g.lng + (rng.below(2000) as f64 - 1000.0) / 10_000.0,
        });
        out.push(d);
    }
    out
}

/// 200 mixed queries, the same every run.
fn queries() -> Vec<SearchQuery> {
    let words = [
        "autism",
        "autisum group",
        "asd",
        "young carers",
        "young carers group evening",
        "breaks for carers",
        "respite",
        "swiming",
        "toddler",
        "under 5s",
        "food bank",
        "foodbank",
        "money advice",
        "debt",
        "mental health teenager",
        "camhs",
        "domestic abuse",
        "dv support",
        "bereavment",
        "counselling",
        "speech and language",
        "holiday club",
        "haf",
        "dads group",
        "breastfeeding",
        "send",
        "ehcp advice",
        "adhd parent",
        "youth club",
        "stay and play",
        "sw",
        "parenting course",
        "housing",
        "school nurse",
        "carers peer support",
        "wheelchair swimming",
        "after school club",
        "play",
        "zzqx",
        "",
    ];
    let near = |i: usize| {
        Near::new(
            52.34 + (i % 7) as f64 * 0.03,
            -1.51 - (i % 5) as f64 * 0.04,
            if i % 3 == 0 { Some(8_000) } else { None },
        )
        .expect("near")
    };
    let mut out = Vec::with_capacity(QUERIES);
    for i in 0..QUERIES {
        let text = QueryText::parse(words[i % words.len()]).expect("text");
        let mut filters = Filters::default();
        let mut place = None;
        let mut sort = SortOrder::Relevance;
        let mut page = 1;
        match i % 5 {
            0 => {}
            1 => {
                filters.free = true;
                filters.age = Some((i % 17) as u8);
            }
            2 => {
                filters.times = vec![app::domain::TimeOfDayBand::Evening];
                filters.days = vec![app::domain::Weekday::Sa, app::domain::Weekday::Tu];
                filters.modes = vec![DeliveryMode::InPerson];
            }
            3 => {
                place = Some(near(i));
                sort = SortOrder::Distance;
            }
            _ => {
                filters.categories = vec!["young-carers".into(), "adult-carers".into()];
                page = 1 + (i % 3) as u32;
            }
        }
        out.push(SearchQuery::new(text, filters, place, sort, page, 20).expect("bounds"));
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Resident and peak memory of a process, in MiB, from /proc.
fn memory_mib(pid: &str) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// CPU time a process has used so far (user + system), from /proc/PID/stat (clock ticks of
/// 10 ms).
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may contain spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The Meilisearch server's process: `MEILI_PID` when set (a server whose binary has another
/// name, or one of several), otherwise the process named `meilisearch`.
fn meilisearch_pid() -> Option<String> {
    if let Ok(pid) = std::env::var("MEILI_PID") {
        let pid = pid.trim().to_owned();
        let valid = !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && std::path::Path::new(&format!("/proc/{pid}/status")).exists();
        if !valid {
            eprintln!("!!! MEILI_PID={pid:?} is not a running process: Meilisearch's memory and CPU are not measured !!!");
            return None;
        }
        return Some(pid);
    }
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid = e.file_name().to_string_lossy().to_string();
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
        (comm.trim() == "meilisearch").then_some(pid)
    })
}

struct Row {
    engine: &'static str,
    services: usize,
    build: Duration,
    p50: Duration,
    p99: Duration,
    max: Duration,
    /// CPU time per query (this process, plus the Meilisearch server's for Meilisearch):
    /// unlike the latencies, hardly affected by other work on the machine.
    cpu_per_query: Option<Duration>,
    memory: String,
}

async fn measure(
    engine: &'static str,
    index: Arc<dyn SearchIndex>,
    synonyms: &signpost::search::Synonyms,
    docs: &[SearchDocument],
    memory: impl Fn() -> String,
) -> Row {
    // The product keeps recent pages of results (`search::cache`); the queries below repeat, so
    // with that cache on most of them would be answered from memory. This measures the engines.
    let search =
        Search::new(index.clone(), synonyms.clone(), Suggester::default()).with_result_cache(0);
    search
        .set_synonyms(synonyms.clone())
        .await
        .expect("configure");
    let started = Instant::now();
    index
        .replace_all(docs.to_vec(), synonyms, "bench")
        .await
        .expect("build");
    let build = started.elapsed();
    search.learn(docs.iter().map(|d| d.name.as_str()));
    let queries = queries();
    for q in queries.iter().take(WARM_UP) {
        search.search(q).await.expect("warm-up");
    }
    let cpu = || {
        let own = cpu_time("self")?;
        let server = match engine {
            "Meilisearch" => cpu_time(&meilisearch_pid()?)?,
            _ => Duration::ZERO,
        };
        Some(own + server)
    };
    let cpu_before = cpu();
    let mut times = Vec::with_capacity(queries.len());
    let mut slowest: Vec<(Duration, usize, u64)> = Vec::new();
    for (i, q) in queries.iter().enumerate() {
        let t = Instant::now();
        let r = search.search(q).await.expect("search");
        let took = t.elapsed();
        times.push(took);
        slowest.push((took, i, r.total));
        std::hint::black_box(r);
    }
    if std::env::var("BENCH_SLOWEST").is_ok() {
        slowest.sort_by_key(|s| std::cmp::Reverse(s.0));
        for (took, i, total) in slowest.iter().take(12) {
            let q = &queries[*i];
            eprintln!(
                "  {engine} {}: {:>8} {:?} filters={} near={} sort={:?} page={} total={total}",
                docs.len(),
                ms(*took),
                q.text.raw(),
                !q.filters.is_empty(),
                q.near.is_some(),
                q.sort,
                q.page
            );
        }
    }
    let cpu_per_query = match (cpu_before, cpu()) {
        (Some(a), Some(b)) => Some((b.saturating_sub(a)) / queries.len() as u32),
        _ => None,
    };
    times.sort();
    Row {
        engine,
        services: docs.len(),
        build,
        p50: percentile(&times, 50.0),
        p99: percentile(&times, 99.0),
        max: *times.last().unwrap_or(&Duration::ZERO),
        cpu_per_query,
        memory: memory(),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, demo) = demo_documents(dir.path()).await;
    let synonyms = synonyms::load(db.pool()).await.expect("synonyms");
    let sizes: Vec<usize> = std::env::var("BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 100_000]);
    let meili = std::env::var("MEILI_URL").ok().filter(|u| !u.is_empty());
    if meili.is_none() {
        eprintln!("\n!!! SKIPPED MEILISEARCH: MEILI_URL is not set; benchmarking the embedded engine only !!!\n");
    }
    let mut rows = Vec::new();
    for &n in &sizes {
        let docs = generate(&demo, n);
        eprintln!("{n} services: embedded…");
        let before = memory_mib("self").map(|m| m.0).unwrap_or_default();
        let index =
            EmbeddedIndex::open(Some(&dir.path().join(format!("index-{n}")))).expect("index");
        rows.push(
            measure(
                "embedded (tantivy)",
                Arc::new(index),
                &synonyms,
                &docs,
                || {
                    memory_mib("self")
                        .map(|(rss, peak)| {
                            format!(
                                "+{:.0} MiB RSS (bench process {rss:.0} MiB, peak {peak:.0} MiB)",
                                rss - before
                            )
                        })
                        .unwrap_or_default()
                },
            )
            .await,
        );
        if let Some(url) = &meili {
            eprintln!("{n} services: Meilisearch…");
            let key = std::env::var("MEILI_MASTER_KEY").ok();
            let index = MeiliIndex::new(url, key.as_deref(), &format!("signpost_bench_{n}"))
                .expect("meilisearch");
            rows.push(
                measure("Meilisearch", Arc::new(index), &synonyms, &docs, || {
                    meilisearch_pid()
                        .and_then(|pid| memory_mib(&pid))
                        .map(|(rss, peak)| {
                            format!("{rss:.0} MiB RSS (peak {peak:.0} MiB), server process")
                        })
                        .unwrap_or_else(|| {
                            "not measured (no local meilisearch process; set MEILI_PID)".into()
                        })
                })
                .await,
            );
        }
    }
    let mut table = String::from(
        "| engine | services | index build | p50 | p99 | slowest | CPU per query | memory |\n|---|---:|---:|---:|---:|---:|---:|---|\n",
    );
    for r in &rows {
        table.push_str(&format!(
            "| {} | {} | {:.2} s | {} | {} | {} | {} | {} |\n",
            r.engine,
            r.services,
            r.build.as_secs_f64(),
            ms(r.p50),
            ms(r.p99),
            ms(r.max),
            r.cpu_per_query.map(ms).unwrap_or_else(|| "–".into()),
            r.memory
        ));
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "\nload average at the end (1, 5, 15 min): {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("\n{QUERIES} mixed queries per row (after {WARM_UP} warm-up queries), 20 results per page, facets counted\n");
    println!("{table}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(&path, &table).expect("write BENCH_OUT");
    }
    db.close().await;
}
