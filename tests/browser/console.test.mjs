// Browser tests of the web console (ctest label `browser`): playwright-core drives Debian's
// chromium, headless, against the real hrmaild binary and the real hrmaild-sandbox, both on
// free loopback ports. Screenshots of every page go to $HRMAILD_BROWSER_OUT.
//
//   HRMAILD_BIN=build/ci/hrmaild HRMAILD_SANDBOX_BIN=build/ci/tests/sandbox/hrmaild-sandbox \
//   HRMAILD_BROWSER_OUT=build/ci/browser node --test tests/browser/console.test.mjs
//
// Every wait polls observable state until a deadline; nothing waits without a bound.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const bin = process.env.HRMAILD_BIN;
const sandboxBin = process.env.HRMAILD_SANDBOX_BIN;
const out = process.env.HRMAILD_BROWSER_OUT || path.join(root, 'build/browser');
const chromiumPath = process.env.HRMAILD_CHROMIUM || '/usr/bin/chromium';
const BOUND_MS = 90_000;

let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error('browser tests: playwright-core is not installed; run scripts/setup-browser.sh');
  throw e;
}
for (const [name, value] of [['HRMAILD_BIN', bin], ['HRMAILD_SANDBOX_BIN', sandboxBin]])
  if (!value || !fs.existsSync(value)) throw new Error(`browser tests: ${name} (${value}) does not exist`);
if (!fs.existsSync(chromiumPath)) throw new Error(`browser tests: no chromium at ${chromiumPath} (apt-get install chromium)`);

const work = fs.mkdtempSync(path.join(process.env.TMPDIR || '/tmp', 'hrmaild-browser-'));
fs.mkdirSync(out, { recursive: true });
const children = [];
let browser, base, admin, adminPort, token;
const screenshots = [];

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

async function until(what, fn) {
  const deadline = Date.now() + BOUND_MS;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) { last = e; }
    for (const c of children)
      if (c.exitCode !== null) throw new Error(`${c.name} exited (${c.exitCode}) while waiting for ${what}; see ${c.log}`);
    await sleep(200);
  }
  throw new Error(`waited ${BOUND_MS / 1000}s for ${what}${last ? ': ' + last.message : ''}`);
}

function start(name, cmd, args) {
  const log = path.join(work, `${name}.log`);
  const fd = fs.openSync(log, 'w');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd: root });
  child.name = name;
  child.log = log;
  children.push(child);
  return child;
}

