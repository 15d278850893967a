// The reliability scenarios, sized by their caller: the reduced tests run them small, `npm run chaos`
// runs them large and bounded by a deadline. Each returns what it did and every invariant it found broken.
import type { SimulatorFaults } from '../../src/qoo10/simulator/faults';
import {
  KINDS,
  checkInvariants,
  composeInProcess,
  createChaosWorld,
  seededRandom,
  type ChaosDatabase,
  type ChaosShop,
  type ChaosWorld,
} from './chaos-world';

export interface ScenarioResult {
  scenario: string;
  /** Child processes run (or HTTP requests sent, for the input sweep). */
  runs: number;
  /** Of those, killed mid-way. */
  killed: number;
  /** Cancel requests opened (or input cases, for the input sweep). */
  requests: number;
  /** Simulator calls that were faulted (transport faults and lost answers). */
  faults?: number;
  violations: string[];
  ms: number;
  notes: string[];
}

export interface ScenarioSize {
  shops: number;
  /** Requests opened before the first run, per kind per shop. */
  perKind: number;
  /** Requests opened while the runs go on, at most, per kind per shop. */
  laterPerKind: number;
  seed: number;
  /** Epoch ms after which loops stop early (the run still finishes and is checked). */
  deadline: number;
}

/** Opens a request in a random shop for a kind that still has pool orders; false when none is left. */
export async function openRandomRequest(world: ChaosWorld, random: () => number): Promise<boolean> {
  for (let attempt = 0; attempt < 8; attempt += 1) {
    const shop = world.shops[Math.floor(random() * world.shops.length)]!;
    const kind = KINDS[Math.floor(random() * KINDS.length)]!;
    if (world.remaining(shop, kind) > 0) {
      await world.openRequest(shop, kind);
      return true;
    }
  }
  return false;
}

/**
 * Runs `poll --once` `kills` times, each SIGKILLed at a random moment of its life. The moment is drawn
 * from [30 %, 110 %] of how long a run lasted when it ended by itself (start-up is about half of it), so
 * most kills land inside a poll cycle; a shop cycle left 'running' in job_runs proves one did.
 */
export async function killRepeatedly(world: ChaosWorld, result: ScenarioResult, random: () => number, kills: number, firstGuessMs: number, deadline: number): Promise<void> {
  let typicalMs = firstGuessMs;
  for (let i = 0; i < kills && Date.now() < deadline; i += 1) {
    if (random() < 0.6) await openRandomRequest(world, random);
    // Always before the typical end of a run, so (nearly) every kill lands mid-way.
    const run = await world.runPollOnce(Math.floor(typicalMs * (0.2 + 0.6 * random())));
    result.runs += 1;
    if (run.killed) result.killed += 1;
    else typicalMs = Math.max(300, 0.5 * typicalMs + 0.5 * run.ms);
  }
}

/** Shop cycles a kill interrupted: their job_runs row never finished. */
export async function interruptedCycles(world: ChaosWorld): Promise<string> {
  const [{ n }] = await world.db.dataSource.query(`SELECT count(*)::int AS n FROM job_runs WHERE job = 'poll' AND finished_at IS NULL`);
  return `${n} shop poll cycles were interrupted by a kill`;
}

/** Runs `poll --once` until a run exits by itself with 0 (bounded); a run that cannot is a violation. */
export async function settle(world: ChaosWorld, result: ScenarioResult, runs = 2): Promise<void> {
  for (let i = 0; i < runs; i += 1) {
    const run = await world.runPollOnce();
    result.runs += 1;
    if (run.code !== 0) result.violations.push(`a clean poll --once exited ${run.code}: ${run.output.slice(-600)}`);
  }
}

/** Simulator calls that were faulted: transport faults and lost answers. */
export function faultedCalls(world: ChaosWorld): number {
  return world.sim.calls.filter((call) => call.fault !== null || call.lostAnswer !== null).length;
}

export function newResult(scenario: string): ScenarioResult {
  return { scenario, runs: 0, killed: 0, requests: 0, violations: [], ms: 0, notes: [] };
}

