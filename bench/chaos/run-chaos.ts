// `npm run chaos`: the reliability harness at full size, bounded in time. Scenarios: SIGKILL at random
// moments of poll cycles; the simulator's faults at a high rate, "apply, then lose the answer" included
// (with kills, bulk tracking, an expired key); issue 12's hand-over scenario (an outage leaves a cancel
// unsent, the shop hands the parcel over, Qoo10 recovers) with kills; two daemons on one database; the
// bad-input sweep against a running daemon; the Qoo10 bad-data sweep (bad-data-sweep.ts: every field of
// every read method served hostile); and the same with the service as it runs for many shops (issue 16,
// test/helpers/chaos-workers.ts): two `worker` processes and a `start` on one database, SIGKILLed in the
// middle of a Qoo10 call and restarted (workers: no faults; workers-faults: high fault rate;
// workers-handover: the hand-over scenario). Each ends with the invariants (test/helpers/chaos-world.ts,
// chaos-truth.ts; with workers also the poll cadence). Prints a table per invariant; exits 1 on any
// violation. RELIABILITY.md explains it.
//
// `npm run chaos -- --self-test`: the hand-over scenario without defects, then once per known defect
// switched on (CANCEL_GUARD_TEST_DEFECTS), polled by `poll --once` and then by the worker fleet; exits 1
// when a defect goes undetected.
//
//   node dist/bench/chaos/run-chaos.js [--minutes 10] [--kills 50] [--seed 20261122] [--only sigkill,faults,handover,two-daemons,bad-input,bad-data,workers,workers-faults,workers-handover]
//   node dist/bench/chaos/run-chaos.js --self-test [--seed 20261122]
// Environment: CHAOS_MINUTES, CHAOS_KILLS, CHAOS_SEED; the database server as for the benchmarks
// (BENCH_DATABASE_URL / TEST_DATABASE_URL, else an embedded PostgreSQL).
import { parseArgs } from 'node:util';
import { createBenchDatabase, startBenchServer } from '../bench-db';
import { loadAverage, machineLine, say, seconds } from '../bench-stats';
import { HIGH_FAULTS, faultsScenario, sigkillScenario, twoDaemonsScenario, type ScenarioResult } from '../../test/helpers/chaos-scenarios';
import { workersScenario } from '../../test/helpers/chaos-workers';
import { badInputScenario } from '../../test/helpers/chaos-bad-input';
import { badDataScenario } from './bad-data-sweep';
import { handoverScenario, selfTest, type SelfTestRow } from '../../test/helpers/chaos-money-safety';
import { INVARIANTS, invariantOf, tallyByInvariant } from '../../test/helpers/chaos-truth';

const SCENARIOS = ['sigkill', 'faults', 'handover', 'two-daemons', 'bad-input', 'bad-data', 'workers', 'workers-faults', 'workers-handover'] as const;
type Scenario = (typeof SCENARIOS)[number];
type Db = Awaited<ReturnType<typeof createBenchDatabase>>;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      only: { type: 'string' },
      'self-test': { type: 'boolean' },
    },
    strict: true,
  });
  const minutes = Number(values.minutes ?? process.env.CHAOS_MINUTES ?? 10);
  const kills = Number(values.kills ?? process.env.CHAOS_KILLS ?? 50);
  const seed = Number(values.seed ?? process.env.CHAOS_SEED ?? 20261122);
  if (!(minutes > 0) || !(kills >= 0) || !Number.isInteger(seed)) throw new Error('--minutes > 0, --kills ≥ 0 and an integer --seed are required');
  const server = await startBenchServer();
  try {
    say(`machine: ${machineLine()}; database: ${server.description}`);
    const newDb = () => createBenchDatabase(server.adminUrl, { poolSize: 5 });
    return values['self-test'] ? await runSelfTest(newDb, seed) : await runScenarios(newDb, { minutes, kills, seed, only: values.only ?? '' });
  } finally {
    await server.stop();
  }
}

async function runScenarios(newDb: () => Promise<Db>, o: { minutes: number; kills: number; seed: number; only: string }): Promise<number> {
  const only = o.only.split(',').map((s) => s.trim()).filter(Boolean);
  const selected = SCENARIOS.filter((s) => only.length === 0 || only.includes(s));
  const startedAt = Date.now();
  const end = startedAt + o.minutes * 60_000;
  say(`cancel-guard chaos run, ${new Date().toISOString()}: ${selected.join(', ')}; ${o.minutes} min at most, ${o.kills} kills per kill scenario, seed ${o.seed}`);
  const results: ScenarioResult[] = [];
  for (const [index, scenario] of selected.entries()) {
    // Each scenario gets an equal share of the time left; loops stop early at its deadline.
    const deadline = Date.now() + (end - Date.now()) / (selected.length - index);
    say(`\n── ${scenario} (until ${new Date(deadline).toISOString().slice(11, 19)}, load ${loadAverage()})`);
    const db = await newDb();
    let result: ScenarioResult;
    try {
      result = await run(scenario, db, { kills: o.kills, seed: o.seed, deadline });
    } catch (error) {
      await db.drop().catch(() => undefined);
      result = { scenario, runs: 0, killed: 0, requests: 0, violations: [`state: the scenario could not run: ${error instanceof Error ? error.stack : String(error)}`], ms: 0, notes: [] };
    }
    results.push(result);
    printDetails(result);
  }
  say(`\n| scenario | runs | SIGKILLs | faulted calls | requests / cases | ${INVARIANTS.join(' | ')} | time |`);
  say(`| --- | --- | --- | --- | --- | ${INVARIANTS.map(() => '---').join(' | ')} | --- |`);
  for (const r of results) {
    const tally = tallyByInvariant(r.violations);
    say(`| ${r.scenario} | ${r.runs} | ${r.killed} | ${r.faults ?? '–'} | ${r.requests} | ${INVARIANTS.map((i) => tally[i]).join(' | ')} | ${seconds(r.ms)} |`);
  }
  const total = results.reduce((sum, r) => sum + r.violations.length, 0);
  const killed = results.reduce((sum, r) => sum + r.killed, 0);
  say(`\n${killed} SIGKILLs in total; ${total === 0 ? 'no violations' : `${total} violation(s)`} in ${seconds(Date.now() - startedAt)} (load ${loadAverage()})`);
  return total === 0 ? 0 : 1;
}

