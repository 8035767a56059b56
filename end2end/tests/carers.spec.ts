import { test, expect, type Page } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { axeViolations, watch } from "./helpers";

// The carer self-assessments end to end, with JavaScript on and off: the adult carer's (crisis
// page first, entry checks, all eight outcomes) and the young carer's (with a safeguarding answer
// that shows immediate help), each through check your answers to the summary with the services
// that match the answers, then "ask the team to contact me": the team's email arrives at a real
// SMTP server on loopback (aiosmtpd) with the reference and a link only. Save and resume by the
// emailed link for both forms. axe on every page when JavaScript is on.

const mailDir = process.env.E2E_MAILDIR!;
const ADULT = "/carers/self-assessment";
const YOUNG = "/young-carers/self-assessment";

function emailsMatching(pattern: RegExp): string[] {
  const out: string[] = [];
  for (const sub of ["new", "cur"]) {
    const dir = path.join(mailDir, sub);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir)) {
      const text = fs.readFileSync(path.join(dir, file), "utf8").replace(/=\r?\n/g, "");
      if (pattern.test(text)) out.push(text);
    }
  }
  return out;
}

async function audit(page: Page, js: boolean) {
  if (js) expect(await axeViolations(page)).toEqual([]);
}

type Answers = Record<string, string | string[]>;

/** Answers the page's fields by name (radios and checkboxes by value), audits, continues. */
async function answer(page: Page, js: boolean, answers: Answers) {
  await audit(page, js);
  for (const [name, value] of Object.entries(answers)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const choice = page.locator(`input[name="${name}"][value="${v}"]`);
      if ((await choice.count()) > 0 && ["radio", "checkbox"].includes((await choice.first().getAttribute("type")) ?? "")) {
        await choice.check();
      } else {
        await page.locator(`[name="${name}"]`).fill(v);
      }
    }
  }
  await page.getByRole("button", { name: "Continue" }).click();
}

async function expectPath(page: Page, p: string) {
  await expect(page).toHaveURL(new RegExp(`${p.replace(/[/.?]/g, "\\$&")}$`));
}

