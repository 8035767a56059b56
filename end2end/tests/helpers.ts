import { expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import * as fs from "node:fs";
import * as path from "node:path";

/** Every message that reached the test SMTP server (a Maildir, see playwright.config.ts) and
 * mentions `text`, as text (quoted-printable soft line breaks undone). */
export function emailsFor(text: string): string[] {
  const mailDir = process.env.E2E_MAILDIR!;
  const out: string[] = [];
  for (const sub of ["new", "cur"]) {
    const dir = path.join(mailDir, sub);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir)) {
      const message = fs.readFileSync(path.join(dir, file), "utf8").replace(/=\r?\n/g, "");
      if (message.includes(text)) out.push(message);
    }
  }
  return out;
}

/** Every page that exists, with its h1. Keep in step with the router in app/src/lib.rs. */
export const PAGES: { path: string; h1: RegExp; status?: number }[] = [
  { path: "/", h1: /Find help and support for your family in Brackenshire/ },
  { path: "/accessibility", h1: /Accessibility statement/ },
  { path: "/privacy", h1: /Privacy notice/ },
  { path: "/cookies", h1: /Cookies/ },
  { path: "/contact", h1: /Contact/ },
  { path: "/practitioners", h1: /For practitioners/ },
  { path: "/search", h1: /Search for services/ },
  { path: "/young-carers", h1: /Young carers/ },
  { path: "/carers", h1: /Support for carers/ },
  { path: "/shortlist", h1: /Your shortlist/ },
  { path: "/this-page-does-not-exist", h1: /Page not found/, status: 404 },
];

/** Console errors, page errors and any request that leaves this site. */
export function watch(page: Page, baseURL: string) {
  const errors: string[] = [];
  const foreign: string[] = [];
  const origin = new URL(baseURL).origin;
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin) && !url.startsWith("data:")) foreign.push(url);
  });
  return { errors, foreign };
}

/** Waits until the islands have hydrated (an Effect sets this; Effects never run on the server). */
export async function waitForHydration(page: Page) {
  await expect(page.locator("nav.govuk-service-navigation__wrapper")).toHaveAttribute(
    "data-enhanced",
    "true",
  );
}

/** axe-core with the WCAG 2.0, 2.1 and 2.2 A and AA rules. */
export async function axeViolations(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
    .analyze();
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
