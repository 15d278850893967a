// The chaos harness with the service as it runs for many shops (issue 16): several `cancel-guard worker`
// processes and a `start` (HTTP + worker) on one database, SIGKILLed and restarted while they work.
//
// Each process reaches the simulator through a small pass-through proxy of its own, so the harness
// knows which process has a Qoo10 call in flight: a kill is armed for the victim's n-th call (or its
// next write, whichever comes first) and lands right after that call was handed to the simulator. Every
// kill therefore falls in the middle of a job (a write in flight included), on a fast machine and a
// slow one alike; nothing here depends on timing.
//
// Besides the money invariants (chaos-truth.ts) this adds poll cadence: while the fleet runs, every shop's
// claims are polled at least once in every two consecutive intervals (simulator call log).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import cronParser from 'cron-parser';
import { PROJECT_ROOT } from '../../src/config/paths';
import { heapFlagsForChild } from '../../src/config/heap-flags';
import { checkInvariants, createChaosWorld, seededRandom, type ChaosDatabase, type ChaosWorld } from './chaos-world';
import { faultedCalls, interruptedCycles, newResult, openRandomRequest, type ScenarioResult, type ScenarioSize } from './chaos-scenarios';
import { checkPollCadence, type RunningPeriod } from './chaos-truth';
import type { SimulatorFaults } from '../../src/qoo10/simulator/faults';
import type { RecordedCall } from '../../src/qoo10/simulator/start-simulator';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const WRITE_METHOD = /(SetCancelProcess|SetSendingInfo|SetSendingInfoBulk|SetSellerCheckYN_V2)$/i;

/** How fast the fleet polls: short slots and leases so a run sees many intervals (see fleetEnv). */
export interface Cadence {
  /** Seconds between claims polls (a divisor of 60). */
  intervalSeconds: number;
  /** SHOP_LEASE_SECONDS: below the interval, so a dead holder's shops are free by the next slot. */
  leaseSeconds: number;
}

/**
 * Ten times a poll's length here, as two minutes are a hundred times one in production: with 5 s slots a
 * loaded 2-core machine started polls up to 4.4 s late, so a run could still hold its shop's lease at the
 * next tick (that slot's job is then skipped) and one kill more made the gap 2.16 intervals. The lease
 * stays well above a stalled event loop's pause and below the interval (docs/adr/0018).
 */
export const FLEET_CADENCE: Cadence = { intervalSeconds: 10, leaseSeconds: 4 };

/** The settings that give the fleet its cadence, and small per-process pools (3 processes share the test database). */
export function fleetEnv(cadence: Cadence): Record<string, string> {
  return {
    POLL_CLAIMS_INTERVAL: `${cadence.intervalSeconds}s`,
    // Orders polls (each shop's at its own offset) every two claims intervals (five in production).
    POLL_ORDERS_INTERVAL: `${cadence.intervalSeconds * 2}s`,
    SHOP_LEASE_SECONDS: String(cadence.leaseSeconds),
    WORKER_CONCURRENCY: '4',
    WORKER_POLL_INTERVAL_MS: '500',
  };
}

/** The schedule's ticks in [from, to]. */
export function ticksBetween(intervalSeconds: number, from: number, to: number): number[] {
  const ticks: number[] = [];
  const cron = cronParser.parseExpression(`*/${intervalSeconds} * * * * *`, { currentDate: new Date(from - 1) });
  for (let t = cron.next().getTime(); t <= to; t = cron.next().getTime()) ticks.push(t);
  return ticks;
}

/** One process's way to the simulator; `onCall` hears of each call once it has been passed on. */
interface Proxy {
  url: string;
  onCall: ((method: string) => void) | null;
  close(): Promise<void>;
}

async function startProxy(simOrigin: string, simUrl: string): Promise<Proxy> {
  const target = new URL(simOrigin);
  const proxy: Proxy = { url: '', onCall: null, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('error', () => res.destroy());
        },
      );
      // The simulator dropping the connection (a fault) drops the caller's too.
      upstream.on('error', () => res.destroy());
      upstream.end(Buffer.concat(chunks));
      proxy.onCall?.(decodeURIComponent((req.url ?? '').split('?')[0]!.split('/').pop() ?? ''));
    });
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', () => ready()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.url = simUrl.replace(simOrigin, origin);
  proxy.close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return proxy;
}

export type FleetRole = 'worker' | 'start';

interface Member {
  role: FleetRole;
  proxy: Proxy;
  child: ChildProcess | null;
  output: string;
}

export interface KillReport {
  /** The victim had a call in flight (every kill but one that timed out waiting). */
  midCall: boolean;
  /** That call was a write. */
  midWrite: boolean;
  /** When the kill was sent (ISO) and to which member (`worker 1`, `start 3` …). */
  at: string;
  victim: string;
}

