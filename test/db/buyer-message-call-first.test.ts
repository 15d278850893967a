// Call-first cases (gift, high value): an alert at once with the buyer's phone, and a critical
// escalation when nobody has reached the buyer after the set time, so no call-first buyer hears
// nothing for 24 h without someone being told. Real PostgreSQL, real AlertService; a fixed clock.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../src/logger';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { AlertService } from '../../src/services/alert-service';
import { BuyerMessageService } from '../../src/services/buyer-message-service';
import { CaseLogRepository } from '../../src/persistence/case-log-repository';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { NOW } from '../helpers/domain-builders';
import { aCase, ACCEPT, aShop, messageWorld, STOCK_OUT, type MessageWorld } from './buyer-message-fixtures';

const HOUR = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('call-first alerts and escalation on PostgreSQL', () => {
  let db: TestDatabase;
  let world: MessageWorld;
  let service: BuyerMessageService;
  let alerts: AlertRepository;
  before(async () => {
    db = await createTestDatabase();
    world = messageWorld(db.dataSource);
    alerts = new AlertRepository(db.dataSource);
    service = new BuyerMessageService(
      world.repository, new CaseLogRepository(db.dataSource), world.requests, world.orders, world.shops, silentLogger(),
      { emailConfigured: false, callFirstEscalateMs: 4 * HOUR },
      new AlertService(alerts, false, silentLogger()),
    );
  });
  after(async () => {
    await db.drop();
  });
  beforeEach(async () => {
    await db.dataSource.query('DELETE FROM alerts');
    await db.dataSource.query('DELETE FROM shops');
  });

  const kinds = async () => (await alerts.recentAlerts(50)).map((a) => a.kind).sort();

  test('a high-value case raises an alert at once with the phone, and escalates once when still unsent after the set time', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    await aCase(world, db.dataSource, { shopId, decision: STOCK_OUT, settledAt: at(-5 * 60_000), order: { totalYen: 45_000, buyerPhone: '090-1234-5678' } });
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: at(-5 * 60_000), order: { totalYen: 2_400 } });
    await service.draftPending(NOW);
    assert.deepEqual(await kinds(), ['call_first'], 'only the 45,000-yen cart is call-first (default threshold 30,000 yen)');
    const [first] = await alerts.recentAlerts(10);
    assert.match(first!.subject, /【要電話】高額のご注文です/);
    assert.match(first!.body, /お客様の電話番号: 090-1234-5678/);

    await service.draftPending(at(3 * HOUR));
    assert.deepEqual(await kinds(), ['call_first'], 'nothing more before the escalation time');
    await service.draftPending(at(4 * HOUR));
    assert.deepEqual(await kinds(), ['call_first', 'call_first_unsent']);
    const escalation = (await alerts.recentAlerts(10)).find((a) => a.kind === 'call_first_unsent');
    assert.equal(escalation?.severity, 'critical');
    assert.match(escalation!.subject, /まだ連絡できていません.*4時間経過/);
    await service.draftPending(at(20 * HOUR));
    assert.equal((await alerts.recentAlerts(10)).length, 2, 'each alert is raised once');
  });

  test('a gift case that was sent in QSM, or whose call was written up, is not escalated', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    const sent = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: at(-5 * 60_000), order: { itemOption: 'ラッピング:あり' } });
    const called = await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: at(-5 * 60_000), order: { itemOption: 'のし:希望' } });
    await service.draftPending(NOW);
    const firsts = await alerts.recentAlerts(10);
    assert.equal(firsts.length, 2);
    assert.ok(firsts.every((a) => a.kind === 'call_first' && /ギフト/.test(a.subject)));
    assert.ok(firsts.every((a) => /電話番号はQoo10から届いていません/.test(a.body)), 'no phone given: says where to look');
    await service.markSent(sent.requestId, '佐藤', at(HOUR));
    await service.writeCallSummary(called.requestId, { agreedPoints: ['全額返金'], calledAt: at(HOUR) }, at(HOUR));
    await service.draftPending(at(10 * HOUR));
    assert.deepEqual(await kinds(), ['call_first', 'call_first']);
    const notes = await service.caseNotes(called.requestId);
    assert.deepEqual([notes.callMade, notes.contactChannel, notes.callSummary], [true, 'phone', '全額返金']);
  });

  test('a call-first draft written before the watch window (e.g. before an upgrade) raises nothing', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店');
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: at(-5 * 60_000), order: { totalYen: 90_000 } });
    await world.service.draftPending(at(-72 * HOUR + 10 * 60_000));
    await service.draftPending(NOW);
    assert.deepEqual(await kinds(), []);
  });

  test('a shop that switched the check off (null) gets no call-first alert', async () => {
    const shopId = await aShop(db.dataSource, '青空雑貨店', { callFirst: { highValueYen: null } });
    await aCase(world, db.dataSource, { shopId, decision: ACCEPT, settledAt: at(-5 * 60_000), order: { totalYen: 900_000 } });
    await service.draftPending(NOW);
    await service.draftPending(at(30 * HOUR));
    assert.deepEqual(await kinds(), []);
  });
});
