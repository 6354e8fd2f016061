// What every browser test needs: a fresh demo server (`caseledger serve --demo --dev`),
// Debian's Chromium through puppeteer-core, sign-in as a demo user, axe-core on every page
// (no serious or critical violation), a content policy that refused nothing, and screenshots
// kept for a person to look at.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import assert from 'node:assert/strict';

import puppeteer from 'puppeteer-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Starts the binary `CASELEDGER_BIN` on a fresh demo (with `--dev` unless told otherwise, on a
 * free port unless `addr` names one, with `args` besides); answers `{ url, stop }`.
 */
export async function startDemo({ addr = '127.0.0.1:0', dev = true, args = [] } = {}) {
  const bin = process.env.CASELEDGER_BIN;
  assert.ok(bin, 'CASELEDGER_BIN names the caseledger binary (scripts/browser-test.sh sets it)');
  const data = mkdtempSync(join(tmpdir(), 'caseledger-web-'));
  const flags = ['serve', '--demo', '--data', data, '--addr', addr, ...(dev ? ['--dev'] : []), ...args];
  const child = spawn(bin, flags, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  let log = '';
  child.stderr.on('data', (chunk) => { log += chunk; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not start in 60 s:\n${out}\n${log}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/[^\s]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`caseledger serve exited (${code}):\n${out}\n${log}`)));
  });
  return {
    url,
    data,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** Headless Chromium at `CHROMIUM`, 1024x768 unless asked otherwise. */
export async function browser() {
  const executablePath = process.env.CHROMIUM;
  assert.ok(executablePath, 'CHROMIUM names the browser (scripts/browser-test.sh sets it)');
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    defaultViewport: { width: 1024, height: 768 },
  });
}

/**
 * A new page that fails the test on any content policy violation or script error, signed in
 * as `username` through the demo's one-click sign-in.
 */
export async function signedIn(b, url, username) {
  const page = await b.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d/.test(m.text())) problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  page.problems = problems;
  await page.goto(url, { waitUntil: 'networkidle0' });
  await page.waitForSelector(`button[data-user="${username}"]`);
  await check(page, 'sign-in');
  await page.click(`button[data-user="${username}"]`);
  await page.waitForSelector('nav[aria-label="Main"]');
  return page;
}

/** The main region's text. */
export async function mainText(page) {
  return page.$eval('main', (m) => m.innerText);
}

/** Waits until the status region says something matching `pattern`; answers its text. */
export async function status(page, pattern) {
  try {
    await page.waitForFunction(
      (source) => new RegExp(source).test(document.getElementById('status').textContent),
      { timeout: 10_000 },
      pattern.source,
    );
  } catch {
    const said = await page.$eval('#status', (s) => s.textContent);
    assert.fail(`the status never matched ${pattern}; it says: "${said}"\n${await mainText(page)}`);
  }
  return page.$eval('#status', (s) => s.textContent);
}

/** Fills a labelled field: the input whose label reads `label`, within `scope`. */
export async function fill(page, label, value, scope = 'main') {
  const id = await page.$$eval(`${scope} label`, (labels, text) => {
    const found = labels.find((l) => l.textContent.trim() === text);
    return found ? found.htmlFor : null;
  }, label);
  assert.ok(id, `a field labelled "${label}"`);
  const selector = `#${id}`;
  const tag = await page.$eval(selector, (el) => el.tagName);
  if (tag === 'SELECT') {
    await page.select(selector, value);
  } else {
    await page.$eval(selector, (el) => { el.value = ''; });
    await page.type(selector, value);
  }
}

/** Clicks the button whose text is `text` (within `scope`). */
export async function press(page, text, scope = 'main') {
  const buttons = await page.$$(`${scope} button`);
  for (const button of buttons) {
    if ((await button.evaluate((b) => b.textContent.trim())) === text) {
      // A click on the element itself: a layout that moves as the status bar fills must not
      // turn it into a click on something else.
      await button.evaluate((b) => b.click());
      return;
    }
  }
  assert.fail(`no button "${text}" in:\n${await mainText(page)}`);
}

/**
 * The checks every page passes: axe-core finds no serious or critical violation of WCAG 2.1
 * A and AA, nothing was refused or failed, and a screenshot is kept.
 */
export async function check(page, name) {
  const problems = page.problems || [];
  assert.deepEqual(problems, [], `${name}: the page reported errors`);
  await page.evaluate(AXE);
  const results = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join('; ')})`),
    [],
    `${name}: accessibility violations`,
  );
  const dir = process.env.CASELEDGER_ARTIFACTS;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `web-${name}.png`), fullPage: true });
  }
}

/** Opens the folded form whose summary reads `text` (within `scope`). */
export async function open(page, text, scope = 'main') {
  const opened = await page.$$eval(`${scope} details > summary`, (summaries, wanted) => {
    const found = summaries.find((s) => s.textContent.trim() === wanted);
    if (found) found.parentElement.open = true;
    return Boolean(found);
  }, text);
  assert.ok(opened, `a folded form "${text}"`);
}

/** Waits until the main region shows the screen titled `title`. */
export async function onScreen(page, title) {
  await page.waitForFunction((t) => document.querySelector('main h1')?.textContent === t, {}, title);
}