function printDetails(result: ScenarioResult): void {
  for (const note of result.notes) say(`  ${note}`);
  // The first few of each invariant, so one noisy invariant does not hide the others.
  for (const invariant of INVARIANTS) {
    const found = result.violations.filter((v) => invariantOf(v) === invariant);
    for (const violation of found.slice(0, 12)) say(`  VIOLATION ${violation}`);
    if (found.length > 12) say(`  … ${found.length - 12} more ${invariant} violations`);
  }
  say(`  ${result.runs} runs (${result.killed} killed), ${result.requests} requests, ${result.violations.length} violations, ${seconds(result.ms)}`);
}

function run(scenario: Scenario, db: Db, o: { kills: number; seed: number; deadline: number }): Promise<ScenarioResult> {
  switch (scenario) {
    case 'sigkill':
      return sigkillScenario(db, { shops: 3, perKind: 2, laterPerKind: Math.ceil(o.kills / 4) + 2, seed: o.seed, deadline: o.deadline, kills: o.kills, maxKillMs: 2500 });
    case 'faults':
      return faultsScenario(db, { shops: 3, perKind: 2, laterPerKind: Math.ceil(o.kills / 4) + 2, seed: o.seed + 1, deadline: o.deadline, kills: o.kills, maxKillMs: 4000 });
    case 'handover':
      return handoverScenario(db, { shops: 3, perKind: 2, laterPerKind: Math.ceil(o.kills / 8) + 2, seed: o.seed + 3, deadline: o.deadline, kills: Math.ceil(o.kills / 5), maxKillMs: 2500 });
    case 'two-daemons':
      return twoDaemonsScenario(db, { shops: 4, perKind: 2, laterPerKind: 40, seed: o.seed + 2, deadline: o.deadline, rounds: 12, startSeconds: 25 });
    case 'bad-input':
      return badInputScenario(db);
    case 'bad-data':
      return badDataScenario(db, o.deadline);
    case 'workers':
      return workersScenario(db, { shops: 4, perKind: 2, laterPerKind: Math.ceil(o.kills / 4) + 2, seed: o.seed + 4, deadline: o.deadline, kills: o.kills });
    case 'workers-faults':
      return workersScenario(db, { shops: 4, perKind: 2, laterPerKind: Math.ceil(o.kills / 4) + 2, seed: o.seed + 5, deadline: o.deadline, kills: o.kills, faults: HIGH_FAULTS });
    case 'workers-handover':
      return handoverScenario(db, { shops: 3, perKind: 2, laterPerKind: Math.ceil(o.kills / 8) + 2, seed: o.seed + 6, deadline: o.deadline, kills: Math.ceil(o.kills / 5), runner: 'workers', name: 'workers-handover' });
  }
}

async function runSelfTest(newDb: () => Promise<Db>, seed: number): Promise<number> {
  const startedAt = Date.now();
  say(`cancel-guard chaos self-test, ${new Date().toISOString()}: the hand-over scenario without defects, then with each known defect on, polled by poll --once and by a worker fleet; seed ${seed}`);
  const rows: Array<SelfTestRow & { runner: string }> = [];
  for (const runner of ['poll-once', 'workers'] as const) {
    const size = { shops: 2, perKind: 1, laterPerKind: 1, seed, deadline: Date.now() + 10 * 60_000, runner };
    const runnerRows = await selfTest(newDb, size, undefined, (row) => {
      say(`\n── ${runner}: ${row.defect === 'none' ? 'control (no defect)' : `defect ${row.defect}`}`);
      printDetails(row.result);
    });
    rows.push(...runnerRows.map((row) => ({ ...row, runner })));
  }
  say(`\n| polled by | defect switched on | must break | ${INVARIANTS.join(' | ')} | detected |`);
  say(`| --- | --- | --- | ${INVARIANTS.map(() => '---').join(' | ')} | --- |`);
  for (const row of rows) say(`| ${row.runner} | ${row.defect} | ${row.expected ?? '(control)'} | ${INVARIANTS.map((i) => row.byInvariant[i]).join(' | ')} | ${verdict(row)} |`);
  const missed = rows.filter((row) => !row.detected);
  for (const control of rows.filter((row) => row.defect === 'none' && row.result.violations.length > 0)) {
    say(`\nThe ${control.runner} control run (no defect) has ${control.result.violations.length} violation(s): the product breaks these invariants by`);
    say('itself, so a detection in the same invariant proves less until those are fixed.');
  }
  say(`\n${missed.length === 0 ? 'every defect detected' : `UNDETECTED: ${missed.map((r) => `${r.defect} (${r.runner})`).join(', ')}`} in ${seconds(Date.now() - startedAt)} (load ${loadAverage()})`);
  return missed.length === 0 ? 0 : 1;
}

function verdict(row: SelfTestRow): string {
  if (row.expected === null) return row.result.violations.length === 0 ? 'clean' : 'not clean';
  return row.detected ? 'yes' : 'NO';
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos run failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
