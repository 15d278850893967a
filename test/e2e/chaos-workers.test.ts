// Issue 16 in `npm test`: the chaos harness with the service as it runs for many shops, two `worker`
// processes and a `start` on one database, each SIGKILLed right after one of its Qoo10 calls was handed
// to the simulator (a write in flight included) and started again. The money invariants are judged
// against the simulator (chaos-truth.ts), plus the poll cadence: every shop's claims polled at least
// once in every two intervals while the processes run. The full run: `npm run chaos` (RELIABILITY.md).
// Nothing here waits a fixed time: kills follow the processes' own calls, and settling waits for
// conditions with long limits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../helpers/test-database';
import { HIGH_FAULTS } from '../helpers/chaos-scenarios';
import { workersScenario } from '../helpers/chaos-workers';
import { checkPollCadence, invariantOf } from '../helpers/chaos-truth';
import type { ScenarioResult } from '../helpers/chaos-scenarios';
import type { RecordedCall } from '../../src/qoo10/simulator/start-simulator';

const SEED = Number(process.env.CHAOS_SEED ?? 20261122);

/**
 * Found by this harness on the job kinds (ADR 0020): a shop's slot polls (claims, orders) are skipped,
 * without being queued again, when they find the shop's lease busy. At a tick a shop's claims poll, its
 * orders poll and its re-queued decisions and sends are fetched together by free workers, so (1) the orders
 * poll of a shop with claims work is skipped slot after slot, and the orders placed (the rate's denominator)
 * do not reach the rate report, and (2) with a kill, whose lease outlives the dead worker by
 * SHOP_LEASE_SECONDS, a shop's claims go unpolled for more than two intervals. Set to true when fixed:
 * the two checks below then count.
 */
const BUSY_LEASE_SKIP_FIXED = true;
const known = BUSY_LEASE_SKIP_FIXED ? false : 'slot polls are skipped on a busy lease (see BUSY_LEASE_SKIP_FIXED)';

describe('worker processes killed mid-job (reduced chaos run, issue 16)', () => {
  // One run of the scenario, shared by the tests below.
  let run: Promise<ScenarioResult> | undefined;
  const scenario = () =>
    (run ??= (async () =>
      workersScenario(await createTestDatabase(), {
        shops: 3,
        perKind: 1,
        laterPerKind: 2,
        seed: SEED,
        deadline: Date.now() + 90_000,
        kills: 2,
        // Writes applied and their answers lost, orders shipping between read and write; reads stay clean,
        // so the poll cadence is judged too.
        faults: { lostAnswers: HIGH_FAULTS.lostAnswers, shipBetweenReadAndWrite: true },
        name: 'workers-lost-answers',
      }))());
  const only = (result: ScenarioResult, invariant: string) => result.violations.filter((v) => invariantOf(v) === invariant);
  const details = (result: ScenarioResult) => `${result.notes.join('\n')}\n${result.violations.join('\n')}`;

  test(`two workers and a start, SIGKILLed mid-call while writes lose their answers: nothing shipped is cancelled, nothing written twice, no request lost or left unsettled (seed ${SEED})`, { timeout: 300_000 }, async () => {
    const result = await scenario();
    assert.deepEqual(result.violations.filter((v) => !['rate', 'poll-cadence'].includes(invariantOf(v))), [], details(result));
    assert.ok(!result.notes.some((n) => n.includes('not judged')), details(result));
    assert.ok(result.killed >= 2, `only ${result.killed} kills landed with a call in flight; the test would prove little\n${details(result)}`);
  });

  test('every shop\'s claims are polled at least once in every two intervals while the processes run', { timeout: 300_000, todo: known }, async () => {
    const result = await scenario();
    assert.deepEqual(only(result, 'poll-cadence'), [], details(result));
  });

  test('the rate a person sees equals a recount from Qoo10 after the fleet settled', { timeout: 300_000, todo: known }, async () => {
    const result = await scenario();
    assert.deepEqual(only(result, 'rate'), [], details(result));
  });

  test('the cadence check reports a shop whose claims were not polled for two intervals, and not one polled once in each', () => {
    const call = (seq: number, shopName: string, at: number, claimStat = '1'): RecordedCall => ({
      seq,
      at: new Date(at),
      method: 'ShippingBasic.GetClaimInfo_V3',
      shop: 'fp',
      shopName,
      params: { ClaimStat: claimStat },
      httpStatus: 200,
      responseCode: 0,
      fault: null,
      lostAnswer: null,
    });
    // Ticks every 10 s from 0 to 60 s. Shop A polled at 1, 21, 41 s (every other interval: allowed);
    // shop B at 1, 35 and 55 s (nothing in [10, 30)); shop C only by its completed-cancel list after 10 s.
    const calls = [call(1, 'A', 1_000), call(2, 'A', 21_000), call(3, 'A', 41_000), call(4, 'B', 1_000), call(5, 'B', 35_000), call(10, 'B', 55_000), call(6, 'C', 1_000), call(7, 'C', 15_000, '3'), call(8, 'C', 35_000, '3'), call(9, 'C', 55_000, '3')];
    const ticks = (from: number, to: number) => [0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000].filter((t) => t >= from && t <= to);
    const found = checkPollCadence(calls, ['A', 'B', 'C'], [{ from: 0, to: 60_000 }], ticks);
    assert.ok(found.every((v) => v.startsWith('poll-cadence: ')), found.join('\n'));
    assert.equal(found.filter((v) => v.includes(' A ')).length, 0, found.join('\n'));
    assert.equal(found.filter((v) => v.includes(' B ')).length, 1, found.join('\n'));
    assert.equal(found.filter((v) => v.includes(' C ')).length, 4, found.join('\n'));
  });
});
