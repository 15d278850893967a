// Benchmark: how long a cancel request waits between the start of a poll cycle in which it is visible
// in Qoo10 and the moment its action (SetCancelProcess, or SetSendingInfo for a refusal) reaches Qoo10.
// The poll schedule's granularity (up to one POLL_SCHEDULE interval before that cycle starts) is left
// out on purpose: it is a setting, not work.
//
// The unavoidable part is the latency of the Qoo10 calls the cycle had to finish before that write (the
// poll's reads, the re-read of the order before deciding and before cancelling, and, in a batch, the
// calls of the requests decided before it; one shop's calls are sequential). The ratio is
// (arrival − cycle start) / (calls before the write × simulated latency).
//
// One shop, the service composed as compose.ts does (HttpQoo10Client over real HTTP to the simulator,
// real PostgreSQL), decisions accept / seller-fault / refuse in rotation.
// Run: npm run build && node dist/bench/decision-latency.js
import { appliedWriteFor, createBenchWorld, type OpenedRequest } from './bench-world';
import { withBenchServer } from './bench-db';
import { loadAverage, ms, say, summarize, type Summary } from './bench-stats';
import type { BenchFigure } from './bench-report';

interface Variant {
  label: string;
  latencyMs: number;
  minIntervalMs: number;
  singleCycles: number;
  batchCycles: number;
  batchSize: number;
}

interface Sample {
  latencyMs: number;
  callsBefore: number;
  unavoidableMs: number;
  overheadMs: number;
  ratio: number;
}

export interface LatencyResult {
  variant: Variant;
  single: { latency: Summary; overhead: Summary; ratio: Summary; calls: Summary; missing: number };
  batch: { latency: Summary; overhead: Summary; ratio: Summary; calls: Summary; missing: number };
  load: string;
}

const quick = process.env.BENCH_QUICK === '1';

export const VARIANTS: Variant[] = [
  { label: '150 ms per call, pacing 150 ms (as composed)', latencyMs: 150, minIntervalMs: 150, singleCycles: quick ? 6 : 30, batchCycles: quick ? 2 : 6, batchSize: 5 },
  { label: '0 ms per call, pacing off (our own overhead)', latencyMs: 0, minIntervalMs: 0, singleCycles: quick ? 10 : 60, batchCycles: quick ? 3 : 10, batchSize: 5 },
  { label: '0 ms per call, pacing 150 ms (the pacing floor)', latencyMs: 0, minIntervalMs: 150, singleCycles: quick ? 4 : 15, batchCycles: quick ? 1 : 4, batchSize: 5 },
];

async function measureVariant(adminUrl: string, variant: Variant): Promise<LatencyResult> {
  const perKind = Math.ceil((variant.singleCycles + variant.batchCycles * variant.batchSize) / 3) + 2;
  const world = await createBenchWorld({ adminUrl, shops: 1, poolPerKind: perKind, shippedOrders: 50 });
  try {
    const shop = world.shops[0]!;
    // The first poll of a shop reads the whole month: done once, unmeasured, without latency or pacing.
    const warm = world.compose({ QOO10_MIN_INTERVAL_MS: '0' }).services;
    await warm.pipeline.runCycle();
    const { services } = world.compose({ QOO10_MIN_INTERVAL_MS: String(variant.minIntervalMs) });
    world.sim.setFaults({ latencyMs: variant.latencyMs });
    await services.pipeline.runCycle(); // the client's connection and pacing warm up on a quiet cycle

    const runCycles = async (cycles: number, perCycle: number) => {
      const samples: Sample[] = [];
      let missing = 0;
      for (let c = 0; c < cycles; c += 1) {
        const opened: OpenedRequest[] = world.openRequests(shop, perCycle);
        const fromSeq = world.sim.calls.length;
        const startedAt = Date.now();
        const reports = await services.pipeline.runCycle();
        if (reports.some((r) => r.status !== 'ok')) throw new Error(`cycle failed: ${JSON.stringify(reports)}`);
        for (const request of opened) {
          const write = appliedWriteFor(world.sim, request.orderNo, fromSeq);
          if (!write) {
            missing += 1;
            continue;
          }
          const latency = write.at.getTime() - startedAt;
          const callsBefore = write.seq - 1 - fromSeq;
          const unavoidable = callsBefore * variant.latencyMs;
          samples.push({
            latencyMs: latency,
            callsBefore,
            unavoidableMs: unavoidable,
            overheadMs: latency - unavoidable,
            ratio: unavoidable > 0 ? latency / unavoidable : Number.NaN,
          });
        }
      }
      return {
        latency: summarize(samples.map((s) => s.latencyMs)),
        overhead: summarize(samples.map((s) => s.overheadMs)),
        ratio: summarize(samples.map((s) => s.ratio)),
        calls: summarize(samples.map((s) => s.callsBefore)),
        missing,
      };
    };
    const load = loadAverage();
    const single = await runCycles(variant.singleCycles, 1);
    const batch = await runCycles(variant.batchCycles, variant.batchSize);
    return { variant, single, batch, load };
  } finally {
    world.sim.setFaults({});
    await world.close();
  }
}

