// `npm run bench`: every benchmark in sequence on one database server, then a summary table with the
// target beside each figure (Markdown, ready for BENCHMARKS.md). Benchmarks print figures; they never
// assert. The exit code is non-zero only when a benchmark could not run.
//
// BENCH_ONLY=decision-latency,memory runs a subset; BENCH_QUICK=1 shrinks every size (a smoke run,
// figures not comparable). The server: BENCH_DATABASE_URL / TEST_DATABASE_URL or an embedded PostgreSQL.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startBenchServer } from './bench-db';
import { loadAverage, machineLine, say, seconds } from './bench-stats';
import { figureTable, type BenchFigure } from './bench-report';
import { main as decisionLatency } from './decision-latency';
import { main as pollThroughput } from './poll-throughput';
import { main as ingest } from './ingest';
import { main as memory } from './memory';
import { main as tracking } from './tracking';
import { main as rateQuery } from './rate-query';
import { main as scaleOut } from './scale-out';

type Bench = { name: string; run: () => Promise<BenchFigure[]> };

/** Runs a benchmark that only prints, keeping what it printed so its figures can be read back. */
async function capturing(run: () => Promise<void>): Promise<string> {
  let captured = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return captured;
}

const number = (text: string, pattern: RegExp): number | null => {
  const match = pattern.exec(text);
  return match ? Number(match[1]) : null;
};

async function trackingFigures(): Promise<BenchFigure[]> {
  const out = await capturing(tracking);
  const singleP50 = number(out, /arrival → answer \(sent\+recorded\) p50 ([\d.]+) ms/);
  const singleP99 = number(out, /arrival → answer \(sent\+recorded\) p50 [\d.]+ ms\s+p99 ([\d.]+) ms/);
  const importMs = number(out, /arrival → answer \(all recorded\)\s+([\d.]+) ms/);
  const bulkCalls = number(out, /\((\d+) SetSendingInfoBulk calls\)/) ?? 10;
  const figures: BenchFigure[] = [
    {
      bench: 'tracking',
      figure: 'one tracking number, arrival → Qoo10 answered and recorded (latency subtracted)',
      value: `p50 ${singleP50 ?? '?'} ms, p99 ${singleP99 ?? '?'} ms + 1 call's latency`,
      target: '(information)',
      met: null,
    },
  ];
  if (importMs !== null) {
    const at150 = importMs + bulkCalls * 150;
    figures.push({
      bench: 'tracking',
      figure: '5,000-row label CSV import, end to end',
      value: `${(importMs / 1000).toFixed(1)} s own work (latency subtracted); at 150 ms/call ≈ ${(at150 / 1000).toFixed(1)} s (${bulkCalls} bulk calls × 150 ms added)`,
      target: '< 60 s at 150 ms',
      met: at150 < 60_000,
    });
  }
  return figures;
}

async function rateFigures(): Promise<BenchFigure[]> {
  const out = await capturing(rateQuery);
  const monthP50 = number(out, /month reads\s+x\d+: p50 ([\d.]+) ms/);
  const monthP99 = number(out, /month reads\s+x\d+: .*p99 ([\d.]+) ms/);
  const p50 = number(out, /monthlyRate\s+x\d+: p50 ([\d.]+) ms/);
  const p99 = number(out, /monthlyRate\s+x\d+: .*p99 ([\d.]+) ms/);
  const floor = number(out, /SELECT 1\s+x\d+: .*p99 ([\d.]+) ms/);
  return [
    {
      bench: 'rate-query',
      figure: 'monthly rate reads, 1,000,000 orders and 60,000 cancels in the month',
      value: `p50 ${monthP50 ?? '?'} ms, p99 ${monthP99 ?? '?'} ms (an empty round trip: p99 ${floor ?? '?'} ms)`,
      target: 'p99 ≤ 5 ms',
      met: monthP99 !== null && monthP99 <= 5,
    },
    {
      bench: 'rate-query',
      figure: 'rate report with the quarter and the penalty tier (quarter: 2,000,000 orders)',
      value: `p50 ${p50 ?? '?'} ms, p99 ${p99 ?? '?'} ms`,
      target: 'p99 ≤ 10 ms',
      met: p99 !== null && p99 <= 10,
    },
  ];
}

const BENCHES: Bench[] = [
  { name: 'decision-latency', run: decisionLatency },
  { name: 'poll-throughput', run: pollThroughput },
  { name: 'tracking', run: trackingFigures },
  { name: 'rate-query', run: rateFigures },
  { name: 'ingest', run: ingest },
  { name: 'memory', run: memory },
  { name: 'scale-out', run: scaleOut },
];

function freeH(): string {
  try {
    return execFileSync('free', ['-h'], { encoding: 'utf8' }).split('\n')[1]?.trim().replace(/\s+/g, ' ') ?? '';
  } catch {
    return `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB total`;
  }
}

async function main(): Promise<number> {
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const selected = BENCHES.filter((b) => only.length === 0 || only.includes(b.name));
  say(`cancel-guard benchmarks, ${new Date().toISOString()}${process.env.BENCH_QUICK === '1' ? ' (BENCH_QUICK: reduced sizes, not comparable)' : ''}`);
  say(`machine: ${machineLine()}`);
  say(`memory (free -h): ${freeH()}`);
  const server = await startBenchServer();
  // The two older benchmarks read TEST_DATABASE_URL; one server serves the whole run.
  process.env.TEST_DATABASE_URL = server.adminUrl;
  process.env.BENCH_DB_DESCRIPTION = server.description;
  say(`database: ${server.description}`);
  const figures: BenchFigure[] = [];
  const statuses: Array<{ name: string; ok: boolean; ms: number; load: string; error?: string }> = [];
  try {
    for (const bench of selected) {
      say(`\n── ${bench.name} (load ${loadAverage()})`);
      const started = performance.now();
      try {
        figures.push(...(await bench.run()));
        statuses.push({ name: bench.name, ok: true, ms: performance.now() - started, load: loadAverage() });
      } catch (error) {
        const message = error instanceof Error ? error.stack ?? error.message : String(error);
        say(`  ${bench.name} failed: ${message}`);
        statuses.push({ name: bench.name, ok: false, ms: performance.now() - started, load: loadAverage(), error: message.split('\n')[0] });
      }
    }
  } finally {
    await server.stop();
  }
  say('\n── summary');
  for (const s of statuses) say(`  ${s.name.padEnd(18)} ${s.ok ? 'ok    ' : 'FAILED'} ${seconds(s.ms).padStart(8)}  load after ${s.load}${s.error ? `  ${s.error}` : ''}`);
  say(`\n${figureTable(figures)}\n`);
  return statuses.every((s) => s.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`benchmarks failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
