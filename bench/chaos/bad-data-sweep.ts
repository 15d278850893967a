// The Qoo10-side bad-data sweep at full size: every field of GetClaimInfo_V3, GetShippingInfo_v3 and
// GetShippingAndClaimInfoByOrderNo_V2 in every hostile variant (test/helpers/qoo10-bad-data-sweep.ts).
// Prints a table per method and variant and every violation; exits 1 on any. `npm run chaos` runs it as
// its `bad-data` scenario; on its own:
//
//   node dist/bench/chaos/bad-data-sweep.js [--minutes 10]
// The database server as for the benchmarks (BENCH_DATABASE_URL / TEST_DATABASE_URL, else embedded).
import { parseArgs } from 'node:util';
import { createBenchDatabase, startBenchServer } from '../bench-db';
import { machineLine, say, seconds } from '../bench-stats';
import { qoo10BadDataSweep, type SweepResult } from '../../test/helpers/qoo10-bad-data-sweep';
import { HOSTILE_VARIANTS } from '../../src/qoo10/simulator/hostile-data';
import type { ScenarioResult } from '../../test/helpers/chaos-scenarios';

/** The sweep as one chaos scenario (run-chaos.ts). */
export async function badDataScenario(db: { dataSource: Parameters<typeof qoo10BadDataSweep>[0]; drop(): Promise<void> }, deadline: number): Promise<ScenarioResult> {
  try {
    const result = await qoo10BadDataSweep(db.dataSource, { deadline });
    return { scenario: 'bad-data', runs: result.cases.length, killed: 0, requests: result.cases.length * 3, violations: result.violations, ms: result.ms, notes: summaryLines(result) };
  } finally {
    await db.drop();
  }
}

/** Cases and violations per method × variant, as a Markdown table, then how the hostile order ended. */
export function summaryLines(result: SweepResult): string[] {
  const lines = [`| method | ${HOSTILE_VARIANTS.join(' | ')} | cases | violations |`, `| --- |${' --- |'.repeat(HOSTILE_VARIANTS.length + 2)}`];
  for (const method of ['claims', 'orders', 'snapshot'] as const) {
    const cases = result.cases.filter((c) => c.method === method);
    const cell = (variant: string) => {
      const some = cases.filter((c) => c.variant === variant);
      return `${some.length}/${some.filter((c) => c.violations.length > 0).length}`;
    };
    lines.push(`| ${method} | ${HOSTILE_VARIANTS.map(cell).join(' | ')} | ${cases.length} | ${cases.filter((c) => c.violations.length > 0).length} |`);
  }
  const outcomes = new Map<string, number>();
  for (const c of result.cases) outcomes.set(c.victim, (outcomes.get(c.victim) ?? 0) + 1);
  lines.push('', 'the hostile order\'s request ended as (count): ' + [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', '));
  return lines;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { minutes: { type: 'string' } }, strict: true });
  const minutes = Number(values.minutes ?? 10);
  say(`cancel-guard Qoo10 bad-data sweep, ${new Date().toISOString()}; ${minutes} min at most`);
  say(`machine: ${machineLine()}`);
  const server = await startBenchServer();
  try {
    const db = await createBenchDatabase(server.adminUrl, { poolSize: 5 });
    const result = await badDataScenario(db, Date.now() + minutes * 60_000);
    for (const line of result.notes) say(line);
    for (const violation of result.violations) say(`VIOLATION ${violation}`);
    say(`\n${result.runs} cases (cells: cases/violations), ${result.violations.length} violations, ${seconds(result.ms)}`);
    return result.violations.length > 0 ? 1 : 0;
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
