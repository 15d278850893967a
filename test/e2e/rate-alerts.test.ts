// Rate alerts end to end: orders and cancels recorded through the repositories (as the poll pipeline
// records them), checkRateAlerts + sendPending run cycle after cycle on a fake clock, and the emails
// arrive at a real SMTP server in this process.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Order, Shop } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import { SmtpMailer } from '../../src/notifications/smtp-mailer';
import { AlertMailer } from '../../src/services/alert-mailer';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { aShop, cancelOrder, rateWorld, someOrders, type RateWorld } from '../db/rate-fixtures';
import { headerOf, startTestSmtpServer, textBodyOf, type TestSmtpServer } from '../notifications/smtp-test-server';

const SMTP_PASSWORD = 'smtp-pass-9f8e7d';
/** 2026-11-15 12:00 JST. */
const START = new Date('2026-11-15T03:00:00Z');
const NOVEMBER_START = new Date('2026-10-31T15:00:00Z');
const CYCLE_MS = 2 * 60_000;

interface Process {
  world: RateWorld;
  mailer: SmtpMailer;
  alertMailer: AlertMailer;
}

describe('rate alerts by email, end to end', () => {
  let db: TestDatabase;
  let smtp: TestSmtpServer;
  let now = START;
  let process_: Process;

  /** What a (re)started service builds: fresh objects on the same database and SMTP server. */
  const startProcess = (): Process => {
    const world = rateWorld(db.dataSource, () => now, { settings: { alertLevels: [0.05, 0.07] }, emailConfigured: true });
    const mailer = new SmtpMailer(smtp.url('cancel-guard', SMTP_PASSWORD), 'cancel-guard <alerts@example.test>');
    const alertMailer = new AlertMailer(world.alertRepository, mailer, ['seller@example.test'], silentLogger());
    return { world, mailer, alertMailer };
  };

  /** What the scheduler does after every poll cycle, then two minutes pass. */
  const cycle = async (times = 1) => {
    for (let i = 0; i < times; i += 1) {
      for (const shop of await process_.world.shops.listActiveShops()) await process_.world.rates.checkRateAlerts(shop, now);
      await process_.alertMailer.sendPending(now);
      now = new Date(now.getTime() + CYCLE_MS);
    }
  };

  const messagesFor = (shop: Shop) => smtp.messages.filter((raw) => (headerOf(raw, 'Subject') ?? '').includes(shop.name));

  before(async () => {
    db = await createTestDatabase();
    smtp = await startTestSmtpServer();
    process_ = startProcess();
  });
  after(async () => {
    process_.mailer.close();
    await smtp.close();
    await db.drop();
  });

  test('one email per level as the rate crosses 5 % and 7 %, none again after a restart', async () => {
    const { world } = process_;
    const shop = await aShop(world, '渋谷雑貨店');
    const orders = someOrders(100, NOVEMBER_START, { sellerItemCode: 'TUMBLER-01', itemTitle: 'ステンレスタンブラー' });
    await world.orders.upsertOrders(shop.id, orders);
    let next = 0;
    const cancel = async (count: number, hoursAfter: number, cause: 'buyer' | 'seller_fault', pool: Order[] = orders) => {
      for (let i = 0; i < count; i += 1) await cancelOrder(world, shop.id, pool[next++]!, hoursAfter, cause);
    };

    await cancel(2, 2, 'buyer'); // inside 6 h: excluded
    await cancel(3, 20, 'seller_fault');
    await cycle(2);
    assert.equal(messagesFor(shop).length, 0, '3 % sends nothing');

    await cancel(1, 12, 'buyer');
    await cycle();
    assert.equal(messagesFor(shop).length, 0, '4 % sends nothing');

    await cancel(1, 30, 'seller_fault');
    await cycle(3);
    assert.equal(messagesFor(shop).length, 1, '5 % sends one email, however many cycles run');
    const five = messagesFor(shop)[0]!;
    assert.equal(headerOf(five, 'Subject'), '【警告】キャンセル率が5.00 %に達しました（渋谷雑貨店・2026年11月）');
    assert.match(headerOf(five, 'To') ?? '', /seller@example\.test/);
    const fiveBody = textBodyOf(five);
    for (const expected of [
      'キャンセル率: 5.00 %（Qoo10の警告ライン 7.00 %）',
      '算入されるキャンセル: 5 件',
      '算入されないキャンセル（注文から6時間以内に完了）: 2 件',
      '注文数: 100 件',
      '警告ラインを超えずに受けられるキャンセル: あと 2 件',
      '月末の見込みキャンセル率（今のペース）: ',
      '・販売店都合（在庫切れ・不良など）: 4 件 / 0 件',
      '・TUMBLER-01 ステンレスタンブラー: 算入 5 件（うち販売店都合 4 件）',
      '追跡番号をQoo10に登録',
      '在庫連携',
    ]) {
      assert.ok(fiveBody.includes(expected), `the 5 % email says "${expected}"\n${fiveBody}`);
    }

    // Ten more orders and three more counted cancels: 8 / 110 = 7.27 %, over the 7 % limit.
    const more = someOrders(10, new Date(NOVEMBER_START.getTime() + 3 * 3_600_000));
    await world.orders.upsertOrders(shop.id, more);
    await cancel(3, 48, 'seller_fault');
    await cycle(3);
    const all = messagesFor(shop);
    assert.equal(all.length, 2, 'crossing 7 % sends exactly one more email');
    const seven = all[1]!;
    assert.equal(headerOf(seven, 'Subject'), '【緊急】キャンセル率がQoo10の警告ライン7.00 %を超えました（渋谷雑貨店・2026年11月）');
    const sevenBody = textBodyOf(seven);
    for (const expected of ['キャンセル率: 7.27 %', '算入されるキャンセル: 8 件', '注文数: 110 件', 'あと 0 件']) {
      assert.ok(sevenBody.includes(expected), `the 7 % email says "${expected}"\n${sevenBody}`);
    }

    // A restart: new service objects on the same database send nothing twice.
    process_.mailer.close();
    process_ = startProcess();
    await cycle(3);
    assert.equal(messagesFor(shop).length, 2);
    const stored = await process_.world.alertRepository.recentAlerts(50, shop.id);
    assert.deepEqual(
      stored.map((alert) => [alert.dedupeKey, alert.emailStatus, alert.emailAttempts]).sort(),
      [
        [`rate:${shop.id}:2026-11:0.05`, 'sent', 1],
        [`rate:${shop.id}:2026-11:0.07`, 'sent', 1],
      ],
    );
  });

  test('a refused email stays failed, is retried after the backoff and arrives once', async () => {
    const { world } = process_;
    const shop = await aShop(world, '大阪文具店');
    const orders = someOrders(20, NOVEMBER_START);
    await world.orders.upsertOrders(shop.id, orders);
    smtp.rejecting = true;
    try {
      await cancelOrder(world, shop.id, orders[0]!, 24, 'buyer'); // 1 / 20 = 5 %
      await cycle();
      let [alert] = await world.alertRepository.recentAlerts(10, shop.id).then((alerts) => alerts.filter((a) => a.shopId === shop.id));
      assert.equal(alert!.emailStatus, 'failed');
      assert.equal(alert!.emailAttempts, 1);
      assert.match(alert!.emailLastError ?? '', /554/);
      assert.ok(!(alert!.emailLastError ?? '').includes(SMTP_PASSWORD), 'the SMTP password never reaches the stored error');
      assert.equal(messagesFor(shop).length, 0);

      smtp.rejecting = false;
      // The next cycle is two minutes later: past the first one-minute backoff.
      await cycle(3);
      assert.equal(messagesFor(shop).length, 1);
      [alert] = await world.alertRepository.recentAlerts(10, shop.id).then((alerts) => alerts.filter((a) => a.shopId === shop.id));
      assert.equal(alert!.emailStatus, 'sent');
      assert.equal(alert!.emailAttempts, 2);
      assert.equal(alert!.emailLastError, null);
    } finally {
      smtp.rejecting = false;
    }
  });
});