async function finish(page: Page, js: boolean, base: string, prefix: string): Promise<string> {
  await expect(page).toHaveURL(new RegExp(`${base}/tasks$`));
  await audit(page, js);
  await page.getByRole("link", { name: "Check your answers" }).click();
  await expect(page.locator("h1")).toHaveText("Check your answers");
  await expect(page.locator("main")).not.toContainText(/eligib/i);
  await audit(page, js);
  await page.getByRole("button", { name: /Accept and finish|Finish/ }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/summary$`));
  await expect(page.locator("h1")).toHaveText("Your summary");
  await audit(page, js);
  const reference = (await page.locator("#reference").innerText()).trim();
  expect(reference).toMatch(new RegExp(`^${prefix}-[0-9A-Z]{4}-[0-9A-Z]{4}$`));
  return reference;
}

async function adultJourney(page: Page, js: boolean) {
  await page.goto(ADULT);
  await expect(page.locator("h1")).toHaveText("Carer's self-assessment");
  await audit(page, js);
  await page.getByRole("button", { name: "Start now" }).click();
  await expect(page.locator("h1")).toHaveText("If you cannot carry on caring or someone is at risk");
  await expect(page.getByText("call 999 now")).toBeVisible();
  await audit(page, js);
  await page.getByRole("button", { name: "Continue to the self-assessment" }).click();

  // The first question without an answer: the error state.
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveTitle(/^Error: How old are you\?/);
  await expect(page.locator(".govuk-error-summary")).toContainText("Select how old you are");
  await answer(page, js, { carer_age: "18-or-over" });
  await answer(page, js, { cared_for_age: "adult" });
  await answer(page, js, { in_area: "yes" });
  await expect(page.locator("h1")).toHaveText("Carer's self-assessment");
  await audit(page, js);
  await page.getByRole("link", { name: "About you" }).click();
  await answer(page, js, {
    carer_name: "Morwenna Pendragon-Smith",
    "carer_dob-day": "3",
    "carer_dob-month": "11",
    "carer_dob-year": "1961",
    postcode: "BK1 4AB",
    carer_email: "carer@family.example",
  });
  await answer(page, js, { nhs_number: "943 476 5919" });
  await answer(page, js, { someone_involved: "no" });
  await page.getByRole("link", { name: "The people you care for" }).click();
  await expect(page).toHaveURL(new RegExp(`${ADULT}/cared-for/1$`));
  await answer(page, js, {
    cared_for_name: "Gwendolyn",
    cared_for_relationship: "parent",
    cared_for_condition: "Early onset dementia XYZZY",
    cared_for_lives_with: "yes",
    cared_for_aware: "yes",
    cared_for_consent: "yes",
  });
  await expect(page.locator("h1")).toHaveText("You have added 1 person");
  await answer(page, js, { add_another: "no" });
  await page.getByRole("link", { name: "Your caring role" }).click();
  await answer(page, js, { caring_tasks: ["meals", "medication"] });
  await answer(page, js, { caring_hours: "35-49", caring_when: "both" });
  await answer(page, js, { others_help: "no" });
  await page.getByRole("link", { name: "Carrying on caring" }).click();
  await answer(page, js, { able_now: "yes", willing_now: "yes", future: "not-sure", willing_future: "with-changes" });
  await page.getByRole("link", { name: "Your health and sleep" }).click();
  await answer(page, js, { health_impact: "some", health_worse: "no", sleep: "sometimes" });
  await page.getByRole("link", { name: "How caring affects your life" }).click();
  for (const name of [
    "outcome_child_care",
    "outcome_other_care",
    "outcome_home",
    "outcome_nutrition",
    "outcome_relationships",
    "outcome_work",
    "outcome_community",
    "outcome_recreation",
  ]) {
    await expect(page.locator(`input[name="${name}"][value="distress"]`)).toBeVisible();
    await answer(page, js, { [name]: "distress" });
  }
  await page.getByRole("link", { name: "Work, training, education and leisure" }).click();
  await answer(page, js, { work: "full-time" });
  await answer(page, js, { work_hours: "daytime" });
  await page.getByRole("link", { name: "What you would like to change" }).click();
  await answer(page, js, {
    what_to_change: "A night off now and then PLUGH",
    would_help: "breaks",
    money_worries: "no",
  });
  await page.getByRole("link", { name: "Your family and the future" }).click();
  await answer(page, js, { under_18_helps: "no" });
  await answer(page, js, { contingency: "My sister would come", emergency_plan: "yes" });
  await page.getByRole("link", { name: "How we contact you" }).click();
  await answer(page, js, { contact_method: "email", safe_to_leave_message: "yes" });
}

async function youngJourney(page: Page, js: boolean) {
  await page.goto(YOUNG);
  await expect(page.locator("h1")).toHaveText("Young carers: tell us about you");
  await expect(page.getByText("This is not a test of how well you care.")).toBeVisible();
  await audit(page, js);
  await page.getByRole("button", { name: "Start now" }).click();
  await answer(page, js, { young_age: "10" });
  await expect(page.locator("h1")).toHaveText("You might like a grown-up to help");
  await audit(page, js);
  await page.getByRole("button", { name: "Continue" }).click();
  await answer(page, js, { who_started: "me-with-adult" });
  await answer(page, js, { young_in_area: "yes" });
  await page.getByRole("link", { name: "About you" }).click();
  await answer(page, js, { young_name: "Tamsin", postcode: "BK1 4AB" });
  await page.getByRole("link", { name: "Who you look after" }).click();
  await answer(page, js, { look_after_who: "my little brother", look_after_why: "He has epilepsy" });
  await answer(page, js, { add_another: "no" });
  await page.getByRole("link", { name: "What you do" }).click();
  await answer(page, js, { young_tasks: ["household", "siblings"] });
  await answer(page, js, { how_often: "every-day", how_long: "1-3" });
  await page.getByRole("link", { name: "School, friends and feelings" }).click();
  await answer(page, js, { school_hard: "a-bit" });
  await answer(page, js, { friends_hard: "no" });
  await answer(page, js, { sleep_hard: "no", feelings: "ok" });
  await page.getByRole("link", { name: "Worries" }).click();
  await answer(page, js, { hard_things: "self-harm" });
  // The safeguarding answer: immediate help straight away.
  await expect(page.locator("h1")).toHaveText("Thank you for telling us. You can get help now");
  await expect(page.getByText("If you are in danger now, call 999.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Call Childline: 0800 1111" })).toBeVisible();
  await expect(page.getByText("a grown-up you trust at school")).toBeVisible();
  await audit(page, js);
  await page.getByRole("button", { name: "Continue" }).click();
  await answer(page, js, { talk_to: "family" });
  await page.getByRole("link", { name: "Making things better" }).click();
  await answer(page, js, {
    better: "More time to play",
    young_would_help: "group",
    keep_caring: "yes",
    family_agree: "yes",
  });
  await page.getByRole("link", { name: "Who we talk to and what happens next" }).click();
  await expect(page.getByText("We usually tell your mum, dad or carer")).toBeVisible();
  await answer(page, js, { who_involved: "parents" });
  await answer(page, js, { young_contact: "parent-phone", young_phone: "01632 960 002" });
}

const SECRETS = ["Morwenna", "Pendragon", "1961", "943 476 5919", "Gwendolyn", "XYZZY", "PLUGH", "carer@family.example", "Tamsin", "epilepsy", "BK1 4AB", "self-harm", "01632 960 002", "960 002"];

for (const js of [true, false]) {
  test.describe(`JavaScript ${js ? "on" : "off"}`, () => {
    test.use({ javaScriptEnabled: js });
    test.describe.configure({ timeout: 180_000 });

    test("an adult carer gets a summary with matching services and the team an email without personal data", async ({ page, baseURL }) => {
      const seen = watch(page, baseURL!);
      await adultJourney(page, js);
      const reference = await finish(page, js, ADULT, "CA");
      const main = page.locator("main");
      await expect(main).toContainText("Gwendolyn");
      // Breaks, because they asked for one; evening groups, because they work in the daytime.
      const breaks = page.locator(".signpost-match", { hasText: "a break from caring would help" });
      await expect(breaks.locator("a[href^='/services/']").first()).toBeVisible();
      const evening = page.locator(".signpost-match", { hasText: "meet in the evening" });
      await expect(evening.locator("a[href^='/services/']").first()).toBeVisible();
      // Nothing they did not ask for.
      await expect(main).not.toContainText("worries about money");
      await expect(main).not.toContainText(/eligib/i);
      // Each service shown is what its reason says: open them and read their pages.
      const summaryUrl = page.url();
      const breakLinks = await breaks.locator("a[href^='/services/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
      const eveningLinks = await evening.locator("a[href^='/services/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
      for (const href of breakLinks) {
        await page.goto(href);
        await expect(page.locator("main"), href).toContainText(/Categories: .*(Breaks and respite|Sitting and home support)/);
      }
      for (const href of eveningLinks) {
        await page.goto(href);
        await expect(page.locator("main"), href).toContainText(/Categories: .*Peer support groups/);
        // An evening session: it ends after 5:30pm ("7pm to 9pm"), as the evening filter means.
        await expect(page.locator("main"), href).toContainText(/to (5:(3[1-9]|[45]\d)|([6-9]|1[01])(:\d\d)?)pm/);
      }
      await page.goto(summaryUrl);

      await page.getByRole("button", { name: "Ask the carers' team to contact me" }).click();
      await expect(page.locator("#referred")).toContainText(reference);
      await audit(page, js);

      let mail: string[] = [];
      await expect
        .poll(() => (mail = emailsMatching(new RegExp(reference))).length, { timeout: 15_000 })
        .toBe(1);
      expect(mail[0]).toMatch(/X-RcptTo: carers-team@brackenshire\.example/);
      expect(mail[0]).toMatch(/\/staff\/requests\/[0-9a-f-]{36}/);
      for (const secret of SECRETS) expect(mail[0]).not.toContain(secret);

      // Email the summary to yourself: the error state, then the email through the outbox.
      await page.getByLabel("Email address").fill("not an email");
      await page.getByRole("button", { name: "Email my summary" }).click();
      await expect(page).toHaveTitle(/^Error: Your summary/);
      await expect(page.locator(".govuk-error-summary")).toBeVisible();
      await audit(page, js);
      // Only to the address in the answers: the form is no relay to anyone else.
      await page.getByLabel("Email address").fill(`someone-else-${js ? "on" : "off"}@elsewhere.example`);
      await page.getByRole("button", { name: "Email my summary" }).click();
      await expect(page.locator(".govuk-error-summary")).toContainText("Enter the email address you gave in your answers");
      await page.getByLabel("Email address").fill("carer@family.example");
      await page.getByRole("button", { name: "Email my summary" }).click();
      await expect(page.locator("#emailed")).toBeVisible();
      await audit(page, js);
      let copy: string[] = [];
      await expect
        .poll(() => (copy = emailsMatching(new RegExp(`X-RcptTo: carer@family\\.example[\\s\\S]*${reference}`))).length, { timeout: 15_000 })
        .toBe(1);
      expect(copy[0]).toContain(reference);
      expect(copy[0]).toContain("Gwendolyn");

      await page.goto(`${ADULT}/summary/print`);
      await expect(page.locator("h1")).toHaveText("Your summary");
      await expect(page.locator("main")).toContainText(reference);
      await audit(page, js);

      // Tell us once: an Early Help request started with the carer's details.
      await page.goto(`${ADULT}/summary`);
      await page.getByRole("button", { name: "Start a request for early help with these answers" }).click();
      await expect(page).toHaveURL(/\/request-support\/tasks$/);
      await page.goto("/request-support/your-details");
      await expect(page.getByLabel("Full name")).toHaveValue("Morwenna Pendragon-Smith");
      await expect(page.getByLabel("Email address (optional)")).toHaveValue("carer@family.example");
      expect(seen.errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
      expect(seen.foreign).toEqual([]);
    });

    test("a young carer's safeguarding answer shows immediate help and flags the referral urgent", async ({ page, baseURL }) => {
      const seen = watch(page, baseURL!);
      await youngJourney(page, js);
      const reference = await finish(page, js, YOUNG, "YC");
      await expect(page.locator("#immediate-help")).toContainText("0800 1111");
      const groups = page.locator(".signpost-match", { hasText: "Young carers groups for people aged 10 near BK1" });
      await expect(groups.locator("a[href^='/services/']").first()).toBeVisible();
      await expect(groups).toContainText("miles away");
      // Each group is a young carers' group whose ages include 10.
      const summaryUrl = page.url();
      const groupLinks = await groups.locator("a[href^='/services/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
      for (const href of groupLinks) {
        await page.goto(href);
        // young-carers.groups-and-clubs, shown by its own name.
        await expect(page.locator("main"), href).toContainText(/Categories: .*Groups and clubs/);
        const ages = (await page.locator(".govuk-summary-list__row", { hasText: "Ages" }).first().textContent()) ?? "";
        const range = ages.match(/(\d+) to (\d+)/);
        const over = ages.match(/(\d+) and over/);
        const fits = /All ages/.test(ages)
          || (range !== null && Number(range[1]) <= 10 && 10 <= Number(range[2]))
          || (over !== null && Number(over[1]) <= 10);
        expect(fits, `${href}: ${ages}`).toBe(true);
      }
      await page.goto(summaryUrl);
      await page.getByRole("button", { name: "Ask the young carers service to contact me" }).click();
      await expect(page.locator("#referred")).toContainText(reference);
      let mail: string[] = [];
      await expect
        .poll(() => (mail = emailsMatching(new RegExp(reference))).length, { timeout: 15_000 })
        .toBe(1);
      expect(mail[0]).toMatch(/X-RcptTo: young-carers@brackenshire\.example/);
      expect(mail[0]).toMatch(/Subject: New young carer referral .*\[URGENT\]/);
      for (const secret of SECRETS) expect(mail[0]).not.toContain(secret);
      expect(seen.errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
    });

    test("both forms save and resume by an emailed link; entry checks route elsewhere", async ({ page, browser }) => {
      for (const [base, name, value, first] of [
        [ADULT, "carer_age", "18-or-over", "your-age"],
        [YOUNG, "young_age", "14", "your-age"],
      ] as const) {
        await page.goto(`${base}/${first}`);
        await answer(page, js, { [name]: value });
        await page.goto(`${base}/save`);
        await audit(page, js);
        const address = `resume-${js ? "on" : "off"}-${name}@carer.example`;
        await page.getByLabel("Email address").fill(address);
        await page.getByRole("button", { name: "Send me a link" }).click();
        await expect(page.locator("h1")).toHaveText("We have sent you a link");
        let mail: string[] = [];
        await expect
          .poll(() => (mail = emailsMatching(new RegExp(`X-RcptTo: ${address}`))).length, { timeout: 15_000 })
          .toBe(1);
        const link = mail[0].match(new RegExp(`https?://[^\\s]+${base}/resume/[0-9a-f]{64}`))![0];
        const other = await browser.newContext({ javaScriptEnabled: js });
        const later = await other.newPage();
        await later.goto(link);
        await expect(later).toHaveURL(new RegExp(`${base}/tasks$`));
        await expect(later.locator("main")).toContainText("In progress");
        await other.close();
      }
      // Under 18 on the adult form: the young carers' form, and no way on.
      await page.goto(`${ADULT}/your-age`);
      await answer(page, js, { carer_age: "under-18" });
      await expect(page.locator("h1")).toHaveText("Use the young carers' form");
      await expect(page.getByRole("link", { name: "Fill in the young carers' form" })).toHaveAttribute("href", YOUNG);
      await expect(page.getByRole("button", { name: "Continue" })).toHaveCount(0);
      await audit(page, js);
    });
  });
}

