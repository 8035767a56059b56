import { defineConfig } from "@playwright/test";
import * as os from "node:os";
import * as path from "node:path";
import * as fs from "node:fs";

// The server under test: the release binary and site (`make release`), on its own port, with a
// fresh SQLite database in a temporary folder. Chromium is Debian's /usr/bin/chromium: never run
// `npx playwright install`.
const port = Number(process.env.E2E_PORT ?? 3107);
const baseURL = process.env.BASE_URL ?? `http://127.0.0.1:${port}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "signpost-e2e-"));
const root = path.resolve(__dirname, "..");
// Emails go to a real SMTP server on loopback (aiosmtpd, installed by `scripts/setup.sh --test`
// into end2end/.venv), which files each message in a Maildir the tests read. The config is
// evaluated again in every worker: the folder is fixed once, in the runner, through the
// environment the workers inherit.
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? 3125);
process.env.E2E_MAILDIR ??= path.join(dataDir, "maildir");
const mailDir = process.env.E2E_MAILDIR;
// The server's database, fixed the same way: the staff tests create accounts in it with
// `signpost create-user`, as an administrator would.
process.env.E2E_DATABASE_URL ??= `sqlite://${path.join(dataDir, "signpost.db")}`;
process.env.E2E_SIGNPOST_BIN ??= process.env.SIGNPOST_BIN ?? path.join(root, "target/release/signpost");

// SIGNPOST_BIN: another build of the binary (e.g. with CARGO_TARGET_DIR set).
const signpostBin = process.env.SIGNPOST_BIN ?? path.join(root, "target/release/signpost");

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
      ],
    },
  },
  webServer: process.env.BASE_URL
    ? undefined
    : [
      {
        command: `${path.join(__dirname, ".venv/bin/python")} -m aiosmtpd -n -l 127.0.0.1:${smtpPort} -c aiosmtpd.handlers.Mailbox ${mailDir}`,
        port: smtpPort,
        reuseExistingServer: false,
        timeout: 30_000,
        stdout: "ignore",
        stderr: "pipe",
      },
      {
        // Production settings (SIGNPOST_ENV=production) refuse the demo county at start-up, so it
        // is imported first, explicitly, as an operator would load real data.
        command: `"${signpostBin}" import demo && exec "${signpostBin}"`,
        cwd: root,
        url: `${baseURL}/readyz`,
        reuseExistingServer: false,
        timeout: 60_000,
        stdout: "ignore",
        stderr: "pipe",
        env: {
          DATABASE_URL: process.env.E2E_DATABASE_URL,
          SIGNPOST_SEARCH_DIR: path.join(dataDir, "search-index"),
          LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
          LEPTOS_SITE_ROOT: path.join(root, "target/site"),
          SIGNPOST_ENV: "production",
          SIGNPOST_DEMO_DATA: "false",
          // A fixed key for the tests' throwaway database (production needs one; never reuse it).
          SIGNPOST_TOTP_KEY: "0f".repeat(32),
          RUST_LOG: "warn",
          SIGNPOST_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
          SIGNPOST_PUBLIC_URL: baseURL,
          // Every test's browser comes from 127.0.0.1, like a whole school behind one address:
          // the per-address draft limit (tested in server/tests/it/abuse.rs) is raised here.
          SIGNPOST_DRAFTS_PER_HOUR: "1000",
        },
      },
    ],
});