/**
 * The processes of one database: `roles` (e.g. worker, worker, start), each behind its own proxy.
 * `start()` runs them all and waits until each says it is running; `kill(i, nthCall)` SIGKILLs one
 * right after its n-th Qoo10 call from now (or its next write) was passed on, then starts it again.
 */
export class Fleet {
  private readonly members: Member[] = [];
  /** When all members were running, up to when they were asked to stop: the cadence is judged in these. */
  readonly periods: RunningPeriod[] = [];
  private runningSince: number | null = null;

  private constructor(
    private readonly world: ChaosWorld,
    private readonly env: Record<string, string>,
  ) {}

  static async create(world: ChaosWorld, roles: readonly FleetRole[], env: Record<string, string>): Promise<Fleet> {
    const fleet = new Fleet(world, env);
    for (const role of roles) fleet.members.push({ role, proxy: await startProxy(world.sim.origin, world.sim.url), child: null, output: '' });
    return fleet;
  }

  get size(): number {
    return this.members.length;
  }

  /** Starts every member not running and waits until all say they are running. */
  async start(): Promise<void> {
    await Promise.all(this.members.map((m) => (m.child ? null : this.launch(m))));
    this.runningSince ??= Date.now();
  }

  private launch(member: Member): Promise<void> {
    const args = member.role === 'start' ? ['start'] : ['worker'];
    const extra: Record<string, string> = member.role === 'start' ? { HOST: '127.0.0.1', PORT: '0' } : {};
    // With the heap flags given here the process is not relaunched (heap-flags.ts): a SIGKILL hits the service.
    const heap = heapFlagsForChild();
    const child = spawn(process.execPath, [...heap.nodeArgs, CLI, ...args], {
      cwd: PROJECT_ROOT,
      env: this.world.childEnv({ ...this.env, ...extra, ...heap.env, QOO10_API_BASE_URL: member.proxy.url }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    member.child = child;
    member.output = '';
    return new Promise<void>((ready, fail) => {
      const timer = setTimeout(() => fail(new Error(`a ${member.role} did not say it was running within 90 s: ${member.output.slice(-800)}`)), 90_000);
      const look = () => {
        if (/is running/.test(member.output)) {
          clearTimeout(timer);
          ready();
        }
      };
      child.stdout!.on('data', (chunk) => {
        member.output = (member.output + String(chunk)).slice(-20_000);
        look();
      });
      child.stderr!.on('data', (chunk) => (member.output = (member.output + String(chunk)).slice(-20_000)));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (member.child === child) member.child = null;
        fail(new Error(`a ${member.role} exited (${code ?? signal}) before it was running: ${member.output.slice(-800)}`));
      });
    }).catch((error: unknown) => {
      // A failure after it was running is not this promise's business.
      if (!/is running/.test(member.output)) throw error;
    });
  }

  /**
   * SIGKILLs a member right after a Qoo10 call of its was handed to the simulator, then starts it again.
   * `victim` a member's index: after its `nthCall`-th call from now or its next write, whichever comes
   * first. 'next-writer': whichever member sends the next write (after `limitMs` without one: member 0 at
   * its next call). Without any call for `limitMs`, the victim is killed at once (not counted mid-call).
   */
  async killAndRestart(victim: number | 'next-writer', nthCall: number, limitMs = 30_000): Promise<KillReport> {
    const report: KillReport = { midCall: false, midWrite: false, at: '', victim: '' };
    const kill = (i: number) => {
      report.at = new Date().toISOString();
      report.victim = `${this.members[i]!.role} ${i + 1}`;
      this.members[i]!.child?.kill('SIGKILL');
    };
    const armed = victim === 'next-writer' ? this.members.map((_, i) => i) : [victim];
    let seen = 0;
    const chosen = await new Promise<number>((done) => {
      const disarm = () => armed.forEach((i) => (this.members[i]!.proxy.onCall = null));
      const timer = setTimeout(() => {
        disarm();
        if (victim === 'next-writer') {
          // No write came: fall back to member 0's next call.
          void this.killAndRestart(0, 1, limitMs).then((fallback) => {
            Object.assign(report, fallback);
            done(-1);
          });
          return;
        }
        kill(victim);
        done(victim);
      }, limitMs);
      for (const i of armed) {
        const member = this.members[i]!;
        member.proxy.onCall = (method) => {
          seen += 1;
          const write = WRITE_METHOD.test(method);
          if (victim === 'next-writer' ? !write : seen < nthCall && !write) return;
          disarm();
          clearTimeout(timer);
          report.midCall = true;
          report.midWrite = write;
          kill(i);
          done(i);
        };
      }
    });
    if (chosen >= 0) await this.restart(chosen);
    return report;
  }

  /** Waits for member `index` to exit (it was just killed) and starts it again. */
  private async restart(index: number): Promise<void> {
    const member = this.members[index]!;
    const child = member.child;
    if (child && child.exitCode === null && child.signalCode === null) await new Promise<void>((done) => child.once('exit', () => done()));
    member.child = null;
    await this.launch(member);
  }

  /** SIGTERM to every member (SIGKILL after `graceMs`); returns the members whose exit was not clean. */
  async stop(graceMs = 20_000): Promise<string[]> {
    if (this.runningSince !== null) this.periods.push({ from: this.runningSince, to: Date.now() });
    this.runningSince = null;
    const problems: string[] = [];
    await Promise.all(
      this.members.map(async (m) => {
        const child = m.child;
        if (!child) return;
        const exited = new Promise<number | null>((done) => (child.exitCode !== null ? done(child.exitCode) : child.once('exit', (code) => done(code))));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        m.child = null;
        if (code !== 0) problems.push(`a ${m.role} stopped with ${code}: ${m.output.slice(-600)}`);
      }),
    );
    return problems;
  }

  async close(): Promise<void> {
    for (const m of this.members) m.child?.kill('SIGKILL');
    await Promise.all(this.members.map((m) => m.proxy.close()));
  }
}

/** Every shop's claims polls (pending list) recorded by the simulator after call `fromSeq`. */
export function claimsPollCount(world: ChaosWorld, fromSeq: number): Map<string, number> {
  return callCount(world, fromSeq, (call) => /GetClaimInfo_V3$/i.test(call.method) && call.params.ClaimStat === '1');
}

/** Every shop's order-list reads (orders polls) recorded by the simulator after call `fromSeq`. */
function ordersPollCount(world: ChaosWorld, fromSeq: number): Map<string, number> {
  return callCount(world, fromSeq, (call) => /GetShippingInfo_v3$/i.test(call.method));
}

function callCount(world: ChaosWorld, fromSeq: number, counts: (call: RecordedCall) => boolean): Map<string, number> {
  const perShop = new Map<string, number>(world.shops.map((s) => [s.name, 0]));
  for (const call of world.sim.calls) {
    if (call.seq > fromSeq && call.shopName !== null && counts(call)) perShop.set(call.shopName, (perShop.get(call.shopName) ?? 0) + 1);
  }
  return perShop;
}

const everyShop = (counts: Map<string, number>, atLeast: number) => [...counts.values()].every((n) => n >= atLeast);

/** Resolves once `check` holds, or after `limitMs` (then false). */
export async function waitFor(check: () => Promise<boolean> | boolean, limitMs: number): Promise<boolean> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((done) => setTimeout(done, 250));
  }
  return check();
}

