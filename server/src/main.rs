//! The `signpost` command: `signpost` (or `signpost serve`) runs the server, `signpost migrate`
//! applies the migrations. Configuration comes from environment variables (`signpost --help`).

use clap::Parser;
use signpost::clock::Clock;
use signpost::config::{
    Cli, Command, ExportCommand, FeedsCommand, ImportCommand, MappingCommand, Settings,
    SynonymsCommand,
};
use signpost::db::Db;
use signpost::directory::{demo, feeds, import, mapping, postcodes};
use signpost::search::{sync, synonyms};
use signpost::staff::users;
use signpost::startup::{open_search, prepare_directory};
use signpost::startup::{shutdown_signal, Application};
use signpost::telemetry;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: rendering a results page is allocation-heavy, and
/// glibc's malloc and free were over a third of the CPU under load (docs/performance.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // One line on standard error: what is wrong and how to fix it.
            eprintln!("signpost: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let settings = Settings::try_from(cli.config).map_err(|e| e.to_string())?;
    telemetry::init(settings.log_format, &settings.log_filter);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(&settings)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(
                address = %app.local_addr(),
                database = %settings.database.redacted(),
                "Signpost is listening on http://{}",
                app.local_addr()
            );
            app.run_until(shutdown_signal())
                .await
                .map_err(|e| e.to_string())
        }
        Command::Migrate => {
            let db = open(&settings).await?;
            let readiness = db.readiness().await;
            tracing::info!(
                applied = readiness.migrations_applied,
                "migrations are up to date"
            );
            db.close().await;
            Ok(())
        }
        Command::Import(what) => {
            let db = open(&settings).await?;
            prepare_directory(&db, false, &Clock::system())
                .await
                .map_err(|e| e.to_string())?;
            let result = run_import(&db, what).await;
            db.close().await;
            result
        }
        Command::Reindex => {
            let db = open(&settings).await?;
            prepare_directory(&db, false, &Clock::system())
                .await
                .map_err(|e| e.to_string())?;
            let search = open_search(&settings.search).map_err(|e| e.to_string())?;
            let synonyms = synonyms::load(db.pool()).await.map_err(|e| e.to_string())?;
            search
                .set_synonyms(synonyms)
                .await
                .map_err(|e| e.to_string())?;
            let count = sync::rebuild(&db, &search)
                .await
                .map_err(|e| e.to_string())?;
            db.close().await;
            eprintln!(
                "rebuilt the {} search index: {count} services ({:?})",
                search.engine().as_str(),
                settings.search
            );
            Ok(())
        }
        Command::CreateUser { email, name, role } => {
            let mut password = String::new();
            std::io::stdin()
                .read_line(&mut password)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']);
            let db = open(&settings).await?;
            let new = users::NewUser {
                email: &email,
                name: &name,
                role: &role,
                password,
            };
            let result = users::create(db.pool(), &settings.staff.clock, &new, None).await;
            db.close().await;
            let id = result.map_err(|e| e.to_string())?;
            eprintln!(
                "created the {role} account {email} ({id}); they set up their authenticator app when they first sign in at /staff"
            );
            Ok(())
        }
        Command::Synonyms(what) => {
            let db = open(&settings).await?;
            let result = run_synonyms(&db, what).await;
            db.close().await;
            result
        }
        Command::Feeds(what) => {
            let db = open(&settings).await?;
            prepare_directory(&db, false, &Clock::system())
                .await
                .map_err(|e| e.to_string())?;
            let result = run_feeds(&db, &settings, what).await;
            db.close().await;
            result
        }
        Command::Mapping(what) => {
            let db = open(&settings).await?;
            prepare_directory(&db, false, &Clock::system())
                .await
                .map_err(|e| e.to_string())?;
            let result = run_mapping(&db, what).await;
            db.close().await;
            result
        }
        Command::Export(ExportCommand::Oruk { path }) => {
            let db = open(&settings).await?;
            prepare_directory(&db, false, &Clock::system())
                .await
                .map_err(|e| e.to_string())?;
            let services = import::export_services(&db)
                .await
                .map_err(|e| e.to_string())?;
            db.close().await;
            let json = serde_json::to_string_pretty(&services).map_err(|e| e.to_string())?;
            match path {
                Some(path) => std::fs::write(&path, json + "\n")
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
                None => println!("{json}"),
            }
            eprintln!("exported {} services", services.len());
            Ok(())
        }
    }
}

/// Connects and applies any pending migrations.
async fn open(settings: &Settings) -> Result<Db, String> {
    let db = Db::connect_with(
        &settings.database,
        settings.db_max_connections,
        settings.db_timeout,
    )
    .await
    .map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    Ok(db)
}

async fn run_synonyms(db: &Db, what: SynonymsCommand) -> Result<(), String> {
    match what {
        SynonymsCommand::List => {
            for (number, terms) in synonyms::list(db.pool()).await.map_err(|e| e.to_string())? {
                println!("{number:>3}  {terms}");
            }
        }
        SynonymsCommand::Add { group } => {
            let mut conn = db.pool().acquire().await.map_err(|e| e.to_string())?;
            let number = synonyms::add(&mut conn, &group)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!("added synonym group {number}; a running server applies it within seconds");
        }
        SynonymsCommand::Remove { number } => {
            synonyms::remove(db.pool(), number)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!("removed synonym group {number}; a running server applies it within seconds");
        }
    }
    Ok(())
}

