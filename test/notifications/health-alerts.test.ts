import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Shop } from '../../src/domain/types';
import { silentLogger } from '../../src/logger';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { JobRunRepository } from '../../src/persistence/job-run-repository';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { AlertService } from '../../src/services/alert-service';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { testShopPolicy } from '../helpers/builders';

const NOW = new Date('2026-11-15T03:00:00Z');
const DAY = 86_400_000;
const MINUTE = 60_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('AlertService.checkHealthAlerts', () => {
  let db: TestDatabase;
  let shops: ShopRepository;
  let jobRuns: JobRunRepository;
  let alerts: AlertService;
  let shop: Shop;
  before(async () => {
    db = await createTestDatabase();
    shops = new ShopRepository(db.dataSource, new CredentialsCipher('h'.repeat(32)), { policy: testShopPolicy() });
    jobRuns = new JobRunRepository(db.dataSource);
    alerts = new AlertService(new AlertRepository(db.dataSource), true, silentLogger(), { pollStaleMinutes: 30, keyExpiryWarningDays: 30 });
    shop = await shops.ensureShopForKey({ name: '健康チェック店', sellerAuthKey: 'SAK-health-0001', isDemo: false });
    await shops.ensureShopForKey({ name: 'Demo', sellerAuthKey: 'SAK-health-demo', isDemo: true });
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM alerts');
    await db.dataSource.query('DELETE FROM job_runs');
    await db.dataSource.query('UPDATE shops SET key_obtained_at = $1, key_expires_at = NULL', [at(-100 * DAY)]);
  });

  const keys = async (now: Date) => (await alerts.checkHealthAlerts(now)).map((alert) => alert.dedupeKey);

  const poll = async (startedAt: Date, status: 'ok' | 'failed') => {
    const id = await jobRuns.startRun('poll', shop.id, startedAt);
    await jobRuns.finishRun(id, { status, finishedAt: new Date(startedAt.getTime() + 5000), durationMs: 5000 });
  };

  test('warns once when the stored expiry is within 30 days, not before', async () => {
    await db.dataSource.query('UPDATE shops SET key_expires_at = $2 WHERE id = $1', [shop.id, at(31 * DAY)]);
    assert.deepEqual(await keys(NOW), []);
    await db.dataSource.query('UPDATE shops SET key_expires_at = $2 WHERE id = $1', [shop.id, at(29 * DAY)]);
    const raised = await alerts.checkHealthAlerts(NOW);
    assert.deepEqual(raised.map((alert) => alert.kind), ['key_expiring']);
    assert.match(raised[0]!.subject, /あと29日/);
    assert.equal(raised[0]!.payload.estimated, false);
    assert.deepEqual(await keys(at(DAY)), [], 'once per expiry date');
  });

  test('without a stored expiry assumes 365 days from when the key was obtained', async () => {
    await db.dataSource.query('UPDATE shops SET key_obtained_at = $2 WHERE id = $1', [shop.id, at(-340 * DAY)]);
    const raised = await alerts.checkHealthAlerts(NOW);
    assert.deepEqual(raised.map((alert) => alert.kind), ['key_expiring'], 'the demo shop is not warned about');
    assert.equal(raised[0]!.payload.estimated, true);
    assert.match(raised[0]!.body, /推定/);
  });

  test('a key already known to be expired has its own alert, not this one', async () => {
    await db.dataSource.query(`UPDATE shops SET key_expires_at = $2, key_status = 'expired' WHERE id = $1`, [shop.id, at(-DAY)]);
    try {
      assert.deepEqual(await keys(NOW), []);
    } finally {
      await db.dataSource.query(`UPDATE shops SET key_status = 'ok' WHERE id = $1`, [shop.id]);
    }
  });

  test('raises a stale-poll alert once per outage', async () => {
    await poll(at(-40 * MINUTE), 'ok');
    await poll(at(-20 * MINUTE), 'failed');
    assert.deepEqual(await keys(at(-15 * MINUTE)), [], '25 minutes is not stale yet');
    const raised = await alerts.checkHealthAlerts(NOW);
    assert.deepEqual(raised.map((alert) => [alert.kind, alert.shopId, alert.severity]), [['poll_stale', shop.id, 'critical']]);
    assert.match(raised[0]!.subject, /39分間成功していません/, 'finished 39 min 55 s ago');
    assert.deepEqual(await keys(at(10 * MINUTE)), [], 'the same outage is not raised again');

    await poll(at(15 * MINUTE), 'ok');
    assert.deepEqual(await keys(at(20 * MINUTE)), []);
    assert.equal((await keys(at(60 * MINUTE))).length, 1, 'a new outage is a new alert');
  });

  test('polls that never succeeded are stale from the first attempt; no polls at all raise nothing', async () => {
    assert.deepEqual(await keys(NOW), []);
    await poll(at(-45 * MINUTE), 'failed');
    assert.deepEqual(await keys(NOW), [`poll_stale:${shop.id}:never`]);
  });
});
