import { test, expect, type Page } from "@playwright/test";
import { axeViolations, emailsFor } from "./helpers";

/** The number at the start of the results count ("12 services found, …"; 0 for none). */
async function total(page: Page): Promise<number> {
  const text = (await page.locator("#result-count").textContent()) ?? "";
  if (text.trim().startsWith("No services")) return 0;
  const n = Number(text.trim().split(/\s+/)[0]);
  expect(Number.isNaN(n), `a number in "${text}"`).toBe(false);
  return n;
}

for (const javaScriptEnabled of [true, false]) {
  test.describe(`directory, JavaScript ${javaScriptEnabled ? "on" : "off"}`, () => {
    test.use({ javaScriptEnabled });

    test("search with a typo, filter, open a service", async ({ page }) => {
      await page.goto("/");
      await page.getByLabel("What are you looking for?").fill("autisum");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect(page).toHaveURL(/\/search\?q=autisum/);
      await expect(page.locator("h1")).toHaveText("Search for services");
      expect(await total(page)).toBeGreaterThan(0);
      await expect(page.locator("#results mark").first()).toBeVisible();

      // Broaden to every service, then apply free + evening + age: the count changes.
      await page.getByLabel("What are you looking for?").fill("");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      const all = await total(page);
      await page.locator("#cost-free").check();
      await page.locator("#time-evening").check();
      await page.getByLabel("Age of the child or person").fill("12");
      await page.getByRole("button", { name: "Apply filters" }).click();
      await expect(page).toHaveURL(/cost=free/);
      await expect(page).toHaveURL(/time=evening/);
      await expect(page).toHaveURL(/age=12/);
      const filtered = await total(page);
      expect(filtered).toBeLessThan(all);
      await expect(page.locator("#cost-free")).toBeChecked();

      // Open a service.
      const first = page.locator("#results h2 a").first();
      const name = ((await first.textContent()) ?? "").trim();
      await first.click();
      await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}$/);
      await expect(page.locator("h1")).toHaveText(name);
      await expect(page).toHaveTitle(new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} – `));
      await expect(page.getByRole("heading", { name: "How to access it" })).toBeVisible();
    });

    test("a service found near a postcode says how far it is", async ({ page }) => {
      await page.goto("/");
      await page.getByLabel("What are you looking for?").fill("autism group");
      await page.getByLabel("Postcode (optional)").fill("bk1 4ab");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await expect(page.locator("#results li").first()).toContainText("miles away");
      await page.locator("#results h2 a").first().click();
      await expect(page).toHaveURL(/\/services\/[0-9a-f-]{36}\?postcode=BK1\+4AB$/);
      await expect(page.locator(".signpost-distance").first()).toContainText(/miles away from BK1 4AB/);
      // Another postcode from the page itself; then one that is not a postcode.
      await page.getByLabel("How far is it from you?").fill("BK3");
      await page.getByRole("button", { name: "Show distance" }).click();
      await expect(page.locator(".signpost-distance").first()).toContainText("from BK3");
      await page.getByLabel("How far is it from you?").fill("nowhere");
      await page.getByRole("button", { name: "Show distance" }).click();
      await expect(page.locator(".govuk-error-summary")).toContainText("Enter a real postcode");
      await expect(page.locator(".signpost-distance")).toHaveCount(0);
    });

    test("shortlist two services, print it, email it and send it to a family", async ({ page }) => {
      const tag = `${javaScriptEnabled ? "js" : "nojs"}-${Date.now()}`;
      await page.goto("/search?q=autism");
      const names: string[] = [];
      for (const i of [0, 1]) {
        const card = page.locator("#results > li").nth(i);
        names.push(((await card.locator("h2 a").textContent()) ?? "").trim());
        await card.getByRole("button", { name: /^Add .* to shortlist$/ }).click();
        await expect(page).toHaveURL(/\/search\?q=autism#result-/);
        await expect(page.getByRole("link", { name: `Your shortlist (${i + 1})` })).toBeVisible();
        await expect(
          page.locator("#results > li").nth(i).getByRole("button", { name: /^Remove .* from shortlist$/ }),
        ).toBeVisible();
      }

      await page.getByRole("link", { name: "Your shortlist (2)" }).click();
      await expect(page.locator("h1")).toHaveText("Your shortlist");
      for (const name of names) {
        await expect(page.locator(".signpost-shortlist-list")).toContainText(name);
      }
      const text = await page.locator("#shortlist-text").inputValue();
      expect(text.split("\n")).toHaveLength(2);
      expect(text).toContain(`${names[0]} – `);

      // Print view: one clean column, no buttons or navigation when printed.
      await page.getByRole("link", { name: "Print your shortlist" }).click();
      await expect(page.locator("h1")).toHaveText("Services shortlist");
      await page.emulateMedia({ media: "print" });
      await expect(page.locator(".signpost-shortlist-item")).toHaveCount(2);
      await expect(page.locator(".govuk-service-navigation")).toBeHidden();
      await expect(page.locator(".govuk-footer")).toBeHidden();
      await page.emulateMedia({ media: "screen" });

      // Email it to myself: a wrong address first, then a real one.
      await page.goto("/shortlist/email");
      await page.getByLabel("Your email address").fill("not an address");
      await page.getByRole("button", { name: "Send the email" }).click();
      await expect(page).toHaveTitle(/^Error: Email your shortlist/);
      await expect(page.locator(".govuk-error-summary")).toContainText("Enter an email address in the correct format");
      const mine = `parent-${tag}@family.example`;
      await page.getByLabel("Your email address").fill(mine);
      await page.getByRole("button", { name: "Send the email" }).click();
      await expect(page.locator("h1")).toHaveText("Your shortlist is on its way");
      await expect.poll(() => emailsFor(mine).length, { timeout: 20_000 }).toBe(1);
      for (const name of names) expect(emailsFor(mine)[0]).toContain(name);

      // A practitioner sends it to a family, with a note.
      await page.goto("/shortlist/send");
      const family = `family-${tag}@home.example`;
      await page.getByLabel("The family's email address").fill(family);
      await page.getByLabel("Your name").fill("Priya Worker");
      await page.getByLabel("Your organisation").fill("Hollowmere Primary School");
      await page.getByLabel("A note for the family (optional)").fill(`The groups we talked about (${tag})`);
      await page.getByRole("button", { name: "Send to the family" }).click();
      await expect(page.locator("h1")).toHaveText("The shortlist is on its way to the family");
      await expect.poll(() => emailsFor(family).length, { timeout: 20_000 }).toBe(1);
      const sent = emailsFor(family)[0];
      expect(sent).toContain(`The groups we talked about (${tag})`);
      expect(sent).toContain("Priya Worker from Hollowmere Primary School");
      expect(sent).toContain(names[1]);

      // Remove one from the shortlist page.
      await page.goto("/shortlist");
      await page.getByRole("button", { name: `Remove ${names[0]} from shortlist` }).click();
      await expect(page.locator(".signpost-shortlist-item")).toHaveCount(1);
    });

    test("report a problem with a listing", async ({ page }) => {
      await page.goto("/search?q=swimming");
      await page.locator("#results h2 a").first().click();
      await page.getByRole("link", { name: "Report a problem with this listing" }).click();
      await expect(page.locator("h1")).toHaveText("Report a problem with this listing");
      await page.getByRole("button", { name: "Send report" }).click();
      await expect(page.locator(".govuk-error-summary")).toContainText("Select what is wrong with the listing");
      await page.getByLabel("The days, times or dates are wrong").check();
      await page.getByLabel("What should it say instead?").fill("It runs on Thursdays now, call 07700 900123");
      await page.getByRole("button", { name: "Send report" }).click();
      await expect(page.locator("h1")).toHaveText("Thank you for your report");
      const reference = ((await page.locator(".govuk-panel__body strong").textContent()) ?? "").trim();
      expect(reference).toMatch(/^LR-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await expect.poll(() => emailsFor(reference).length, { timeout: 20_000 }).toBe(1);
      const email = emailsFor(reference)[0];
      expect(email).not.toContain("Thursdays");
      expect(email).not.toContain("07700");
    });
  });
}

test("the journey by keyboard only", async ({ page }) => {
  await page.goto("/");
  const focusOn = async (check: () => Promise<boolean>, what: string) => {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press("Tab");
      if (await check()) return;
    }
    throw new Error(`Tab never reached ${what}`);
  };
  const activeId = () => page.evaluate(() => document.activeElement?.id ?? "");
  const activeText = () => page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? "");
  await focusOn(async () => (await activeId()) === "q", "the search box");
  await page.keyboard.type("swiming");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/search\?q=swiming/);
  await focusOn(async () => /^Add .* to shortlist$/.test((await activeText()).replace(/\s+/g, " ").trim()), "Add to shortlist");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("link", { name: "Your shortlist (1)" })).toBeVisible();
  await page.goto("/search?q=swiming");
  await focusOn(async () => (await activeText()).startsWith("Your shortlist"), "the shortlist link");
  await page.keyboard.press("Enter");
  await expect(page.locator("h1")).toHaveText("Your shortlist");
  await expect(page.locator(".signpost-shortlist-item")).toHaveCount(1);
});

test("axe: home, results, no results, service, landing and shortlist pages have no violations", async ({ page }) => {
  test.setTimeout(120_000);
  for (const path of [
    "/",
    "/search?q=autism",
    "/search?q=adhf",
    "/search?q=zzzzqqqq&cost=free",
    "/young-carers",
    "/carers",
    "/shortlist",
    "/shortlist/email",
    "/shortlist/send",
  ]) {
    await page.goto(path);
    expect(await axeViolations(page), path).toEqual([]);
  }
  await page.goto("/search?q=autism");
  await page.locator("#results h2 a").first().click();
  await expect(page).toHaveURL(/\/services\//);
  expect(await axeViolations(page), "service page").toEqual([]);
  const service = page.url();
  // A service with a place (a distance on its card), to ask how far it is.
  await page.goto("/search?q=autism+group&postcode=BK2&sort=distance");
  await page.locator("#results h2 a").first().click();
  await page.getByLabel("How far is it from you?").fill("BK1 4AB");
  await page.getByRole("button", { name: "Show distance" }).click();
  await expect(page.locator(".signpost-distance").first()).toBeVisible();
  expect(await axeViolations(page), "service page with distances").toEqual([]);
  await page.getByLabel("How far is it from you?").fill("not a postcode");
  await page.getByRole("button", { name: "Show distance" }).click();
  expect(await axeViolations(page), "service page, postcode error").toEqual([]);
  await page.goto(service);
  await page.getByRole("button", { name: /^Add .* to shortlist$/ }).click();
  for (const path of ["/shortlist", "/shortlist/print", "/shortlist/email", "/shortlist/send"]) {
    await page.goto(path);
    expect(await axeViolations(page), `${path} with a service`).toEqual([]);
  }
  await page.goto("/search?q=autism");
  await page.locator("#results h2 a").first().click();
  await page.getByRole("link", { name: "Report a problem with this listing" }).click();
  expect(await axeViolations(page), "report a problem").toEqual([]);
  await page.getByRole("button", { name: "Send report" }).click();
  expect(await axeViolations(page), "report a problem, with errors").toEqual([]);
  await page.goto("/search?page=-1");
  expect(await axeViolations(page), "error page").toEqual([]);
});

test("the directory's pages fit a 320 px wide screen", async ({ page }) => {
  await page.setViewportSize({ width: 320, height: 800 });
  await page.goto("/search?q=swimming");
  await page.locator("#results > li").first().getByRole("button", { name: /^Add .* to shortlist$/ }).click();
  await page.locator("#results h2 a").first().click();
  const service = new URL(page.url()).pathname;
  for (const [name, path] of [
    ["results", "/search?q=swimming&postcode=BK1"],
    ["service", service],
    ["young-carers", "/young-carers"],
    ["carers", "/carers"],
    ["shortlist", "/shortlist"],
    ["home", "/"],
  ]) {
    await page.goto(path);
    await page.screenshot({ path: `test-results/${name}-320.png`, fullPage: true });
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow, `${name} scrolls sideways`).toBeLessThanOrEqual(0);
  }
});

test("with JavaScript, filters apply without a reload and the search box suggests", async ({ page }) => {
  await page.goto("/search");
  await expect(page.locator(".signpost-live-search")).toHaveAttribute("data-ready", "true");
  const all = await total(page);
  // A marker on the window survives only if the page is not reloaded.
  await page.evaluate(() => ((window as unknown as { stay: boolean }).stay = true));
  await page.locator("#cost-free").check();
  await expect(page).toHaveURL(/cost=free/);
  await expect.poll(() => total(page)).toBeLessThan(all);
  expect(await page.evaluate(() => (window as unknown as { stay?: boolean }).stay)).toBe(true);
  await expect(page.locator("#cost-free")).toBeChecked();
  await expect(page.locator("#result-count")).toHaveAttribute("aria-live", "polite");

  await page.locator("#q").fill("auti");
  await expect.poll(() => page.locator("#q-suggestions option").count()).toBeGreaterThan(0);
  const first = await page.locator("#q-suggestions option").first().getAttribute("value");
  expect(first?.toLowerCase()).toContain("autism");
});