async fn run_import(db: &Db, what: ImportCommand) -> Result<(), String> {
    let read = |path: &std::path::Path| {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    match what {
        ImportCommand::Demo => {
            let count = demo::load(db).await.map_err(|e| e.to_string())?;
            eprintln!("loaded the demo county: {count} services");
        }
        ImportCommand::Oruk { path } => {
            let text = read(&path)?;
            let values = import::parse_document(&text).map_err(|e| e.to_string())?;
            let today = signpost::clock::today().map_err(|e| e.to_string())?;
            let provenance = import::Provenance {
                source: signpost::directory::repo::LOCAL_SOURCE,
                archive_missing: false,
            };
            let now = signpost::clock::now();
            match import::import(db, &values, &provenance, today, &now).await {
                Ok(report) => eprintln!(
                    "imported {} services from {}: {report}",
                    report.total(),
                    path.display()
                ),
                Err(import::ImportError::Invalid(errors)) => {
                    // Every problem on its own line, then the one-line verdict.
                    for error in &errors {
                        eprintln!("{error}");
                    }
                    return Err(format!(
                        "{} problem(s) in {}: nothing was imported",
                        errors.len(),
                        path.display()
                    ));
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        ImportCommand::Postcodes { path } => {
            let text = read(&path)?;
            let report = postcodes::import(db, &text)
                .await
                .map_err(|e| e.to_string())?;
            eprintln!(
                "imported {} postcodes ({} terminated and {} without coordinates skipped)",
                report.imported, report.terminated, report.without_coordinates
            );
        }
    }
    Ok(())
}

async fn run_feeds(db: &Db, settings: &Settings, what: FeedsCommand) -> Result<(), String> {
    let clock = &settings.staff.clock;
    match what {
        FeedsCommand::Add { name, url } => {
            let name = feeds::FeedName::parse(&name).map_err(|e| e.to_string())?;
            let url = feeds::FeedUrl::parse(&url).map_err(|e| e.to_string())?;
            feeds::add(db, &name, &url, &clock.now())
                .await
                .map_err(|e| e.to_string())?;
            eprintln!(
                "registered the feed {} ({}); pull it with: signpost feeds pull \"{}\"",
                name.as_str(),
                url.as_str(),
                name.as_str()
            );
        }
        FeedsCommand::Pull { name } => {
            let names = match name {
                Some(name) => vec![name],
                None => feeds::names(db.pool())
                    .await
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(|(name, _)| name)
                    .collect(),
            };
            if names.is_empty() {
                return Err(
                    "no feed is registered: add one with signpost feeds add NAME URL".into(),
                );
            }
            let holder = feeds::holder_name();
            let mut failed = 0;
            for name in &names {
                match feeds::pull(db, &settings.feeds, clock, name, &holder).await {
                    Ok(report) => eprintln!("{name}: {report}"),
                    Err(e) => {
                        failed += 1;
                        eprintln!("{name}: {}", e.details());
                    }
                }
            }
            if failed > 0 {
                return Err(format!(
                    "{failed} of {} feed(s) failed to pull; nothing was written for them",
                    names.len()
                ));
            }
        }
        FeedsCommand::List => {
            for feed in feeds::list(db.pool()).await.map_err(|e| e.to_string())? {
                let last = match (&feed.last_outcome, &feed.last_finished_at) {
                    (Some(outcome), Some(at)) => format!("last pull {outcome} at {at}"),
                    _ => "never pulled".to_owned(),
                };
                println!(
                    "{}\t{}\t{last}\t{} listed, {} waiting for a category, {} edited here",
                    feed.name, feed.url, feed.listed, feed.waiting, feed.overridden
                );
            }
        }
    }
    Ok(())
}

async fn run_mapping(db: &Db, what: MappingCommand) -> Result<(), String> {
    match what {
        MappingCommand::Load { path } => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let categories = mapping::categories_by_code(db.pool())
                .await
                .map_err(|e| e.to_string())?;
            let rows = mapping::parse_csv(&text, &categories)
                .map_err(|e| format!("{}: {e}; nothing was loaded", path.display()))?;
            let now = signpost::clock::now();
            let mut tx = signpost::directory::repo::begin_write(db.pool())
                .await
                .map_err(|e| e.to_string())?;
            for (row, category) in &rows {
                mapping::set(&mut tx, row.kind, &row.value, *category, &now)
                    .await
                    .map_err(|e| e.to_string())?;
            }
            let changed = mapping::apply(&mut tx, &now)
                .await
                .map_err(|e| e.to_string())?;
            tx.commit().await.map_err(|e| e.to_string())?;
            eprintln!(
                "loaded {} mapping row(s); {changed} service(s) got a category from them",
                rows.len()
            );
        }
        MappingCommand::List => {
            let rows = mapping::list(db.pool()).await.map_err(|e| e.to_string())?;
            print!("{}", mapping::to_csv(&rows));
        }
    }
    Ok(())
}
