import { test, expect } from "@playwright/test";
import { waitForHydration, watch } from "./helpers";

// The service navigation is an island. Without JavaScript every link shows and there is no
// Menu button; once hydrated, small screens fold the links behind a working Menu button.

test.describe("on a phone-sized screen", () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test("the Menu button works only after hydration", async ({ page, baseURL }) => {
    const seen = watch(page, baseURL!);
    await page.goto("/");
    const nav = page.locator("nav.govuk-service-navigation__wrapper");
    const menu = nav.getByRole("button", { name: "Menu" });
    const contact = nav.getByRole("link", { name: "Contact us" });

    await waitForHydration(page);
    await expect(menu).toBeVisible();
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(contact).toBeHidden();

    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await expect(contact).toBeVisible();

    await menu.click();
    await expect(contact).toBeHidden();
    expect(seen.errors).toEqual([]);
  });

  test("without JavaScript the links show and there is no Menu button", async ({ browser }) => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 375, height: 740 },
    });
    const page = await context.newPage();
    await page.goto("/");
    const nav = page.locator("nav.govuk-service-navigation__wrapper");
    await expect(nav).toHaveAttribute("data-enhanced", "false");
    await expect(nav.getByRole("button", { name: "Menu" })).toBeHidden();
    await expect(nav.getByRole("link", { name: "Contact us" })).toBeVisible();
    await nav.getByRole("link", { name: "Contact us" }).click();
    await expect(page.locator("h1")).toHaveText(/Contact/);
    await context.close();
  });
});

test("on a wide screen the links show and the Menu button does not", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  const nav = page.locator("nav.govuk-service-navigation__wrapper");
  await expect(nav.getByRole("button", { name: "Menu" })).toBeHidden();
  await expect(nav.getByRole("link", { name: "Contact us" })).toBeVisible();
});

test("every page works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const path of ["/", "/accessibility", "/privacy", "/cookies", "/contact"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    await expect(page.locator("h1")).toBeVisible();
    await expect(page.getByRole("contentinfo")).toBeVisible();
  }
  await context.close();
});
