//! The `signpost` binary itself: help, bad configuration (one clear line on standard error and a
//! non-zero exit), `signpost migrate`, and serving until SIGTERM with a graceful shutdown.

use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn signpost() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_signpost"));
    // A clean environment: only what each test sets.
    for var in [
        "DATABASE_URL",
        "LEPTOS_SITE_ADDR",
        "LEPTOS_SITE_ROOT",
        "SIGNPOST_ENV",
        "SIGNPOST_LOG_FORMAT",
        "RUST_LOG",
        "SIGNPOST_DB_TIMEOUT_SECS",
        "SIGNPOST_SEARCH",
        "SIGNPOST_SEARCH_DIR",
        "MEILI_URL",
        "MEILI_MASTER_KEY",
        "SIGNPOST_TRUSTED_PROXIES",
        "SIGNPOST_PUBLIC_URL",
        "SIGNPOST_SMTP_URL",
        "SIGNPOST_DEMO_DATA",
        "SIGNPOST_TOTP_KEY",
    ] {
        command.env_remove(var);
    }
    command.stdin(Stdio::null());
    command
}

/// Runs to completion (with a safety limit) and returns the output.
fn run(command: &mut Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("signpost starts");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("signpost did not exit within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asserts a failed start: non-zero exit, exactly one line on standard error containing `needles`.
fn assert_one_line_failure(output: &Output, needles: &[&str]) {
    assert!(!output.status.success(), "exit status is non-zero");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(
        lines.len(),
        1,
        "exactly one line on stderr, got: {stderr:?}"
    );
    for needle in needles {
        assert!(
            lines[0].contains(needle),
            "stderr {:?} should mention {needle:?}",
            lines[0]
        );
    }
}

fn temp_sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}/signpost.db", dir.path().display())
}

#[test]
fn help_documents_every_environment_variable() {
    let output = run(signpost().arg("--help"));
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    for var in [
        "DATABASE_URL",
        "LEPTOS_SITE_ADDR",
        "LEPTOS_SITE_ROOT",
        "SIGNPOST_ENV",
        "SIGNPOST_LOG_FORMAT",
        "RUST_LOG",
        "SIGNPOST_REQUEST_TIMEOUT_SECS",
        "SIGNPOST_MAX_BODY_KB",
        "SIGNPOST_DB_MAX_CONNECTIONS",
        "SIGNPOST_DB_TIMEOUT_SECS",
        "SIGNPOST_SEARCH",
        "SIGNPOST_SEARCH_DIR",
        "MEILI_URL",
        "MEILI_MASTER_KEY",
        "MEILI_INDEX",
        "SIGNPOST_SEARCH_SYNC_MS",
        "SIGNPOST_FEED_PULL_MINUTES",
        "SIGNPOST_FEED_TIMEOUT_SECS",
        "SIGNPOST_FEED_PAUSE_MS",
        "SIGNPOST_FEED_ATTEMPTS",
        "SIGNPOST_FEED_BACKOFF_MS",
        "SIGNPOST_FEED_MAX_SERVICES",
        "SIGNPOST_FEED_MAX_MB",
    ] {
        assert!(help.contains(var), "--help mentions {var}");
    }
    for command in ["migrate", "reindex", "synonyms", "feeds", "mapping"] {
        assert!(help.contains(command), "--help mentions {command}");
    }
    // The limits' settings are documented, and the hashing key's value is never printed.
    let key = "a-limit-key-that-must-stay-secret-0123456789";
    let output = run(signpost().arg("--help").env("SIGNPOST_LIMIT_KEY", key));
    let help = String::from_utf8_lossy(&output.stdout);
    for var in [
        "SIGNPOST_LIMIT_KEY",
        "SIGNPOST_DRAFTS_PER_HOUR",
        "SIGNPOST_HEADER_TIMEOUT_SECS",
        "SIGNPOST_MAX_CONNECTIONS",
    ] {
        assert!(help.contains(var), "--help mentions {var}");
    }
    assert!(!help.contains(key), "--help printed the limit key");
}

