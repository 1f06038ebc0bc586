// A product sends its signed-in user to their token page: the product's backend (simulated here
// with a platform credential) provisions a workspace and opens a portal session; the person
// follows the link in real Chromium and manages their tokens without pasting anything.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import helpers from "../../bindings-node/__test__/helpers.js";
import { launch, missingBrowser, openPage, screenshot } from "./browser.mjs";

const noBrowser = missingBrowser();
if (noBrowser && process.env.CI) throw new Error(`the page tests must run in CI: ${noBrowser}`);

describe("token page opened from a product (portal sessions)", { skip: noBrowser ?? false }, () => {
  let issuer;
  let browser;
  let platform;
  let page;
  let problems;
  let context;

  // The product's backend: what it does with its platform credential.
  const backend = async (method, path, body) => {
    const r = await fetch(`${issuer.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${platform}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json() };
  };
  // The product's page the user returns to (same origin here: the page tests allow no other).
  const returnUrl = () => `${issuer.url}/?back-from-tokens`;
  const openSession = async (subject, role = "member") => {
    const r = await backend("POST", "/v1/portal-sessions", { workspace: "ws_acme", subject, role, return_url: returnUrl() });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.url;
  };
  const rows = () => page.locator("#token-rows tr");
  const visit = async (url) => {
    ({ context, page, problems } = await openPage(browser, url));
  };

  before(async () => {
    issuer = await helpers.startIssuer({
      env: (url) => ({ GATEPASS_PORTAL_RETURN_ORIGINS: url, GATEPASS_PRODUCT_NAME: "Acme Cloud", GATEPASS_PRODUCT_URL: "https://cloud.acme.example" }),
    });
    platform = issuer.cli("token", "mint", "--platform", "--name", "Acme backend").trim();
    assert.equal((await backend("POST", "/v1/workspaces", { id: "ws_acme", name: "Acme" })).status, 201);
    // Someone else in the workspace already has a token.
    issuer.cli("token", "mint", "--workspace", "ws_acme", "--subject", "user_7", "--scopes", "user:read", "--name", "user 7 token");
    browser = await launch({ keepArtifacts: true });
  });
  after(async () => {
    await browser?.close();
    await issuer?.stop();
  });
  afterEach(async () => {
    assert.deepEqual(problems, [], "the page logged errors, broke its CSP or ran injected script");
    await context?.close();
  });

  test("the link signs user_42 in without pasting anything, and leaves no code in the address bar", async () => {
    const url = await openSession("user_42");
    await visit(url);
    await page.locator("#who").getByText("user_42").waitFor();
    assert.ok(!page.url().includes("portal="), `the code stays in the address bar: ${page.url()}`);
    assert.match(await page.locator("#who").innerText(), /API tokens of user_42 · workspace ws_acme/);
    const back = page.getByRole("link", { name: "Back to Acme Cloud" });
    assert.equal(await back.getAttribute("href"), returnUrl());
    assert.equal(await page.getByRole("link", { name: "Acme Cloud", exact: true }).getAttribute("href"), "https://cloud.acme.example");
    await page.getByText("No tokens").first().waitFor();
    assert.equal(await rows().count(), 0, "a member sees only their own tokens, not user_7's");
    await screenshot(page, "portal-signed-in");

    // Create a token, as on any settings page; it belongs to user_42 and may outlive the session.
    await page.getByRole("button", { name: "Create token" }).click();
    const create = page.getByRole("dialog", { name: "Create token" });
    await create.getByLabel("Name").fill("deploy bot");
    await create.getByLabel("Preset").selectOption({ label: "User (Read-only)" });
    await create.getByLabel("Expiration").selectOption("90");
    await create.getByRole("button", { name: "Create token" }).click();
    const secret = page.getByRole("dialog", { name: "Your new token" });
    await secret.getByRole("button", { name: "Copy" }).click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^gp_/);
    await secret.getByRole("button", { name: "Done" }).click();
    await rows().filter({ hasText: "deploy bot" }).waitFor();
    await screenshot(page, "portal-token-created");
  });

  test("a used link is refused with a clear message, in a new tab or the same one", async () => {
    const url = await openSession("user_42");
    await visit(url);
    await page.locator("#who").getByText("user_42").waitFor();
    const used = "This link was used already. Go back to the product and open the token settings again.";
    // The same link followed again in this tab (a same-document navigation).
    await page.goto(url);
    await page.getByText(used).waitFor();
    assert.ok(!page.url().includes("portal="));
    await context.close();
    // And opened in a new tab.
    await visit(url);
    await page.getByText(used).waitFor();
    await screenshot(page, "portal-link-used");
  });

  test("an admin session sees every token of the workspace", async () => {
    await visit(await openSession("boss", "admin"));
    await page.locator("#who").getByText("boss").waitFor();
    await rows().filter({ hasText: "user 7 token" }).waitFor();
    await rows().filter({ hasText: "deploy bot" }).waitFor();
  });

  test("signing out returns to the product", async () => {
    await visit(await openSession("user_42"));
    await page.locator("#who").getByText("user_42").waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(returnUrl());
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, "the session is forgotten");
  });
});
