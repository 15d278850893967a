// The reduced reliability run inside `npm test` (the full one is `npm run chaos`, see RELIABILITY.md):
// Qoo10 faults at a high rate ("apply, then lose the answer" included) with SIGKILLs, a bulk tracking
// submission and an expired key; two daemons on one database; and a check that the invariants themselves
// catch what they claim to. Issue 12's hand-over scenario and the self-test: chaos-self-test.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/test-database';
import { checkInvariants, createChaosWorld } from '../helpers/chaos-world';
import { faultsScenario, twoDaemonsScenario } from '../helpers/chaos-scenarios';
import { tallyByInvariant } from '../helpers/chaos-truth';

const SEED = Number(process.env.CHAOS_SEED ?? 20261122);


describe('reliability: faults, kills and two daemons (reduced chaos run)', () => {
  test(`with Qoo10 faults at a high rate and SIGKILLs, every request is settled once and nothing is applied twice (seed ${SEED})`, async () => {
    const result = await faultsScenario(await createTestDatabase(), {
      shops: 2,
      perKind: 1,
      laterPerKind: 2,
      seed: SEED,
      deadline: Date.now() + 40_000,
      kills: 6,
      maxKillMs: 3000,
    });
    assert.deepEqual(result.violations, [], result.notes.join('\n'));
    assert.ok((result.faults ?? 0) > 0, result.notes.join('\n'));
    assert.ok(result.killed >= 3, `only ${result.killed} runs were killed mid-way; the test would prove little`);
  });

  test(`two daemons on one database never act twice on a request (seed ${SEED})`, async () => {
    const result = await twoDaemonsScenario(await createTestDatabase(), {
      shops: 3,
      perKind: 1,
      laterPerKind: 3,
      seed: SEED + 1,
      deadline: Date.now() + 30_000,
      rounds: 3,
      startSeconds: 5,
    });
    assert.deepEqual(result.violations, [], result.notes.join('\n'));
    assert.ok(result.requests >= 12);
  });

  test('the invariants report a cancel sent twice, a lost request and a reported rate that differs from a recount of Qoo10', async () => {
    const world = await createChaosWorld({ db: await createTestDatabase(), shops: 1, perKind: 1, laterPerKind: 0, latencyMs: 0 });
    try {
      const run = await world.runPollOnce();
      assert.equal(run.code, 0, run.output);
      assert.deepEqual(await checkInvariants(world, { expectOutcomes: true }), []);

      const accepted = world.opened.find((r) => r.kind === 'accept')!;
      const review = world.opened.find((r) => r.kind === 'review')!;
      await fetch(`${world.sim.url}/Claim.SetCancelProcess`, {
        method: 'POST',
        headers: { GiosisCertificationKey: world.shops[0]!.key, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ returnType: 'application/json', ContrNo: accepted.orderNo, CancelReason: '1', SellerMemo: 'sent again' }).toString(),
      });
      await world.db.dataSource.query('DELETE FROM cancel_requests WHERE order_no = $1', [review.orderNo]);
      await world.db.dataSource.query('UPDATE monthly_order_counts SET orders_placed = orders_placed + 1');

      const violations = await checkInvariants(world, { expectOutcomes: true });
      assert.ok(violations.some((v) => v.startsWith(`double-action: cancel of order ${accepted.orderNo} sent again`)), violations.join('\n'));
      assert.ok(violations.some((v) => v.startsWith(`request lost: order ${review.orderNo}`)), violations.join('\n'));
      const shop = world.shops[0]!;
      // The order count the service reports is one more than Qoo10 shows (whichever JST month it is).
      const rate = violations.map((v) => new RegExp(`^rate: ${shop.name} \\d{4}-\\d{2}: rate --json reports orders (\\d+) \\(Qoo10 shows (\\d+)\\)$`).exec(v)).find(Boolean);
      assert.ok(rate && Number(rate[1]) === Number(rate[2]) + 1, violations.join('\n'));
      assert.deepEqual(tallyByInvariant(violations), { rate: 1, 'shipped-cancel': 0, 'double-action': 1, 'poll-cadence': 0, state: violations.length - 2 });
    } finally {
      await world.close();
    }
  });
});
