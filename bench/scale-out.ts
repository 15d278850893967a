// Scale-out on the job queue (issue 16, ADR 0018 and 0020), with real `cancel-guard worker` processes on
// one database and the simulator at 150 ms per call (after each shop's initial sync, as poll-throughput
// does). A "poll" here is a claims poll (job_runs 'poll'); orders polls run on their own interval.
//   1. two workers started 5 s apart over 400 shops: shops claims-polled twice in one slot (target 0; the
//      daemon before the queue: 159), claims-poll lateness against the slot
//   2. three workers, one SIGKILLed in the middle of its jobs: how long until each shop it was polling
//      is polled again (target ≤ 2 intervals), and orders written twice (simulator write log; target 0)
// Short slots so it finishes: POLL_CLAIMS_INTERVAL SCALE_SLOT_S seconds (default 30) and
// SHOP_LEASE_SECONDS 10; everything else at its default. SCALE_2000=1 adds (SCALE_2000=only runs just)
//   3. 2,000 shops, one worker process, default settings: claims-poll lateness p50/p99 (target p99 ≤ 30 s),
//      Qoo10 calls per shop per hour, peak RSS of the worker (target < 200 MB)
// Prints figures; never asserts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../src/config/paths';
import { heapFlagsForChild } from '../src/config/heap-flags';
import { shopPhase, shopSlotsAt, SLOT_TOLERANCE_MS, slotOf } from '../src/jobs/work-queue';
import { withBenchServer } from './bench-db';
import { BENCH_SECRET, createBenchWorld, type BenchWorld } from './bench-world';
import { loadAverage, rssOf, say, summarize, seconds } from './bench-stats';
import { readFileSync } from 'node:fs';
import type { BenchFigure } from './bench-report';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const SLOT_S = Number(process.env.SCALE_SLOT_S ?? 30);
const SCHEDULE = `*/${SLOT_S} * * * * *`;
const LEASE_S = 10;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

interface Worker {
  child: ChildProcess;
  exited: Promise<unknown>;
}

/** Node flags for the worker processes (SCALE_WORKER_NODE_ARGS, e.g. --trace-gc), to look into their memory. */
const WORKER_NODE_ARGS = (process.env.SCALE_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);

function startWorker(world: BenchWorld, env: Record<string, string> = {}): Worker {
  // With the heap flags given here the worker is not relaunched (heap-flags.ts): the pid read is the service's.
  const heap = heapFlagsForChild();
  const child = spawn(process.execPath, [...heap.nodeArgs, ...WORKER_NODE_ARGS, CLI, 'worker'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...heap.env,
      ...world.baseEnv,
      DATABASE_URL: world.db.url,
      CREDENTIALS_SECRET: BENCH_SECRET,
      DATA_DIR: mkdtempSync(resolve(tmpdir(), 'cg-bench-worker-')),
      POLL_CLAIMS_INTERVAL: `${SLOT_S}s`,
      SHOP_LEASE_SECONDS: String(LEASE_S),
      LOG_LEVEL: 'error',
      ...env,
    },
    // --trace-gc writes to stdout: kept when node flags are given.
    stdio: ['ignore', WORKER_NODE_ARGS.length > 0 ? 'inherit' : 'ignore', 'inherit'],
  });
  return { child, exited: new Promise((done) => child.on('exit', done)) };
}

