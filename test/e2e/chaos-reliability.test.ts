// The reduced reliability run inside `npm test` (the full one is `npm run chaos`, see RELIABILITY.md):
// Qoo10 faults at a high rate ("apply, then lose the answer" included) with SIGKILLs, a bulk tracking
// submission and an expired key; two daemons on one database; issue 12's hand-over scenario; the
// harness's self-test (each known defect switched on must be caught); and a check that the invariants
// themselves catch what they claim to.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/test-database';
import { checkInvariants, createChaosWorld } from '../helpers/chaos-world';
import { faultsScenario, twoDaemonsScenario } from '../helpers/chaos-scenarios';
import { selfTest, type SelfTestRow } from '../helpers/chaos-money-safety';
import { tallyByInvariant } from '../helpers/chaos-truth';

const SEED = Number(process.env.CHAOS_SEED ?? 20261122);

/**
 * Issue 12: today's product repeats writes after an unknown outcome and cancels parcels the shop handed
 * over, so the runs that check it report violations. Until the product fixes (defects 1–3) are merged,
 * those tests are `todo` (they run and report, they do not fail the suite). Set to true when merging them.
 */
const ISSUE_12_PRODUCT_FIXES_MERGED = false;
const untilFixed = ISSUE_12_PRODUCT_FIXES_MERGED ? {} : { todo: 'issue 12 defects 1–3: the product fixes are not merged yet' };

describe('reliability: faults, kills and two daemons (reduced chaos run)', () => {
  test(`with Qoo10 faults at a high rate and SIGKILLs, every request is settled once and nothing is applied twice (seed ${SEED})`, untilFixed, async () => {
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
    assert.ok((result.faults ?? 0) > 0 && result.notes.some((n) => /\(\d*[1-9]\d* writes applied with the answer lost\)/.test(n)), result.notes.join('\n'));
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
      assert.ok(violations.includes(`rate: ${shop.name} ${jstMonthNow()}: rate --json reports orders ${shop.sim.orders.size + 1} (Qoo10 shows ${shop.sim.orders.size})`), violations.join('\n'));
      assert.deepEqual(tallyByInvariant(violations), { rate: 1, 'shipped-cancel': 0, 'double-action': 1, state: violations.length - 2 });
    } finally {
      await world.close();
    }
  });
});

describe('issue 12: the hand-over scenario and the harness self-test', () => {
  // One run of the scenario without defects (the control) and one per known defect, shared by the tests.
  let rows: Promise<SelfTestRow[]> | undefined;
  const selfTestRows = () =>
    (rows ??= selfTest(() => createTestDatabase(), { shops: 1, perKind: 1, laterPerKind: 1, seed: SEED, deadline: Date.now() + 60_000 }));

  test(`self-test: every known defect switched on is reported by its invariant (seed ${SEED})`, { timeout: 300_000 }, async () => {
    const all = await selfTestRows();
    const summary = all.map((r) => `${r.defect}: ${JSON.stringify(r.byInvariant)}\n  ${r.result.violations.slice(0, 6).join('\n  ')}`).join('\n');
    assert.deepEqual(all.map((r) => r.defect), ['none', 'drop_rate_cancels', 'resend_after_unknown', 'skip_local_facts']);
    for (const row of all) assert.ok(row.detected, `${row.defect} went undetected\n${summary}`);
    // The rate defect is the harness's own hook and independent of the other fixes: it must be the only difference.
    const control = all[0]!;
    const dropped = all[1]!;
    assert.equal(control.byInvariant.rate, 0, summary);
    assert.ok(dropped.result.violations.some((v) => /^rate: .* rate --json reports countedCancels \d+ \(Qoo10 shows [1-9]\d*\)/.test(v)), summary);
  });

  test('hand-over: a cancel left unsent by an outage is never attempted after the shop records the parcel as handed to Yamato; no write is repeated', { ...untilFixed, timeout: 300_000 }, async () => {
    const control = (await selfTestRows())[0]!;
    assert.match(control.result.notes.join('\n'), /[1-9]\d* of \d+ accepted cancels left unsent by the outage/);
    assert.deepEqual(control.result.violations, [], control.result.notes.join('\n'));
  });
});

function jstMonthNow(): string {
  return new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 7);
}
