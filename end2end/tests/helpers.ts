import { expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Every page that exists, with its h1. Keep in step with the router in app/src/lib.rs. */
export const PAGES: { path: string; h1: RegExp; status?: number }[] = [
  { path: "/", h1: /Find help and support for your family in Brackenshire/ },
  { path: "/accessibility", h1: /Accessibility statement/ },
  { path: "/privacy", h1: /Privacy notice/ },
  { path: "/cookies", h1: /Cookies/ },
  { path: "/contact", h1: /Contact/ },
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
