// Issue 16's largest case: 20,000 shops, the simulator at 150 ms per call in a process of its own
// (bench/sim-process.ts), 4 `cancel-guard worker` processes on one database, every setting at its
// default (claims every 2 minutes, orders every 10 minutes spread over the shops). Workers start right after a slot boundary; the first slot is a
// warm-up (each shop's first poll), then SCALE_20K_SLOTS slots (default 2, at least 2) are measured:
//   - shop-slots whose claims were polled twice, and not at all: counted from the simulator's call log
//     (each shop's GetClaimInfo_V3 for pending requests), never from our tables
//   - claims-poll lateness against the shop's own slot (ADR 0027: each slot of the schedule shifted by the
//     shop's phase): first claims call of the shop in its slot − its slot's start
//   - database connections: pg_stat_activity sampled every second (all, and those not idle)
//   - CPU of each worker, of PostgreSQL (postmaster + backends) and of the simulator, from /proc
//   - peak RSS (VmHWM) of each process; Qoo10 calls per second achieved
// Prints figures; never asserts. Steady state: the shops have no orders and no requests.
//   node dist/bench/scale-out-20k.js            (≈ 3 slots + set-up + wait for a slot: about 10 minutes)
// SCALE_20K_SHOPS / SCALE_20K_WORKERS / SCALE_20K_INTERVAL change the size for a dry run of the script only; the figures in
// BENCHMARKS.md are at 20,000 shops and 4 workers. Extra worker settings: SCALE_20K_ENV='{"K":"V"}'.
import { spawn, fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { Client } from 'pg';
import cronParser from 'cron-parser';
import { PROJECT_ROOT } from '../src/config/paths';
import { shopPhase } from '../src/jobs/work-queue';
import { heapFlagsForChild } from '../src/config/heap-flags';
import { cronForInterval, loadConfig } from '../src/config/config';
import { CredentialsCipher } from '../src/persistence/credentials-cipher';
import { ShopRepository } from '../src/persistence/shop-repository';
import { defaultShopPolicy } from '../src/compose';
import { createBenchDatabase, withBenchServer } from './bench-db';
import { BENCH_ADMIN_TOKEN, BENCH_SECRET } from './bench-world';
import { loadAverage, machineLine, mib, runAsScript, say, seconds, summarize } from './bench-stats';
import { cpuSecondsOf, parentOf, peakRssOf, serverCpuSeconds } from './process-sampler';
import type { BenchFigure } from './bench-report';
import type { SimMessage, SimReport } from './sim-process';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const SHOPS = Number(process.env.SCALE_20K_SHOPS ?? 20_000);
const WORKERS = Number(process.env.SCALE_20K_WORKERS ?? 4);
const MEASURED_SLOTS = Math.max(2, Number(process.env.SCALE_20K_SLOTS ?? 2));
const LATENCY_MS = 150;
/** The claims interval at its default (POLL_CLAIMS_INTERVAL 2m); SCALE_20K_INTERVAL for a dry run. */
const INTERVAL = process.env.SCALE_20K_INTERVAL ?? '2m';
const SCHEDULE = cronForInterval(INTERVAL) ?? '*/2 * * * *';
const EXTRA_ENV: Record<string, string> = JSON.parse(process.env.SCALE_20K_ENV ?? '{}');
const KEY_PREFIX = `bench20k-sak-${process.pid}-`;
const CONNECTION_TARGET = 100;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

const nextTick = (at: Date): Date => cronParser.parseExpression(SCHEDULE, { currentDate: at }).next().toDate();

interface SimChild {
  child: ChildProcess;
  url: string;
  report(): Promise<SimReport>;
}

/** The simulator in its own process, holding `shops` empty shops. */
async function startSimProcess(shops: number): Promise<SimChild> {
  const child = fork(resolve(PROJECT_ROOT, 'dist/bench/sim-process.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T extends SimMessage['type']>(type: T) =>
    new Promise<Extract<SimMessage, { type: T }>>((done, fail) => {
      const onMessage = (message: SimMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        done(message as Extract<SimMessage, { type: T }>);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => fail(new Error(`the simulator process exited (${code})`)));
    });
  const ready = next('ready');
  child.send({ type: 'setup', shops, keyPrefix: KEY_PREFIX, latencyMs: LATENCY_MS });
  const { url } = await ready;
  return {
    child,
    url,
    async report() {
      const answer = next('report');
      child.send({ type: 'report' });
      return (await answer).report;
    },
  };
}

/**
 * A `cancel-guard worker` process at default settings. (bench/scale-out.ts has the same few lines for
 * its short-slot runs; not shared, so that file stays its owner's and these defaults stay visible here.)
 */
function startWorker(dbUrl: string, simUrl: string): ChildProcess {
  // With the heap flags given here the worker is not relaunched (heap-flags.ts): the pid read is the service's.
  const heap = heapFlagsForChild();
  return spawn(process.execPath, [...heap.nodeArgs, CLI, 'worker'], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      ...heap.env,
      DATABASE_URL: dbUrl,
      QOO10_API_BASE_URL: simUrl,
      CREDENTIALS_SECRET: BENCH_SECRET,
      ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
      AUTO_DECISIONS: 'accept,refuse,seller-fault',
      DATA_DIR: mkdtempSync(resolve(tmpdir(), 'cg-bench-20k-')),
      LOG_LEVEL: 'error',
      ...(process.env.SCALE_20K_INTERVAL ? { POLL_CLAIMS_INTERVAL: INTERVAL } : {}),
      ...EXTRA_ENV,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Stores the shops in the database, `parallel` at a time, as the service stores a shop's key. */
async function storeShops(shops: ShopRepository, count: number, parallel = 12): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        await shops.ensureShopForKey({ name: `ベンチ店${i}`, sellerAuthKey: `${KEY_PREFIX}${i}`, isDemo: false });
      }
    }),
  );
}

