// A day of work on the demo CoC of MOU 0001, in the browser, each test one user's task end to
// end; they run in order on one fresh demo, as the day's reads add up in the access log.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { startDemo, browser, signedIn, mainText, status, fill, press, check, open, onScreen } from './helpers.mjs';

let demo;
let chromium;
let maria;
let james;

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
  await onScreen(page, 'Find Client');
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
  assert.doesNotMatch(text, /Correct the profile/, 'no profile correction is offered');
  assert.match(text, /Update address/, "a shared client's address, any agency that sees her may update");
  assert.match(text, /PH – Rapid Re-Housing/, "the project type in HUD's words");
  await check(page, 'client-shared');
  await page.close();
});

test("the CHSS case manager updates her address, and cannot change CCC's intake through the API either", async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await page.goto(`${demo.url}/#/client/${maria}`);
  await page.waitForSelector('#profile-heading');
  await fill(page, 'Street', '22 Elm St');
  await press(page, 'Save address');
  await status(page, /Address updated/);
  await page.waitForFunction(() => document.querySelector('main').innerText.includes('22 Elm St'));
  // The page offers no profile correction; asked anyway, the API refuses it by its code.
  const refusal = await page.evaluate(async (id) => {
    const { gql } = await import('/app/api.js');
    try {
      await gql('mutation($c: ID!) { updateClientIntake(clientId: $c, input: { lastName: "Changed" }) { position } }', { c: id });
      return 'accepted';
    } catch (e) {
      return e.code;
    }
  }, maria);
  assert.equal(refusal, 'FORBIDDEN');
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

test("a case note CHSS writes on its own client stays CHSS's; it enrolls and exits him", async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await findClient(page, 'Carter');
  const id = await page.$$eval('main table a', (as) => decodeURIComponent(as.find((a) => a.textContent === 'Carter, James').getAttribute('href').split('/').pop()));
  await page.goto(`${demo.url}/#/client/${id}`);
  await page.waitForSelector('#notes-heading');
  await open(page, 'Add a case note…');
  await fill(page, 'Note', 'Talked about the job fair on Friday');
  await press(page, 'Add note');
  await status(page, /Case note added/);
  await page.waitForFunction(() => document.querySelector('main').innerText.includes('job fair'));
  await open(page, 'Exit…', 'section[aria-labelledby="enrollments-heading"]');
  await fill(page, 'Destination', '435', 'section[aria-labelledby="enrollments-heading"]');
  await press(page, 'Exit', 'section[aria-labelledby="enrollments-heading"]');
  await status(page, /Exited/);
  await page.waitForFunction(() => !document.querySelector('section[aria-labelledby="enrollments-heading"] tbody').innerText.includes('Active'));
  await check(page, 'client-own');
  await page.close();

  const ccc = await signedIn(chromium, demo.url, 'ccc-cm');
  await ccc.goto(`${demo.url}/#/client/${id}`);
  await ccc.waitForSelector('#notes-heading');
  const seen = await mainText(ccc);
  assert.match(seen, /Carter, James/);
  assert.doesNotMatch(seen, /job fair/, "CHSS's case note is restricted to CHSS");
  await ccc.close();
});

test('a check-in is refused by the bar list, and says so', async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await findClient(page, 'Reyes');
  const tom = await page.$$eval('main table a', (as) => decodeURIComponent(as.find((a) => a.textContent === 'Reyes, Tom').getAttribute('href').split('/').pop()));
  await page.goto(`${demo.url}/#/beds`);
  await onScreen(page, 'Beds');
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
  james = await admin.$$eval('main table a', (as) => decodeURIComponent(as.find((a) => a.textContent === 'Carter, James').getAttribute('href').split('/').pop()));
  await admin.goto(`${demo.url}/#/requests`);
  await onScreen(admin, 'Client Record Requests');
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
  await click('Save dashboard');
  await status(desk, /Dashboard saved/);
  await check(desk, 'requests-produced');
  await desk.close();
});

test('the help desk finds a private client by name only with the call it answers', async () => {
  const page = await signedIn(chromium, demo.url, 'helpdesk');
  await page.goto(`${demo.url}/#/requests`);
  await page.waitForSelector('#name-search-heading');
  await fill(page, 'Name', 'Vega', 'section[aria-labelledby="name-search-heading"]');
  await fill(page, 'Reason for the search', 'short', 'section[aria-labelledby="name-search-heading"]');
  await press(page, 'Search by name', 'section[aria-labelledby="name-search-heading"]');
  const refused = await status(page, /Not searched/);
  assert.match(refused, /reason/, refused);
  await fill(page, 'Reason for the search', 'CCC called: Rosa cannot be found for her record request', 'section[aria-labelledby="name-search-heading"]');
  await press(page, 'Search by name', 'section[aria-labelledby="name-search-heading"]');
  await page.waitForFunction(() => document.querySelector('section[aria-labelledby="name-search-heading"] tbody')?.innerText.includes('Vega, Rosa'));
  await page.close();
});