/**
 * SIGKILL at random moments of `poll --once` (startup, poll, decisions, sends), `kills` times, with
 * requests arriving between runs; then clean runs and the checks. No faults: every request must end the
 * expected way, decided exactly once.
 */
export async function sigkillScenario(db: ChaosDatabase, size: ScenarioSize & { kills: number; maxKillMs: number }): Promise<ScenarioResult> {
  const started = Date.now();
  const result = newResult('sigkill');
  const random = seededRandom(size.seed);
  const world = await createChaosWorld({ db, shops: size.shops, perKind: size.perKind, laterPerKind: size.laterPerKind, latencyMs: 20 });
  try {
    await killRepeatedly(world, result, random, size.kills, size.maxKillMs, size.deadline);
    await settle(world, result);
    result.requests = world.opened.length;
    result.violations.push(...(await checkInvariants(world, { expectOutcomes: true })));
    result.faults = faultedCalls(world);
    result.notes.push(`seed ${size.seed}; ${await interruptedCycles(world)}`);
  } finally {
    await world.close();
    result.ms = Date.now() - started;
  }
  return result;
}

export const HIGH_FAULTS: SimulatorFaults = {
  latencyMs: 15,
  http500Rate: 0.08,
  malformedRate: 0.06,
  timeoutRate: 0.03,
  errorCodeShapeRate: 0.02,
  timeoutHoldMs: 1500,
  bulkPartialFailureRate: 0.3,
  shipBetweenReadAndWrite: true,
  // Apply, then lose the answer (write-faults.ts): the write took effect, the service cannot tell.
  lostAnswers: [
    { kind: 'drop', rate: 0.1 },
    { kind: 'http5xx', rate: 0.1 },
    { kind: 'scalar_success', rate: 0.1 },
  ],
};

/**
 * The simulator's faults on at a high rate (timeouts, 500s, malformed bodies, error-code answers,
 * partial bulk failures, orders shipping between read and write) with SIGKILLs on top, a tracking
 * submission in bulk while it goes on, an expired-key episode; then faults off, clean runs, the checks.
 */
export async function faultsScenario(
  db: ChaosDatabase,
  size: ScenarioSize & { kills: number; maxKillMs: number; faults?: SimulatorFaults },
): Promise<ScenarioResult> {
  const started = Date.now();
  const result = newResult('faults');
  const random = seededRandom(size.seed);
  const faults = { ...HIGH_FAULTS, ...size.faults, seed: size.seed };
  const world = await createChaosWorld({ db, shops: size.shops, perKind: size.perKind, laterPerKind: size.laterPerKind, faults, spareOrders: 12 });
  try {
    const half = Math.ceil(size.kills / 2);
    const killLoop = (count: number) => killRepeatedly(world, result, random, count, size.maxKillMs, size.deadline);
    await killLoop(half);
    await submitTrackingInBulk(world, world.shops[0]!, result);
    // The key expires for a while: every call answers -90004; the shops' runs fail and alert.
    world.sim.setFaults({ ...faults, expiredKey: true });
    for (let i = 0; i < 2; i += 1) {
      await world.runPollOnce();
      result.runs += 1;
    }
    const expired: Array<{ n: number }> = await db.dataSource.query(`SELECT count(*)::int AS n FROM shops WHERE key_status = 'expired'`);
    if (expired[0]!.n === 0) result.violations.push('an expired key was not recorded on any shop');
    world.sim.setFaults(faults);
    await killLoop(size.kills - half);
    world.sim.setFaults({ latencyMs: 15 });
    await settle(world, result, 3);
    const stillExpired: Array<{ n: number }> = await db.dataSource.query(`SELECT count(*)::int AS n FROM shops WHERE key_status <> 'ok'`);
    if (stillExpired[0]!.n > 0) result.violations.push(`${stillExpired[0]!.n} shop(s) still marked with a key problem after a successful run`);
    result.requests = world.opened.length;
    result.violations.push(...(await checkInvariants(world, { expectOutcomes: false })));
    const faulted = faultedCalls(world);
    result.faults = faulted;
    const lost = world.sim.calls.filter((call) => call.lostAnswer !== null).length;
    const shippedBetween = world.opened.filter((r) => (world.sim.state.order(r.orderNo)?.shippingStatus ?? 0) >= 4 && r.kind !== 'refuse').length;
    result.notes.push(`seed ${size.seed}; ${await interruptedCycles(world)}; ${faulted} of ${world.sim.calls.length} calls faulted (${lost} writes applied with the answer lost); ${shippedBetween} orders shipped between read and write`);
  } finally {
    await world.close();
    result.ms = Date.now() - started;
  }
  return result;
}

