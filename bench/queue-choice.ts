// The measurements behind docs/adr/0018: pg-boss 10.4.2 against graphile-worker 0.17.3 (the newest
// releases that run on Node 20), each on its own database of the same PostgreSQL 17.
//   (a) a worker process SIGKILLed while it runs a job: how long until that job runs again elsewhere
//   (b) exactly once per slot: two processes enqueue the same 400 shop jobs for one slot; the second
//       enqueues again after the first worker finished them (a daemon started 5 s late)
//   (c) throughput: 2,000 no-op jobs through 16 concurrent handlers, enqueue → all done
// Run: npm run build --silent && node dist/bench/queue-choice.js   (QUEUE_CHOICE_WAIT_S: how long (a)
// waits for a re-run, default 60). Prints figures; never asserts.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import PgBoss from 'pg-boss';
import { Logger as GraphileLogger, makeWorkerUtils, run as runGraphile, type Runner } from 'graphile-worker';
import { withBenchServer, createBenchDatabase } from './bench-db';
import { say } from './bench-stats';
import { slotJobId } from '../src/jobs/work-queue';

const WAIT_S = Number(process.env.QUEUE_CHOICE_WAIT_S ?? 60);
const SHOPS = 400;
const THROUGHPUT_JOBS = 2_000;
const CONCURRENCY = 16;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const silentGraphileLogger = new GraphileLogger(() => () => undefined);

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

/** The child side of (a): take the probe job, say so, and hang until SIGKILLed. */
async function child(lib: string, url: string): Promise<void> {
  const taken = () => process.stdout.write('taken\n');
  if (lib === 'pg-boss') {
    const boss = new PgBoss({ connectionString: url, schedule: false, supervise: false });
    await boss.start();
    await boss.work('probe', { pollingIntervalSeconds: 0.5 }, () => (taken(), new Promise(() => undefined)));
  } else {
    await runGraphile({ connectionString: url, concurrency: 1, pollInterval: 200, noHandleSignals: true, logger: silentGraphileLogger, taskList: { probe: () => (taken(), new Promise(() => undefined)) } });
  }
  await new Promise(() => undefined);
}