async function stopAll(workers: Worker[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

type Run = { id: string; shop_id: string; started_at: Date; status: string };
const runsOf = (world: BenchWorld): Promise<Run[]> =>
  world.db.dataSource.query(`SELECT id, shop_id, started_at, status FROM job_runs WHERE job = 'poll' ORDER BY started_at`);

/** A world of `shops` shops after their initial sync, simulator at 150 ms per call, requests open. */
async function readyWorld(adminUrl: string, shops: number, requestsPerShop: number): Promise<BenchWorld> {
  const world = await createBenchWorld({ adminUrl, shops, poolPerKind: Math.ceil(requestsPerShop / 3) + 1 });
  const warm = world.compose({ QOO10_MIN_INTERVAL_MS: '0' }).services;
  const reports = await warm.pipeline.runCycle();
  if (reports.some((r) => r.status !== 'ok')) throw new Error('the initial sync failed for a shop');
  await world.db.dataSource.query(`DELETE FROM job_runs WHERE job IN ('poll', 'poll-orders') AND status <> 'ok'`);
  for (const shop of world.shops) world.openRequests(shop, requestsPerShop);
  world.sim.setFaults({ latencyMs: 150 });
  return world;
}

/** Waits until the next slot starts plus `afterMs`. */
async function untilSlotStart(afterMs: number): Promise<void> {
  const next = slotOf(SCHEDULE, new Date()).getTime() + SLOT_S * 1000;
  await sleep(Math.max(0, next - Date.now() + afterMs));
}

async function twoWorkers(adminUrl: string, figures: BenchFigure[]): Promise<void> {
  const world = await readyWorld(adminUrl, 400, 1);
  try {
    const since = new Date();
    await untilSlotStart(500);
    const first = startWorker(world);
    await sleep(5_000);
    const second = startWorker(world);
    const load = loadAverage();
    await sleep(3 * SLOT_S * 1000);
    await stopAll([first, second]);
    const runs = (await runsOf(world)).filter((r) => r.started_at >= since);
    const perShopSlot = new Map<string, number>();
    const lateness: number[] = [];
    for (const run of runs) {
      // The shop's own slot the run started in (ADR 0027), without the tick's tolerance.
      const slot = shopSlotsAt(SCHEDULE, new Date(run.started_at.getTime() - SLOT_TOLERANCE_MS))(run.shop_id);
      const key = `${run.shop_id}@${slot.toISOString()}`;
      perShopSlot.set(key, (perShopSlot.get(key) ?? 0) + 1);
      lateness.push(run.started_at.getTime() - slot.getTime());
    }
    const twice = [...perShopSlot.values()].filter((n) => n > 1).length;
    const slots = perShopSlot.size;
    const l = summarize(lateness.sort((a, b) => a - b));
    const writtenTwice = doubleWrites(world);
    say(`  two workers 5 s apart, 400 shops, 150 ms/call, slot ${SLOT_S} s (load ${load})`);
    say(`    ${runs.length} polls over ${slots} shop-slots (each shop's own slots); shop-slots polled twice: ${twice}; orders written twice: ${writtenTwice}`);
    say(`    poll start lateness against its slot: p50 ${seconds(l.p50)}  p99 ${seconds(l.p99)}  max ${seconds(l.max)}`);
    figures.push({ bench: 'scale-out', figure: 'two workers 5 s apart over 400 shops: shops polled twice in one interval', value: String(twice), target: '0', met: twice === 0 });
  } finally {
    await world.close();
  }
}

/** Orders the simulator applied a write to more than once (cancel or tracking). */
function doubleWrites(world: BenchWorld): number {
  const applied = new Map<string, number>();
  for (const w of world.sim.writes) if (w.applied) applied.set(`${w.kind}:${w.orderNo}`, (applied.get(`${w.kind}:${w.orderNo}`) ?? 0) + 1);
  return [...applied.values()].filter((n) => n > 1).length;
}

async function killOneOfThree(adminUrl: string, figures: BenchFigure[]): Promise<void> {
  const world = await readyWorld(adminUrl, 150, 3);
  try {
    await untilSlotStart(500);
    const workers = [startWorker(world), startWorker(world), startWorker(world)];
    // In the middle of the first slot's jobs: wait until polls are running, then kill worker 0.
    for (;;) {
      const running = (await runsOf(world)).filter((r) => r.status === 'running').length;
      if (running >= 10) break;
      await sleep(200);
    }
    await sleep(1_000);
    const runningAtKill = new Set((await runsOf(world)).filter((r) => r.status === 'running').map((r) => r.id));
    workers[0]!.child.kill('SIGKILL');
    await workers[0]!.exited;
    const killedAt = Date.now();
    await sleep(3 * SLOT_S * 1000);
    await stopAll(workers.slice(1));
    const runs = await runsOf(world);
    // The killed worker's runs never finish; the survivors' runs of that moment did.
    const stranded = runs.filter((r) => runningAtKill.has(r.id) && r.status === 'running');
    const recovery = stranded.map((s) => {
      const next = runs.find((r) => r.shop_id === s.shop_id && r.status === 'ok' && r.started_at.getTime() >= killedAt);
      return next ? next.started_at.getTime() - killedAt : Number.POSITIVE_INFINITY;
    });
    const worst = recovery.length ? Math.max(...recovery) : 0;
    const writtenTwice = doubleWrites(world);
    say(`  three workers, one SIGKILLed mid-jobs, 150 shops × 3 requests, 150 ms/call, slot ${SLOT_S} s, lease ${LEASE_S} s`);
    say(
      `    ${stranded.length} shops were mid-poll in the killed worker; polled again after ` +
        `${recovery.length ? `max ${seconds(worst)} (${(worst / (SLOT_S * 1000)).toFixed(2)} intervals), min ${seconds(Math.min(...recovery))}` : 'n/a'}; ` +
        `orders written twice: ${writtenTwice}`,
    );
    figures.push({
      bench: 'scale-out',
      figure: 'SIGKILL one of 3 workers: its shops polled again after',
      value: `${(worst / (SLOT_S * 1000)).toFixed(2)} intervals (slot ${SLOT_S} s)`,
      target: '≤ 2 intervals',
      met: Number.isFinite(worst) && worst <= 2 * SLOT_S * 1000,
    });
    figures.push({ bench: 'scale-out', figure: 'SIGKILL one of 3 workers: orders written twice', value: String(writtenTwice), target: '0', met: writtenTwice === 0 });
  } finally {
    await world.close();
  }
}

/** The peak resident set size of a live process (VmHWM), bytes; null when it is gone. */
function peakRssOf(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** The parts of a process's RSS (anonymous memory: heap, buffers, malloc; file: the node binary and libraries). */
function rssPartsOf(pid: number): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)\\s+kB`).exec(status)?.[1] ?? 0);
    return `anonymous ${(kib('RssAnon') / 1024).toFixed(0)} MiB, file ${(kib('RssFile') / 1024).toFixed(0)} MiB`;
  } catch {
    return 'n/a';
  }
}

/**
 * 2,000 shops, one worker process, default settings (claims every 2 minutes, orders every 10, WORKER_CONCURRENCY
 * and the pool at their defaults), three whole slots after the first: claims-poll lateness against the slot,
 * shops missed per slot, calls per shop per hour, the worker's peak RSS. SCALE_2000=1 to run (about 10 minutes).
 */
async function twoThousandShops(adminUrl: string, figures: BenchFigure[]): Promise<void> {
  const world = await readyWorld(adminUrl, 2_000, 0);
  const schedule = '*/2 * * * *';
  try {
    const next = slotOf(schedule, new Date()).getTime() + 120_000;
    await sleep(next - Date.now() + 500);
    const worker = startWorker(world, { POLL_CLAIMS_INTERVAL: '2m', SHOP_LEASE_SECONDS: '30' });
    const firstSlot = next;
    const loadAtStart = loadAverage();
    await sleep(120_000 - 1_000);
    // Calls are counted over the three measured slots (the first one also runs the start-up burst).
    const fromSeq = world.sim.calls.length;
    // RSS during the measured slots, sampled each second (VmHWM below is the peak over the whole run).
    let steadyPeak = 0;
    let peakParts = '';
    const sampler = setInterval(() => {
      const rss = rssOf(worker.child.pid!) ?? 0;
      if (rss <= steadyPeak) return;
      steadyPeak = rss;
      peakParts = rssPartsOf(worker.child.pid!);
    }, 1_000);
    await sleep(3 * 120_000);
    const calls = world.sim.calls.slice(fromSeq);
    // Each shop's slots are shifted by its phase (ADR 0027): the last measured slot of a shop ends up to one
    // interval later, so the runs are read then (calls per hour are counted over the 3 slots above).
    await sleep(120_000);
    clearInterval(sampler);
    const peakRss = peakRssOf(worker.child.pid!);
    const loadAtEnd = loadAverage();
    await stopAll([worker]);
    const measured = [firstSlot + 120_000, firstSlot + 240_000, firstSlot + 360_000];
    const runs = (await runsOf(world)).filter((r) => r.started_at.getTime() >= firstSlot + 120_000);
    const phaseOf = new Map<string, number>();
    const lateness: number[] = [];
    let missed = 0;
    for (const interval of measured) {
      const inSlot = new Map<string, number>();
      for (const r of runs) {
        if (!phaseOf.has(r.shop_id)) phaseOf.set(r.shop_id, Math.floor(shopPhase(r.shop_id) * 120_000));
        const slot = interval + phaseOf.get(r.shop_id)!;
        const t = r.started_at.getTime();
        if (t >= slot && t < slot + 120_000 && !inSlot.has(r.shop_id)) inSlot.set(r.shop_id, t - slot);
      }
      missed += world.shops.length - inSlot.size;
      lateness.push(...inSlot.values());
      // A shop not polled in its slot is as late as the whole slot, at least.
      for (let i = inSlot.size; i < world.shops.length; i++) lateness.push(120_000);
    }
    const l = summarize(lateness.sort((a, b) => a - b));
    const hours = (3 * 120_000) / 3_600_000;
    const perShopHour = calls.length / world.shops.length / hours;
    const byMethod = new Map<string, number>();
    for (const call of calls) byMethod.set(call.method.replace(/^.*\./, ''), (byMethod.get(call.method.replace(/^.*\./, '')) ?? 0) + 1);
    const methods = [...byMethod].map(([method, n]) => `${method} ${(n / world.shops.length / hours).toFixed(1)}`).join(', ');
    const [orders] = await world.db.dataSource.query(
      `SELECT count(*)::int AS n, count(DISTINCT shop_id)::int AS shops FROM job_runs WHERE job = 'poll-orders' AND started_at >= $1 AND started_at < $2`,
      [new Date(measured[0]!), new Date(measured[2]! + 120_000)],
    );
    const mib = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MiB`);
    say(`  2,000 shops, one worker process, defaults (claims every 2 min, orders every 10), 150 ms/call (load ${loadAtStart} → ${loadAtEnd})`);
    say(`    claims-poll lateness over 3 slots: p50 ${seconds(l.p50)}  p99 ${seconds(l.p99)}  max ${seconds(l.max)} (a missed slot counts 120 s); shop-slots missed: ${missed} of ${3 * world.shops.length}`);
    say(`    ${perShopHour.toFixed(1)} Qoo10 calls per shop per hour (${methods}); orders polls in the 6 minutes: ${orders.n} over ${orders.shops} shops; worker peak RSS ${mib(peakRss)} (${mib(steadyPeak)} during the measured slots: ${peakParts})`);
    figures.push({ bench: 'scale-out', figure: '2,000 shops, one process, defaults: claims-poll lateness p99', value: seconds(l.p99), target: '≤ 30 s', met: l.p99 <= 30_000 });
    figures.push({ bench: 'scale-out', figure: '2,000 shops, one process, defaults: shop-slots whose claims were not polled', value: String(missed), target: '0', met: missed === 0 });
    figures.push({ bench: 'scale-out', figure: '2,000 shops, one process, defaults: worker peak RSS', value: mib(peakRss), target: '< 200 MB', met: peakRss !== null && peakRss < 200 * 1024 * 1024 });
  } finally {
    await world.close();
  }
}

export async function main(): Promise<BenchFigure[]> {
  return withBenchServer(async (server) => {
    say(`scale-out benchmark (${server.description}); cancel-guard worker processes on one database`);
    const figures: BenchFigure[] = [];
    if (process.env.SCALE_2000 !== 'only') {
      await twoWorkers(server.adminUrl, figures);
      await killOneOfThree(server.adminUrl, figures);
    }
    if (process.env.SCALE_2000) await twoThousandShops(server.adminUrl, figures);
    return figures;
  });
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
