//! The `signpost` command: `signpost` (or `signpost serve`) runs the server, `signpost migrate`
//! applies the migrations. Configuration comes from environment variables (`signpost --help`).

use clap::Parser;
use signpost::config::{Cli, Command, Settings};
use signpost::db::Db;
use signpost::startup::{shutdown_signal, Application};
use signpost::telemetry;
use std::process::ExitCode;

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
            let db = Db::connect(&settings.database, &settings)
                .await
                .map_err(|e| e.to_string())?;
            db.migrate().await.map_err(|e| e.to_string())?;
            let readiness = db.readiness().await;
            tracing::info!(
                applied = readiness.migrations_applied,
                "migrations are up to date"
            );
            db.close().await;
            Ok(())
        }
    }
}
