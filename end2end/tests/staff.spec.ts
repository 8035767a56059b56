import { test, expect, type Page, type APIRequestContext } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { createHmac } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { axeViolations } from "./helpers";

// The staff portal end to end: a family's request is triaged by a Hub user who signs in with a
// password and a TOTP code (computed here as an authenticator app would), decides "signpost"
// with two services, the outcome email arrives at the real SMTP server, and the family's status
// page shows the decision. Also: lockout, CSRF rejection, axe on every staff page.
// Session expiry needs the server's clock moved: server/tests/it/staff.rs tests it with the app's
// injectable clock (a release server has no way to move its clock, on purpose).

const mailDir = process.env.E2E_MAILDIR!;
const PASSWORD = "harbour lantern pebble";

/** `signpost create-user`, as an administrator would run it, against the test server's database. */
function createUser(email: string, role: string) {
  execFileSync(
    process.env.E2E_SIGNPOST_BIN!,
    ["create-user", "--email", email, "--name", `Test ${role}`, "--role", role],
    {
      input: `${PASSWORD}\n`,
      env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL, RUST_LOG: "warn", SIGNPOST_DEMO_DATA: "false" },
      stdio: ["pipe", "ignore", "pipe"],
    },
  );
}

/** RFC 4648 base32 without padding. */
function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/\s/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** RFC 6238 TOTP: SHA-1, 6 digits, 30-second steps, at `unixSeconds`. */
function totp(secret: string, unixSeconds: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSeconds / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return number.toString().padStart(6, "0");
}

async function noViolations(page: Page) {
  expect(await axeViolations(page)).toEqual([]);
}

/** Every message in the Maildir that mentions `text`. */
function emailsWith(text: string): string[] {
  const out: string[] = [];
  for (const sub of ["new", "cur"]) {
    const dir = path.join(mailDir, sub);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir)) {
      const body = fs.readFileSync(path.join(dir, file), "utf8").replace(/=\r?\n/g, "");
      if (body.includes(text)) out.push(body);
    }
  }
  return out;
}

/** A parent's request for support, sent through the form's pages as a browser without JavaScript would. */
async function familyRequest(request: APIRequestContext, email: string): Promise<string> {
  const steps: [string, [string, string][]][] = [
    ["who", [["who", "parent"]]],
    ["your-details", [["your_name", "Alexandra Testperson"], ["your_relationship", "Mother"], ["your_phone", "01632 960001"], ["your_email", email]]],
    ["postcode", [["postcode", "bk1 4ab"]]],
    ["agreement", [["family_agrees_support", "yes"], ["family_share_with", "school"], ["must_not_see", ""]]],
    ["children/1", [["child_first_name", "Zephyrine"], ["child_last_name", "Quartermaine"], ["child_dob-day", "14"], ["child_dob-month", "3"], ["child_dob-year", "2019"], ["child_school", "Millbrook Primary"], ["child_send", "not-sure"]]],
    ["children", [["add_another", "no"]]],
    ["adults", [["add_another", "no"]]],
    ["professionals", [["add_another", "no"]]],
    ["support-in-place", [["team_around_family", "no"], ["social_worker_allocated", "not-sure"]]],
    ["worries", [["worries", "XYZZY worries"]]],
    ["working-well", [["working_well", "XYZZY working well"]]],
    ["needs-to-happen", [["needs_to_happen", "XYZZY needs"]]],
    ["child-wants", [["child_wants", "XYZZY wants"]]],
    ["need-areas", [["need_areas", "housing"]]],
    ["contact", [["contact_method", "phone"], ["safe_to_call", "yes"], ["safe_to_leave_message", "no"], ["safe_to_write", "yes"]]],
    ["access-needs", [["interpreter", "no"]]],
    ["check-answers", []],
  ];
  for (const [slug, pairs] of steps) {
    const body = new URLSearchParams(pairs).toString();
    const response = await request.post(`/request-support/${slug}`, {
      data: body,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      maxRedirects: 0,
    });
    expect(response.status(), `${slug}: ${(await response.text()).slice(0, 300)}`).toBe(303);
  }
  const confirmation = await (await request.get("/request-support/confirmation")).text();
  const reference = confirmation.match(/id="reference">(EH-[0-9A-Z]{4}-[0-9A-Z]{4})</)?.[1];
  expect(reference).toBeTruthy();
  return reference!;
}