test("an auditor sees the day's reads of her record in the access log", async () => {
  const page = await signedIn(chromium, demo.url, 'auditor');
  await page.goto(`${demo.url}/#/access-log`);
  await onScreen(page, 'Access Log');
  await fill(page, 'HMIS ID', maria);
  await press(page, 'Show');
  await page.waitForFunction(() => document.querySelector('main table caption')?.textContent.startsWith('Disclosures'));
  await page.waitForFunction(() => document.querySelector('main tbody').innerText.includes('chss-cm'));
  const text = await mainText(page);
  assert.match(text, /chss-cm \(Case manager\)[^\n]*Community Housing and Shelter Services[^\n]*MOU/, text);
  await check(page, 'access-log');
  // The record request's two reads of James: the agency administrator finding him, the help
  // desk producing his dashboard.
  await fill(page, 'HMIS ID', james);
  await press(page, 'Show');
  await page.waitForFunction(() => document.querySelector('main tbody').innerText.includes('helpdesk'));
  const jamesLog = await mainText(page);
  assert.match(jamesLog, /helpdesk \(Help desk\)[^\n]*Client record request/, jamesLog);
  assert.match(jamesLog, /chss-admin \(Agency administrator\)/, jamesLog);
  // Who could see Maria today, and why.
  await page.goto(`${demo.url}/#/audit/${maria}`);
  await page.waitForSelector('#could-heading');
  await page.waitForFunction(() => document.querySelector('main').innerText.includes('Who could see this client on'));
  const could = await page.$eval('section[aria-labelledby="could-heading"]', (s) => s.innerText);
  assert.match(could, /Community Housing and Shelter Services[^\n]*MOU 0001/, could);
  assert.doesNotMatch(could, /Valley Outreach Network/, 'the agency outside the MOU could not');
  const review = await page.$eval('section[aria-labelledby="review-heading"]', (s) => s.innerText);
  assert.match(review, /chss-cm \(Case manager\)/, review);
  // The outside agency's try at her id is in the review, as refused.
  assert.match(review, /valley-cm \(Case manager\)\tValley Outreach Network\t[^\n]*\t0\t0\t1/, review);
  await check(page, 'client-audit');
  await page.close();
});

test('a case manager adds a new client in steps, searching first', async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await page.goto(`${demo.url}/#/intake`);
  await onScreen(page, 'Add New Client');
  await fill(page, 'First name', 'Maria');
  await fill(page, 'Last name', 'Lopez');
  await press(page, 'Check for existing clients');
  await status(page, /possible match/);
  assert.match(await mainText(page), /Lopez, Maria[\s\S]*Shared with you through MOU 0001/, 'the shared client is offered before a duplicate is made');
  await check(page, 'intake-search-first');
  await fill(page, 'First name', 'Rita');
  await fill(page, 'Last name', 'Moreno');
  await press(page, 'Check for existing clients');
  await status(page, /No existing client matches/);
  await press(page, 'None of these: continue');
  await fill(page, 'Social Security number', '12345');
  await press(page, 'Next');
  await page.click('input[name="raceEthnicity"][value="6"]');
  await fill(page, 'Sex', '0');
  await press(page, 'Next');
  await check(page, 'intake-sharing');
  await press(page, 'Save client');
  const refused = await status(page, /Not saved/);
  assert.match(refused, /\(ssn\)/, `the SSN is refused by field: ${refused}`);
  assert.equal(await page.$eval('input[name="ssn"]', (i) => i.offsetParent !== null), true, 'back on the step that holds the SSN');
  await fill(page, 'Social Security number', '');
  await press(page, 'Next');
  await press(page, 'Next');
  await press(page, 'Save client');
  await status(page, /Client saved/);
  await page.waitForSelector('#why-heading');
  const text = await mainText(page);
  assert.match(text, /Moreno, Rita[\s\S]*Entered by your agency, Community Housing and Shelter Services\./);
  assert.match(text, /Hispanic\/Latina\/e\/o/);
  assert.match(text, /You may edit/);
  // Her first enrollment, in CHSS's program.
  await open(page, 'Enroll in a program…');
  await press(page, 'Enroll');
  await status(page, /Enrolled/);
  await page.waitForFunction(() => document.querySelector('section[aria-labelledby="enrollments-heading"] tbody').innerText.includes('Active'));
  await page.close();
});