function describe(result: LatencyResult): string[] {
  const line = (name: string, part: LatencyResult['single']) => {
    const ratio = Number.isNaN(part.ratio.p50) ? '' : `  ratio to API latency p50 ${part.ratio.p50.toFixed(2)}× p99 ${part.ratio.p99.toFixed(2)}×`;
    return (
      `    ${name.padEnd(22)} n=${part.latency.n}${part.missing ? ` (${part.missing} without action!)` : ''}  ` +
      `latency p50 ${ms(part.latency.p50)} p99 ${ms(part.latency.p99)}  calls before the write p50 ${part.calls.p50}  ` +
      `own overhead p50 ${ms(part.overhead.p50)} p99 ${ms(part.overhead.p99)}${ratio}`
    );
  };
  return [
    `  ${result.variant.label}  (load ${result.load})`,
    line('1 request per cycle', result.single),
    line(`${result.variant.batchSize} requests per cycle`, result.batch),
  ];
}

export async function main(): Promise<BenchFigure[]> {
  return withBenchServer(async (server) => {
    say(`decision-latency benchmark (${server.description}); cycle start → action at Qoo10, poll schedule excluded`);
    const figures: BenchFigure[] = [];
    for (const variant of VARIANTS) {
      const result = await measureVariant(server.adminUrl, variant);
      for (const line of describe(result)) say(line);
      if (variant.latencyMs > 0) {
        figures.push({
          bench: 'decision-latency',
          figure: `decision latency at ${variant.latencyMs} ms/call (1 request/cycle)`,
          value: `p50 ${ms(result.single.latency.p50)}, p99 ${ms(result.single.latency.p99)}; ratio to API latency p50 ${result.single.ratio.p50.toFixed(2)}×, p99 ${result.single.ratio.p99.toFixed(2)}×`,
          target: 'ratio ≤ 1.5×',
          met: result.single.ratio.p99 <= 1.5 && result.single.missing === 0,
        });
        figures.push({
          bench: 'decision-latency',
          figure: `decision latency at ${variant.latencyMs} ms/call (${variant.batchSize} requests/cycle)`,
          value: `p50 ${ms(result.batch.latency.p50)}, p99 ${ms(result.batch.latency.p99)}; ratio p50 ${result.batch.ratio.p50.toFixed(2)}×, p99 ${result.batch.ratio.p99.toFixed(2)}×`,
          target: 'ratio ≤ 1.5×',
          met: result.batch.ratio.p99 <= 1.5 && result.batch.missing === 0,
        });
      } else {
        figures.push({
          bench: 'decision-latency',
          figure: `decision latency at 0 ms/call, ${variant.minIntervalMs === 0 ? 'pacing off (own overhead)' : 'pacing 150 ms'}`,
          value: `p50 ${ms(result.single.latency.p50)}, p99 ${ms(result.single.latency.p99)} over ${result.single.calls.p50} calls`,
          target: variant.minIntervalMs === 0 ? '(information)' : '(information: pacing floor)',
          met: null,
        });
      }
    }
    return figures;
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`decision-latency benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