async function passwordStep(page: Page, email: string, password: string) {
  await page.goto("/staff/sign-in");
  await expect(page.locator("h1")).toHaveText("Sign in to the staff portal");
  await noViolations(page);
  await page.getByLabel("Email address").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Continue" }).click();
}

/** First sign-in: password, then the authenticator app set up by reading the key. Returns the key. */
async function enrol(page: Page, email: string): Promise<string> {
  await passwordStep(page, email, PASSWORD);
  await expect(page.locator("h1")).toHaveText("Set up your authenticator app");
  await expect(page.getByRole("img", { name: "QR code to scan with your authenticator app" })).toBeVisible();
  await noViolations(page);
  await page.getByText("I cannot scan the QR code").click();
  const secret = ((await page.locator("#totp-secret").textContent()) ?? "").replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByLabel("Code from the app").fill(totp(secret, Date.now() / 1000));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator("h1")).toHaveText("Your authenticator app is set up");
  await expect(page.locator("#recovery-codes li")).toHaveCount(10);
  await noViolations(page);
  return secret;
}

test.describe.configure({ timeout: 120_000 });

test("a family's request is triaged by a Hub user signed in with a password and TOTP, and the family sees the outcome", async ({ page, browser, playwright, baseURL }) => {
  const family = await playwright.request.newContext({ baseURL });
  const familyEmail = `family-${Date.now()}@family.example`;
  const reference = await familyRequest(family, familyEmail);
  await expect.poll(() => emailsWith(reference).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  const ack = emailsWith(reference).find((m) => m.includes("We have received your request"))!;
  const statusLink = ack.match(/\/request-support\/status\/[0-9a-f]{64}/)?.[0];
  expect(statusLink).toBeTruthy();

  const hub = `hub-${Date.now()}@brackenshire.example`;
  createUser(hub, "hub");
  const secret = await enrol(page, hub);
  // Sign out, and in again with the password and the app's code (the next step's code: the
  // one used to enrol works only once).
  await page.getByRole("link", { name: "Continue" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.locator("h1")).toHaveText("You have signed out");
  await noViolations(page);
  await passwordStep(page, hub, PASSWORD);
  await expect(page.locator("h1")).toHaveText("Enter the code from your authenticator app");
  await noViolations(page);
  // A wrong code first: the error state.
  await page.getByLabel("Enter the code from your authenticator app").fill("000000");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator(".govuk-error-summary")).toBeVisible();
  await noViolations(page);
  await page.getByLabel("Enter the code from your authenticator app").fill(totp(secret, Date.now() / 1000 + 30));
  await page.getByRole("button", { name: "Sign in" }).click();

  // The queue, oldest first, with this request in it.
  await expect(page.locator("h1")).toHaveText("Requests for early help");
  await noViolations(page);
  const row = page.locator("#queue tr", { hasText: reference });
  await expect(row).toContainText("New");
  await expect(page.locator("#queue")).not.toContainText("Alexandra");
  await row.getByRole("link", { name: reference }).click();

  await expect(page.locator("h1")).toHaveText(reference);
  await expect(page.locator("main")).toContainText("Alexandra Testperson");
  await noViolations(page);
  await page.getByRole("button", { name: "Assign to me" }).click();
  await expect(page.locator("main")).toContainText("In triage");
  await page.getByRole("link", { name: "Record a decision" }).click();

  await expect(page.locator("h1")).toHaveText("Record a decision");
  await page.getByLabel("Find services in the directory (for signposting)").fill("a");
  await page.getByRole("button", { name: "Search" }).click();
  const services = page.getByRole("group", { name: "Services to send the family (if signposting)" }).getByRole("checkbox");
  await expect(services.nth(1)).toBeVisible();
  await noViolations(page);
  const chosen: string[] = [];
  for (const i of [0, 1]) {
    await services.nth(i).check();
    chosen.push(((await page.locator(`label[for="${await services.nth(i).getAttribute("id")}"]`).textContent()) ?? "").trim());
  }
  await page.getByLabel("Signpost to community services").check();
  await page.getByLabel("Level 2: early help from one service").check();
  // The reason is mandatory.
  await page.getByRole("button", { name: "Record decision" }).click();
  await expect(page.locator(".govuk-error-summary")).toContainText("Enter the reason for the decision");
  await noViolations(page);
  await page.getByLabel("Reason for the decision").fill("QUOKKA internal reason: two local services fit.");
  await page.getByRole("button", { name: "Record decision" }).click();
  await expect(page.locator("h1")).toHaveText(reference);
  await expect(page.locator("main")).toContainText("Signpost to community services");
  await expect(page.locator("#history")).toContainText("Outcome email queued to the requester");
  // The request page after a decision (the decision's summary, "Close the request").
  await noViolations(page);
  // A staff page that does not exist.
  const missing = await page.goto("/staff/requests/00000000-0000-0000-0000-000000000000");
  expect(missing?.status()).toBe(404);
  await noViolations(page);
  // The performance page: its pictures are SVG drawn on the server, each named for a screen
  // reader, with the tables they are drawn from below them.
  await page.goto("/staff/kpis");
  await expect(page.getByRole("img", { name: "Requests per week by outcome" })).toBeVisible();
  await expect(page.getByRole("img", { name: "Time to a decision against the 1-working-day standard" })).toBeVisible();
  await noViolations(page);

  // The outcome email at the SMTP server: reference, the two services, nothing personal.
  await expect
    .poll(() => emailsWith(reference).filter((m) => m.includes("An update on your request")).length, { timeout: 15_000 })
    .toBe(1);
  const outcome = emailsWith(reference).find((m) => m.includes("An update on your request"))!;
  expect(outcome).toContain(`X-RcptTo: ${familyEmail}`);
  for (const name of chosen) expect(outcome).toContain(name);
  for (const secretText of ["Alexandra", "Zephyrine", "XYZZY", "QUOKKA"]) expect(outcome).not.toContain(secretText);

  // The family's status page: by reference and email address, and by the link.
  const familyBrowser = await browser.newContext({ baseURL });
  const status = await familyBrowser.newPage();
  await status.goto("/request-support/status");
  await noViolations(status);
  // A wrong reference or email: the same answer for both (nothing to learn), and accessible.
  await status.getByLabel("Reference number, for example EH-7K3Q-9M2P").fill("EH-AAAA-AAAA");
  await status.getByLabel("Email address").fill(familyEmail);
  await status.getByRole("button", { name: "Check progress" }).click();
  await expect(status.locator(".govuk-error-summary")).toBeVisible();
  await noViolations(status);
  // A status link that is not one.
  await status.goto(`/request-support/status/${"0".repeat(64)}`);
  await noViolations(status);
  await status.goto("/request-support/status");
  await status.getByLabel("Reference number, for example EH-7K3Q-9M2P").fill(reference);
  await status.getByLabel("Email address").fill(familyEmail);
  await status.getByRole("button", { name: "Check progress" }).click();
  await expect(status.locator("h1")).toHaveText("Your request for early help");
  await expect(status.locator("#outcome")).toHaveText(/We have found services in your area that can help/);
  await expect(status.locator("main")).not.toContainText("Alexandra");
  await noViolations(status);
  await status.goto(statusLink!);
  await expect(status.locator("#outcome")).toHaveText(/We have found services in your area that can help/);
  await noViolations(status);
  await familyBrowser.close();
  await family.dispose();
});

test("five wrong passwords lock the account for 15 minutes", async ({ page }) => {
  const email = `lock-${Date.now()}@brackenshire.example`;
  createUser(email, "hub");
  for (let i = 0; i < 4; i++) {
    await passwordStep(page, email, "not the right password");
    await expect(page.locator(".govuk-error-summary")).toContainText("Enter a correct email address and password");
  }
  await noViolations(page);
  await passwordStep(page, email, "not the right password");
  await expect(page.locator("h1")).toHaveText("Too many attempts to sign in");
  await noViolations(page);
  // The right password is refused too while locked.
  await passwordStep(page, email, PASSWORD);
  await expect(page.locator("h1")).toHaveText("Too many attempts to sign in");
});

test("a form posted with a wrong CSRF token is refused and changes nothing", async ({ page }) => {
  const email = `csrf-${Date.now()}@brackenshire.example`;
  createUser(email, "hub");
  await enrol(page, email);
  await page.goto("/staff/account");
  await expect(page.locator("h1")).toHaveText("Your account");
  await noViolations(page);
  // Tamper with the token of the "sign out everywhere" form, as a forged cross-site form would.
  await page.locator('form[action="/staff/sign-out-everywhere"] input[name="csrf"]').evaluate((input: HTMLInputElement) => {
    input.value = "0".repeat(64);
  });
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page.locator("h1")).toHaveText("This form has expired");
  await noViolations(page);
  // Still signed in: nothing happened.
  await page.goto("/staff/account");
  await expect(page.locator("h1")).toHaveText("Your account");
});