async function freePort() {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

async function api(pathname) {
  const r = await fetch(`${admin}${pathname}`, { headers: { Authorization: `Bearer ${token}` } });
  const body = await r.json();
  if (!r.ok) throw new Error(`${pathname}: HTTP ${r.status} ${JSON.stringify(body)}`);
  return body;
}

async function ticket(id) {
  const q = await api('/api/v1/queue');
  return q.tickets.find((t) => t.id === id);
}

async function shot(page, name) {
  const file = path.join(out, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  screenshots.push(file);
}

async function signIn(context, who) {
  const page = await context.newPage();
  await page.goto(`${admin}/consola/`);
  await page.getByRole('link', { name: 'Entrar con Bitrix24' }).click();
  await page.getByRole('button', { name: new RegExp(`^Entrar como .*\\(${who}\\)$`) }).click();
  await page.waitForURL(`${admin}/consola/cola`, { timeout: BOUND_MS });
  return page;
}

before(async () => {
  // 1. The sandbox, seeded with the sample requests.
  start('sandbox', sandboxBin, ['--listen', '127.0.0.1:0', '--seed', 'tests/fixtures/tickets',
    '--ready-file', path.join(work, 'ready.json')]);
  const ready = await until('the sandbox ready file', () => {
    const f = path.join(work, 'ready.json');
    return fs.existsSync(f) && fs.statSync(f).size > 0 && JSON.parse(fs.readFileSync(f, 'utf8'));
  });
  base = ready.zoho_api_url.replace(/\/$/, '');
  adminPort = await freePort();
  admin = `http://127.0.0.1:${adminPort}`;
  // A real organization allows about 30 Zoho calls a minute; as in the demo, the sandbox allows
  // 600 so that the approval's directory refresh is not throttled (config/sandbox.yaml's client
  // budget is 500).
  const configured = await fetch(`${base}/_sandbox/config`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ zoho: { requests_per_minute: 600 } }),
  });
  assert.equal(configured.status, 200);
  // The local application's handler URL: where the portal sends the browser back.
  const registered = await fetch(`${base}/_sandbox/bitrix/oauth_app`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ handler_url: `${admin}/consola/oauth` }),
  });
  assert.equal(registered.status, 200);

  // 2. hrmaild with the console on, from config/sandbox.yaml.
  const secrets = path.join(root, 'config/secrets');
  let cfg = fs.readFileSync(path.join(root, 'config/sandbox.yaml'), 'utf8');
  cfg = cfg.replaceAll('http://127.0.0.1:8790', base)
    .replace(/(listen:\s*)127\.0\.0\.1:\d+/, `$1127.0.0.1:${adminPort}`)
    .replace(/(_file:\s*)secrets\//g, `$1${secrets}/`)
    .replace(/(\n  path:\s*)\S+/, `$1${work}/hrmaild.db`)
    .replace(/(\n  dir:\s*)\S+/, `$1${root}/workflows`);
  assert.match(cfg, /\nconsole:\n  enabled: true/, 'config/sandbox.yaml has a console section');
  fs.writeFileSync(path.join(work, 'hrmaild.yaml'), cfg);
  token = fs.readFileSync(path.join(secrets, 'admin-camilo'), 'utf8').trim();
  const since = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, '+00:00');
  start('hrmaild', bin, ['run', '--config', path.join(work, 'hrmaild.yaml'), '--poll-interval', '1',
    '--drain', '5', '--since', since]);
  await until('hrmaild /healthz', async () => (await fetch(`${admin}/healthz`)).ok);

  // A request whose title holds markup, filed by HR (user 12) after the start.
  const filed = await fetch(`${base}/_sandbox/bitrix/call`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_id: 12, method: 'tasks.task.add', params: { fields: {
      TITLE: 'Baja <script>window.__pwned=1</script> Juan',
      GROUP_ID: 42, RESPONSIBLE_ID: 1, TAGS: ['baja'],
      DESCRIPTION: '[B]Correo:[/B] juan.perez@tarmexico.com\n[B]Fecha de baja:[/B] 30/11/2026',
    } } }),
  });
  assert.equal(filed.status, 200, await filed.text());

  // Task 4 (the sample termination) and the new one wait for an approver.
  await until('task 4 awaiting approval', async () => (await ticket(4))?.state === 'awaiting_approval');
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

after(async () => {
  if (browser) await browser.close();
  for (const c of children) {
    if (c.exitCode === null) {
      c.kill('SIGTERM');
      const deadline = Date.now() + 30_000;
      while (c.exitCode === null && Date.now() < deadline) await sleep(100);
      if (c.exitCode === null) c.kill('SIGKILL');
    }
  }
  console.log(`browser tests: logs in ${work}`);
  for (const s of screenshots) console.log(`screenshot: ${s}`);
});