#[test]
fn help_never_prints_the_database_url_or_other_secrets() {
    let output = run(signpost()
        .arg("--help")
        .env(
            "DATABASE_URL",
            "postgres://signpost:hunter2-db-password@db.example:5432/signpost",
        )
        .env(
            "SIGNPOST_SMTP_URL",
            "smtps://mailer:hunter2-smtp-password@mail.example:465",
        )
        .env("SIGNPOST_TOTP_KEY", "ab".repeat(32)));
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("DATABASE_URL"), "still documented");
    assert!(help.contains("SIGNPOST_TOTP_KEY"), "documented");
    for secret in ["hunter2", "db.example", "abababab"] {
        assert!(!help.contains(secret), "--help printed {secret}");
    }
}

#[test]
fn production_refuses_to_start_with_unsafe_settings() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(signpost()
        .env("DATABASE_URL", temp_sqlite_url(&dir))
        .env("SIGNPOST_SEARCH_DIR", dir.path().join("search-index"))
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("SIGNPOST_ENV", "production")
        .env("SIGNPOST_PUBLIC_URL", "http://family.brackenshire.example")
        .env("SIGNPOST_SMTP_URL", "smtp://mail.brackenshire.example:25"));
    assert_one_line_failure(
        &output,
        &[
            "production",
            "SIGNPOST_PUBLIC_URL",
            "SIGNPOST_SMTP_URL",
            "SIGNPOST_DEMO_DATA",
            "SIGNPOST_TOTP_KEY",
        ],
    );
    assert!(
        !dir.path().join("signpost.db").exists(),
        "refused before opening the database"
    );
}

#[test]
fn unparseable_database_url_fails_with_one_line() {
    let output = run(signpost().env("DATABASE_URL", "mysql://localhost/signpost"));
    assert_one_line_failure(&output, &["DATABASE_URL", "sqlite://", "postgres://"]);
    let output = run(signpost().env("DATABASE_URL", "this is not a url"));
    assert_one_line_failure(&output, &["DATABASE_URL"]);
}

#[test]
fn bad_listen_address_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(signpost()
        .env("DATABASE_URL", temp_sqlite_url(&dir))
        .env("SIGNPOST_SEARCH_DIR", dir.path().join("search-index"))
        .env("LEPTOS_SITE_ADDR", "localhost:notaport"));
    assert_one_line_failure(&output, &["LEPTOS_SITE_ADDR", "127.0.0.1:3000"]);
}

#[test]
fn unreachable_database_fails_with_one_line() {
    // Nothing listens on this port: bind it, note the number, let it go.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = run(signpost()
        .env(
            "DATABASE_URL",
            format!("postgres://signpost:secret-password@127.0.0.1:{port}/signpost"),
        )
        .env("SIGNPOST_DB_TIMEOUT_SECS", "1")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0"));
    assert_one_line_failure(
        &output,
        &["cannot reach", &format!("127.0.0.1:{port}"), "DATABASE_URL"],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("secret-password"),
        "the password is never printed"
    );
}

#[test]
fn port_in_use_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap();
    let output = run(signpost()
        .env("DATABASE_URL", temp_sqlite_url(&dir))
        .env("SIGNPOST_SEARCH_DIR", dir.path().join("search-index"))
        .env("LEPTOS_SITE_ADDR", addr.to_string()));
    assert_one_line_failure(
        &output,
        &["already in use", "LEPTOS_SITE_ADDR", &addr.to_string()],
    );
    drop(taken);
}

