// The web console in a real browser: Debian's chromium (/usr/bin/chromium), driven by playwright-core,
// against real systems started with the built `reservo` binary on loopback.
//
//   node tests/browser/console.test.mjs path/to/reservo [--screenshot console.png]
//
// It starts all five systems (`reservo up SYSTEM --detach`, each in its own data directory, on free
// ports of E2E_PORT_BLOCK when ctest gives one), then checks in the browser:
//   a. every system: the picture has one node per service of /console/api/system, all turning UP,
//      an arrow per synchronous call and the event flows of every type;
//   b. vaccine: a reservation made on MyPage shows in its list, then in its saga timeline
//      (VaccineReserved under one trace id); cancelling it works;
//   c. a dead letter (a bad event appended to the log, parked by two consumers): Replay shows the
//      refusal while it is still bad; once the producer sent it again fixed, Replay unparks it;
//   d. a stopped service's node turns red within seconds (and green again once started);
//   e. animal-hospital (OAuth): log in on MyPage, then reserve.
// Every wait is bounded; the systems are taken down and the browser closed however it ends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const args = process.argv.slice(2);
const RESERVO = path.resolve(args.find((a) => !a.startsWith('--')) || process.env.RESERVO_BIN || 'build/release/reservo');
const SHOT = args.includes('--screenshot') ? path.resolve(args[args.indexOf('--screenshot') + 1]) : null;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SYSTEMS = ['vaccine', 'vaccine-approval', 'hotel', 'animal-hospital', 'course'];
const STEP_MS = 15000;   // the longest any one wait in the browser may take

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch {
  console.error('playwright-core is not installed: run scripts/install-deps.sh (npm ci in tests/browser)');
  process.exit(1);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'reservo-browser-'));
const systems = new Map();   // name → {base, data, url}
let context = null;
let page = null;
const pageErrors = [];   // uncaught script errors in the console's pages: none expected

// ---- processes -------------------------------------------------------------------------------

function reservo(argv, { timeoutMs = 60000, env = {} } = {}) {
  return run(RESERVO, argv, { timeout: timeoutMs, env: { ...process.env, ...env }, maxBuffer: 8 << 20 })
    .catch((e) => { throw new Error(`reservo ${argv.join(' ')} failed (${e.code ?? e.signal}): ${e.stdout || ''}${e.stderr || ''}`); });
}

function portFree(port) {
  return new Promise((ok) => {
    const srv = net.createServer().once('error', () => ok(false)).once('listening', () => srv.close(() => ok(true)));
    srv.listen(port, '0.0.0.0');
  });
}

// Ranges of 10 ports from this test's block (E2E_PORT_BLOCK, 500 ports), else from 30000–31990.
async function freeRanges(count) {
  const first = Number(process.env.E2E_PORT_BLOCK || 0) || 30000;
  const slots = process.env.E2E_PORT_BLOCK ? 50 : 200;
  const start = Math.floor(Math.random() * slots);
  const out = [];
  for (let i = 0; i < slots && out.length < count; i++) {
    const base = first + ((start + i) % slots) * 10;
    let free = true;
    for (let p = base; p < base + 10 && free; p++) free = await portFree(p);
    if (free) out.push(base);
  }
  if (out.length < count) throw new Error(`only ${out.length} free port ranges of 10 in ${first}+`);
  return out;
}

async function startSystem(name, base) {
  const data = path.join(work, name);
  // hotel keeps room and payment on PostgreSQL by default; SQLite here keeps the test light.
  const env = name === 'hotel'
    ? { RESERVO_SERVICES_ROOM_STORE_ENGINE: 'sqlite', RESERVO_SERVICES_PAYMENT_STORE_ENGINE: 'sqlite' } : {};
  systems.set(name, { base, data, url: `http://127.0.0.1:${base}` });
  await reservo(['up', name, '--data', data, '--port-base', String(base), '--detach'], { env, timeoutMs: 90000 });
}