test("every other page of both forms, their error states and the interrupts pass axe", async ({ page }) => {
  test.setTimeout(240_000);
  const check = async () => expect(await axeViolations(page)).toEqual([]);
  const errorStates = async (base: string, slugs: string[]) => {
    for (const slug of slugs) {
      await page.goto(`${base}/${slug}`);
      await expect(page.locator("h1")).toBeVisible();
      await check();
      await page.getByRole("button", { name: "Continue" }).click();
      if ((await page.title()).startsWith("Error: ")) {
        await expect(page.locator(".govuk-error-summary")).toBeVisible();
        await check();
      }
    }
  };
  await errorStates(ADULT, [
    "your-age", "cared-for-age", "where-you-live", "your-details", "gp-and-nhs-number", "communication", "cared-for/1",
    "caring-tasks", "caring-time", "other-help", "able-and-willing", "health", "outcome-children",
    "outcome-other-care", "outcome-home", "outcome-food", "outcome-relationships", "outcome-work",
    "outcome-community", "outcome-leisure", "work", "changes", "whole-family", "contingency", "contact",
  ]);
  await errorStates(YOUNG, [
    "your-age", "who-started", "where-you-live", "your-details", "look-after/1", "what-you-do",
    "how-often", "school", "friends-and-fun", "sleep-and-feelings", "worries", "talk-to", "better",
    "who-involved", "contact",
  ]);
  // Each interrupt, straight after the answer that calls for it.
  const interrupts: [string, string, Answers, string][] = [
    [ADULT, "cared-for-age", { cared_for_age: "child" }, "Parent carers of disabled children have a different assessment"],
    [ADULT, "where-you-live", { in_area: "no" }, "Contact the council where the person you care for lives"],
    [ADULT, "able-and-willing", { able_now: "no", willing_now: "yes", future: "no", willing_future: "no" }, "Get help now if you cannot carry on caring"],
    [ADULT, "whole-family", { under_18_helps: "yes" }, "A young carer in your family can get support too"],
    [ADULT, "work", { work: "part-time" }, "When do you usually work?"],
    [YOUNG, "your-age", { young_age: "7" }, "Ask a grown-up to help you"],
    [YOUNG, "your-age", { young_age: "18" }, "Use the carer's self-assessment for adults"],
    [YOUNG, "your-age", { young_age: "16" }, "When you turn 18"],
    [YOUNG, "where-you-live", { young_in_area: "no" }, "Ask your own council"],
    [YOUNG, "turning-18", {}, "Do you want a check to plan for when you turn 18?"],
  ];
  for (const [base, slug, answers, h1] of interrupts) {
    await page.goto(`${base}/${slug}`);
    await answer(page, true, answers);
    await expect(page.locator("h1")).toHaveText(h1);
    await check();
  }
  // A list with an item, and its error.
  await page.goto(`${YOUNG}/look-after/1`);
  await answer(page, true, { look_after_who: "My mum", look_after_why: "She is ill" });
  await expect(page.locator("h1")).toHaveText("You have added 1 person");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator(".govuk-error-summary")).toContainText("Select yes if you need to add another person");
  await check();
  await page.goto(`${YOUNG}/saved`);
  await check();
});
