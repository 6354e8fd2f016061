// A day of work on the demo CoC of MOU 0001, in the browser, each test one user's task end to
// end; they run in order on one fresh demo, as the day's reads add up in the access log.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startDemo, browser, signedIn, mainText, status, fill, press, check } from './helpers.mjs';

let demo;
let chromium;
let maria;

before(async () => {
  demo = await startDemo();
  chromium = await browser();
});

after(async () => {
  await chromium?.close();
  await demo?.stop();
});

async function findClient(page, name) {
  await page.goto(`${demo.url}/#/find`);
  await page.waitForSelector('form.search');
  await fill(page, 'Name', name);
  await press(page, 'Search');
  await status(page, /found|No client matches/);
}

test("a CHSS case manager finds and opens a client CCC shared under MOU 0001, and sees why", async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await findClient(page, 'Lopez');
  await check(page, 'find-client');
  const results = await mainText(page);
  assert.match(results, /Lopez, Maria/);
  assert.match(results, /Shared with you through MOU 0001 by Children's Crisis Center, from /);
  const link = await page.$$eval('main table a', (as) => as.find((a) => a.textContent === 'Lopez, Maria').getAttribute('href'));
  maria = decodeURIComponent(link.split('/').pop());
  await page.click(`main table a[href="${link}"]`);
  await page.waitForSelector('#why-heading');
  const text = await mainText(page);
  assert.match(text, /Why can I see this client\?\s*Shared with you through MOU 0001 by Children's Crisis Center, from /);
  assert.match(text, /Cannot Edit Data/, "CCC's intake is not CHSS's to edit");
  assert.doesNotMatch(text, /Update address/);
  assert.match(text, /PH – Rapid Re-Housing/, "the project type in HUD's words");
  await check(page, 'client-shared');
  await page.close();
});

test('the CHSS case manager records a service for her', async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await page.goto(`${demo.url}/#/client/${maria}`);
  await page.waitForSelector('#services-heading');
  await fill(page, 'Kind of service', '144');
  await page.waitForFunction(() => [...document.querySelectorAll('select[name="typeProvided"] option')].some((o) => /Case management services/.test(o.textContent)));
  const counseling = await page.$$eval('select[name="typeProvided"] option', (os) => os.find((o) => /Case management services/.test(o.textContent)).value);
  await fill(page, 'Service provided', counseling);
  await fill(page, 'Description', 'Went over the lease with her');
  await press(page, 'Record service');
  await status(page, /Service recorded/);
  await page.waitForFunction(() => document.querySelector('main').innerText.includes('Went over the lease with her'));
  const text = await mainText(page);
  assert.match(text, /SSVF service: Case management services/);
  assert.match(text, /Entered by your agency, Community Housing and Shelter Services\./, 'her own service, by her own rule');
  await check(page, 'client-service-recorded');
  await page.close();
});

test("an outside agency's case manager cannot find her, nor tell her id from one never used", async () => {
  const page = await signedIn(chromium, demo.url, 'valley-cm');
  await findClient(page, 'Lopez');
  assert.match(await mainText(page), /No client matches\./);
  await page.goto(`${demo.url}/#/client/${maria}`);
  await page.waitForFunction(() => document.querySelector('main h1')?.textContent === 'Client not found');
  const hidden = (await mainText(page)).replace(maria, 'ID');
  await check(page, 'client-not-found');
  const never = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
  await page.goto(`${demo.url}/#/client/${never}`);
  await page.waitForFunction((id) => document.querySelector('main').innerText.includes(id), {}, never);
  assert.equal((await mainText(page)).replace(never, 'ID'), hidden);
  await page.close();
});

test('a check-in is refused by the bar list, and says so', async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await findClient(page, 'Reyes');
  const tom = await page.$$eval('main table a', (as) => decodeURIComponent(as.find((a) => a.textContent === 'Reyes, Tom').getAttribute('href').split('/').pop()));
  await page.goto(`${demo.url}/#/beds`);
  await page.waitForSelector('form.inline-form');
  await check(page, 'beds');
  await fill(page, 'HMIS ID', tom);
  await press(page, 'Check in');
  const refusal = await status(page, /Not checked in/);
  assert.match(refusal, /bar/i, refusal);
  await page.close();
});

test('an agency administrator submits a record request by HMIS id, and the help desk produces it', async () => {
  const admin = await signedIn(chromium, demo.url, 'chss-admin');
  await findClient(admin, 'Carter');
  const james = await admin.$$eval('main table a', (as) => decodeURIComponent(as.find((a) => a.textContent === 'Carter, James').getAttribute('href').split('/').pop()));
  await admin.goto(`${demo.url}/#/requests`);
  await admin.waitForSelector('form.inline-form');
  await fill(admin, 'HMIS ID', james);
  await press(admin, 'Submit');
  await status(admin, /Client record request submitted/);
  await admin.waitForFunction((id) => document.querySelector('main table').innerText.includes(id), {}, james);
  await check(admin, 'requests-agency');
  await admin.close();

  const desk = await signedIn(chromium, demo.url, 'helpdesk');
  await desk.goto(`${demo.url}/#/requests`);
  await desk.waitForFunction((id) => document.querySelector('main table')?.innerText.includes(id), {}, james);
  await check(desk, 'requests-help-desk');
  const row = async () => desk.$$eval('main tbody tr', (rows, id) => rows.find((r) => r.innerText.includes(id)).innerText, james);
  const click = async (label) => {
    const buttons = await desk.$$('main tbody tr');
    for (const tr of buttons) {
      if ((await tr.evaluate((r) => r.innerText)).includes(james)) {
        for (const b of await tr.$$('button')) {
          if ((await b.evaluate((x) => x.textContent)) === label) return b.click();
        }
      }
    }
    assert.fail(`no ${label} for ${james}`);
  };
  await click('Start');
  await status(desk, /Request started/);
  await desk.waitForFunction((id) => [...document.querySelectorAll('main tbody tr')].some((r) => r.innerText.includes(id) && r.innerText.includes('In progress')), {}, james);
  await click('Produce dashboard');
  await status(desk, /Dashboard produced/);
  await desk.waitForFunction((id) => [...document.querySelectorAll('main tbody tr')].some((r) => r.innerText.includes(id) && r.innerText.includes('Produced')), {}, james);
  assert.match(await row(), /Save dashboard/);
  await desk.close();
});

test("an auditor sees the day's reads of her record in the access log", async () => {
  const page = await signedIn(chromium, demo.url, 'auditor');
  await page.goto(`${demo.url}/#/access-log`);
  await page.waitForSelector('form.search');
  await fill(page, 'HMIS ID', maria);
  await press(page, 'Show');
  await page.waitForFunction(() => document.querySelector('main table caption')?.textContent.startsWith('Disclosures'));
  await page.waitForFunction(() => document.querySelector('main tbody').innerText.includes('chss-cm'));
  const text = await mainText(page);
  assert.match(text, /chss-cm \(Case manager\)[^\n]*Community Housing and Shelter Services[^\n]*MOU/, text);
  await check(page, 'access-log');
  await page.close();
});