async function stopEverything() {
  if (context) await context.close().catch(() => {});
  context = null;
  await Promise.all([...systems.values()].map((s) =>
    fs.existsSync(s.data) ? reservo(['down', '--data', s.data], { timeoutMs: 30000 }).catch((e) => console.error(e.message)) : null));
  fs.rmSync(work, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => { stopEverything().finally(() => process.exit(130)); });
}

async function api(system, method, p, body) {
  const res = await fetch(systems.get(system).url + p, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(10000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

const q = (v) => `'${String(v).replaceAll("'", "''")}'`;   // an SQL string literal
async function sqlite(db, sql) {
  const { stdout } = await run('sqlite3', ['-cmd', '.timeout 5000', db, sql], { timeout: 15000 });
  return stdout.trim();
}

// ---- the browser -----------------------------------------------------------------------------

async function open(system, hash = '') {
  await page.goto(`${systems.get(system).url}/console/${hash}`, { timeout: STEP_MS });
  await page.locator('#system-name', { hasText: system }).waitFor({ timeout: STEP_MS });
}

const healthOf = (service) => page.locator(`svg [data-service="${service}"]`).getAttribute('data-health', { timeout: STEP_MS });

async function waitHealth(service, wanted, timeout = STEP_MS) {
  await page.waitForFunction(([svc, ok]) => ok.includes(document.querySelector(`svg [data-service="${svc}"]`)?.dataset.health),
    [service, wanted], { timeout });
}

before(async () => {
  assert.ok(fs.existsSync(RESERVO), `no reservo binary at ${RESERVO}`);
  assert.ok(fs.existsSync(CHROMIUM), `no chromium at ${CHROMIUM}: run scripts/install-deps.sh (Debian's package chromium)`);
  const t0 = Date.now();
  const bases = await freeRanges(SYSTEMS.length);
  await Promise.all(SYSTEMS.map((name, i) => startSystem(name, bases[i])));
  console.log(`# five systems up in ${Date.now() - t0} ms: ${[...systems].map(([n, s]) => `${n} ${s.base}`).join(', ')}`);
  context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    timeout: 30000,
  });
  page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  page.on('pageerror', (e) => { console.error(`# page error: ${e.message}`); pageErrors.push(e.message); });
});

after(async () => { await stopEverything(); });

// ---- a ---------------------------------------------------------------------------------------

test('the picture of every system has a node for each of its services, coloured live', async () => {
  for (const name of SYSTEMS) {
    const doc = (await api(name, 'GET', '/console/api/system')).json;
    assert.equal(doc.system, name);
    const expected = doc.services.map((s) => s.name).sort();
    assert.ok(expected.length >= 4, `${name}: ${expected.length} services in the system document`);
    await open(name, '#/picture');
    await page.waitForFunction((n) => document.querySelectorAll('svg [data-service]').length === n, expected.length);
    const drawn = (await page.locator('svg [data-service]').evaluateAll((els) => els.map((e) => e.dataset.service))).sort();
    assert.deepEqual(drawn, expected, `${name}: the nodes drawn`);
    // The live overlay: every node turns UP once the first status poll answered.
    await page.waitForFunction(() => [...document.querySelectorAll('svg [data-service]')].every((e) => e.dataset.health === 'UP'));
    // Every declared synchronous call is drawn as an arrow.
    const calls = doc.services.flatMap((s) => (s.calls || []).map((c) => `${s.name}->${c}`)).sort();
    const arrows = (await page.locator('svg [data-call]').evaluateAll((els) => els.map((e) => e.dataset.call))).sort();
    assert.deepEqual(arrows, calls, `${name}: the call arrows`);
    // Every event type published or consumed is drawn, with one dashed arrow per publisher and consumer.
    const flows = doc.services.flatMap((s) => [...(s.publishes || []), ...(s.consumes || [])]);
    const pills = (await page.locator('svg [data-event]').evaluateAll((els) => els.map((e) => e.dataset.event))).sort();
    assert.deepEqual(pills, [...new Set(flows)].sort(), `${name}: the event types`);
    assert.equal(await page.locator('svg path.event').count(), flows.length, `${name}: the event arrows`);
    assert.equal(await page.locator('#overall').getAttribute('data-overall'), 'UP', `${name}: overall status`);
  }
});

// ---- b ---------------------------------------------------------------------------------------

let reservationId = null;
test('vaccine: reserve on MyPage, see it in the list and in its saga timeline, cancel it', async () => {
  await open('vaccine', '#/mypage');
  // The doses first (the setup form, with its defaults: the same hospital, date and type).
  await page.getByText('Register doses (government manager)').click();
  await page.locator('#mp-setup button[type=submit]').click();
  await page.getByText(/Registered: id \d+/).waitFor();
  await page.locator('#mp-reserve button[type=submit]').click();
  const ok = page.locator('#mp-result .ok');
  await ok.waitFor();
  reservationId = await ok.getAttribute('data-key');
  assert.match(reservationId, /^\d+$/);
  // In the list: the mypage view, built from VaccineReserved.
  await page.locator(`#mp-table tr[data-key="${reservationId}"][data-status="reserved"]`).waitFor();

  // Its saga timeline, from the link under the result.
  await page.locator('#mp-saga-link').click();
  await page.waitForURL(new RegExp(`#/timeline/${reservationId}$`));
  const reserved = page.locator('li.event[data-type="VaccineReserved"]');
  await reserved.waitFor();
  assert.equal(await reserved.getAttribute('data-source'), 'reservation');
  // The reservation's own events share one trace id, shown as one group.
  const traces = await page.locator('li.event[data-source="reservation"]').evaluateAll((els) => els.map((e) => e.dataset.trace));
  assert.ok(traces.length >= 1 && traces[0].length === 32, `a trace id: ${traces}`);
  assert.equal(new Set(traces).size, 1, `one trace for the reservation: ${traces}`);
  assert.equal(await page.locator(`li.trace[data-trace="${traces[0]}"] li.event[data-type="VaccineReserved"]`).count(), 1);
  await reserved.locator('summary').click();
  assert.match(await reserved.locator('pre.json').textContent(), new RegExp(`"reservationId": ${reservationId}`));

  // Cancel from MyPage: the view follows by event.
  await page.locator('nav a[data-screen="mypage"]').click();
  await page.locator(`#mp-table tr[data-key="${reservationId}"] button`, { hasText: 'Cancel' }).click();
  await page.locator(`#mp-table tr[data-key="${reservationId}"][data-status="cancelled"]`).waitFor();
  await open('vaccine', `#/timeline/${reservationId}`);
  await page.locator('li.event[data-type="ReservationCancelled"]').waitFor();
});

// ---- c ---------------------------------------------------------------------------------------

test('a dead letter is replayed from its Replay button', async () => {
  // A producer's bug: a VaccineReserved that mypage and notification cannot read, appended to the
  // embedded event log as another process of the system would. Both consumers park it.
  const eventsDb = path.join(systems.get('vaccine').data, 'vaccine', 'events.db');
  const subject = String(900000000 + Math.floor(Math.random() * 1000000));
  const id = `browser-test-${subject}`;
  const event = (data) => ({ specversion: '1.0', id, source: '/vaccine/reservation', type: 'VaccineReserved', subject,
    time: new Date().toISOString(), datacontenttype: 'application/json', data });
  const append = (e) => sqlite(eventsDb, 'BEGIN IMMEDIATE; INSERT INTO events (topic, part, off, id, type, subject, payload, appended_at) ' +
    `SELECT 'vaccine', 0, COALESCE(MAX(off) + 1, 0), ${q(id)}, 'VaccineReserved', ${q(subject)}, ${q(JSON.stringify(e))}, ` +
    `${Date.now()} FROM events WHERE topic = 'vaccine' AND part = 0; COMMIT;`);
  await append(event({ reservationId: 'not a number' }));

  // The picture counts it on mypage's node: the screenshot of the console, with live status.
  await open('vaccine', '#/picture');
  await page.waitForFunction(() => /dead letters 1/.test(document.querySelector('svg [data-service="mypage"] .dead')?.textContent));
  await page.waitForFunction(() => [...document.querySelectorAll('svg [data-service]')].every((e) => e.dataset.health === 'UP'));
  if (SHOT) {
    await page.screenshot({ path: SHOT, fullPage: true });
    console.log(`# screenshot: ${SHOT}`);
  }

  await page.locator('nav a[data-screen="deadletters"]').click();
  const rows = page.locator('#dl-table tbody tr', { hasText: subject });
  await page.waitForFunction((key) => [...document.querySelectorAll('#dl-table tbody tr')]
    .filter((r) => r.textContent.includes(key)).length === 2, subject);
  const keys = (await rows.evaluateAll((els) => els.map((e) => e.dataset.deadletter))).sort();
  assert.deepEqual(keys.map((k) => k.split('/')[0]), ['mypage', 'notification']);
  const mypageRow = page.locator(`tr[data-deadletter="${keys[0]}"]`);

  // Replayed as it is, it fails again: the problem shows and the row stays.
  await mypageRow.getByRole('button', { name: /Replay/ }).click();
  await page.locator('#dl-result .problem').waitFor();
  assert.match(await page.locator('#dl-result').textContent(), /400/);
  await mypageRow.waitFor();

  // The producer sends it again, fixed (the same event id): applied by both consumers. Replaying the
  // parked copies now finds it applied and unparks them: the rows go.
  await append(event({ id: Number(subject), reservationId: Number(subject), userId: 7, vaccineId: 1, hospital: 'replayed',
    reservedDate: '2026-12-01', vaccineType: 'Pfizer', reservationStatus: 'reserved' }));
  const deadline = Date.now() + STEP_MS;
  while ((await api('vaccine', 'GET', `/myPages/search/findByReservationId?reservationId=${subject}`)).json?._embedded?.myPages?.length !== 1) {
    assert.ok(Date.now() < deadline, 'mypage applied the fixed event');
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const key of keys) {
    const row = page.locator(`tr[data-deadletter="${key}"]`);
    await row.getByRole('button', { name: /Replay/ }).click();
    await page.locator(`[data-replayed="${key}"]`).waitFor();
    await row.waitFor({ state: 'detached' });
  }
  assert.equal(await page.locator('#dl-table tbody tr', { hasText: subject }).count(), 0);
});

// ---- d ---------------------------------------------------------------------------------------

test('a stopped service turns its node red within seconds, and green once it is back', async () => {
  const { data } = systems.get('vaccine');
  await open('vaccine', '#/picture');
  await waitHealth('notification', ['UP']);
  const t0 = Date.now();
  await reservo(['stop', 'vaccine/notification', '--data', data], { timeoutMs: 30000 });
  await waitHealth('notification', ['DOWN', 'UNREACHABLE'], 8000);
  console.log(`# notification red ${Date.now() - t0} ms after the stop began`);
  assert.ok(['DOWN', 'UNREACHABLE'].includes(await healthOf('notification')));
  assert.equal(await healthOf('reservation'), 'UP');
  assert.equal(await page.locator('#overall').getAttribute('data-overall'), 'DOWN');
  await reservo(['start', 'vaccine/notification', '--data', data], { timeoutMs: 30000 });
  await waitHealth('notification', ['UP'], 10000);
});

// ---- e ---------------------------------------------------------------------------------------

test('animal-hospital: log in on MyPage, then reserve', async () => {
  await open('animal-hospital', '#/mypage');
  await page.locator('#login').waitFor();
  await page.locator('#login button[type=submit]').click();   // the demo account is the default
  await page.locator('#user-box', { hasText: 'Signed in as owner' }).waitFor();
  await page.locator('#mp-reserve button[type=submit]').click();
  const ok = page.locator('#mp-result .ok');
  await ok.waitFor();
  const id = await ok.getAttribute('data-key');
  assert.match(id, /^\d+$/);
  await page.locator(`#mp-table tr[data-key="${id}"]`).waitFor();
  assert.deepEqual(pageErrors, [], 'no script error on any page');
});
