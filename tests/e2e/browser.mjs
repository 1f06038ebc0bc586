// Headless Chromium for the page tests: the system's browser (Debian `chromium`), driven by
// playwright-core, which never downloads one.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "..", "..");

/** Where screenshots go: $GATEPASS_E2E_ARTIFACTS, else target/e2e-screenshots. */
export const ARTIFACTS = process.env.GATEPASS_E2E_ARTIFACTS || path.join(ROOT, "target", "e2e-screenshots");

export const CHROMIUM = process.env.GATEPASS_CHROMIUM || "/usr/bin/chromium";

/** Why the browser tests cannot run here, or null. */
export function missingBrowser() {
  return fs.existsSync(CHROMIUM) ? null : `${CHROMIUM} not found (apt-get install chromium)`;
}

/** Starts Chromium; `keepArtifacts` leaves the screenshots of suites that ran before. */
export async function launch({ keepArtifacts = false } = {}) {
  if (!keepArtifacts) fs.rmSync(ARTIFACTS, { recursive: true, force: true });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
  });
}

/**
 * A fresh tab on `url`. Every console error, uncaught exception, CSP or Trusted Types
 * violation, `alert()` and request to another origin lands in `problems`, which each test
 * checks is empty.
 */
export async function openPage(browser, url, viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ viewport });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: url });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (m) => {
    // The browser logs every 4xx answer; the tests provoke those on purpose.
    if (m.type() === "error" && !/the server responded with a status of 4\d\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`exception: ${e.message}`));
  // The page works offline: nothing but the issuer itself is ever asked for anything.
  page.on("request", (r) => {
    if (new URL(r.url()).origin !== new URL(url).origin) problems.push(`request outside the issuer: ${r.url()}`);
  });
  page.on("dialog", async (d) => {
    problems.push(`a script opened a ${d.type()} dialog: ${d.message()}`);
    await d.dismiss();
  });
  await page.goto(url);
  return { context, page, problems };
}

let shot = 0;
/** Saves a numbered screenshot of the current step (the whole page unless `fullPage` is false). */
export async function screenshot(page, name, { fullPage = true } = {}) {
  shot += 1;
  const file = path.join(ARTIFACTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await page.screenshot({ path: file, fullPage });
  return file;
}
