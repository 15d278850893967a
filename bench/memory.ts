// Benchmark: the daemon's resident memory. The real daemon (`cancel-guard start`, its own process, as
// deployed) runs against the simulator in this process; its RSS is read from /proc every 250 ms.
//   idle: one active shop, after its first cycle, waiting for the next one;
//   under load: 2,000 active shops (each its own key) with a new cancel request each, one full cycle
//   (poll, decide, act, then the rate and health follow-up), peak and settled RSS afterwards.
// The load run uses no simulated latency and no pacing so it ends in bounded time; memory depends on
// what is held (4 shops in flight), not on how long each call waits.
// Run: npm run build && node dist/bench/memory.js
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { PROJECT_ROOT } from '../src/config/paths';
import { createBenchWorld, BENCH_ADMIN_TOKEN, BENCH_SECRET, type BenchWorld } from './bench-world';
import { withBenchServer } from './bench-db';
import { loadAverage, mib, rssOf, say, seconds } from './bench-stats';
import type { BenchFigure } from './bench-report';

const quick = process.env.BENCH_QUICK === '1';
const SHOPS = quick ? 100 : 2000;
const MAX_WAIT_MS = 10 * 60_000;
const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');

interface DaemonRun {
  peakRss: number;
  settledRss: number;
  cycleMs: number;
  finishedRuns: number;
  failedRuns: number;
}

function startDaemon(world: BenchWorld, dataDir: string): ChildProcess {
  return spawn(process.execPath, [CLI, 'start'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: world.db.url,
      QOO10_API_BASE_URL: world.sim.url,
      CREDENTIALS_SECRET: BENCH_SECRET,
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      HOST: '127.0.0.1',
      PORT: '0',
      // Once a year: only the cycle the daemon runs at start-up happens during the measurement.
      POLL_SCHEDULE: '0 0 1 1 *',
      AUTO_DECISIONS: 'accept,refuse,seller-fault',
      QOO10_MIN_INTERVAL_MS: '0',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

async function finishedRuns(world: BenchWorld, since: Date): Promise<{ finished: number; failed: number; cycleMs: number }> {
  const [row] = await world.db.dataSource.query(
    `SELECT count(*) FILTER (WHERE finished_at IS NOT NULL)::int AS finished, count(*) FILTER (WHERE status = 'failed')::int AS failed,
            EXTRACT(EPOCH FROM (max(finished_at) - min(started_at))) * 1000 AS cycle_ms
     FROM job_runs WHERE job = 'poll' AND started_at >= $1`,
    [since],
  );
  return { finished: row.finished, failed: row.failed, cycleMs: Number(row.cycle_ms ?? 0) };
}

/** Runs the daemon until `shops` poll runs have finished, sampling its RSS; then `settleMs` more. */
async function measureDaemon(world: BenchWorld, shops: number, settleMs: number, dataDir: string): Promise<DaemonRun> {
  const since = new Date(Date.now() - 1000);
  const child = startDaemon(world, dataDir);
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr = (stderr + String(chunk)).slice(-4000)));
  let peakRss = 0;
  const sampler = setInterval(() => {
    const rss = child.pid ? rssOf(child.pid) : null;
    if (rss !== null) peakRss = Math.max(peakRss, rss);
  }, 250);
  try {
    const deadline = Date.now() + MAX_WAIT_MS;
    let runs = await finishedRuns(world, since);
    while (runs.finished < shops) {
      if (child.exitCode !== null) throw new Error(`the daemon exited (${child.exitCode}): ${stderr}`);
      if (Date.now() > deadline) throw new Error(`the daemon's cycle did not finish within ${MAX_WAIT_MS / 60_000} min`);
      await delay(500);
      runs = await finishedRuns(world, since);
    }
    await delay(settleMs);
    const settled: number[] = [];
    for (let i = 0; i < 8; i += 1) {
      const rss = child.pid ? rssOf(child.pid) : null;
      if (rss !== null) settled.push(rss);
      await delay(250);
    }
    settled.sort((a, b) => a - b);
    return { peakRss, settledRss: settled[Math.floor(settled.length / 2)] ?? 0, cycleMs: runs.cycleMs, finishedRuns: runs.finished, failedRuns: runs.failed };
  } finally {
    clearInterval(sampler);
    child.kill('SIGTERM');
    const exited = await Promise.race([new Promise((done) => child.once('exit', done)).then(() => true), delay(15_000).then(() => false)]);
    if (!exited) child.kill('SIGKILL');
  }
}

export async function main(): Promise<BenchFigure[]> {
  return withBenchServer(async (server) => {
    say(`memory benchmark (${server.description}); the daemon as its own process (cancel-guard start)`);
    const dataDir = resolve(PROJECT_ROOT, `.data/bench-memory-${process.pid}`);
    mkdirSync(dataDir, { recursive: true });
    const world = await createBenchWorld({ adminUrl: server.adminUrl, shops: SHOPS, poolPerKind: 1, poolSize: 12 });
    try {
      // Every shop's first month sync, done here so the daemon's cycle is a normal one.
      const warm = world.compose({ QOO10_MIN_INTERVAL_MS: '0', WORKER_CONCURRENCY: '8' }).services;
      await warm.pipeline.runCycle();

      const first = world.shops[0]!;
      await world.db.dataSource.query('UPDATE shops SET active = (id = $1)', [first.id]);
      const idle = await measureDaemon(world, 1, 5_000, dataDir);
      say(`  idle (1 shop, after its cycle): ${mib(idle.settledRss)} RSS (peak ${mib(idle.peakRss)})  (load ${loadAverage()})`);

      await world.db.dataSource.query('UPDATE shops SET active = true');
      for (const shop of world.shops) world.openRequests(shop, 1);
      const load = loadAverage();
      const busy = await measureDaemon(world, SHOPS, 10_000, dataDir);
      say(
        `  ${SHOPS} shops × 1 request, one cycle at 0 ms/call without pacing: peak ${mib(busy.peakRss)} RSS, ${mib(busy.settledRss)} 10 s after; ` +
          `cycle ${seconds(busy.cycleMs)} (${busy.finishedRuns} shop runs, ${busy.failedRuns} failed)  (load ${load})`,
      );
      return [
        { bench: 'memory', figure: 'daemon RSS, idle (1 shop)', value: mib(idle.settledRss), target: '(information)', met: null },
        {
          bench: 'memory',
          figure: `daemon RSS under load (${SHOPS} shops, one cycle)`,
          value: `peak ${mib(busy.peakRss)}, ${mib(busy.settledRss)} after`,
          target: '< 300 MB',
          met: busy.peakRss < 300 * 1024 * 1024 && busy.failedRuns === 0,
        },
        {
          bench: 'memory',
          figure: `daemon cycle, ${SHOPS} shops × 1 request, 0 ms/call, no pacing (child process, with follow-up)`,
          value: `${seconds(busy.cycleMs)} (${busy.failedRuns} failed shops)`,
          target: '(cross-check of poll-throughput)',
          met: null,
        },
      ];
    } finally {
      await world.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`memory benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
