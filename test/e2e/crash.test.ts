import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appliedWrites, createCrashWorld, seeded, type CrashWorld } from '../helpers/crash-harness';
import { RateService } from '../../src/services/rate-service';
import { RateRepository } from '../../src/persistence/rate-repository';
import { ShopRepository } from '../../src/persistence/shop-repository';
import { CredentialsCipher } from '../../src/persistence/credentials-cipher';
import { AlertService } from '../../src/services/alert-service';
import { AlertRepository } from '../../src/persistence/alert-repository';
import { silentLogger } from '../../src/logger';
import { jstMonthOf } from '../../src/domain/jst-calendar';
import { testShopPolicy } from '../helpers/builders';

const SEED = Number(process.env.CRASH_SEED ?? 20261122);

/**
 * Kills `poll --once` at random moments `kills` times, then lets two runs finish. Kill times are drawn
 * below the typical length of a run (learnt from the runs that finished), so kills land mid-way on a
 * fast machine and a slow one alike.
 */
async function crashRepeatedly(world: CrashWorld, kills: number, firstGuessMs: number): Promise<number> {
  const random = seeded(SEED);
  let typicalMs = firstGuessMs;
  let reallyKilled = 0;
  for (let i = 0; i < kills; i += 1) {
    const started = Date.now();
    const result = await world.runPollOnce(Math.floor(typicalMs * (0.2 + 0.6 * random())));
    if (result.killed) reallyKilled += 1;
    else typicalMs = Math.max(300, 0.5 * typicalMs + 0.5 * (Date.now() - started));
  }
  for (let i = 0; i < 2; i += 1) {
    const result = await world.runPollOnce();
    assert.notEqual(result.code, null, result.output);
  }
  return reallyKilled;
}

async function assertEveryRequestSettledOnce(world: CrashWorld): Promise<void> {
  const rows: Array<{ order_no: string; status: string; outcome: string | null; decisions: number }> = await world.db.dataSource.query(
    `SELECT r.order_no, r.status, r.outcome, (SELECT count(*)::int FROM decisions d WHERE d.request_id = r.id) AS decisions
     FROM cancel_requests r`,
  );
  const all = [...world.expected.accept, ...world.expected.sellerFault, ...world.expected.refuse, ...world.expected.review];
  assert.equal(rows.length, all.length, 'no request lost, none duplicated');
  for (const row of rows) assert.ok(['done', 'review', 'closed'].includes(row.status), `request ${row.order_no} ended ${row.status}`);
  const open = await world.db.dataSource.query(`SELECT count(*)::int AS n FROM actions WHERE state IN ('pending', 'sending')`);
  assert.equal(open[0].n, 0, 'every outbox row is closed');
}

async function assertRateMatchesRecount(world: CrashWorld): Promise<void> {
  const shops = new ShopRepository(world.db.dataSource, new CredentialsCipher('x'.repeat(32)), { policy: testShopPolicy() });
  const alerts = new AlertService(new AlertRepository(world.db.dataSource), false, silentLogger());
  const rates = new RateService(new RateRepository(world.db.dataSource), shops, alerts,
    { limit: 0.07, alertLevels: [0.05, 0.07], exclusionHours: 6, denominator: 'orders_placed' }, () => new Date());
  const recount = await rates.recountFromScratch(world.shopId, jstMonthOf(new Date()));
  assert.ok(recount.consistent, JSON.stringify(recount.differences));
}

describe('SIGKILL at random moments of a poll cycle (reliability)', () => {
  test(`every request is decided exactly once and no action is sent twice (seed ${SEED})`, async () => {
    const world = await createCrashWorld({ perKind: 6, faults: { latencyMs: 25 } });
    try {
      const killed = await crashRepeatedly(world, 12, 2000);
      assert.ok(killed >= 6, `only ${killed} runs were killed mid-way; the test would prove little`);

      const applied = appliedWrites(world.sim);
      for (const orderNo of [...world.expected.accept, ...world.expected.sellerFault]) {
        assert.equal(applied.get(`cancel:${orderNo}`), 1, `cancel of ${orderNo} applied once`);
      }
      for (const orderNo of world.expected.refuseCartLines) {
        assert.equal(applied.get(`tracking:${orderNo}`), 1, `tracking of ${orderNo} applied once`);
      }
      for (const orderNo of world.expected.review) {
        assert.equal(applied.get(`cancel:${orderNo}`), undefined, `${orderNo} waits for a person`);
      }
      const decisionsPerRequest = await world.db.dataSource.query(
        // Acting decisions: a refusal that Qoo10 still shows pending later gets a refuse_in_qsm task on top.
        `SELECT max(n)::int AS most FROM (SELECT count(*) AS n FROM decisions WHERE kind <> 'review' GROUP BY request_id) t`,
      );
      assert.equal(decisionsPerRequest[0].most, 1, 'no request was decided twice');
      await assertEveryRequestSettledOnce(world);
      await assertRateMatchesRecount(world);
    } finally {
      await world.close();
    }
  });

  test('with Qoo10 faults on (500s, malformed bodies, timeouts, orders shipping between read and write): nothing shipped is cancelled, nothing applied twice', async () => {
    const world = await createCrashWorld({
      perKind: 4,
      faults: { latencyMs: 15, http500Rate: 0.1, malformedRate: 0.08, timeoutRate: 0.03, timeoutHoldMs: 1500, shipBetweenReadAndWrite: true, seed: SEED },
    });
    try {
      await crashRepeatedly(world, 6, 3000);
      world.sim.setFaults({});
      await world.runPollOnce();

      for (const [effect, count] of appliedWrites(world.sim)) assert.equal(count, 1, `${effect} applied ${count} times`);
      for (const state of world.sim.state.shopByKey('crash-sak-0001')!.orders.values()) {
        assert.ok(!(state.cancelledAt && state.shippingStatus >= 4), `order ${state.orderNo} was both shipped and cancelled`);
      }
      await assertEveryRequestSettledOnce(world);
      await assertRateMatchesRecount(world);
    } finally {
      await world.close();
    }
  });
});