/** A WMS-style submission of tracking numbers (more than three: sent with SetSendingInfoBulk). */
async function submitTrackingInBulk(world: ChaosWorld, shop: ChaosShop, result: ScenarioResult): Promise<void> {
  const services = composeInProcess(world);
  const orders = world.unrequestedOrders(shop, 10);
  try {
    const report = await services.tracking.submitShipments(
      orders.map((orderNo, i) => {
        const base = 50_000_000_000 + Number(orderNo.slice(-6)) * 10 + i;
        return { shopId: shop.id, orderNo, carrier: 'ヤマト', trackingNo: `${base}${base % 7}` };
      }),
      'api',
    );
    result.notes.push(`bulk tracking: ${JSON.stringify(report.counts)}`);
  } catch (error) {
    result.violations.push(`a tracking submission under faults threw instead of reporting per row: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Two daemons on one database: rounds of two `poll --once` started together, then two `start`
 * daemons polling every second, while requests keep arriving. No action may be sent twice.
 */
export async function twoDaemonsScenario(db: ChaosDatabase, size: ScenarioSize & { rounds: number; startSeconds: number }): Promise<ScenarioResult> {
  const started = Date.now();
  const result = newResult('two-daemons');
  const random = seededRandom(size.seed);
  const world = await createChaosWorld({ db, shops: size.shops, perKind: size.perKind, laterPerKind: size.laterPerKind, latencyMs: 10 });
  try {
    for (let round = 0; round < size.rounds && Date.now() < size.deadline; round += 1) {
      for (let n = 0; n < 2; n += 1) await openRandomRequest(world, random);
      const runs = await Promise.all([world.runPollOnce(), world.runPollOnce()]);
      result.runs += 2;
      for (const run of runs) if (run.code !== 0) result.violations.push(`a parallel poll --once exited ${run.code}: ${run.output.slice(-400)}`);
    }
    if (size.startSeconds > 0 && Date.now() < size.deadline) {
      // node-cron 4 takes a six-field expression with seconds: both daemons poll every second.
      const daemons = [world.startDaemon({ POLL_SCHEDULE: '*/1 * * * * *' }), world.startDaemon({ POLL_SCHEDULE: '*/1 * * * * *' })];
      result.runs += 2;
      await Promise.all(daemons.map((d) => d.url));
      const until = Math.min(Date.now() + size.startSeconds * 1000, size.deadline);
      while (Date.now() < until) {
        await openRandomRequest(world, random);
        await new Promise((done) => setTimeout(done, 400));
      }
      for (const daemon of daemons) {
        const code = await daemon.stop();
        if (code !== 0) result.violations.push(`a daemon stopped with ${code}: ${daemon.output().slice(-400)}`);
      }
    }
    await settle(world, result);
    result.requests = world.opened.length;
    result.violations.push(...(await checkInvariants(world, { expectOutcomes: true })));
    result.faults = faultedCalls(world);
    const polls: Array<{ n: number }> = await db.dataSource.query(`SELECT count(*)::int AS n FROM job_runs WHERE job = 'poll'`);
    result.notes.push(`seed ${size.seed}; ${polls[0]!.n} shop poll runs recorded`);
  } finally {
    await world.close();
    result.ms = Date.now() - started;
  }
  return result;
}