test('approver 7 signs in through the portal, approves the termination from Cola and sees it done', async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });  // a phone
  const page = await signIn(context, 7);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Cola de aprobación' }).waitFor());
  const card = page.locator('section.tarjeta', { has: page.getByRole('link', { name: /^Tarea 4(:|$)/ }) });
  await card.waitFor();
  // The plan is a readable list with the bound Zoho ids, and the hash the button binds.
  assert.match(await card.locator('ol.plan').innerText(), /pedro\.gomez@tarmexico\.com/);
  assert.ok(await card.locator('.ids').count() > 0);
  const hash = (await ticket(4)).plan_hash;
  assert.equal(await card.locator('input[name="plan_hash"]').first().inputValue(), hash);
  await shot(page, 'cola');

  await card.getByRole('button', { name: 'Aprobar este plan' }).click();
  await page.waitForURL(/\/consola\/solicitud\/4\?aviso=aprobada$/);
  assert.equal(await page.getByRole('status').innerText(), 'Plan aprobado.');
  await until('task 4 done', async () => (await ticket(4))?.state === 'done');
  await page.reload();
  assert.equal(await page.locator('.estado').innerText(), 'hecha');
  const story = await page.locator('main').innerText();
  assert.match(story, /bitrix:7/);                 // who approved
  assert.match(story, /consola web/);              // and how
  assert.match(story, /Verificada/);               // the audit chain
  assert.match(story, /Eliminar la cuenta pedro\.gomez@tarmexico\.com/);  // the scheduled delete
  await shot(page, 'solicitud');

  await page.getByRole('link', { name: 'Programadas' }).click();
  await page.getByRole('heading', { name: 'Pasos programados' }).waitFor();
  assert.match(await page.locator('main').innerText(), /Eliminar la cuenta pedro\.gomez@tarmexico\.com/);
  await shot(page, 'programadas');

  // The figures are the sandbox's seeded organization, as its report endpoint counts them
  // (read before and after the page: hires of the seeded tasks may land in between).
  const reportNow = async () => (await fetch(`${base}/_sandbox/zoho/reports?days=30`)).json();
  const before = await reportNow();
  await page.getByRole('link', { name: 'Tablero' }).click();
  await page.getByRole('heading', { name: 'Tablero' }).waitFor();
  const afterReport = await reportNow();
  const cifra = async (key) => (await page.locator(`[data-cifra="${key}"]`).innerText()).trim();
  // Figures are written as the charts write them: es-MX thousands with a comma (17,927).
  const esMx = /^\d{1,3}(?:,\d{3})*$/;
  const whole = (text) => Number(text.replace(/,/g, ''));
  const usersText = await cifra('usuarios');
  assert.match(usersText, esMx);
  const users = whole(usersText);
  assert.ok(users >= before.users.length && users <= afterReport.users.length,
    `usuarios ${users} is the sandbox's ${before.users.length}..${afterReport.users.length}`);
  const storage = (await cifra('almacenamiento')).match(/^([\d,]+) de ([\d,]+) MB$/);
  assert.ok(storage, `almacenamiento reads "used de total MB": ${await cifra('almacenamiento')}`);
  assert.match(storage[1], esMx);
  assert.match(storage[2], esMx);
  const usedMb = (r) => r.users.reduce((n, u) => n + u.usedStorage, 0);
  assert.ok(whole(storage[1]) >= usedMb(before) && whole(storage[1]) <= usedMb(afterReport),
    `almacenamiento ${storage[1]} MB is the sandbox's ${usedMb(before)}..${usedMb(afterReport)}`);
  assert.ok(usedMb(before) >= 1000, 'the seeded storage needs a thousands separator');
  assert.match(storage[1], /,/);
  const licences = (await cifra('licencias')).match(/^([\d,]+) de ([\d,]+)$/);
  assert.ok(licences, `licencias reads "used de total": ${await cifra('licencias')}`);
  assert.ok(whole(licences[1]) >= 1 && whole(licences[1]) <= whole(licences[2]), licences[0]);
  // When the Zoho figures were read (kept in the state store across restarts).
  assert.match(await page.locator('main').innerText(), /Cifras de Zoho Mail leídas el \d{2}\/\d{2}\/\d{4} \d{2}:\d{2} \(America\/Mexico_City\)/);
  assert.match(await cifra('solicitudes'), /^[1-9][0-9]*$/);  // this run filed tasks
  assert.equal(await page.locator('figure.grafica img').count(), 6);
  const alt = await page.locator('figure.grafica img').first().getAttribute('alt');
  const totalIn = afterReport.days.reduce((n, d) => n + d.in, 0).toLocaleString("en-US");  // es-MX: 1,234
  assert.match(alt, new RegExp(`: ${totalIn} entrantes`), `the traffic chart says ${totalIn} in: ${alt}`);
  await shot(page, 'tablero');

  // Cancel the scheduled delete from Programadas: the store records it cancelled, by this person.
  await page.getByRole('link', { name: 'Programadas' }).click();
  await page.getByRole('button', { name: 'Cancelar los pasos pendientes de la tarea 4' }).click();
  const cancelled = await until('task 4\'s scheduled delete cancelled', async () => {
    const t = await api('/api/v1/queue/4');
    const steps = t.scheduled || [];
    return steps.length > 0 && steps.every((x) => x.state === 'cancelled') ? t : null;
  });
  assert.ok((cancelled.audit || []).some((a) => a.action === 'schedule.cancelled' && a.actor === 'bitrix:7'),
    `the cancellation is audited as approver 7: ${JSON.stringify(cancelled.audit)}`);
  await page.getByRole('link', { name: 'Programadas' }).click();
  assert.equal(await page.getByRole('button', { name: 'Cancelar los pasos pendientes de la tarea 4' }).count(), 0);
  await shot(page, 'programadas-cancelada');
  await context.close();
});