/**
 * One poll makes one pending-claims call, or several back to back (a first poll looks back further than
 * one call's 90-day window): one poll's calls search different windows. So a call starts a new poll when
 * it is POLL_GAP_MS or more after the previous call, or when it searches a window the current poll already
 * searched (a second poll repeats the windows of the first, however soon after it).
 */
const POLL_GAP_MS = 20_000;
function pollsOf(callTimes: readonly number[], windows: readonly string[]): number[] {
  const calls = callTimes.map((at, i) => ({ at, window: windows[i] ?? '' })).sort((a, b) => a.at - b.at);
  const polls: number[] = [];
  let last = Number.NEGATIVE_INFINITY;
  let searched = new Set<string>();
  for (const { at, window } of calls) {
    if (at - last >= POLL_GAP_MS || searched.has(window)) {
      polls.push(at);
      searched = new Set();
    }
    searched.add(window);
    last = at;
  }
  return polls;
}

interface Sample {
  at: number;
  connections: number;
  notIdle: number;
  byApp: Record<string, number>;
  /** The start of each active statement's text (a poor man's profile of what the server works on). */
  active: string[];
}

/** Samples pg_stat_activity for the database every second until stopped. */
function sampleConnections(adminUrl: string, dbName: string): { samples: Sample[]; postmaster: Promise<number | null>; stop(): Promise<void> } {
  const samples: Sample[] = [];
  const client = new Client({ connectionString: adminUrl, application_name: 'bench-sampler' });
  let stopped = false;
  const connected = client.connect();
  const postmaster = connected.then(async () => parentOf((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid));
  const loop = (async () => {
    await connected;
    while (!stopped) {
      const { rows } = await client.query(
        `SELECT coalesce(application_name, '') AS app, state, count(*)::int AS n,
                array_agg(left(regexp_replace(query, '\\s+', ' ', 'g'), 90)) FILTER (WHERE state = 'active') AS active
           FROM pg_stat_activity
          WHERE datname = $1 AND application_name <> 'cancel-guard-bench' GROUP BY 1, 2`,
        [dbName],
      );
      const active: string[] = [];
      const byApp: Record<string, number> = {};
      let connections = 0;
      let notIdle = 0;
      for (const row of rows as Array<{ app: string; state: string | null; n: number; active: string[] | null }>) {
        active.push(...(row.active ?? []));
        connections += row.n;
        if (row.state !== 'idle') notIdle += row.n;
        byApp[row.app] = (byApp[row.app] ?? 0) + row.n;
      }
      samples.push({ at: Date.now(), connections, notIdle, byApp, active });
      await sleep(1_000);
    }
  })();
  return {
    samples,
    postmaster,
    async stop() {
      stopped = true;
      await loop.catch(() => undefined);
      await client.end();
    },
  };
}

/**
 * BENCH_PG_STATEMENTS=1 (the server started with pg_stat_statements): resets the counters now; read()
 * lists the statements of the bench database by total execution time since.
 */
async function statementProfile(dbUrl: string): Promise<{ read(): Promise<string[]> }> {
  const client = new Client({ connectionString: dbUrl, application_name: 'bench-profile' });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await client.query('SELECT pg_stat_statements_reset()');
  return {
    async read() {
      try {
        const { rows } = await client.query(
          `SELECT calls, total_exec_time AS total, mean_exec_time AS mean, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
           FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
           ORDER BY total_exec_time DESC LIMIT 20`,
        );
        const all = rows.reduce((sum: number, row: { total: number }) => sum + Number(row.total), 0);
        return rows.map((row: { calls: string; total: number; mean: number; query: string }) =>
          `${(Number(row.total) / 1000).toFixed(1)} s (${((100 * Number(row.total)) / all).toFixed(0)} % of the top 20), ${row.calls} calls, mean ${Number(row.mean).toFixed(2)} ms: ${row.query}`,
        );
      } finally {
        await client.end();
      }
    },
  };
}

/** Each bench shop's claims phase, by its index in the simulator (its name is ベンチ店<index>). */
async function shopPhasesByIndex(dbUrl: string): Promise<number[]> {
  const client = new Client({ connectionString: dbUrl });
  await client.connect();
  try {
    const { rows } = await client.query(`SELECT id, name FROM shops`);
    const phases: number[] = [];
    for (const row of rows as Array<{ id: string; name: string }>) {
      const index = Number(/(\d+)$/.exec(row.name)?.[1]);
      if (Number.isInteger(index)) phases[index] = shopPhase(String(row.id));
    }
    return phases;
  } finally {
    await client.end();
  }
}

/** CPU seconds of each watched process at one moment. */
function cpuNow(pids: Record<string, number | null>, postmaster: number | null): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, pid] of Object.entries(pids)) out[name] = pid === null ? null : cpuSecondsOf(pid);
  out.postgres = postmaster === null ? null : serverCpuSeconds(postmaster);
  return out;
}

