// Takes docs/dashboard.png for the README: starts the service in demo mode (embedded PostgreSQL in
// .data/screenshot, the built-in Qoo10 simulator), waits for the first poll cycle, logs in to the
// dashboard with Debian's chromium through playwright-core and saves a 1280×900 screenshot.
//
//   npm run build && node scripts/screenshot-dashboard.mjs [--out docs/dashboard.png] [--lang ja|en] [--serve]
//
// --full-page captures the whole page instead of the first 900 pixels; --serve keeps the service running after the screenshot and prints its address and token.
// DATABASE_URL, when set, is used instead of the embedded PostgreSQL (the demo shop's rows are reset).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'docs/dashboard.png' },
    lang: { type: 'string', default: 'ja' },
    serve: { type: 'boolean', default: false },
    'full-page': { type: 'boolean', default: false },
    // A phone-sized shot too (390 px wide, the width of a common phone), and the work tabs.
    phone: { type: 'string', default: 'docs/dashboard-phone.png' },
    work: { type: 'string', default: 'docs/dashboard-tracking.png' },
    'no-extra': { type: 'boolean', default: false },
  },
});

function freePort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });
}

async function waitFor(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const renderedAt = (page) => page.evaluate(() => performance.getEntriesByName('cg:data-rendered')[0]?.startTime ?? null);

/** How fast the page shows its data, and the summary endpoint's latency, on this data. */
async function printTimings(page, url, token) {
  const firstLoad = await renderedAt(page);
  await page.reload();
  await page.waitForSelector('#rate-value');
  const reload = await renderedAt(page);
  // A slow laptop: the same reload with the CPU slowed down four times (Chrome DevTools emulation).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await page.reload();
  await page.waitForSelector('#rate-value');
  const slow = await renderedAt(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
  const times = [];
  let bytes = 0;
  for (let i = 0; i < 30; i += 1) {
    const started = performance.now();
    const res = await fetch(`${url}/api/dashboard`, { headers: { Authorization: `Bearer ${token}` } });
    bytes = (await res.arrayBuffer()).byteLength;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const ms = (value) => `${Math.round(value)} ms`;
  console.log(`page with data, from navigation: ${ms(reload)} (CPU 4× slower: ${ms(slow)}; first visit including typing the token: ${ms(firstLoad)})`);
  console.log(`GET /api/dashboard: median ${ms(times[15])}, p95 ${ms(times[28])}, max ${ms(times[29])} (30 calls, ${Math.round(bytes / 1024)} KiB)`);
}

/** The page on a 390 px phone (overview, full page) and the tracking tab with a label-file preview. */
async function extraShots(browser, service, token) {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', isMobile: true, hasTouch: true });
  await phone.addInitScript((value) => sessionStorage.setItem('cancel-guard.token', value), token);
  const page = await phone.newPage();
  await page.goto(`${service.url}/`);
  await page.waitForSelector('#chart canvas');
  await page.waitForTimeout(300);
  const phoneOut = resolve(values.phone);
  await page.screenshot({ path: phoneOut, fullPage: false });
  console.log(`saved ${phoneOut}`);
  await phone.close();

  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  await desk.addInitScript((value) => sessionStorage.setItem('cancel-guard.token', value), token);
  const work = await desk.newPage();
  await work.goto(`${service.url}/#tracking`);
  await work.waitForSelector('#tracking-file-form');
  const { rows } = await service.database.dataSource.query("SELECT count(*)::int AS rows FROM orders").then((r) => ({ rows: r[0].rows }));
  const orders = await service.database.dataSource.query("SELECT order_no FROM orders WHERE shipped_at IS NULL AND tracking_no IS NULL ORDER BY ordered_at DESC LIMIT 3");
  const lines = ['order_no,carrier,tracking_no'];
  if (orders[0]) lines.push(`${orders[0].order_no},ヤマト運輸,123456789013`);
  lines.push('999999999,ヤマト運輸,123456789024');
  if (orders[1]) lines.push(`${orders[1].order_no},ヤマト運輸,12345`);
  await work.setInputFiles('#tracking-file-form input[type=file]', { name: 'b2-export.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\r\n') + '\r\n') });
  await work.click('#tracking-file-form button[type=submit]');
  await work.waitForSelector('#tracking-preview h3');
  const workOut = resolve(values.work);
  await work.screenshot({ path: workOut, fullPage: true });
  console.log(`saved ${workOut} (${rows} orders in the demo)`);
  await desk.close();
}

if (!existsSync(CHROMIUM)) {
  console.error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk`);
  process.exit(1);
}
const { chromium } = await import('playwright-core');
const { loadConfig } = await import('../dist/src/config/config.js');
const { startService } = await import('../dist/src/main.js');
const { createLogger } = await import('../dist/src/logger.js');

const token = randomBytes(24).toString('base64url');
const config = loadConfig({
  ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  ADMIN_TOKEN: token,
  HOST: '127.0.0.1',
  PORT: '0',
  DATA_DIR: '.data/screenshot',
  EMBEDDED_PG_PORT: String(await freePort()),
  DEMO_SIMULATOR_PORT: String(await freePort()),
  QOO10_MIN_INTERVAL_MS: '0',
  LOG_LEVEL: 'warn',
});
const service = await startService(config, { logger: createLogger('warn'), announce: () => {} });
let browser;
try {
  // The first poll cycle (run at start) fills the month, decides the demo requests and raises alerts.
  await waitFor('the first poll cycle', async () => (await service.services.jobRuns.recentRuns(5, 'poll')).some((run) => run.status !== 'running'), 60_000);
  await new Promise((done) => setTimeout(done, 1500));

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
  if (values.lang === 'en') await context.addInitScript(() => localStorage.setItem('cancel-guard.lang', 'en'));
  const page = await context.newPage();
  await page.goto(`${service.url}/`);
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.waitForSelector('#rate-value');
  await page.waitForSelector('#chart canvas');
  await page.waitForTimeout(300);
  const out = resolve(values.out);
  mkdirSync(dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: values['full-page'] });
  console.log(`saved ${out}`);
  await printTimings(page, service.url, token);
  if (!values['no-extra']) await extraShots(browser, service, token);
  if (values.serve) {
    console.log(`dashboard: ${service.url}/  token: ${token}  (Ctrl-C to stop)`);
    await new Promise((done) => process.once('SIGINT', done));
  }
} finally {
  await browser?.close();
  await service.stop();
}
