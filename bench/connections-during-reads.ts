// Benchmark (issue 16, "no connection held across a Qoo10 call"): while poll cycles decide and act on cancel
// requests with the simulator at 150 ms per call, how long are the service's connections "idle in
// transaction" (a transaction left open while the process waits, typically on Qoo10)? A separate
// connection samples pg_stat_activity of the bench database every few milliseconds; the figure is the sum
// over samples of connections idle in a transaction × the sampling interval, per decided request, and the
// most seen at once. One shop, the service composed as compose.ts does, real HTTP to the simulator.
// Run: npm run build && node dist/bench/connections-during-reads.js   Prints figures; never asserts.
import { Client } from 'pg';
import { createBenchWorld } from './bench-world';
import { withBenchServer } from './bench-db';
import { loadAverage, say } from './bench-stats';

const LATENCY_MS = 150;
const CYCLES = Number(process.env.CONN_CYCLES ?? 4);
const PER_CYCLE = 5;
const SAMPLE_MS = 5;

async function main(): Promise<void> {
  await withBenchServer(async (server) => {
    const world = await createBenchWorld({ adminUrl: server.adminUrl, shops: 1, poolPerKind: Math.ceil((CYCLES * PER_CYCLE) / 3) + 2 });
    const watcher = new Client({ connectionString: world.db.url });
    await watcher.connect();
    try {
      const shop = world.shops[0]!;
      const { services } = world.compose({ QOO10_MIN_INTERVAL_MS: '0' });
      await services.pipeline.runCycle(); // the first poll reads the month: unmeasured, no latency
      world.sim.setFaults({ latencyMs: LATENCY_MS });
      const load = loadAverage();
      let samples = 0;
      let idleInTransaction = 0;
      let most = 0;
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const { rows } = await watcher.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`,
          );
          samples += 1;
          idleInTransaction += rows[0]!.n;
          most = Math.max(most, rows[0]!.n);
          await new Promise((done) => setTimeout(done, SAMPLE_MS));
        }
      })();
      const started = Date.now();
      let decided = 0;
      for (let c = 0; c < CYCLES; c += 1) {
        world.openRequests(shop, PER_CYCLE);
        const reports = await services.pipeline.runCycle();
        if (reports.some((r) => r.status !== 'ok')) throw new Error(`cycle failed: ${JSON.stringify(reports)}`);
        decided += PER_CYCLE;
      }
      const elapsed = Date.now() - started;
      sampling = false;
      await sampler;
      const sampleMs = elapsed / samples;
      const connectionMs = idleInTransaction * sampleMs;
      say(`connections-during-reads (${server.description}); ${CYCLES} cycles × ${PER_CYCLE} requests, ${LATENCY_MS} ms per Qoo10 call (load ${load})`);
      say(`  ${samples} samples, one every ${sampleMs.toFixed(1)} ms over ${elapsed} ms`);
      say(`  idle in transaction: ${connectionMs.toFixed(0)} connection-ms in all, ${(connectionMs / decided).toFixed(0)} ms per request; at most ${most} at once`);
    } finally {
      await watcher.end();
      world.sim.setFaults({});
      await world.close();
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`connections-during-reads benchmark failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