test("an admin's pages (accounts, audit log, performance) pass axe and the audit log filters", async ({ page }) => {
  const email = `admin-${Date.now()}@brackenshire.example`;
  createUser(email, "admin");
  await enrol(page, email);
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page.locator("h1")).toHaveText("Audit log");
  await noViolations(page);
  await page.getByLabel("Action").selectOption("totp_enrolled");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.locator("#audit tbody tr").first()).toContainText("totp_enrolled");
  await expect(page.locator("#audit tbody")).not.toContainText("view_request");
  await page.getByRole("link", { name: "Accounts" }).click();
  await expect(page.locator("h1")).toHaveText("Staff accounts");
  await noViolations(page);
  // A common password is refused with the NCSC-style message.
  await page.getByLabel("Name").fill("Pat Example");
  await page.getByLabel("Email address").fill(`pat-${Date.now()}@brackenshire.example`);
  await page.getByLabel("Early Help Hub").check();
  await page.getByLabel("First password (12 characters or more, not a common password)").fill("qwertyuiop12");
  await page.getByRole("button", { name: "Add account" }).click();
  await expect(page.locator(".govuk-error-summary")).toContainText("This password is too common");
  await noViolations(page);
  // Another account's page: change its role or set a temporary password.
  const other = `other-${Date.now()}@brackenshire.example`;
  createUser(other, "hub");
  await page.getByRole("link", { name: "Accounts" }).click();
  await page.getByRole("link", { name: new RegExp(`Change role or password for .*`) }).first().click();
  await expect(page.locator("h1")).toBeVisible();
  await noViolations(page);
  // Your own password.
  await page.goto("/staff/account/password");
  await expect(page.locator("h1")).toHaveText("Change your password");
  await noViolations(page);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator(".govuk-error-summary")).toBeVisible();
  await noViolations(page);
  // The search synonyms.
  await page.goto("/staff/synonyms");
  await expect(page.locator("h1")).toBeVisible();
  await noViolations(page);
  await page.getByRole("link", { name: "Performance" }).click();
  await expect(page.locator("h1")).toHaveText("Performance");
  await noViolations(page);
});

