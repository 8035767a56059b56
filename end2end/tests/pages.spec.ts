import { test, expect } from "@playwright/test";
import { PAGES, axeViolations, waitForHydration, watch } from "./helpers";

test.describe("every page", () => {
  for (const { path, h1, status } of PAGES) {
    test(`${path}: server-rendered, accessible, nothing from other sites`, async ({ page, baseURL }) => {
      const seen = watch(page, baseURL!);
      const response = await page.goto(path);
      expect(response?.status()).toBe(status ?? 200);
      await expect(page.locator("h1")).toHaveText(h1);
      await expect(page.locator("h1")).toHaveCount(1);
      await expect(page).toHaveTitle(/Family Information and Support – Brackenshire County Council$/);
      await waitForHydration(page);
      expect(await axeViolations(page)).toEqual([]);
      // A 404 is logged by Chromium as a console error for the page itself: expected there only.
      const errors = seen.errors.filter((e) => !(status === 404 && /404/.test(e)));
      expect(errors).toEqual([]);
      expect(seen.foreign).toEqual([]);
    });
  }
});

test("the skip link moves focus to the main content", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main-content$/);
});

test("the footer links reach the information pages", async ({ page }) => {
  await page.goto("/");
  for (const name of ["Accessibility statement", "Privacy notice", "Cookies", "Contact us"]) {
    await page.getByRole("contentinfo").getByRole("link", { name }).click();
    await expect(page.locator("h1")).toBeVisible();
    await page.goBack();
  }
});

test("the wasm and the stylesheet are served compressed, JS + WASM within 100 KB", async ({ request }) => {
  const sent: Record<string, number> = {};
  for (const file of ["/pkg/signpost_bg.wasm", "/pkg/signpost.js", "/pkg/signpost.css"]) {
    const response = await request.get(file, { headers: { "accept-encoding": "gzip" } });
    expect(response.status(), file).toBe(200);
    expect(response.headers()["content-encoding"], file).toBe("gzip");
    sent[file] = Number(response.headers()["content-length"]);
    expect(sent[file], `${file} has a Content-Length`).toBeGreaterThan(0);
  }
  // The budget (issue #5): what a visitor's browser downloads to run the islands.
  const script = sent["/pkg/signpost_bg.wasm"] + sent["/pkg/signpost.js"];
  console.log(`JS + WASM transferred (gzip): ${script} bytes`);
  expect(script).toBeLessThanOrEqual(100_000);
});