/** The poll counter's self-test: it must see a double poll within seconds, and one poll's two windows as one. */
function selfTestPollCounter(): void {
  const cases: Array<[number[], string[], number]> = [
    [[0, 400], ['2026-09-01', '2026-11-30'], 1],
    [[0, 400], ['2026-11-30', '2026-11-30'], 2],
    [[0, 400, 3_000, 3_300], ['2026-09-01', '2026-11-30', '2026-09-01', '2026-11-30'], 2],
    [[0, 25_000], ['2026-11-30', '2026-12-01'], 2],
  ];
  for (const [times, windows, polls] of cases) {
    if (pollsOf(times, windows).length !== polls) throw new Error(`poll counter self-test failed on ${JSON.stringify([times, windows])}`);
  }
}

export async function main(): Promise<BenchFigure[]> {
  selfTestPollCounter();
  return withBenchServer(async (server) => {
    const figures: BenchFigure[] = [];
    say(`scale-out at 20,000 shops: ${SHOPS} shops, ${WORKERS} worker processes, ${LATENCY_MS} ms per call, claims every ${INTERVAL} ("${SCHEDULE}"), ${MEASURED_SLOTS} measured slots after a warm-up`);
    say(`  machine: ${machineLine()}; database: ${server.description}`);
    if (SHOPS !== 20_000 || WORKERS !== 4) say('  NOTE: not the issue\'s size (20,000 shops, 4 workers): a dry run of the script, not a figure');
    const db = await createBenchDatabase(server.adminUrl, { poolSize: 14 });
    const dbName = new URL(db.url).pathname.slice(1);
    const sim = await startSimProcess(SHOPS);
    const workers: ChildProcess[] = [];
    try {
      const setupStarted = Date.now();
      const config = loadConfig({ ADMIN_TOKEN: BENCH_ADMIN_TOKEN, LOG_LEVEL: 'silent' });
      await storeShops(new ShopRepository(db.dataSource, new CredentialsCipher(BENCH_SECRET), { policy: defaultShopPolicy(config) }), SHOPS);
      say(`  ${SHOPS} shops stored in ${seconds(Date.now() - setupStarted)}; simulator pid ${sim.child.pid} at ${sim.url}`);

      // Start right after a slot boundary, so the warm-up slot is whole.
      const firstSlot = nextTick(new Date());
      await sleep(firstSlot.getTime() - Date.now() + 300);
      const sampler = sampleConnections(server.adminUrl, dbName);
      for (let i = 0; i < WORKERS; i++) workers.push(startWorker(db.url, sim.url));
      const postmaster = await sampler.postmaster;
      const slots: Date[] = [firstSlot];
      for (let i = 0; i <= MEASURED_SLOTS; i++) slots.push(nextTick(slots[slots.length - 1]!));
      // slots[1..MEASURED_SLOTS] are measured; slots[MEASURED_SLOTS + 1] is where measuring ends.
      const measureFrom = slots[1]!.getTime();
      const measureTo = slots[MEASURED_SLOTS + 1]!.getTime();
      const pids: Record<string, number | null> = { simulator: sim.child.pid ?? null, harness: process.pid };
      workers.forEach((w, i) => (pids[`worker ${i + 1}`] = w.pid ?? null));
      say(`  workers started at ${new Date().toISOString()} (pids ${workers.map((w) => w.pid).join(', ')}; postmaster ${postmaster}); warm-up slot ${firstSlot.toISOString()}, measuring ${new Date(measureFrom).toISOString()} – ${new Date(measureTo).toISOString()}`);

      await sleep(measureFrom - Date.now());
      const profile = process.env.BENCH_PG_STATEMENTS ? await statementProfile(db.url) : null;
      const cpuStart = cpuNow(pids, postmaster);
      const loads: string[] = [loadAverage()];
      while (Date.now() < measureTo) {
        await sleep(Math.min(30_000, measureTo - Date.now()));
        loads.push(loadAverage());
      }
      const cpuEnd = cpuNow(pids, postmaster);
      const profileLines = profile ? await profile.read() : [];
      // Each shop's slots are shifted by its phase (ADR 0027): its last measured slot ends up to one interval
      // after measureTo, so the call log is read one interval later (CPU, connections and profile above are
      // over [measureFrom, measureTo)).
      await sleep(Math.max(0, measureTo + (measureTo - measureFrom) / MEASURED_SLOTS - Date.now()));
      const peaks = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === null ? null : peakRssOf(pid)]));
      const report = await sim.report();
      await sampler.stop();
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(workers.map((w) => (w.exitCode === null ? new Promise((done) => w.once('exit', done)) : null)));

      // Claims polls per shop per measured slot (the shop's own: its phase into each), from the simulator's call log.
      const phases = await shopPhasesByIndex(db.url);
      const lateness: number[] = [];
      let twice = 0;
      let missed = 0;
      const perSlot: string[] = [];
      for (let s = 1; s <= MEASURED_SLOTS; s++) {
        const from = slots[s]!.getTime();
        const to = slots[s + 1]!.getTime();
        let slotTwice = 0;
        let slotMissed = 0;
        const slotLate: number[] = [];
        for (const [index, calls] of report.claimPolls.entries()) {
          // The shop's own slot within this interval of the schedule.
          const phase = Math.floor(phases[index]! * (to - from));
          const inSlot = pollsOf(calls, report.claimWindows[index] ?? []).filter((t) => t >= from + phase && t < to + phase);
          if (inSlot.length === 0) slotMissed += 1;
          else slotLate.push(Math.min(...inSlot) - from - phase);
          if (inSlot.length > 1) slotTwice += 1;
        }
        twice += slotTwice;
        missed += slotMissed;
        lateness.push(...slotLate);
        const l = summarize(slotLate);
        perSlot.push(`slot ${new Date(from).toISOString().slice(11, 19)}: polled ${slotLate.length}, missed ${slotMissed}, twice ${slotTwice}, lateness p50 ${seconds(l.p50)} p99 ${seconds(l.p99)} max ${seconds(l.max)}`);
      }
      const l = summarize(lateness);
      const shopSlots = SHOPS * MEASURED_SLOTS;
      // A missed shop-slot counts as late as the whole interval, at least (as bench/scale-out.ts counts it).
      const interval = measureTo - measureFrom;
      const withMissed = summarize([...lateness, ...Array.from({ length: missed }, () => interval / MEASURED_SLOTS)]);
      const measuredSeconds = (measureTo - measureFrom) / 1000;
      const callsInWindow = Object.entries(report.callsPerSecond)
        .filter(([second]) => Number(second) * 1000 >= measureFrom && Number(second) * 1000 < measureTo)
        .reduce((sum, [, n]) => sum + n, 0);
      const samples = sampler.samples.filter((s) => s.at >= measureFrom && s.at < measureTo);
      const peakConnections = Math.max(0, ...samples.map((s) => s.connections));
      const peakNotIdle = Math.max(0, ...samples.map((s) => s.notIdle));
      const meanConnections = samples.reduce((sum, s) => sum + s.connections, 0) / Math.max(1, samples.length);
      const peakSample = samples.find((s) => s.connections === peakConnections);
      const cpu = Object.fromEntries(
        Object.keys(cpuStart).map((name) => {
          const a = cpuStart[name];
          const b = cpuEnd[name];
          return [name, a === null || a === undefined || b === null || b === undefined ? null : (100 * (b - a)) / measuredSeconds];
        }),
      );
      const cpuLine = Object.entries(cpu).map(([name, pct]) => `${name} ${pct === null ? 'n/a' : `${pct.toFixed(0)} %`}`).join(', ');
      const rssLine = Object.entries(peaks).map(([name, bytes]) => `${name} ${bytes === null ? 'n/a' : mib(bytes)}`).join(', ');

      say(`  measured ${MEASURED_SLOTS} slots (${measuredSeconds.toFixed(0)} s), load average during: ${loads.join(' → ')}`);
      for (const line of perSlot) say(`    ${line}`);
      say(`  shop-slots: ${shopSlots}; polled twice in one slot: ${twice}; not polled: ${missed}`);
      say(`  claims-poll lateness (polled shop-slots): p50 ${seconds(l.p50)}  p99 ${seconds(l.p99)}  max ${seconds(l.max)}; counting a missed shop-slot as one interval: p50 ${seconds(withMissed.p50)}  p99 ${seconds(withMissed.p99)}`);
      const slotSeconds = interval / MEASURED_SLOTS / 1000;
      say(
        `  Qoo10 calls in the window: ${callsInWindow} (${(callsInWindow / measuredSeconds).toFixed(0)}/s); claims polls ${lateness.length} ` +
          `(${(lateness.length / measuredSeconds).toFixed(0)}/s; every shop every slot needs ${(SHOPS / slotSeconds).toFixed(0)}/s); failed calls (whole run): ${report.failedCalls}`,
      );
      say(`  calls by method (whole run): ${Object.entries(report.callsByMethod).map(([m, n]) => `${m} ${n}`).join(', ')}`);
      say(`  database connections (sampled each second, ${samples.length} samples): peak ${peakConnections} (not idle: peak ${peakNotIdle}), mean ${meanConnections.toFixed(0)}; at the peak by application: ${JSON.stringify(peakSample?.byApp ?? {})}`);
      say(`  CPU (% of one core over the measured window): ${cpuLine}`);
      const statements = new Map<string, number>();
      for (const sample of samples) for (const q of sample.active) statements.set(q, (statements.get(q) ?? 0) + 1);
      const top = [...statements.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
      say(`  statements seen active (per-second samples; top ${top.length} of ${statements.size}):`);
      for (const [q, n] of top) say(`    ${n}× ${q}`);
      say(`  peak RSS: ${rssLine}`);
      if (profileLines.length > 0) say(`  statements by total time in PostgreSQL over the measured window (pg_stat_statements):`);
      for (const line of profileLines) say(`    ${line}`);

      const loadNote = `load ${loads[0]} → ${loads[loads.length - 1]}`;
      figures.push({ bench: 'scale-out-20k', figure: '20,000 shops, 4 workers, 150 ms/call: shop-slots polled twice in one interval', value: `${twice} of ${shopSlots} (${loadNote})`, target: '0', met: twice === 0 });
      figures.push({ bench: 'scale-out-20k', figure: '20,000 shops, 4 workers: shop-slots not polled in their interval', value: `${missed} of ${shopSlots}`, target: '0 (every shop every interval)', met: missed === 0 });
      figures.push({ bench: 'scale-out-20k', figure: '20,000 shops, 4 workers: claims-poll lateness p99 (polled shop-slots)', value: `${seconds(l.p99)} (p50 ${seconds(l.p50)})`, target: '≤ 30 s', met: l.p99 <= 30_000 && missed === 0 });
      figures.push({ bench: 'scale-out-20k', figure: '20,000 shops, 4 workers: database connections, peak', value: String(peakConnections), target: `≤ ${CONNECTION_TARGET}`, met: peakConnections <= CONNECTION_TARGET });
      return figures;
    } finally {
      for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
      sim.child.disconnect();
      await db.drop();
    }
  });
}

if (require.main === module) runAsScript(main);