test("a provider suggests a change without JavaScript and a directory editor applies it from the review queue", async ({ page, browser }) => {
  // The provider: a browser with JavaScript off, from the service page.
  const provider = await browser.newContext({ javaScriptEnabled: false });
  const p = await provider.newPage();
  await p.goto("/search?q=toddler");
  const first = p.locator(".signpost-result h2 a").first();
  const serviceHref = await first.getAttribute("href");
  expect(serviceHref).toMatch(/^\/services\//);
  await p.goto(serviceHref!);
  const serviceName = (await p.locator("h1").textContent())!.trim();
  await p.getByRole("link", { name: "Suggest a change to this listing" }).click();
  await expect(p.locator("h1")).toHaveText("Suggest a change to this listing");
  await expect(p.getByLabel("Name of the service")).toHaveValue(serviceName);
  // Sent with nothing changed and no details: the errors, each linked to its field.
  await p.getByRole("button", { name: "Send the change" }).click();
  await expect(p.locator(".govuk-error-summary")).toContainText("Change at least one thing");
  await expect(p.locator(".govuk-error-summary")).toContainText("Enter your name");
  await p.getByLabel("Phone number (optional)").fill("01632 960 404");
  await p.getByLabel("When it runs").fill("Also on Friday mornings from January");
  await p.getByLabel("Your name").fill("Robin Provider");
  await p.getByLabel("The organisation you work for").fill("Little Steps CIC");
  await p.getByLabel("Your work email address").fill("robin@steps.example");
  await p.getByRole("button", { name: "Send the change" }).click();
  await expect(p.locator("h1")).toHaveText("Your change has been sent");
  const reference = (await p.locator(".govuk-panel__body strong").textContent())!.trim();
  expect(reference).toMatch(/^SC-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const sentUrl = p.url();
  await provider.close();
  // The directory team's email: the reference and a link, not the provider's details.
  await expect.poll(() => emailsWith(reference).length, { timeout: 15_000 }).toBe(1);
  const mail = emailsWith(reference)[0];
  expect(mail).toContain("/staff/directory/review");
  for (const secret of ["Robin", "robin@steps.example", "01632 960 404"]) expect(mail).not.toContain(secret);

  // The editor: the Directory page, the review queue's diff, the editor, the preview, the save.
  const email = `editor-${Date.now()}@brackenshire.example`;
  createUser(email, "directory");
  await enrol(page, email);
  await page.getByRole("link", { name: "Continue" }).click();
  await expect(page.locator("h1")).toHaveText("Directory");
  await noViolations(page);
  await page.getByRole("link", { name: /waiting in the review queue/ }).click();
  await expect(page.locator("h1")).toHaveText("Review queue");
  const card = page.locator(`#suggestion-${reference}`);
  await expect(card).toContainText("01632 960 404");
  await expect(card).toContainText("Also on Friday mornings from January");
  await expect(card).toContainText("Robin Provider");
  await noViolations(page);
  await card.getByRole("link", { name: /Open in the editor/ }).click();
  await expect(page.locator("h1")).toHaveText(`Edit ${serviceName}`);
  await expect(page.getByLabel("Phone number (optional)")).toHaveValue("01632 960 404");
  await expect(page.locator("#suggestion-note")).toContainText("Also on Friday mornings");
  await noViolations(page);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator("h1")).toHaveText("Check the listing before you publish it");
  await expect(page.locator("#preview")).toContainText("01632 960 404");
  await noViolations(page);
  await page.getByRole("button", { name: "Save and publish" }).click();
  await expect(page.locator(".govuk-notification-banner")).toContainText("is saved and published");
  await noViolations(page);
  const published = await (await page.request.get(serviceHref!)).text();
  expect(published).toContain("01632 960 404");

  // A new listing with nothing filled in: the error summary, linked to each field.
  await page.getByRole("link", { name: "Add a listing" }).click();
  await expect(page.locator("h1")).toHaveText("Add a listing");
  await noViolations(page);
  await page.getByRole("button", { name: "Preview" }).click();
  await expect(page.locator(".govuk-error-summary")).toContainText("Enter the name of the service");
  await page.locator(".govuk-error-summary a", { hasText: "Enter the name of the service" }).click();
  await expect(page.getByLabel("Name of the service")).toBeFocused();
  await noViolations(page);
  // Directory editors do not see the Hub's queue.
  const response = await page.goto("/staff/queue");
  expect(response?.status()).toBe(403);
  await noViolations(page);

  // axe (it needs JavaScript) on the provider's pages: the form, its errors, the confirmation.
  await page.goto(`${serviceHref}/suggest-change`);
  await noViolations(page);
  await page.getByRole("button", { name: "Send the change" }).click();
  await expect(page.locator(".govuk-error-summary")).toContainText("Enter your name");
  await noViolations(page);
  await page.goto(sentUrl);
  await expect(page.locator("h1")).toHaveText("Your change has been sent");
  await noViolations(page);
});