/** Every opened request settled in the database and no outbox row left: the fleet has nothing left to do. */
async function settledInDatabase(world: ChaosWorld): Promise<boolean> {
  const [row] = await world.db.dataSource.query(
    `SELECT (SELECT count(*)::int FROM cancel_requests WHERE status IN ('done', 'review', 'closed')) AS settled,
            (SELECT count(*)::int FROM actions WHERE state IN ('pending', 'sending')) AS open`,
  );
  return row.settled >= world.opened.length && row.open === 0;
}

/**
 * Lets the running fleet work until every shop's claims and orders were polled from now (the rate a
 * person sees counts the orders an orders poll stored) and every request is settled with no outbox row
 * left (each bounded by `limitMs`), then stops it. A fleet that cannot stop cleanly is a violation.
 */
export async function settleFleet(world: ChaosWorld, fleet: Fleet, result: ScenarioResult, limitMs = 90_000): Promise<void> {
  const fromSeq = world.sim.calls.length;
  await fleet.start();
  const polled = await waitFor(async () => everyShop(claimsPollCount(world, fromSeq), 1) && (await settledInDatabase(world)), limitMs);
  if (!polled) result.notes.push(`not every shop's claims were polled and every request settled within ${limitMs / 1000} s while settling`);
  // An orders interval and a half: each shop's orders slot has come round by then.
  const ordersLimitMs = 1.5 * 2 * FLEET_CADENCE.intervalSeconds * 1000;
  if (!(await waitFor(() => everyShop(ordersPollCount(world, fromSeq), 1), ordersLimitMs))) {
    result.notes.push(`not every shop's orders were polled within ${ordersLimitMs / 1000} s while settling`);
  }
  result.violations.push(...(await fleet.stop()));
}

/**
 * SIGKILLs random members mid-call `kills` times (each restarted), opening requests in between. After
 * each kill it waits (up to a minute) until every shop's claims were polled again, so kills are at least
 * that far apart: the cadence judges the recovery from one kill (issue 16: ≤ 2 intervals), not a
 * series of kills on the same shop's lease holders, each of which may cost that shop one slot.
 */