test('a keyboard user signs in, skips to the content and searches without a mouse', async () => {
  const page = await chromium.newPage();
  await page.goto(demo.url, { waitUntil: 'networkidle0' });
  await page.waitForSelector('button[data-user="chss-cm"]');
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el.tagName, text: el.textContent.trim(), user: el.dataset?.user, name: el.name, outline: getComputedStyle(el).outlineStyle };
  });
  let at;
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    at = await focused();
    if (at.user === 'chss-cm') break;
  }
  assert.equal(at.user, 'chss-cm', 'the demo users are reached with Tab');
  assert.notEqual(at.outline, 'none', 'focus is visible');
  await page.keyboard.press('Enter');
  await page.waitForSelector('nav[aria-label="Main"]');
  await page.waitForSelector('form.search');
  assert.equal((await focused()).tag, 'MAIN', 'a new screen moves focus to its content');
  for (let i = 0; i < 12 && (await focused()).text !== 'Skip to main content'; i += 1) {
    await page.keyboard.down('Shift');
    await page.keyboard.press('Tab');
    await page.keyboard.up('Shift');
  }
  assert.equal((await focused()).text, 'Skip to main content', 'the skip link is first in the page');
  await page.keyboard.press('Enter');
  assert.equal((await focused()).tag, 'MAIN', 'the skip link moves focus to the content');
  await page.keyboard.press('Tab');
  assert.equal((await focused()).name, 'name', 'the first field of Find Client is next');
  await page.keyboard.type('Lopez');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('main').innerText.includes('Lopez, Maria'));
  await page.close();
});

test('the client page works on a phone', async () => {
  const page = await signedIn(chromium, demo.url, 'chss-cm');
  await page.setViewport({ width: 390, height: 844, isMobile: true });
  await page.goto(`${demo.url}/#/client/${maria}`);
  await page.waitForSelector('#why-heading');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await check(page, 'client-phone');
  await page.close();
});

test('a second intake of one person reaches the duplicate queue, and a system administrator merges and unmerges them', async () => {
  const cm = await signedIn(chromium, demo.url, 'ccc-cm');
  await cm.goto(`${demo.url}/#/intake`);
  await onScreen(cm, 'Add New Client');
  await fill(cm, 'First name', 'Mariah');
  await fill(cm, 'Last name', 'Lopez');
  await fill(cm, 'Date of birth', '04021990');
  await press(cm, 'Check for existing clients');
  await status(cm, /possible match|No existing client matches/);
  await press(cm, 'None of these: continue');
  await press(cm, 'Next');
  await press(cm, 'Next');
  await press(cm, 'Save client');
  const saved = await status(cm, /Client saved/);
  await cm.waitForSelector('#why-heading');
  assert.match(saved, /flagged for the HMIS team to review/, saved);
  await cm.close();

  const admin = await signedIn(chromium, demo.url, 'admin');
  await admin.goto(`${demo.url}/#/duplicates`);
  await onScreen(admin, 'Duplicate Queue');
  await check(admin, 'duplicates');
  const before = await mainText(admin);
  assert.match(before, new RegExp(maria), 'Maria is in a pair');
  const details = await admin.$$('main tbody tr');
  let merged = false;
  for (const tr of details) {
    if (!(await tr.evaluate((r, id) => r.innerText.includes(id), maria))) continue;
    await tr.$eval('details.folded summary', (s) => s.click());
    await tr.$eval('input[name="reason"]', (i) => i.focus());
    await admin.keyboard.type('Same person: DOB and sounds-alike name, confirmed by phone');
    const survivorIsMaria = await tr.$eval('label', (l, id) => l.textContent === id, maria);
    if (!survivorIsMaria) await tr.$eval('input[value="second"]', (i) => i.click());
    await tr.$eval('form.deny button.primary', (b) => b.click());
    merged = true;
    break;
  }
  assert.ok(merged, 'a merge was offered for her pair');
  await status(admin, /Merged .* into /);
  await admin.waitForSelector('#undo-heading');
  await admin.$eval('#undo-heading + ul details summary', (s) => s.click());
  await admin.$eval('#undo-heading + ul input', (i) => i.focus());
  await admin.keyboard.type('Merged the wrong pair');
  await admin.$eval('#undo-heading + ul button', (b) => b.click());
  await status(admin, /Unmerged/);
  await admin.goto(`${demo.url}/#/mous`);
  await onScreen(admin, 'MOUs');
  assert.match(await mainText(admin), /Children's Crisis Center \(shares and sees records\)/);
  await check(admin, 'mous');
  await admin.close();
});
