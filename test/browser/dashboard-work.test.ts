// The seller's daily work in the dashboard, in Debian's chromium, on a desktop (1280 px) and on a
// phone (390 px): warnings, the rate card without a rate, confirmations before what cannot be undone,
// "handled in QSM" with its undo, the request list (search, filters, paging) with buyer message drafts,
// tracking numbers (one, and a label file previewed first) and stock (one, and a file previewed
// first). Every outcome is checked against the database or the simulator's call log.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { projectPath } from '../../src/config/paths';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TEST_ADMIN_TOKEN } from '../helpers/test-app';
import { createPipelineFixture, type PipelineFixture } from '../helpers/pipeline-fixture';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

type Playwright = typeof import('playwright-core');
type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;

function skipReason(): string | false {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is not installed (apt-get install -y chromium fonts-noto-cjk): browser test skipped`;
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed (a devDependency): browser test skipped';
  }
  return false;
}

/** A Yamato number whose mod-7 check digit is right. */
const yamato = (base: number) => `${base}${base % 7}`;

const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

interface Orders {
  soldOut: string;
  packed: string;
  accepted: string;
  unrequested: string;
  fromFile: string;
  /** Shipped, tracking in Qoo10, request still pending: a refuse_in_qsm task. */
  refuseInQsm: string;
}

const skip = skipReason();
if (skip) test('the dashboard’s daily work in a real browser', { skip }, () => {});
else describe('the dashboard’s daily work in a real browser', () => {
  let f: PipelineFixture;
  let server: Server;
  let url: string;
  let browser: Browser;
  const problems: string[] = [];
  const orders = new Map<string, Orders>();

  const q = async (sql: string, params: unknown[] = []) => f.t.db.dataSource.query(sql, params);
  const requestIdOf = async (orderNo: string) => String((await q('SELECT id FROM cancel_requests WHERE order_no = $1', [orderNo]))[0].id);
  const statusOf = async (orderNo: string) => String((await q('SELECT status FROM cancel_requests WHERE order_no = $1', [orderNo]))[0].status);

  async function open(viewport: (typeof VIEWPORTS)[number], hash = ''): Promise<Page> {
    const context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      locale: 'ja-JP',
      timezoneId: 'Asia/Tokyo',
      ...(viewport.name === 'phone' ? { isMobile: true, hasTouch: true } : {}),
    });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    await context.addInitScript({ content: `sessionStorage.setItem('cancel-guard.token', ${JSON.stringify(TEST_ADMIN_TOKEN)}); window.CG_PAGE_SIZE = 2;` });
    const page = await context.newPage();
    page.on('console', (message) => {
      // Answers the tests provoke on purpose (a 409, a 500 from the renamed table) are logged by the browser.
      if (message.type() === 'error' && !/status of (409|500)/.test(message.text())) problems.push(`${viewport.name}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`${viewport.name}: ${error.message}`));
    await page.goto(`${url}/${hash}`);
    await page.waitForSelector('#rate-value');
    return page;
  }

  /**
   * Waits until a page expression is true, polling from here: the page's CSP (no eval) rules out
   * waitForFunction with a string, and this project compiles without DOM types.
   */
  async function until(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await page.evaluate(expression).catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  }

  /** Screenshots for a person to look at (test-artifacts/, not committed). */
  async function snapshot(page: Page, name: string): Promise<void> {
    mkdirSync(projectPath('test-artifacts'), { recursive: true });
    await page.screenshot({ path: projectPath(`test-artifacts/dashboard-work-${name}.png`), fullPage: true });
  }

  /** Nothing wider than the screen: a phone never scrolls sideways. */
  async function assertNoSidewaysScroll(page: Page, width: number): Promise<void> {
    const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
    assert.ok(scrollWidth <= width, `page is ${scrollWidth} px wide on a ${width} px screen`);
  }

  before(async () => {
    f = await createPipelineFixture({ PACKED_ORDERS_POLICY: 'review' });
    server = await new Promise<Server>((done) => {
      const listening = f.t.services.app.listen(0, '127.0.0.1', () => done(listening));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { chromium } = (await import('playwright-core')) as Playwright;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
    await f?.close();
  });

  test('before the first poll: a red banner says nothing was fetched, and the rate card is not a green 正常', async () => {
    for (const viewport of VIEWPORTS) {
      const page = await open(viewport);
      assert.match((await page.textContent('#warnings .banner.error')) ?? '', /まだ一度も取得できていません/);
      assert.equal(await page.textContent('#rate-value'), '—');
      const badge = page.locator('#rate .rate-big .badge');
      assert.equal(await badge.textContent(), '判定不可');
      assert.equal(await badge.getAttribute('class'), 'badge status-unknown');
      await page.context().close();
    }
  });

  test('one poll cycle fills the queue for both screens', async () => {
    await f.t.services.facts.importStock(undefined, Buffer.from('seller_item_code,available\nIN-STOCK,50\nGONE,0\n'));
    let base = 90000000000;
    for (const viewport of VIEWPORTS) {
      const set: Orders = {
        soldOut: f.confirmedOrder({ sellerItemCode: 'GONE' }),
        packed: f.confirmedOrder({ sellerItemCode: 'IN-STOCK' }),
        accepted: f.confirmedOrder({ sellerItemCode: 'IN-STOCK' }),
        unrequested: f.confirmedOrder({ sellerItemCode: 'IN-STOCK' }),
        fromFile: f.confirmedOrder({ sellerItemCode: 'IN-STOCK' }),
        refuseInQsm: f.confirmedOrder({ sellerItemCode: 'IN-STOCK' }),
      };
      await f.t.services.facts.recordOrderFact(f.shop.id, set.packed, { packed: true }, new Date());
      await f.handedOver(set.refuseInQsm, 'ヤマト宅急便', yamato(70000000000 + base));
      for (const orderNo of [set.soldOut, set.packed, set.accepted, set.refuseInQsm]) f.sim.state.requestCancel(orderNo);
      orders.set(viewport.name, set);
      base += 1000;
    }
    const [report] = await f.t.services.pipeline.runCycle();
    assert.equal(report?.status, 'ok', report?.error);
    await f.t.services.buyerMessages.draftPending(new Date());
    for (const set of orders.values()) {
      assert.equal(await statusOf(set.soldOut), 'review');
      assert.equal(await statusOf(set.packed), 'review');
      assert.equal(await statusOf(set.accepted), 'done');
    }
  });

  for (const [index, viewport] of VIEWPORTS.entries()) {
    describe(`at ${viewport.width} px (${viewport.name})`, () => {
      let page: Page;
      let set: Orders;
      const numbers = { entry: yamato(81234567000 + index * 10), file: yamato(81234567001 + index * 10), other: yamato(81234567002 + index * 10) };
      before(async () => {
        set = orders.get(viewport.name)!;
        page = await open(viewport);
      });
      after(async () => {
        await page?.context().close();
      });

      test('the overview fits the screen, in Japanese: 7% without a space, reasons in full', async () => {
        assert.equal(await page.locator('#warnings .banner').count(), 0, 'no warning after a good poll');
        assert.match((await page.textContent('#rate-value')) ?? '', /^\d+\.\d{2}%$/);
        assert.match((await page.textContent('#rate .rate-big')) ?? '', /上限 7%/);
        const row = page.locator(`#review tr[data-request-id="${await requestIdOf(set.soldOut)}"]`);
        assert.match((await row.textContent()) ?? '', /在庫がないため、販売店都合でキャンセルします/);
        await page.click('#rate details.definition summary');
        assert.match((await page.textContent('#rate details.definition p')) ?? '', /注文から6時間以内に完了したキャンセルは数えません/);
        // A refusal Qoo10 still shows pending: the exact QSM steps and the same-day deadline.
        const task = page.locator(`#review tr[data-request-id="${await requestIdOf(set.refuseInQsm)}"]`);
        const steps = (await task.locator('ol.qsm-steps li').allTextContents()).join(' / ');
        assert.match(steps, /キャンセル要請/);
        assert.ok(steps.includes(set.refuseInQsm), steps);
        assert.match(steps, /キャンセル拒否/);
        assert.equal(await task.locator('.qsm-deadline').count(), 1);
        // What verify-live settled for the shop: nothing yet, so every fact is unknown and the page says how to check.
        const facts = await page.locator('#health details.facts li').allTextContents();
        assert.equal(facts.length, 8);
        assert.ok(facts.every((fact) => fact.startsWith('不明')), facts.join(' / '));
        assert.match((await page.textContent('#health details.facts')) ?? '', /verify-live/);
        if (viewport.name === 'phone') assert.equal(await page.isVisible('#review thead'), false, 'tables are cards on a phone');
        await assertNoSidewaysScroll(page, viewport.width);
        await snapshot(page, `${viewport.name}-overview`);
      });

      test('a seller-fault cancel first shows its effect on the month’s rate; cancelling the dialog sends nothing', async () => {
        const summary = (await (await fetch(`${url}/api/dashboard`, { headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).json()) as {
          rate: { countedCancels: number; orders: number; rate: number };
        };
        const expectedAfter = `${(((summary.rate.countedCancels + 1) / summary.rate.orders) * 100).toFixed(2)}%`;
        const row = `#review tr[data-request-id="${await requestIdOf(set.soldOut)}"]`;
        await page.click(`${row} button.approve`);
        const effect = (await page.textContent('dialog.confirm [data-effect=month]')) ?? '';
        await snapshot(page, `${viewport.name}-confirm`);
        assert.ok(effect.includes(`${(summary.rate.rate * 100).toFixed(2)}% → ${expectedAfter}`), effect);
        await assertNoSidewaysScroll(page, viewport.width);
        await page.click('dialog.confirm [data-answer=no]');
        await page.waitForSelector('dialog.confirm', { state: 'detached' });
        assert.equal(await statusOf(set.soldOut), 'review');
        assert.ok(!f.writes().some((w) => w.method === 'SetCancelProcess' && w.params.ContrNo === set.soldOut), 'nothing sent');

        await page.click(`${row} button.approve`);
        await page.click('dialog.confirm [data-answer=yes]');
        await page.waitForSelector(row, { state: 'detached' });
        assert.equal(await statusOf(set.soldOut), 'done');
        assert.ok(f.writes().some((w) => w.method === 'SetCancelProcess' && w.params.ContrNo === set.soldOut));
      });

      test('「QSMで対応済み」 asks once, and can be undone until the next poll', async () => {
        const id = await requestIdOf(set.packed);
        const row = `#review tr[data-request-id="${id}"]`;
        await page.click(`${row} button.handled`);
        assert.match((await page.textContent('dialog.confirm h2')) ?? '', new RegExp(`${set.packed}.*QSMで対応済み`));
        await page.click('dialog.confirm [data-answer=yes]');
        await page.waitForSelector(row, { state: 'detached' });
        assert.equal(await statusOf(set.packed), 'closed');
        await page.click(`#review .undo-list li[data-request-id="${id}"] button.undo`);
        await page.waitForSelector(row);
        assert.equal(await statusOf(set.packed), 'review');
        assert.equal(await page.locator(`#review .undo-list li[data-request-id="${id}"]`).count(), 0);
      });

      test('the request list searches by order number, filters by status and pages', async () => {
        await page.click('#tabs [data-tab=requests]');
        await page.waitForSelector('#requests-count');
        assert.equal(await page.locator('#requests tbody tr').count(), 2, 'a page of two');
        await page.click('#requests button.more');
        await until(page, `document.querySelectorAll('#requests tbody tr').length === 4`);

        await page.fill('#request-filters input[name=q]', set.accepted);
        await page.click('#request-filters button[type=submit]');
        await until(page, `document.querySelectorAll('#requests tbody tr').length === 1`);
        assert.equal(await page.getAttribute('#requests tbody tr', 'data-request-id'), await requestIdOf(set.accepted));

        await page.fill('#request-filters input[name=q]', '');
        await page.selectOption('#request-filters select[name=status]', 'review');
        await page.click('#request-filters button[type=submit]');
        await until(page, `document.getElementById('requests-count').textContent.includes('2')`);
        const inReview = (await q(`SELECT id FROM cancel_requests WHERE status = 'review' ORDER BY requested_at DESC, id DESC`)).map((r: { id: string }) => String(r.id));
        const shown = await page.$$eval('#requests tbody tr', (rows) => rows.map((r) => r.getAttribute('data-request-id')));
        assert.deepEqual(shown, inReview.slice(0, 2));

        // The decision kind and a JST day range (today) together.
        const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date());
        await page.selectOption('#request-filters select[name=status]', '');
        await page.selectOption('#request-filters select[name=kind]', 'accept');
        await page.fill('#request-filters input[name=from]', today);
        await page.fill('#request-filters input[name=to]', today);
        await page.click('#request-filters button[type=submit]');
        const accepted = (await q(`SELECT r.id FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id WHERE d.kind = 'accept' ORDER BY r.requested_at DESC, r.id DESC`)).map((r: { id: string }) => String(r.id));
        assert.ok(accepted.length > 0);
        await until(page, `document.getElementById('requests-count').textContent.includes('${Math.min(2, accepted.length)}')`);
        await until(page, `[...document.querySelectorAll('#requests tbody tr')].map((r) => r.dataset.requestId).join() === ${JSON.stringify(accepted.slice(0, 2).join())}`);
        await page.selectOption('#request-filters select[name=kind]', '');
        await page.fill('#request-filters input[name=from]', '');
        await page.fill('#request-filters input[name=to]', '');
        await assertNoSidewaysScroll(page, viewport.width);
      });

      test('a buyer message draft can be read, copied and marked as sent', async () => {
        await page.selectOption('#request-filters select[name=status]', '');
        await page.fill('#request-filters input[name=q]', set.accepted);
        await page.click('#request-filters button[type=submit]');
        await until(page, `document.querySelectorAll('#requests tbody tr').length === 1`);
        await page.click('#requests tbody tr button.message');
        await page.waitForSelector('#requests .message-text');
        const draft = (await (await fetch(`${url}/api/cancel-requests/${await requestIdOf(set.accepted)}/message`, { headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).json()) as {
          subject: string;
          body: string;
          qsmText?: string;
        };
        const expected = draft.qsmText ?? `${draft.subject}\n\n${draft.body}`;
        assert.equal(await page.textContent('#requests .message-text'), expected);
        await page.click('#requests button.copy');
        await page.waitForSelector('#toast:not([hidden])');
        assert.equal(await page.evaluate('navigator.clipboard.readText()'), expected);
        await page.click('#requests button.mark-sent');
        await until(page, `(document.querySelector('#requests .message-status') || {}).textContent.includes('送信済み')`);
        await snapshot(page, `${viewport.name}-requests`);
        assert.equal(await page.isDisabled('#requests button.mark-sent'), true);
        // Recorded on the server, not in the browser: the API (and so any other browser) says it was sent.
        const after = (await (await fetch(`${url}/api/cancel-requests/${await requestIdOf(set.accepted)}/message`, { headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).json()) as {
          qsm: { sentAt: string | null };
        };
        assert.ok(after.qsm.sentAt, 'the draft is marked sent in QSM on the server');
      });

      test('one tracking number typed in is sent to Qoo10 at once', async () => {
        await page.click('#tabs [data-tab=tracking]');
        await page.fill('#tracking-form input[name=orderNo]', set.unrequested);
        await page.fill('#tracking-form input[name=carrier]', 'ヤマト運輸');
        await page.fill('#tracking-form input[name=trackingNo]', numbers.entry);
        await page.click('#tracking-form button[type=submit]');
        await until(page, `document.getElementById('tracking-entry-result').textContent.length > 0`);
        assert.match((await page.textContent('#tracking-entry-result')) ?? '', new RegExp(`注文 ${set.unrequested}: .*${numbers.entry} をQoo10に登録しました`));
        assert.ok(f.writes().some((w) => /SetSendingInfo/.test(w.method) && JSON.stringify(w.params).includes(numbers.entry)));
      });

      test('a label file is previewed by line (accepted, held with the reason) before anything is sent', async () => {
        const csv = ['order_no,carrier,tracking_no', `${set.fromFile},ヤマト運輸,${numbers.file}`, `999999999,ヤマト運輸,${numbers.other}`, `${set.fromFile},ヤマト運輸,12345`].join('\r\n');
        await page.setInputFiles('#tracking-file-form input[type=file]', { name: 'labels.csv', mimeType: 'text/csv', buffer: Buffer.from(`${csv}\r\n`) });
        await page.click('#tracking-file-form button[type=submit]');
        await page.waitForSelector('#tracking-preview h3');
        assert.match((await page.textContent('#tracking-preview h3')) ?? '', /3 行のうち 1 件を送信できます（保留 2 行）/);
        assert.deepEqual(await page.$$eval('#tracking-preview .preview-accepted tbody tr td:first-child', (cells) => cells.map((c) => c.textContent)), ['2']);
        const held = await page.$$eval('#tracking-preview .preview-held tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
        assert.equal(held.length, 2);
        assert.match(held[0]!, /^3.*注文が見つかりません/);
        assert.match(held[1]!, /^4.*桁数/);
        assert.equal((await q('SELECT count(*)::int AS n FROM tracking_numbers WHERE tracking_no = $1', [numbers.file]))[0].n, 0, 'nothing stored by the preview');
        await assertNoSidewaysScroll(page, viewport.width);
        await snapshot(page, `${viewport.name}-label-preview`);

        await page.click('#tracking-confirm');
        await until(page, `document.querySelector('#tracking-preview h3').textContent.includes('登録しました')`);
        assert.equal((await q('SELECT count(*)::int AS n FROM tracking_numbers WHERE tracking_no = $1 AND order_no = $2', [numbers.file, set.fromFile]))[0].n, 1);
        assert.ok(f.writes().some((w) => /SetSendingInfo/.test(w.method) && JSON.stringify(w.params).includes(numbers.file)));
      });

      test('stock: one item typed in, and a stock file previewed with its line errors before it is written', async () => {
        await page.click('#tabs [data-tab=stock]');
        await page.waitForSelector('#stock-list table');
        await page.fill('#stock-form input[name=sellerItemCode]', 'GONE');
        await page.fill('#stock-form input[name=available]', String(5 + index));
        await page.click('#stock-form button[type=submit]');
        await until(page, `(document.querySelector('#stock-list tr[data-code="GONE"] td:nth-child(2)') || {}).textContent === '${5 + index}'`);
        assert.equal((await q(`SELECT available FROM item_facts WHERE seller_item_code = 'GONE'`))[0].available, 5 + index);

        const csv = `seller_item_code,available\nIN-STOCK,${30 + index}\nIN-STOK,4\nGONE,-1\n`;
        await page.setInputFiles('#stock-file-form input[type=file]', { name: 'stock.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
        await page.click('#stock-file-form button[type=submit]');
        await page.waitForSelector('#stock-preview h3');
        assert.match((await page.textContent('#stock-preview h3')) ?? '', /1 件を取り込めます（エラー 2 行）/);
        const errors = await page.$$eval('#stock-preview .preview-held tbody tr', (rows) => rows.map((r) => r.textContent ?? ''));
        assert.match(errors[0]!, /^3.*「IN-STOK」はこのショップの注文にも在庫にもありません/);
        assert.match(errors[1]!, /^4.*0以上の整数/);
        assert.equal((await q(`SELECT available FROM item_facts WHERE seller_item_code = 'IN-STOCK'`))[0].available, index === 0 ? 50 : 30, 'the preview writes nothing');
        await page.click('#stock-confirm');
        await until(page, `document.querySelector('#stock-preview h3').textContent.includes('更新しました')`);
        assert.equal((await q(`SELECT available FROM item_facts WHERE seller_item_code = 'IN-STOCK'`))[0].available, 30 + index);
        await assertNoSidewaysScroll(page, viewport.width);
      });
    });
  }

  test('a rejected key and a failing database show red banners at the top; English dates name the month', async () => {
    const page = await open(VIEWPORTS[1]);
    await q(`UPDATE shops SET key_status = 'rejected' WHERE id = $1`, [f.shop.id]);
    await page.click('#refresh');
    await page.waitForSelector('#warnings .banner.error');
    assert.match((await page.textContent('#warnings')) ?? '', /Qoo10がAPIキーを受け付けていません/);
    assert.equal(await page.evaluate(`document.getElementById('warnings') === document.querySelector('main').firstElementChild`), true, 'the first thing on the page');
    await q(`UPDATE shops SET key_status = 'ok' WHERE id = $1`, [f.shop.id]);

    await q('ALTER TABLE job_runs RENAME TO job_runs_away');
    try {
      await page.click('#refresh');
      await page.waitForSelector('#load-error:not([hidden])');
      assert.match((await page.textContent('#load-error')) ?? '', /サーバーで問題が起きました/);
      assert.match((await page.getAttribute('#load-error', 'class')) ?? '', /banner error/);
    } finally {
      await q('ALTER TABLE job_runs_away RENAME TO job_runs');
    }
    await page.click('#lang');
    const month = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', month: 'short' }).format(new Date());
    assert.match((await page.textContent('#footer')) ?? '', new RegExp(`\\b${month}\\b`));
    await page.context().close();
  });

  test('ran without script errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