export async function killFleetRepeatedly(world: ChaosWorld, fleet: Fleet, result: ScenarioResult, random: () => number, kills: number, deadline: number): Promise<void> {
  let midWrite = 0;
  const log: string[] = [];
  for (let i = 0; i < kills && Date.now() < deadline; i++) {
    if (random() < 0.7) await openRandomRequest(world, random);
    // Half the kills hit whichever process sends the next write; the others a random process's n-th call.
    const victim = random() < 0.5 ? 'next-writer' : Math.floor(random() * fleet.size);
    const killSeq = world.sim.calls.length;
    // An interval and a half without a write (the request opened may need none): the fallback kill.
    const report = await fleet.killAndRestart(victim, 1 + Math.floor(random() * 6), 15_000);
    result.runs += 1;
    if (report.midCall) result.killed += 1;
    if (report.midWrite) midWrite += 1;
    log.push(`${report.at.slice(11, 23)} ${report.victim}${report.midWrite ? ' (write)' : report.midCall ? '' : ' (no call)'}`);
    if (!(await waitFor(() => everyShop(claimsPollCount(world, killSeq), 1), 60_000))) log.push('(not every shop polled again within 60 s)');
  }
  result.notes.push(`${result.killed} kills landed with a Qoo10 call in flight (${midWrite} of them a write): ${log.join(', ')}`);
}

export interface FleetScenarioSize extends ScenarioSize {
  kills: number;
  /** Faults while the kills go on (default none: every request must end as expected). */
  faults?: SimulatorFaults;
  roles?: readonly FleetRole[];
  cadence?: Cadence;
  /** Scenario name in the result (default workers, or workers-faults with faults). */
  name?: string;
}

/**
 * Two `worker` processes and a `start` on one database, SIGKILLed mid-call and restarted `kills` times
 * while requests arrive (with `faults` if given); then the fleet settles and stops, and the invariants
 * and the poll cadence are checked. Without faults every request must end as expected, decided once.
 */
export async function workersScenario(db: ChaosDatabase, size: FleetScenarioSize): Promise<ScenarioResult> {
  const started = Date.now();
  const result = newResult(size.name ?? (size.faults ? 'workers-faults' : 'workers'));
  const random = seededRandom(size.seed);
  const cadence = size.cadence ?? FLEET_CADENCE;
  const faults = size.faults ? { ...size.faults, seed: size.seed } : undefined;
  const world = await createChaosWorld({ db, shops: size.shops, perKind: size.perKind, laterPerKind: size.laterPerKind, latencyMs: 20, faults });
  const fleet = await Fleet.create(world, size.roles ?? ['worker', 'worker', 'start'], fleetEnv(cadence));
  try {
    const phases: string[] = [`set-up ${seconds(Date.now() - started)}`];
    let mark = Date.now();
    await fleet.start();
    phases.push(`fleet start ${seconds(Date.now() - mark)}`);
    mark = Date.now();
    await killFleetRepeatedly(world, fleet, result, random, size.kills, size.deadline);
    phases.push(`kills ${seconds(Date.now() - mark)}`);
    mark = Date.now();
    if (faults) world.sim.setFaults({ latencyMs: 20 });
    await settleFleet(world, fleet, result);
    phases.push(`settling ${seconds(Date.now() - mark)}`);
    result.notes.push(`time: ${phases.join(', ')}`);
    result.requests = world.opened.length;
    result.violations.push(...(await checkInvariants(world, { expectOutcomes: !faults })));
    // A read fault ends a shop's poll before its claims list (today the orders are read first), so the
    // cadence is only judged where reads are not faulted.
    if (readsFaulted(faults)) result.notes.push('poll cadence not judged: reads are faulted');
    else result.violations.push(...cadenceViolations(world, fleet, cadence));
    result.faults = faultedCalls(world);
    result.notes.push(`seed ${size.seed}; ${fleet.size} processes (${(size.roles ?? ['worker', 'worker', 'start']).join(', ')}), a claims poll every ${cadence.intervalSeconds} s, lease ${cadence.leaseSeconds} s; ${await interruptedCycles(world)}`);
  } finally {
    await fleet.close();
    await world.close();
    result.ms = Date.now() - started;
  }
  return result;
}

/** Faults that can fail a read (transport faults, error answers, an expired key). */
export function readsFaulted(faults: SimulatorFaults | undefined): boolean {
  return Boolean(faults && (faults.http500Rate || faults.malformedRate || faults.timeoutRate || faults.errorCodeShapeRate || faults.expiredKey));
}

/** The poll-cadence invariant over the fleet's running periods. */
export function cadenceViolations(world: ChaosWorld, fleet: Fleet, cadence: Cadence): string[] {
  return checkPollCadence(world.sim.calls, world.shops.map((s) => s.name), fleet.periods, (from, to) => ticksBetween(cadence.intervalSeconds, from, to));
}
