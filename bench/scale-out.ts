// Scale-out on the job queue (issue 16), with real `cancel-guard worker` processes on one database and
// the simulator at 150 ms per call (after each shop's initial sync, as poll-throughput does):
//   1. two workers started 5 s apart over 400 shops: shops polled twice in one slot (target 0; the
//      daemon before the queue: 159), claims-poll lateness against the slot
//   2. three workers, one SIGKILLed in the middle of its jobs: how long until each shop it was polling
//      is polled again (target ≤ 2 intervals), and orders written twice (simulator write log; target 0)
// Short slots so it finishes: POLL_SCHEDULE every SCALE_SLOT_S seconds (default 30) and
// SHOP_LEASE_SECONDS 10; everything else at its default. SCALE_2000=1 adds (SCALE_2000=only runs just)
//   3. 2,000 shops, one worker process, default settings: claims-poll lateness p50/p99 (target p99 ≤ 30 s)
// Prints figures; never asserts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../src/config/paths';
import { slotOf } from '../src/jobs/work-queue';
import { withBenchServer } from './bench-db';
import { BENCH_SECRET, createBenchWorld, type BenchWorld } from './bench-world';
import { loadAverage, say, summarize, seconds } from './bench-stats';
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

function startWorker(world: BenchWorld, env: Record<string, string> = {}): Worker {
  const child = spawn(process.execPath, [CLI, 'worker'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...world.baseEnv,
      DATABASE_URL: world.db.url,
      CREDENTIALS_SECRET: BENCH_SECRET,
      DATA_DIR: mkdtempSync(resolve(tmpdir(), 'cg-bench-worker-')),
      POLL_SCHEDULE: SCHEDULE,
      SHOP_LEASE_SECONDS: String(LEASE_S),
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
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
  await world.db.dataSource.query(`DELETE FROM job_runs WHERE job = 'poll' AND status <> 'ok'`);
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
      const slot = slotOf(SCHEDULE, run.started_at);
      const key = `${run.shop_id}@${slot.toISOString()}`;
      perShopSlot.set(key, (perShopSlot.get(key) ?? 0) + 1);
      lateness.push(run.started_at.getTime() - slot.getTime());
    }
    const twice = [...perShopSlot.values()].filter((n) => n > 1).length;
    const slots = new Set([...perShopSlot.keys()].map((k) => k.split('@')[1])).size;
    const l = summarize(lateness.sort((a, b) => a - b));
    const writtenTwice = doubleWrites(world);
    say(`  two workers 5 s apart, 400 shops, 150 ms/call, slot ${SLOT_S} s (load ${load})`);
    say(`    ${runs.length} polls over ${slots} slots; shop-slots polled twice: ${twice}; orders written twice: ${writtenTwice}`);
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

/**
 * 2,000 shops, one worker process, default settings (POLL_SCHEDULE every 2 minutes, WORKER_CONCURRENCY 16),
 * three whole slots after the first: claims-poll lateness against the slot, shops missed per slot, calls
 * per shop per hour. SCALE_2000=1 to run (about 12 minutes).
 */
async function twoThousandShops(adminUrl: string, figures: BenchFigure[]): Promise<void> {
  const world = await readyWorld(adminUrl, 2_000, 0);
  const schedule = '*/2 * * * *';
  try {
    const next = slotOf(schedule, new Date()).getTime() + 120_000;
    await sleep(next - Date.now() + 500);
    const worker = startWorker(world, { POLL_SCHEDULE: schedule, SHOP_LEASE_SECONDS: '30' });
    const firstSlot = next;
    const fromSeq = world.sim.calls.length;
    const load = loadAverage();
    await sleep(4 * 120_000 - 1_000);
    await stopAll([worker]);
    const measured = [firstSlot + 120_000, firstSlot + 240_000, firstSlot + 360_000];
    const runs = (await runsOf(world)).filter((r) => r.started_at.getTime() >= firstSlot + 120_000);
    const lateness: number[] = [];
    let missed = 0;
    for (const slot of measured) {
      const inSlot = new Map<string, number>();
      for (const r of runs) {
        const t = r.started_at.getTime();
        if (t >= slot && t < slot + 120_000 && !inSlot.has(r.shop_id)) inSlot.set(r.shop_id, t - slot);
      }
      missed += world.shops.length - inSlot.size;
      lateness.push(...inSlot.values());
      // A shop not polled in its slot is as late as the whole slot, at least.
      for (let i = inSlot.size; i < world.shops.length; i++) lateness.push(120_000);
    }
    const l = summarize(lateness);
    const calls = world.sim.calls.length - fromSeq;
    const perShopHour = calls / world.shops.length / ((4 * 120_000) / 3_600_000);
    say(`  2,000 shops, one worker process, defaults (every 2 min, concurrency 16), 150 ms/call (load ${load})`);
    say(`    claims-poll lateness over 3 slots: p50 ${seconds(l.p50)}  p99 ${seconds(l.p99)} (a missed slot counts 120 s); shop-slots missed: ${missed} of ${3 * world.shops.length}; ${perShopHour.toFixed(0)} Qoo10 calls per shop per hour`);
    figures.push({ bench: 'scale-out', figure: '2,000 shops, one process, defaults: claims-poll lateness p99', value: seconds(l.p99), target: '≤ 30 s', met: l.p99 <= 30_000 });
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
