// The money-safety scenario of issue 12 and the chaos harness's self-test.
//
// handoverScenario: a Qoo10 outage for cancels leaves accepted cancels unsent; the shop then records the
// parcel as handed to Yamato (each shop's first; the others as packed) through the product's facts API; Qoo10 recovers, with writes that are applied
// but lose their answer (dropped connection, 5xx, scalar success) mixed in; more requests arrive; clean
// runs. The money invariants (chaos-truth.ts) must hold: no cancel is even attempted on the handed-over
// order, no write is repeated, the reported rate equals a recount from the simulator.
//
// selfTest: the same scenario with each known defect switched on (CANCEL_GUARD_TEST_DEFECTS, read by every
// service process the harness spawns); each defect must show up as a violation of its invariant.
import type { AddressInfo } from 'node:net';
import { TEST_DEFECTS, type TestDefect } from '../../src/config/test-defects';
import type { SimulatorFaults } from '../../src/qoo10/simulator/faults';
import { CHAOS_ADMIN_TOKEN, checkInvariants, composeInProcess, createChaosWorld, seededRandom, type ChaosDatabase, type ChaosWorld } from './chaos-world';
import { faultedCalls, interruptedCycles, killRepeatedly, newResult, settle, type ScenarioResult, type ScenarioSize } from './chaos-scenarios';
import { tallyByInvariant, type Invariant } from './chaos-truth';
import { FLEET_CADENCE, Fleet, cadenceViolations, claimsPollCount, fleetEnv, killFleetRepeatedly, settleFleet, waitFor } from './chaos-workers';

const CANCEL = 'Claim.SetCancelProcess' as const;
const TRACKING = ['ShippingBasic.SetSendingInfo', 'ShippingBasic.SetSendingInfoBulk'] as const;

export interface HandoverSize extends ScenarioSize {
  /** SIGKILLed poll runs after the recovery (0: none). */
  kills?: number;
  maxKillMs?: number;
  /** Extra environment of every service process (the self-test's defect switch). */
  env?: Record<string, string>;
  /** Scenario name in the result (default 'handover'). */
  name?: string;
  /**
   * Who polls: `poll --once` runs one after another (default), or a fleet of two `worker` processes and
   * a `start` on one database (chaos-workers.ts), stopped between the steps, SIGKILLed mid-call.
   */
  runner?: 'poll-once' | 'workers';
}