/** Starts the child worker, waits until it holds the probe job, SIGKILLs it; returns the kill time. */
async function killWorkerHoldingJob(lib: string, url: string): Promise<number> {
  const worker = spawn(process.execPath, [__filename, 'child', lib, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  worker.stdout.on('data', (chunk) => (out += chunk));
  if (!(await waitFor(() => out.includes('taken'), 30_000))) throw new Error(`${lib}: the child never took the job`);
  const exited = new Promise((done) => worker.on('exit', done));
  worker.kill('SIGKILL');
  await exited;
  return performance.now();
}

async function pgBossFigures(url: string): Promise<void> {
  say('pg-boss 10.4.2');
  // (a) a job expires expireInSeconds after it started; the supervisor (maintenance) then puts it back.
  const boss = new PgBoss({ connectionString: url, schedule: false, supervise: true, maintenanceIntervalSeconds: 1 });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue('probe', { name: 'probe', retryLimit: 1, retryDelay: 0, expireInSeconds: 5 });
  await boss.send('probe', {});
  const killedAt = await killWorkerHoldingJob('pg-boss', url);
  let rerunAt: number | null = null;
  await boss.work('probe', { pollingIntervalSeconds: 0.5 }, async () => void (rerunAt ??= performance.now()));
  await waitFor(() => rerunAt !== null, WAIT_S * 1000);
  say(`  (a) SIGKILLed worker's job ran again after ${rerunAt === null ? `> ${WAIT_S} s` : `${((rerunAt - killedAt) / 1000).toFixed(1)} s`} (expireInSeconds 5, maintenance every 1 s; no heartbeat needed)`);

  // (b) ids derived from shop + slot: a second insert of the same slot is a no-op, also after completion.
  await boss.createQueue('shop', { name: 'shop', retryLimit: 0 });
  const second = new PgBoss({ connectionString: url, schedule: false, supervise: false });
  await second.start();
  const slot = new Date('2026-12-01T00:00:00Z');
  const jobs = Array.from({ length: SHOPS }, (_, i) => ({ name: 'shop', id: slotJobId('shop', `s${i}`, slot), data: { i } }));
  let runs = 0;
  await Promise.all([boss.insert(jobs), second.insert(jobs)]);
  for (let i = 0; i < CONCURRENCY; i++) await boss.work('shop', { pollingIntervalSeconds: 0.5 }, async () => void runs++);
  await waitFor(() => runs >= SHOPS, 60_000);
  await second.insert(jobs); // the daemon started late enqueues the same slot again
  await sleep(3_000);
  say(`  (b) ${SHOPS} shops enqueued by two processes, then again after completion: ${runs} runs (${runs - SHOPS} duplicates)`);

  // (c)
  await boss.createQueue('noop', { name: 'noop', retryLimit: 0 });
  let done = 0;
  for (let i = 0; i < CONCURRENCY; i++) await boss.work('noop', { pollingIntervalSeconds: 0.5 }, async () => void done++);
  const started = performance.now();
  const noops = Array.from({ length: THROUGHPUT_JOBS }, (_, i) => ({ name: 'noop', data: { i } }));
  await boss.insert(noops);
  await waitFor(() => done >= THROUGHPUT_JOBS, 300_000);
  const s = (performance.now() - started) / 1000;
  say(`  (c) ${THROUGHPUT_JOBS} no-op jobs, ${CONCURRENCY} handlers (batch 1, polling 0.5 s): ${s.toFixed(1)} s, ${(THROUGHPUT_JOBS / s).toFixed(0)} jobs/s`);
  // The same with each handler fetching 16 at a time (a handler waits the polling interval between fetches).
  await boss.createQueue('noop16', { name: 'noop16', retryLimit: 0 });
  let done16 = 0;
  for (let i = 0; i < CONCURRENCY; i++) await boss.work('noop16', { pollingIntervalSeconds: 0.5, batchSize: 16 }, async (batch) => void (done16 += batch.length));
  const started16 = performance.now();
  await boss.insert(noops.map((job) => ({ ...job, name: 'noop16' })));
  await waitFor(() => done16 >= THROUGHPUT_JOBS, 300_000);
  const s16 = (performance.now() - started16) / 1000;
  say(`  (c) the same, batch 16: ${s16.toFixed(1)} s, ${(THROUGHPUT_JOBS / s16).toFixed(0)} jobs/s`);
  await second.stop({ graceful: false, wait: true });
  await boss.stop({ graceful: false, wait: true, timeout: 1000 });
}

async function graphileFigures(url: string): Promise<void> {
  say('graphile-worker 0.17.3');
  const utils = await makeWorkerUtils({ connectionString: url, logger: silentGraphileLogger });
  await utils.migrate();
  // (a) a job locked by a dead worker stays locked (locked_at + 4 h) unless someone force-unlocks that worker.
  await utils.addJob('probe', {});
  const killedAt = await killWorkerHoldingJob('graphile-worker', url);
  let rerunAt: number | null = null;
  const runner: Runner = await runGraphile({
    connectionString: url, concurrency: CONCURRENCY, pollInterval: 200, noHandleSignals: true, logger: silentGraphileLogger,
    taskList: { probe: async () => void (rerunAt ??= performance.now()), shop: async () => void shopRuns++, noop: async () => void noops++ },
  });
  let shopRuns = 0;
  let noops = 0;
  await waitFor(() => rerunAt !== null, WAIT_S * 1000);
  const plain = rerunAt === null ? `not within ${WAIT_S} s (locked until locked_at + 4 h)` : `${((rerunAt - killedAt) / 1000).toFixed(1)} s`;
  let unlocked = '';
  if (rerunAt === null) {
    const client = await utils.withPgClient((pg) => pg.query(`SELECT locked_by FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL`));
    const dead = client.rows.map((row: { locked_by: string }) => row.locked_by);
    const unlockAt = performance.now();
    await utils.forceUnlockWorkers(dead);
    await waitFor(() => rerunAt !== null, 30_000);
    unlocked = `; after forceUnlockWorkers(dead worker ids) it ran ${rerunAt === null ? 'not within 30 s' : `${((rerunAt - unlockAt) / 1000).toFixed(1)} s later`} (needs our own liveness record to know which workers are dead)`;
  }
  say(`  (a) SIGKILLed worker's job ran again: ${plain}${unlocked}`);

  // (b) job keys dedupe only while the job exists: a completed job is deleted, so a late enqueue runs it again.
  const slot = '2026-12-01T00:00:00Z';
  const add = () => Promise.all(Array.from({ length: SHOPS }, (_, i) => utils.addJob('shop', { i }, { jobKey: `shop:s${i}:${slot}`, jobKeyMode: 'preserve_run_at' })));
  await Promise.all([add(), add()]);
  await waitFor(() => shopRuns >= SHOPS, 60_000);
  await sleep(1_000);
  await add();
  await sleep(3_000);
  say(`  (b) ${SHOPS} shops enqueued by two processes, then again after completion: ${shopRuns} runs (${shopRuns - SHOPS} duplicates)`);

  // (c)
  const started = performance.now();
  await utils.addJobs(Array.from({ length: THROUGHPUT_JOBS }, (_, i) => ({ identifier: 'noop', payload: { i } })));
  await waitFor(() => noops >= THROUGHPUT_JOBS, 300_000);
  const s = (performance.now() - started) / 1000;
  say(`  (c) ${THROUGHPUT_JOBS} no-op jobs, concurrency ${CONCURRENCY}: ${s.toFixed(1)} s, ${(THROUGHPUT_JOBS / s).toFixed(0)} jobs/s`);
  await runner.stop();
  await utils.release();
}

export async function main(): Promise<void> {
  await withBenchServer(async (server) => {
    for (const [name, figures] of [['pg-boss', pgBossFigures], ['graphile-worker', graphileFigures]] as const) {
      const db = await createBenchDatabase(server.adminUrl, { migrate: false });
      try {
        await figures(db.url);
      } catch (error) {
        say(`  ${name}: could not be measured: ${(error as Error).message}`);
      } finally {
        await db.drop();
      }
    }
  });
}

if (require.main === module) {
  const [mode, lib, url] = process.argv.slice(2);
  (mode === 'child' ? child(lib!, url!) : main()).then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
