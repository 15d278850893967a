// The Qoo10 simulator in a process of its own, for benchmarks whose load would otherwise share the
// harness's event loop (bench/scale-out-20k.ts: 20,000 shops at 150 ms per call). Started with fork();
// driven over IPC:
//   → { type: 'setup', shops, keyPrefix, latencyMs }   adds `shops` empty shops keyed `${keyPrefix}${i}`
//   ← { type: 'ready', url }
//   → { type: 'report' }
//   ← { type: 'report', report: SimReport }           every claims poll so far, per shop, and call counts
// Each claims poll is the shop's call to GetClaimInfo_V3 for pending requests (ClaimStat 1), kept as its
// arrival time. The call record itself is folded into these figures every second and then dropped, so a
// run of hundreds of thousands of calls does not grow the process (this benchmark makes no writes).
import { keyFingerprint } from '../src/qoo10/key-fingerprint';
import { startSimulator, type SimulatorHandle } from '../src/qoo10/simulator/start-simulator';

export interface SimSetup {
  type: 'setup';
  shops: number;
  keyPrefix: string;
  latencyMs: number;
}

export interface SimReport {
  /** Per shop index: arrival times (epoch ms) of its pending-claims calls. */
  claimPolls: number[][];
  /** For each claims call in claimPolls, the start of the window it searched (search_Sdate). */
  claimWindows: string[][];
  /** Calls per method. */
  callsByMethod: Record<string, number>;
  /** Arrival times of all calls, bucketed per second (epoch second → calls). */
  callsPerSecond: Record<string, number>;
  /** Calls answered with an HTTP error or an error code. */
  failedCalls: number;
}

export type SimMessage = { type: 'ready'; url: string } | { type: 'report'; report: SimReport };

const PENDING_CLAIMS = '1';

function run(): void {
  let sim: SimulatorHandle | null = null;
  const shopOf = new Map<string, number>();
  const report: SimReport = { claimPolls: [], claimWindows: [], callsByMethod: {}, callsPerSecond: {}, failedCalls: 0 };

  const fold = () => {
    if (!sim) return;
    const calls = sim.calls.splice(0, sim.calls.length);
    for (const call of calls) {
      report.callsByMethod[call.method] = (report.callsByMethod[call.method] ?? 0) + 1;
      const second = String(Math.floor(call.at.getTime() / 1000));
      report.callsPerSecond[second] = (report.callsPerSecond[second] ?? 0) + 1;
      if (call.httpStatus !== 200 || (call.responseCode !== null && call.responseCode !== 0)) report.failedCalls += 1;
      if (/GetClaimInfo_V3$/i.test(call.method) && call.params.ClaimStat === PENDING_CLAIMS) {
        const shop = shopOf.get(call.shop);
        if (shop !== undefined) {
          report.claimPolls[shop]!.push(call.at.getTime());
          report.claimWindows[shop]!.push(String(call.params.search_Sdate ?? ''));
        }
      }
    }
  };
  const folding = setInterval(fold, 1_000);

  process.on('message', (message: SimSetup | { type: 'report' }) => {
    void (async () => {
      if (message.type === 'setup') {
        sim = await startSimulator({ port: 0, faults: { latencyMs: message.latencyMs } });
        for (let i = 0; i < message.shops; i++) {
          const key = `${message.keyPrefix}${i}`;
          sim.state.addShop({ sellerAuthKey: key, name: `ベンチ店${i}`, orders: [], claims: [] });
          shopOf.set(keyFingerprint(key), i);
          report.claimPolls.push([]);
          report.claimWindows.push([]);
        }
        process.send!({ type: 'ready', url: sim.url } satisfies SimMessage);
      } else {
        fold();
        process.send!({ type: 'report', report } satisfies SimMessage);
      }
    })();
  });
  // The parent going away ends this process too.
  process.on('disconnect', () => {
    clearInterval(folding);
    void (sim?.close() ?? Promise.resolve()).finally(() => process.exit(0));
  });
}

if (require.main === module) run();