/** The product's admin API, composed in this process and listening on a free port (real HTTP). */
async function productApi(world: ChaosWorld): Promise<{ post(path: string, body: unknown): Promise<{ status: number; text: string }>; close(): Promise<void> }> {
  const { app } = composeInProcess(world);
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((ready) => server.once('listening', () => ready()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async post(path, body) {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${CHAOS_ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      return { status: res.status, text: await res.text() };
    },
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export async function handoverScenario(db: ChaosDatabase, size: HandoverSize): Promise<ScenarioResult> {
  const started = Date.now();
  const result = newResult(size.name ?? 'handover');
  const random = seededRandom(size.seed);
  const latency: SimulatorFaults = { latencyMs: 10, seed: size.seed };
  const world = await createChaosWorld({
    db,
    shops: size.shops,
    perKind: size.perKind,
    laterPerKind: Math.max(1, size.laterPerKind),
    faults: latency,
    env: size.env,
  });
  const api = await productApi(world);
  const fleet = size.runner === 'workers' ? await Fleet.create(world, ['worker', 'worker', 'start'], fleetEnv(FLEET_CADENCE)) : null;
  const packedOnlyOrders = new Set<string>();
  try {
    // 1. Outage: every cancel is lost on its way to Qoo10 (nothing applied); reads still work. The
    //    refusals' tracking writes are applied, but their connection drops before the answer.
    world.sim.setFaults({
      ...latency,
      lostAnswers: [
        { kind: 'http5xx', apply: false, methods: [CANCEL] },
        { kind: 'drop', methods: [...TRACKING], times: size.shops },
      ],
    });
    if (fleet) {
      // As one poll --once: until each shop's claims were polled twice and every accepted cancel was tried.
      const fromSeq = world.sim.calls.length;
      await fleet.start();
      result.runs += fleet.size;
      const accepted = world.opened.filter((r) => r.kind === 'accept').map((r) => r.orderNo);
      const tried = await waitFor(
        () =>
          [...claimsPollCount(world, fromSeq).values()].every((n) => n >= 2) &&
          accepted.every((orderNo) => world.sim.writes.some((w) => w.kind === 'cancel' && w.orderNo === orderNo)),
        60_000,
      );
      result.notes.push(`outage: ${tried ? 'every accepted cancel tried' : 'NOT every accepted cancel tried within 60 s'} by ${fleet.size} processes`);
      result.violations.push(...(await fleet.stop()));
    } else {
      const outage = await world.runPollOnce();
      result.runs += 1;
      result.notes.push(`outage run exited ${outage.code}`);
    }

    // 2. The shop hands each shop's first accepted order to Yamato, packs the others, and records it
    //    through the facts API: either says the parcel may leave, so none may be cancelled.
    const accepted = world.opened.filter((r) => r.kind === 'accept');
    for (const [i, request] of accepted.entries()) {
      const packedOnly = accepted.slice(0, i).some((r) => r.shopId === request.shopId && !packedOnlyOrders.has(r.orderNo));
      const fact = packedOnly ? { packed: true, note: '梱包済み' } : { handedToCarrier: true, note: 'ヤマト運輸に引き渡し済み' };
      const res = await api.post(`/api/orders/${request.orderNo}/facts`, { shopId: request.shopId, ...fact });
      if (res.status !== 200) {
        result.violations.push(`state: the facts API refused a fact on ${request.orderNo}: ${res.status} ${res.text.slice(0, 200)}`);
        continue;
      }
      if (packedOnly) packedOnlyOrders.add(request.orderNo);
      world.handedOver.push({ orderNo: request.orderNo, how: packedOnly ? 'packed (facts API)' : 'handed to Yamato (facts API)', afterCallSeq: world.sim.calls.length });
    }
    result.notes.push(`${packedOnlyOrders.size} of them packed, the rest handed to Yamato`);
    const unsent = accepted.filter((r) => !world.sim.writes.some((w) => w.kind === 'cancel' && w.orderNo === r.orderNo && w.applied)).length;
    result.notes.push(`${unsent} of ${accepted.length} accepted cancels left unsent by the outage, then handed over`);

    // 3. Qoo10 recovers, but some writes are applied and lose their answer; more requests arrive.
    world.sim.setFaults({
      ...latency,
      lostAnswers: [
        { kind: 'drop', methods: [CANCEL], times: size.shops },
        { kind: 'http5xx', methods: [...TRACKING], times: size.shops },
        { kind: 'scalar_success', times: 2 * size.shops },
      ],
    });
    for (const shop of world.shops) {
      for (const kind of ['accept', 'refuse', 'seller-fault'] as const) if (world.remaining(shop, kind) > 0) await world.openRequest(shop, kind);
    }
    if (fleet) {
      await fleet.start();
      if (size.kills) await killFleetRepeatedly(world, fleet, result, random, size.kills, size.deadline);
    } else {
      const recovered = await world.runPollOnce();
      result.runs += 1;
      if (recovered.code !== 0) result.notes.push(`the first run after the recovery exited ${recovered.code}`);
      if (size.kills) await killRepeatedly(world, result, random, size.kills, size.maxKillMs ?? 2500, size.deadline);
    }

    // 4. Faults off: clean runs (or the fleet until all is settled), then the checks.
    world.sim.setFaults(latency);
    if (fleet) await settleFleet(world, fleet, result);
    else await settle(world, result, 2);
    result.requests = world.opened.length;
    result.faults = faultedCalls(world);
    result.violations.push(...(await checkInvariants(world, { expectOutcomes: false })));
    if (fleet) result.violations.push(...cadenceViolations(world, fleet, FLEET_CADENCE));
    const lost = world.sim.calls.filter((call) => call.lostAnswer !== null).length;
    result.notes.push(`seed ${size.seed}; ${lost} writes lost their answer; ${size.kills ? await interruptedCycles(world) : 'no kills'}`);
  } finally {
    await fleet?.close();
    await api.close();
    await world.close();
    result.ms = Date.now() - started;
  }
  return result;
}

/** The invariant each known defect must break. */
export const DEFECT_INVARIANT: Record<TestDefect, Invariant> = {
  drop_rate_cancels: 'rate',
  resend_after_unknown: 'double-action',
  skip_local_facts: 'shipped-cancel',
};

export interface SelfTestRow {
  /** 'none' for the control run. */
  defect: TestDefect | 'none';
  expected: Invariant | null;
  result: ScenarioResult;
  byInvariant: Record<Invariant, number>;
  /** The expected invariant reported at least one violation (always true for the control). */
  detected: boolean;
}

/**
 * Runs the handover scenario once without defects (the control) and once per known defect. A defect is
 * detected when its invariant reports a violation. `newDatabase` gives each run its own database.
 */
export async function selfTest(newDatabase: () => Promise<ChaosDatabase>, size: HandoverSize, defects: readonly TestDefect[] = TEST_DEFECTS, onRow?: (row: SelfTestRow) => void): Promise<SelfTestRow[]> {
  const rows: SelfTestRow[] = [];
  for (const defect of ['none', ...defects] as const) {
    const env: Record<string, string> = defect === 'none' ? {} : { CANCEL_GUARD_TEST_DEFECTS: defect };
    const result = await handoverScenario(await newDatabase(), { ...size, env: { ...size.env, ...env }, name: defect === 'none' ? 'control' : defect });
    const byInvariant = tallyByInvariant(result.violations);
    const expected = defect === 'none' ? null : DEFECT_INVARIANT[defect];
    const row: SelfTestRow = { defect, expected, result, byInvariant, detected: expected === null || byInvariant[expected] > 0 };
    rows.push(row);
    onRow?.(row);
  }
  return rows;
}
