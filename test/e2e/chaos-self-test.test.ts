// Issue 12 in `npm test`: the hand-over scenario (an outage leaves a cancel unsent, the shop hands the
// parcel to Yamato, Qoo10 recovers: no cancel may be attempted) and the chaos harness's self-test (each
// known defect switched on through CANCEL_GUARD_TEST_DEFECTS must be reported by its invariant). A file of
// its own so it runs beside chaos-reliability.test.ts. See RELIABILITY.md.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/test-database';
import { selfTest, type SelfTestRow } from '../helpers/chaos-money-safety';

const SEED = Number(process.env.CHAOS_SEED ?? 20261122);

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
    // The rate hook does not depend on the product fixes: the control has no rate violation, the defect run has one.
    const control = all[0]!;
    const dropped = all[1]!;
    assert.equal(control.byInvariant.rate, 0, summary);
    assert.ok(dropped.result.violations.some((v) => /^rate: .* rate --json reports countedCancels \d+ \(Qoo10 shows [1-9]\d*\)/.test(v)), summary);
  });

  test('hand-over: a cancel left unsent by an outage is never attempted after the shop records the parcel as handed to Yamato; no write is repeated', { timeout: 300_000 }, async () => {
    const control = (await selfTestRows())[0]!;
    assert.match(control.result.notes.join('\n'), /[1-9]\d* of \d+ accepted cancels left unsent by the outage/);
    assert.deepEqual(control.result.violations, [], control.result.notes.join('\n'));
  });
});

