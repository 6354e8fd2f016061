// Signing in to the web dashboard through the CoC's identity provider (node-oidc-provider from
// npm, as the Rust sign-in tests start it): the authorization code flow with PKCE, the
// provider's own login page, and the provider's access token opening the API.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

import { startDemo, browser, mainText, check } from './helpers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
let provider;
let demo;
let chromium;

async function freePort() {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startProvider(redirect) {
  const child = spawn('node', [join(here, '..', 'oidc-provider', 'provider.mjs')], {
    env: { ...process.env, KEY_DIR: mkdtempSync(join(tmpdir(), 'oidc-keys-')), CLIENTS: 'nobody', WEB_CLIENTS: `caseledger-web=${redirect}` },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const issuer = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/issuer=(\S+)/);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`the provider exited (${code}): ${out}`)));
  });
  return { issuer, stop: () => child.kill('SIGTERM') };
}

before(async () => {
  const port = await freePort();
  provider = await startProvider(`http://127.0.0.1:${port}/`);
  demo = await startDemo({
    addr: `127.0.0.1:${port}`,
    dev: false,
    args: [
      '--oidc-issuer', provider.issuer,
      '--oidc-audience', 'caseledger',
      '--oidc-web-client-id', 'caseledger-web',
      '--oidc-web-scope', 'openid api',
      '--oidc-web-resource', 'urn:caseledger',
    ],
  });
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  await demo?.stop();
  provider?.stop();
});

test("a case manager signs in on the CoC's identity provider and works with its token", async () => {
  const page = await chromium.newPage();
  await page.goto(demo.url, { waitUntil: 'networkidle0' });
  const offered = await mainText(page);
  assert.match(offered, /Sign in with your CoC's account/);
  assert.doesNotMatch(offered, /Demo: sign in as/, 'no one-click sign-in outside --dev');
  await check(page, 'sign-in-provider');
  const authorizations = [];
  page.on('request', (r) => { if (r.url().includes('/auth?')) authorizations.push(new URL(r.url())); });
  await Promise.all([page.waitForNavigation(), page.click('main button.primary')]);
  assert.ok(page.url().startsWith(provider.issuer), `on the provider's page: ${page.url()}`);
  const asked = authorizations[0]?.searchParams;
  assert.equal(asked?.get('code_challenge_method'), 'S256', 'PKCE');
  assert.equal(asked?.get('client_id'), 'caseledger-web');
  assert.ok(!asked?.has('client_secret'), 'a public client holds no secret');
  await page.type('input[name="login"]', 'chss-cm');
  await page.type('input[name="password"]', 'any');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  // The provider asks once for consent to the scopes and to caseledger's resource.
  if (page.url().startsWith(provider.issuer)) {
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  }
  await page.waitForSelector('nav[aria-label="Main"]', { timeout: 15_000 });
  assert.equal(new URL(page.url()).search, '', 'the code is gone from the address bar');
  assert.match(await page.$eval('.who', (w) => w.textContent), /Case manager · Community Housing and Shelter Services/);
  await page.goto(`${demo.url}/#/find`);
  await page.waitForSelector('form.search');
  await page.type('input[name="name"]', 'Lopez');
  await page.click('main button[type="submit"]');
  await page.waitForFunction(() => document.querySelector('main').innerText.includes('Lopez, Maria'));
  await page.close();
});