test('a form without its CSRF token gets 403', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 8);
  // The session cookie goes along (same context); the token does not.
  const r = await page.request.post(`${admin}/consola/solicitud/4/cancelar`, { form: { x: '1' }, maxRedirects: 0 });
  assert.equal(r.status(), 403);
  const forged = await page.request.post(`${admin}/consola/solicitud/4/cancelar`,
    { form: { csrf: 'f'.repeat(64) }, maxRedirects: 0 });
  assert.equal(forged.status(), 403);
  await context.close();
});

test('the HR requester sees no approve button and a POST is refused', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 12);
  await page.getByRole('heading', { name: 'Cola de aprobación' }).waitFor();
  await until('the new request in Cola', async () => {
    await page.reload();
    return (await page.locator('section.tarjeta').count()) > 0;
  });
  assert.equal(await page.getByRole('button', { name: 'Aprobar este plan' }).count(), 0);
  assert.match(await page.locator('main').innerText(), /no puede aprobarla/);
  await shot(page, 'cola-solicitante');
  const waiting = (await api('/api/v1/queue')).tickets.find((t) => t.state === 'awaiting_approval');
  assert.ok(waiting, 'a ticket awaits approval');
  const csrf = await page.locator('form.salir input[name="csrf"]').inputValue();
  const r = await page.request.post(`${admin}/consola/solicitud/${waiting.id}/aprobar`,
    { form: { csrf, plan_hash: waiting.plan_hash }, maxRedirects: 0 });
  assert.equal(r.status(), 403);
  assert.equal((await ticket(waiting.id)).state, 'awaiting_approval');
  await context.close();
});

test('a task title holding <script> is shown as text and never runs', async () => {
  const context = await browser.newContext();
  const page = await signIn(context, 7);
  const card = await until('the request with markup in its title', async () => {
    await page.reload();
    const c = page.locator('section.tarjeta', { hasText: '<script>window.__pwned=1</script>' });
    return (await c.count()) > 0 && c;
  });
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  // The only script element is the console's own.
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.getAttribute('src')));
  assert.deepEqual(scripts, ['/consola/recursos/app.js']);
  await card.getByRole('link').first().click();
  await page.waitForURL(/\/consola\/solicitud\/\d+$/);
  assert.match(await page.locator('.titulo-tarea').innerText(), /<script>window.__pwned=1<\/script>/);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await shot(page, 'solicitud-marcado');
  await context.close();
});
