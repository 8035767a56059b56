import { test, expect, type Browser } from "@playwright/test";
import { axeViolations, waitForHydration } from "./helpers";

// What people see first (GOV.UK "search and filter"): on a laptop and on a phone, with
// JavaScript on and off, the first result of a search with words and a postcode is on the first
// screen; the chosen filters are tags that each remove just themselves; the service navigation
// links every journey and marks the current one.

const SCREENS = [
  { name: "a 1280 × 900 laptop", viewport: { width: 1280, height: 900 } },
  { name: "a 390 × 844 phone", viewport: { width: 390, height: 844 } },
];

async function open(browser: Browser, javaScriptEnabled: boolean, viewport: { width: number; height: number }, path: string) {
  const context = await browser.newContext({ javaScriptEnabled, viewport });
  const page = await context.newPage();
  await page.goto(path);
  if (javaScriptEnabled) await waitForHydration(page);
  return { context, page };
}

/** axe on `path` as a browser without JavaScript gets it. axe itself needs the page's JavaScript,
 * so this context has it on but blocks the site's own scripts: the page stays the server's HTML,
 * never hydrated, as with JavaScript off. */
async function axeWithoutSiteScripts(browser: Browser, viewport: { width: number; height: number }, path: string) {
  const context = await browser.newContext({ viewport });
  await context.route(/\/pkg\/[^?]*\.(js|wasm)(\?.*)?$/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(path);
  await expect(page.locator("nav.govuk-service-navigation__wrapper")).toHaveAttribute("data-enhanced", "false");
  const violations = await axeViolations(page);
  await context.close();
  return violations;
}

for (const javaScriptEnabled of [true, false]) {
  const js = `JavaScript ${javaScriptEnabled ? "on" : "off"}`;
  for (const { name, viewport } of SCREENS) {
    test(`${js}, ${name}: the first result's name is on the first screen`, async ({ browser }) => {
      const { context, page } = await open(browser, javaScriptEnabled, viewport, "/search?q=young+carers&postcode=BK1+4AB");
      const first = page.locator("#results h2 a").first();
      await expect(first).toBeVisible();
      // A page just loaded is not scrolled, so a box within the viewport is on the first screen.
      if (javaScriptEnabled) expect(await page.evaluate(() => window.scrollY)).toBe(0);
      const box = await first.boundingBox();
      expect(box, "the first result has a box").not.toBeNull();
      expect(box!.y, "the first result starts on the first screen").toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height, `the first result ends within ${viewport.height}px`).toBeLessThanOrEqual(viewport.height);
      // The filters: beside the results on a laptop, behind "Show filters" on a phone.
      const showFilters = page.locator(".signpost-filter-panel > summary");
      if (viewport.width >= 641) {
        await expect(showFilters).toBeHidden();
        await expect(page.locator("#cost-free")).toBeVisible();
      } else {
        await expect(page.locator("#cost-free")).toBeHidden();
        await showFilters.click();
        await expect(page.locator("#cost-free")).toBeVisible();
      }
      const path = "/search?q=young+carers&postcode=BK1+4AB";
      expect(javaScriptEnabled ? await axeViolations(page) : await axeWithoutSiteScripts(browser, viewport, path)).toEqual([]);
      await context.close();
    });

    test(`${js}, ${name}: the navigation links every journey, the current one marked`, async ({ browser }) => {
      const { context, page } = await open(browser, javaScriptEnabled, viewport, "/young-carers");
      const nav = page.locator("nav.govuk-service-navigation__wrapper");
      const menu = nav.getByRole("button", { name: "Menu" });
      if (javaScriptEnabled && viewport.width < 641) await menu.click();
      for (const text of ["Find services", "Young carers", "Carers", "Ask for early help", "Contact us"]) {
        await expect(nav.getByRole("link", { name: text, exact: true })).toBeVisible();
      }
      await expect(nav.getByRole("link", { name: "Young carers", exact: true })).toHaveAttribute("aria-current", "page");
      await expect(nav.locator("[aria-current]")).toHaveCount(1);
      // Keyboard: the links are reached with Tab and followed with Enter.
      const findServices = nav.getByRole("link", { name: "Find services", exact: true });
      await findServices.focus();
      await page.keyboard.press("Enter");
      await expect(page).toHaveURL(/\/search$/);
      if (javaScriptEnabled) await waitForHydration(page);
      if (javaScriptEnabled && viewport.width < 641) await menu.click();
      await expect(nav.getByRole("link", { name: "Find services", exact: true })).toHaveAttribute("aria-current", "page");
      expect(javaScriptEnabled ? await axeViolations(page) : await axeWithoutSiteScripts(browser, viewport, "/search")).toEqual([]);
      await context.close();
    });
  }

  test(`${js}: each chosen filter is a tag that removes just itself`, async ({ browser }) => {
    const { context, page } = await open(browser, javaScriptEnabled, { width: 1280, height: 900 }, "/search?cost=free&time=evening&age=12");
    const tags = page.locator("#chosen-filters a");
    await expect(tags).toHaveText(["Remove filter: Age 12 ×", "Remove filter: Free ×", "Remove filter: Evening ×"]);
    await page.getByRole("link", { name: "Remove filter: Evening" }).click();
    await expect(page).toHaveURL(/\/search\?age=12&cost=free$/);
    await expect(page.locator("#time-evening")).not.toBeChecked();
    await expect(page.locator("#cost-free")).toBeChecked();
    await expect(tags).toHaveText(["Remove filter: Age 12 ×", "Remove filter: Free ×"]);
    if (javaScriptEnabled) {
      // Ticking a filter refreshes the results and the tags in place.
      await waitForHydration(page);
      await page.locator("#time-morning").check();
      await expect(tags).toHaveText(["Remove filter: Age 12 ×", "Remove filter: Free ×", "Remove filter: Morning ×"]);
    }
    expect(
      javaScriptEnabled
        ? await axeViolations(page)
        : await axeWithoutSiteScripts(browser, { width: 1280, height: 900 }, "/search?age=12&cost=free"),
    ).toEqual([]);
    await context.close();
  });
}
