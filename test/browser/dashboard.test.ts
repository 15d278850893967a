// The dashboard in Debian's chromium (playwright-core drives it), over the composed app on a real port
// with data from one poll cycle against the Qoo10 simulator. Skipped, visibly, where chromium is absent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { projectPath } from '../../src/config/paths';
import { TEST_ADMIN_TOKEN } from '../helpers/test-app';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

function skipReason(): string | false {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install -y chromium fonts-noto-cjk): browser test skipped`;
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed (a devDependency): browser test skipped';
  }
  return false;
}

// Types only: the module is loaded at run time, so a machine without it still compiles and skips.
type Playwright = typeof import('playwright-core');
type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

const skip = skipReason();
// A skipped test (not a skipped suite) so the run's summary counts it under "skipped".
if (skip) test('the dashboard in a real browser', { skip }, () => {});
else describe('the dashboard in a real browser', () => {
  let f: PipelineFixture;
  let server: Server;
  let url: string;
  let browser: Browser;
  let page: Page;
  const orders: Record<string, string> = {};
  const problems: string[] = [];
  const apiCalls: Array<{ path: string; authorization: string | undefined }> = [];

  const requestIdOf = async (orderNo: string) =>
    String((await f.t.db.dataSource.query('SELECT id FROM cancel_requests WHERE order_no = $1', [orderNo]))[0].id);
  const statusOf = async (orderNo: string) =>
    String((await f.t.db.dataSource.query('SELECT status FROM cancel_requests WHERE order_no = $1', [orderNo]))[0].status);

  before(async () => {
    f = await createPipelineFixture();
    const s = f.t.services;
    await s.facts.importStock(undefined, Buffer.from('seller_item_code,available\nIN-STOCK,5\nGONE,0\n'));
    orders.accepted = f.confirmedOrder({ sellerItemCode: 'IN-STOCK' });
    orders.soldOut = f.confirmedOrder({ sellerItemCode: 'GONE' });
    orders.unknown = f.confirmedOrder({ sellerItemCode: 'NO-RECORD' });
    orders.shipped = f.confirmedOrder({ sellerItemCode: 'IN-STOCK' });
    await f.handedOver(orders.shipped, 'ヤマト宅急便', '123456789016');
    for (const orderNo of Object.values(orders)) f.sim.state.requestCancel(orderNo);
    const [report] = await s.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);

    server = await new Promise<Server>((done) => {
      const listening = s.app.listen(0, '127.0.0.1', () => done(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = (await import('playwright-core')) as Playwright;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    page = await context.newPage();
    page.on('console', (message) => {
      // The wrong-token step answers 401 on purpose; the browser logs that failed load as an error.
      if (message.type() === 'error' && !/status of 401/.test(message.text())) problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (req) => {
      const path = new URL(req.url()).pathname;
      if (path.startsWith('/api/')) apiCalls.push({ path, authorization: req.headers().authorization });
    });
  });
  after(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
    await f?.close();
  });

  test('opens on the login form and asks for no data without the token', async () => {
    await page.goto(`${url}/`);
    await page.waitForSelector('#login:not([hidden])');
    assert.equal(await page.isHidden('#dashboard'), true);
    assert.match(await page.textContent('#login h1') ?? '', /管理者トークン/);
    assert.deepEqual(apiCalls, []);
  });

  test('a wrong token shows the login form again with a message', async () => {
    await page.fill('#token', 'not-the-admin-token');
    await page.click('#login-form button[type=submit]');
    // Polled with page.evaluate: waitForFunction's own polling evals the string, which the page's CSP forbids
    // (it failed whenever the message was not there at the first look).
    const deadline = Date.now() + 15_000;
    while (!(await page.evaluate(`document.getElementById('login-error').textContent.length > 0`))) {
      assert.ok(Date.now() < deadline, 'the login error message never appeared');
      await new Promise((done) => setTimeout(done, 50));
    }
    assert.equal(await page.isHidden('#dashboard'), true);
    assert.equal(await page.evaluate(`sessionStorage.getItem('cancel-guard.token')`), null);
  });

  test('with the token it shows the month’s rate and its chart', async () => {
    await page.fill('#token', TEST_ADMIN_TOKEN);
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#rate-value');
    const rate = await f.t.services.rates.monthlyRate(f.shop.id);
    assert.equal(await page.textContent('#rate-value'), rate.rateDefined ? `${(rate.rate * 100).toFixed(2)}%` : '—');
    assert.equal(await page.locator('#chart canvas').count() > 0, true, 'the chart is drawn on a canvas');
    assert.match(await page.textContent('#rate') ?? '', /算入キャンセル/);
    assert.ok(apiCalls.length > 0 && apiCalls.every((call) => call.authorization?.startsWith('Bearer ')), JSON.stringify(apiCalls));
  });

  test('the quarter card shows the quarter’s rate, the penalty tier and the seller-fault figure', async () => {
    const report = await f.t.services.rates.monthlyRate(f.shop.id);
    const pct = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;
    assert.equal(await page.textContent('#quarter-value'), report.quarter.rateDefined ? pct(report.quarter.rate) : '—');
    const text = (await page.textContent('#quarter')) ?? '';
    assert.ok(text.includes(report.quarter.period), text);
    assert.match(text, /現在のペナルティ/);
    assert.ok(text.includes(pct(report.sellerFaultRate)), `seller-fault ${pct(report.sellerFaultRate)} in: ${text}`);
  });

  test('today’s refusal shows its tracking number as registered', async () => {
    const row = page.locator('#refusals tr', { hasText: orders.shipped! });
    assert.match(await row.textContent() ?? '', /123456789016/);
    assert.match(await row.textContent() ?? '', /登録済み/);
  });

  test('approving the suggested seller-fault cancel removes it from the queue', async () => {
    const id = await requestIdOf(orders.soldOut!);
    const row = `#review tr[data-request-id="${id}"]`;
    await page.waitForSelector(row);
    assert.match(await page.textContent(row) ?? '', /販売店都合でキャンセル/);
    await page.click(`${row} button.approve`);
    // A seller-fault cancel cannot be undone: the page asks first.
    await page.click('dialog.confirm [data-answer=yes]');
    await page.waitForSelector(row, { state: 'detached' });
    assert.equal(await statusOf(orders.soldOut!), 'done');
    assert.ok(f.writes().some((w) => w.method === 'SetCancelProcess' && w.params.ContrNo === orders.soldOut));
  });

  test('overriding asks for a kind and a note, then settles the item', async () => {
    const id = await requestIdOf(orders.unknown!);
    const row = `#review tr[data-request-id="${id}"]`;
    assert.equal(await page.isDisabled(`${row} button.approve`), true, 'no suggestion to approve');
    await page.click(`${row} button.override`);
    await page.selectOption('.override-form select[name=kind]', 'accept');
    await page.click('.override-form button[type=submit]');
    await page.waitForSelector('#toast:not([hidden])');
    assert.equal(await statusOf(orders.unknown!), 'review', 'nothing is sent without a note');
    await page.fill('.override-form input[name=note]', '在庫を確認済み');
    await page.click('.override-form button[type=submit]');
    await page.waitForSelector(row, { state: 'detached' });
    assert.equal(await statusOf(orders.unknown!), 'done');
  });

  test('the token is kept for the session: a reload shows the data at once', async (t) => {
    await page.reload();
    await page.waitForSelector('#rate-value');
    const renderedAt = await page.evaluate(() => performance.getEntriesByName('cg:data-rendered')[0]?.startTime ?? null);
    assert.ok(renderedAt !== null);
    t.diagnostic(`dashboard rendered with data ${Math.round(renderedAt)} ms after navigation`);
    mkdirSync(projectPath('test-artifacts'), { recursive: true });
    await page.screenshot({ path: projectPath('test-artifacts/dashboard.png') });
  });

  test('switches to English and back', async () => {
    await page.click('#lang');
    assert.equal(await page.textContent('#rate h2'), 'Cancellation rate this month');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await page.click('#lang');
    assert.equal(await page.textContent('#rate h2'), '今月のキャンセル率');
  });

  test('logging out forgets the token', async () => {
    await page.click('#logout');
    await page.waitForSelector('#login:not([hidden])');
    assert.equal(await page.evaluate(`sessionStorage.getItem('cancel-guard.token')`), null);
    assert.equal(await page.isHidden('#dashboard'), true);
  });

  test('ran without script errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