#[test]
fn migrate_creates_the_sqlite_file_and_its_folder() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nested/folder/signpost.db");
    let output = run(signpost()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", db.display())));
    assert!(
        output.status.success(),
        "migrate succeeds: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(db.exists(), "the SQLite file was created");
    // Running it again is harmless.
    let again = run(signpost()
        .arg("migrate")
        .env("DATABASE_URL", format!("sqlite://{}", db.display())));
    assert!(again.status.success());
}

#[cfg(unix)]
#[test]
fn serves_then_shuts_down_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = signpost()
        .env("DATABASE_URL", temp_sqlite_url(&dir))
        .env("SIGNPOST_SEARCH_DIR", dir.path().join("search-index"))
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SIGNPOST_ENV", "production")
        // What production requires (a loopback public URL and mail relay are allowed plain).
        .env("SIGNPOST_DEMO_DATA", "false")
        .env("SIGNPOST_TOTP_KEY", "ab".repeat(32))
        .env("SIGNPOST_SMTP_URL", "smtp://127.0.0.1:2525")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let ready = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            let _ =
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut reply = String::new();
            let _ = stream.read_to_string(&mut reply);
            break reply;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "server started"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = {
        let started = Instant::now();
        loop {
            if child.try_wait().unwrap().is_some() {
                break child.wait_with_output().unwrap();
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "exits after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    assert!(output.status.success(), "a graceful shutdown exits 0");
    let logs = String::from_utf8_lossy(&output.stdout);
    // Production logs are JSON lines.
    let first = logs.lines().next().unwrap_or_default();
    assert!(
        serde_json::from_str::<serde_json::Value>(first).is_ok(),
        "production logs are JSON: {first}"
    );
    assert!(logs.contains("shutting down"));
}

#[test]
fn meilisearch_without_a_url_fails_with_one_line() {
    let output = run(signpost().env("SIGNPOST_SEARCH", "meilisearch"));
    assert_one_line_failure(&output, &["MEILI_URL", "SIGNPOST_SEARCH"]);
    let output = run(signpost()
        .env("SIGNPOST_SEARCH", "meilisearch")
        .env("MEILI_URL", "not a url"));
    assert_one_line_failure(&output, &["MEILI_URL", "not a url"]);
}

#[test]
fn a_trusted_proxy_that_is_not_an_address_fails_with_one_line() {
    let output = run(signpost().env("SIGNPOST_TRUSTED_PROXIES", "10.0.0.5, proxy.internal"));
    assert_one_line_failure(&output, &["SIGNPOST_TRUSTED_PROXIES", "proxy.internal"]);
}

#[test]
fn unreachable_meilisearch_fails_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = run(signpost()
        .env("DATABASE_URL", temp_sqlite_url(&dir))
        .env("SIGNPOST_DEMO_DATA", "false")
        .env("LEPTOS_SITE_ADDR", "127.0.0.1:0")
        .env("SIGNPOST_SEARCH", "meilisearch")
        .env("MEILI_URL", format!("http://127.0.0.1:{port}"))
        .env("MEILI_MASTER_KEY", "a-secret-key-never-printed"));
    assert_one_line_failure(&output, &["search index", "meilisearch", &port.to_string()]);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("a-secret-key-never-printed"));
}

#[test]
fn reindex_and_synonyms_commands() {
    let dir = tempfile::tempdir().unwrap();
    let with_env = |c: &mut Command| {
        c.env("DATABASE_URL", temp_sqlite_url(&dir))
            .env("SIGNPOST_SEARCH_DIR", dir.path().join("search-index"));
    };
    let mut import = signpost();
    with_env(import.args(["import", "demo"]));
    assert!(run(&mut import).status.success());

    let mut reindex = signpost();
    with_env(reindex.arg("reindex"));
    let output = run(&mut reindex);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "reindex succeeds: {stderr}");
    assert!(
        stderr.contains("rebuilt the embedded search index: 355 services"),
        "{stderr}"
    );

    let mut add = signpost();
    with_env(add.args(["synonyms", "add", "kinship, family and friends care"]));
    assert!(run(&mut add).status.success());
    let mut list = signpost();
    with_env(list.args(["synonyms", "list"]));
    let listed = String::from_utf8_lossy(&run(&mut list).stdout).to_string();
    assert!(listed.contains("asd, autism"), "the shipped list: {listed}");
    let line = listed
        .lines()
        .find(|l| l.contains("kinship"))
        .expect("the new group is listed");
    let number = line.split_whitespace().next().unwrap().to_owned();
    let mut remove = signpost();
    with_env(remove.args(["synonyms", "remove", &number]));
    assert!(run(&mut remove).status.success());
    let mut bad = signpost();
    with_env(bad.args(["synonyms", "add", "lonely"]));
    assert_one_line_failure(&run(&mut bad), &["at least two"]);
}

#[test]
fn bad_mail_settings_fail_with_one_line() {
    // Settings are checked before anything else, so nothing is created.
    let output = run(signpost()
        .arg("migrate")
        .env("SIGNPOST_SMTP_URL", "http://mail.example"));
    assert_one_line_failure(&output, &["SIGNPOST_SMTP_URL", "smtp://", "smtps://"]);
    let output = run(signpost()
        .arg("migrate")
        .env("SIGNPOST_HUB_EMAIL", "not an address"));
    assert_one_line_failure(&output, &["SIGNPOST_HUB_EMAIL"]);
    let output = run(signpost()
        .arg("migrate")
        .env("SIGNPOST_PUBLIC_URL", "ftp://example.org"));
    assert_one_line_failure(&output, &["SIGNPOST_PUBLIC_URL"]);
}
