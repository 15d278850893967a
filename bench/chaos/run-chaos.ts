// `npm run chaos`: the reliability harness at full size, bounded in time. Scenarios: SIGKILL at random
// moments of poll cycles; the simulator's faults at a high rate (with kills, bulk tracking, an expired
// key); two daemons on one database; the bad-input sweep against a running daemon; the Qoo10 bad-data
// sweep (bad-data-sweep.ts: every field of every read method served hostile). Each ends with the
// invariants (test/helpers/chaos-world.ts). Prints a summary table; exits 1 on any violation.
//
//   node dist/bench/chaos/run-chaos.js [--minutes 10] [--kills 50] [--seed 20261122] [--only sigkill,faults,two-daemons,bad-input,bad-data]
// Environment: CHAOS_MINUTES, CHAOS_KILLS, CHAOS_SEED; the database server as for the benchmarks
// (BENCH_DATABASE_URL / TEST_DATABASE_URL, else an embedded PostgreSQL).
import { parseArgs } from 'node:util';
import { createBenchDatabase, startBenchServer } from '../bench-db';
import { loadAverage, machineLine, say, seconds } from '../bench-stats';
import { faultsScenario, sigkillScenario, twoDaemonsScenario, type ScenarioResult } from '../../test/helpers/chaos-scenarios';
import { badInputScenario } from '../../test/helpers/chaos-bad-input';
import { badDataScenario } from './bad-data-sweep';

const SCENARIOS = ['sigkill', 'faults', 'two-daemons', 'bad-input', 'bad-data'] as const;
type Scenario = (typeof SCENARIOS)[number];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { minutes: { type: 'string' }, kills: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' } },
    strict: true,
  });
  const minutes = Number(values.minutes ?? process.env.CHAOS_MINUTES ?? 10);
  const kills = Number(values.kills ?? process.env.CHAOS_KILLS ?? 50);
  const seed = Number(values.seed ?? process.env.CHAOS_SEED ?? 20261122);
  const only = (values.only ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!(minutes > 0) || !(kills >= 0) || !Number.isInteger(seed)) throw new Error('--minutes > 0, --kills ≥ 0 and an integer --seed are required');
  const selected = SCENARIOS.filter((s) => only.length === 0 || only.includes(s));
  const startedAt = Date.now();
  const end = startedAt + minutes * 60_000;
  say(`cancel-guard chaos run, ${new Date().toISOString()}: ${selected.join(', ')}; ${minutes} min at most, ${kills} kills, seed ${seed}`);
  say(`machine: ${machineLine()}`);

  const server = await startBenchServer();
  const results: ScenarioResult[] = [];
  try {
    for (const [index, scenario] of selected.entries()) {
      // Each scenario gets an equal share of the time left; loops stop early at its deadline.
      const deadline = Date.now() + (end - Date.now()) / (selected.length - index);
      say(`\n── ${scenario} (until ${new Date(deadline).toISOString().slice(11, 19)}, load ${loadAverage()})`);
      const db = await createBenchDatabase(server.adminUrl, { poolSize: 5 });
      let result: ScenarioResult;
      try {
        result = await run(scenario as Scenario, db, { kills, seed, deadline });
      } catch (error) {
        await db.drop().catch(() => undefined);
        result = { scenario, runs: 0, killed: 0, requests: 0, violations: [`the scenario could not run: ${error instanceof Error ? error.stack : String(error)}`], ms: 0, notes: [] };
      }
      results.push(result);
      for (const note of result.notes) say(`  ${note}`);
      for (const violation of result.violations.slice(0, 50)) say(`  VIOLATION ${violation}`);
      if (result.violations.length > 50) say(`  … ${result.violations.length - 50} more`);
      say(`  ${result.runs} runs (${result.killed} killed), ${result.requests} requests, ${result.violations.length} violations, ${seconds(result.ms)}`);
    }
  } finally {
    await server.stop();
  }
  say(`\n| scenario | runs | killed | requests / cases | violations | time |`);
  say('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) say(`| ${r.scenario} | ${r.runs} | ${r.killed} | ${r.requests} | ${r.violations.length} | ${seconds(r.ms)} |`);
  const total = results.reduce((sum, r) => sum + r.violations.length, 0);
  say(`\n${total === 0 ? 'no violations' : `${total} violation(s)`} in ${seconds(Date.now() - startedAt)} (load ${loadAverage()})`);
  return total === 0 ? 0 : 1;
}

function run(scenario: Scenario, db: Awaited<ReturnType<typeof createBenchDatabase>>, o: { kills: number; seed: number; deadline: number }): Promise<ScenarioResult> {
  switch (scenario) {
    case 'sigkill':
      return sigkillScenario(db, { shops: 3, perKind: 2, laterPerKind: Math.ceil(o.kills / 4) + 2, seed: o.seed, deadline: o.deadline, kills: o.kills, maxKillMs: 2500 });
    case 'faults':
      return faultsScenario(db, { shops: 3, perKind: 2, laterPerKind: Math.ceil(o.kills / 4) + 2, seed: o.seed + 1, deadline: o.deadline, kills: o.kills, maxKillMs: 4000 });
    case 'two-daemons':
      return twoDaemonsScenario(db, { shops: 4, perKind: 2, laterPerKind: 40, seed: o.seed + 2, deadline: o.deadline, rounds: 12, startSeconds: 25 });
    case 'bad-input':
      return badInputScenario(db);
    case 'bad-data':
      return badDataScenario(db, o.deadline);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos run failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
