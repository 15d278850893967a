// Scale-out (issue 16, ADR 0020): the pipeline as pg-boss job kinds spread over every worker on the
// database. Claims polls run once per shop per POLL_CLAIMS_INTERVAL slot, orders polls once per shop per
// POLL_ORDERS_INTERVAL slot; decisions and sends are jobs of their own. Two workers started apart never poll
// one shop twice in one slot; a request reaches its accept through queued jobs over two worker processes
// with one write; a decision that finds its shop's lease busy is queued again, not lost; a SIGKILLed
// `cancel-guard worker` process's shops are polled again by the workers that remain.
// Ground truth: the job_runs rows the pipeline writes for each real poll and the simulator's write log.
// Short slots and leases via settings; outcomes asserted, never speed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PROJECT_ROOT } from '../../src/config/paths';
import { loadConfig } from '../../src/config/config';
import { silentLogger } from '../../src/logger';
import { startService, type ServiceHandle } from '../../src/main';
import { shopPhase, slotJobId, slotOf } from '../../src/jobs/work-queue';
import { startSimulator, type SimulatorHandle } from '../../src/qoo10/simulator/start-simulator';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database';
import { POLL_CLAIMS_JOB, POLL_ORDERS_JOB } from '../../src/domain/job-names';
import { DECIDE_QUEUE, POLL_CLAIMS_QUEUE } from '../../src/jobs/tasks/job-names';

const CLI = resolve(PROJECT_ROOT, 'dist/src/cli.js');
const SCHEDULE = '*/5 * * * * *';
const CLAIMS_INTERVAL = '5s';
const SHOPS = 12;
const SECRET = 'worker-queue-test-secret-'.padEnd(40, 'x');
const key = (i: number) => `test-sak-worker-${String(i).padStart(4, '0')}`;

function env(db: TestDatabase, sim: SimulatorHandle, dataDir: string): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    QOO10_API_BASE_URL: sim.url,
    QOO10_SELLER_AUTH_KEY: key(0),
    CREDENTIALS_SECRET: SECRET,
    ADMIN_TOKEN: 'worker-queue-admin-token-0123456789',
    DATA_DIR: dataDir,
    QOO10_MIN_INTERVAL_MS: '0',
    QOO10_TIMEOUT_MS: '5000',
    POLL_CLAIMS_INTERVAL: CLAIMS_INTERVAL,
    POLL_ORDERS_INTERVAL: '20s',
    SHOP_LEASE_SECONDS: '2',
    WORKER_POLL_INTERVAL_MS: '500',
    WORKER_CONCURRENCY: '3',
    LOG_LEVEL: 'silent',
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A real `cancel-guard worker` process on the test database. */
function spawnWorker(vars: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, 'worker'], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((done) => child.on('exit', done));
  return {
    process: child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function world(latencyMs: number) {
  const db = await createTestDatabase();
  const sim = await startSimulator({ port: 0, faults: { latencyMs } });
  for (let i = 0; i < SHOPS; i++) sim.state.addShop({ sellerAuthKey: key(i), name: `ワーカー店 ${i}`, orders: [], claims: [] });
  const dataDir = mkdtempSync(resolve(tmpdir(), 'cg-worker-'));
  const vars = env(db, sim, dataDir);
  // The shops, stored once by a process that neither schedules nor works.
  const setup = await startService(loadConfig(vars), { listen: false, schedule: false, logger: silentLogger(), announce: () => undefined });
  for (let i = 1; i < SHOPS; i++) await setup.services.shops.ensureShopForKey({ name: `ワーカー店 ${i}`, sellerAuthKey: key(i), isDemo: false });
  await setup.stop();
  const worker = (overrides: Record<string, string> = {}) =>
    startService(loadConfig({ ...vars, ...overrides }), { listen: false, logger: silentLogger(), announce: () => undefined });
  const runsOf = async (job: string): Promise<Array<{ shop_id: string; started_at: Date; status: string }>> =>
    db.dataSource.query(`SELECT shop_id, started_at, status FROM job_runs WHERE job = $1 ORDER BY started_at`, [job]);
  const polls = () => runsOf(POLL_CLAIMS_JOB);
  return { db, sim, vars, worker, polls, runsOf, close: async () => (await sim.close(), await db.drop()) };
}

describe('shop polls on the job queue (several workers, one database)', () => {
  test('two workers started apart poll every shop, and never one shop twice in one slot', async () => {
    const w = await world(20);
    const handles: ServiceHandle[] = [];
    try {
      handles.push(await w.worker());
      await sleep(1_500);
      handles.push(await w.worker());
      // At least three slots where both workers tick and work.
      const firstSlot = slotOf(SCHEDULE, new Date()).getTime();
      // An orders poll that meets its shop's claims poll is skipped until the shop's next orders slot
      // (20 s here), so the wait includes every shop's orders poll as well.
      await waitUntil('three slots of polls and every shop\'s orders polled', async () => {
        const runs = await w.polls();
        const slots = new Set(runs.filter((r) => r.started_at.getTime() >= firstSlot + 5_000).map((r) => slotOf(SCHEDULE, r.started_at).getTime()));
        const ordersPolled = new Set((await w.runsOf(POLL_ORDERS_JOB)).filter((r) => r.status === 'ok').map((r) => r.shop_id));
        return slots.size >= 3 && ordersPolled.size === SHOPS && (await w.polls()).filter((r) => r.status === 'running').length === 0;
      }, 90_000);
      await Promise.all(handles.splice(0).map((h) => h.stop()));

      const runs = await w.polls();
      const perShopSlot = new Map<string, number>();
      for (const run of runs) {
        // The shop's own interval a run started in (its slots are shifted by its phase, ADR 0027), without
        // the 2 s tolerance: a late job of the previous slot may start just before the shop's next slot and
        // that slot's own job just after it, one poll in each interval.
        const phase = Math.floor(shopPhase(run.shop_id) * 5_000);
        const slotKey = `${run.shop_id}@${Math.floor((run.started_at.getTime() - phase) / 5_000)}`;
        perShopSlot.set(slotKey, (perShopSlot.get(slotKey) ?? 0) + 1);
      }
      const twice = [...perShopSlot].filter(([, n]) => n > 1);
      assert.deepEqual(twice, [], 'no shop was polled twice in one slot');
      const shopsPolled = new Set(runs.filter((r) => r.status === 'ok').map((r) => r.shop_id));
      assert.equal(shopsPolled.size, SHOPS, 'every shop\'s claims were polled');
      const ordersPolled = new Set((await w.runsOf(POLL_ORDERS_JOB)).filter((r) => r.status === 'ok').map((r) => r.shop_id));
      assert.equal(ordersPolled.size, SHOPS, 'every shop\'s orders were polled');
      // The polls ran as queue jobs, one per shop per slot (the queue's own record); a poll that found its
      // shop busy came back as a job of its own (data.busy), not counted here.
      const jobs = await w.db.dataSource.query(
        `SELECT count(*)::int AS n, count(DISTINCT (data->>'shopId', data->>'slot'))::int AS distinct_slots FROM pgboss.job WHERE name = 'poll-claims' AND state = 'completed' AND data->>'busy' IS NULL`,
      );
      assert.ok(jobs[0].n >= SHOPS * 3, 'the slots\' polls were completed through the queue');
      assert.equal(jobs[0].n, jobs[0].distinct_slots, 'one job per shop per slot');
    } finally {
      await Promise.all(handles.map((h) => h.stop()));
      await w.close();
    }
  });

  test('a SIGKILLed worker process: the shops it was polling are polled again by the remaining worker', async () => {
    // Slow Qoo10 answers, so the killed worker is caught in the middle of its polls.
    const w = await world(700);
    let survivor: ServiceHandle | null = null;
    try {
      const child = spawn(process.execPath, [CLI, 'worker'], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', ...w.vars },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exited = new Promise((done) => child.on('exit', done));
      await waitUntil('the worker process holding shops mid-poll', async () => {
        if (child.exitCode !== null) throw new Error(`worker exited early: ${output}`);
        const held = await w.db.dataSource.query(`SELECT count(*)::int AS n FROM shop_leases WHERE expires_at > now()`);
        // A lease is taken a moment before the poll's run is recorded: wait for both.
        const running = await w.db.dataSource.query(`SELECT count(*)::int AS n FROM job_runs WHERE job IN ('poll', 'poll-orders') AND status = 'running'`);
        return held[0].n >= 2 && running[0].n >= 2;
      });
      child.kill('SIGKILL');
      await exited;
      const killedAt = new Date();
      // A dead holder's leases stay live until they lapse: exactly the shops it held (a released lease's row stays, expired).
      const held: Array<{ shop_id: string }> = await w.db.dataSource.query(`SELECT shop_id FROM shop_leases WHERE expires_at > now()`);
      assert.ok(held.length >= 2);
      // The killed worker's runs stay 'running' for ever: proof it died mid-poll.
      const stranded = await w.db.dataSource.query(`SELECT DISTINCT shop_id FROM job_runs WHERE job IN ('poll', 'poll-orders') AND status = 'running'`);
      // (A lease may be a moment older than its run, or outlive it by a moment: some, not all, is the proof.)
      assert.ok(held.some(({ shop_id }) => stranded.some((r: { shop_id: string }) => r.shop_id === shop_id)), 'the killed worker was mid-poll on its shops');

      survivor = await w.worker();
      await waitUntil('every shop the killed worker held polled again', async () => {
        const done = (await w.polls()).filter((r) => r.status === 'ok' && r.started_at >= killedAt).map((r) => r.shop_id);
        return held.every(({ shop_id }) => done.includes(shop_id));
      }, 50_000);
    } finally {
      await survivor?.stop();
      await w.close();
    }
  });
  test('requests reach their accept through queued jobs over two worker processes, each cancel written once', async () => {
    const w = await world(20);
    let child: ReturnType<typeof spawnWorker> | null = null;
    let handle: ServiceHandle | null = null;
    try {
      // One request on an unshipped order, its item in stock, in each of the first six shops.
      const setup = await startService(loadConfig(w.vars), { listen: false, schedule: false, work: false, logger: silentLogger(), announce: () => undefined });
      for (let i = 0; i < 6; i++) {
        const shop = await setup.services.shops.ensureShopForKey({ name: `ワーカー店 ${i}`, sellerAuthKey: key(i), isDemo: false });
        await setup.services.facts.setStock(shop.id, `ITEM-${i}`, 5);
      }
      await setup.stop();
      const orderNos = Array.from({ length: 6 }, (_, i) => {
        const simShop = w.sim.state.shops.find((shop) => shop.sellerAuthKey === key(i))!;
        const order = w.sim.state.addOrder(simShop, { orderedAt: new Date(Date.now() - 3_600_000).toISOString(), itemTitle: `注文 ${i}`, itemNo: `8000${i}`, sellerItemCode: `ITEM-${i}`, quantity: 1 });
        w.sim.state.sellerCheck(simShop, order.orderNo, new Date(Date.now() + 2 * 86_400_000));
        w.sim.state.requestCancel(order.orderNo);
        return order.orderNo;
      });
      child = spawnWorker(w.vars);
      handle = await w.worker();
      await waitUntil('every request accepted', async () => {
        if (child!.process.exitCode !== null) throw new Error(`worker exited early: ${child!.output()}`);
        const rows: Array<{ status: string }> = await w.db.dataSource.query(`SELECT status FROM cancel_requests WHERE order_no = ANY($1)`, [orderNos]);
        return rows.length === orderNos.length && rows.every((row) => row.status === 'done');
      }, 60_000);
      const outcomes: Array<{ outcome: string }> = await w.db.dataSource.query(`SELECT outcome FROM cancel_requests WHERE order_no = ANY($1)`, [orderNos]);
      assert.deepEqual(outcomes.map((row) => row.outcome), orderNos.map(() => 'accepted'));
      // Ground truth: the simulator applied one cancel per order, and was sent no cancel twice.
      const cancels = w.sim.writes.filter((write) => write.kind === 'cancel' && orderNos.includes(write.orderNo));
      assert.equal(cancels.length, orderNos.length, 'one cancel write per order');
      assert.equal(new Set(cancels.map((write) => write.orderNo)).size, orderNos.length);
      assert.ok(cancels.every((write) => write.applied));
      // Decided and sent by their own job kinds, not inside a poll.
      const done = await w.db.dataSource.query(
        `SELECT name, count(*)::int AS n FROM pgboss.job WHERE name IN ('decide', 'send-action') AND state = 'completed' AND output->>'status' IN ('acting', 'succeeded') GROUP BY name ORDER BY name`,
      );
      assert.deepEqual(done, [{ name: 'decide', n: orderNos.length }, { name: 'send-action', n: orderNos.length }]);
    } finally {
      await handle?.stop();
      await child?.stop();
      await w.close();
    }
  });

  test('a decision that finds its shop busy is queued again, and runs once the shop is free', async () => {
    const w = await world(20);
    let handle: ServiceHandle | null = null;
    try {
      const simShop = w.sim.state.shops.find((shop) => shop.sellerAuthKey === key(0))!;
      const order = w.sim.state.addOrder(simShop, { orderedAt: new Date(Date.now() - 3_600_000).toISOString(), itemTitle: '注文', itemNo: '80001', sellerItemCode: 'ITEM', quantity: 1 });
      w.sim.state.sellerCheck(simShop, order.orderNo, new Date(Date.now() + 2 * 86_400_000));
      w.sim.state.requestCancel(order.orderNo);
      // The request is stored by a claims poll run here; the worker below does not tick, so only the job
      // queued by this test runs.
      const setup = await startService(loadConfig(w.vars), { listen: false, schedule: false, work: false, logger: silentLogger(), announce: () => undefined });
      const shop = await setup.services.shops.ensureShopForKey({ name: 'ワーカー店 0', sellerAuthKey: key(0), isDemo: false });
      await setup.services.facts.setStock(shop.id, 'ITEM', 5);
      await setup.services.pipeline.pollClaims(shop);
      const [request] = await w.db.dataSource.query(`SELECT id, status FROM cancel_requests WHERE order_no = $1`, [order.orderNo]);
      assert.equal(request.status, 'pending');
      await setup.stop();

      // Someone else holds the shop (a person's action, another worker) for as long as this test says.
      await w.db.dataSource.query(
        `INSERT INTO shop_leases (shop_id, holder, kind, expires_at) VALUES ($1, '00000000-0000-4000-8000-00000000beef', 'lease', now() + interval '1 hour')
         ON CONFLICT (shop_id) DO UPDATE SET holder = '00000000-0000-4000-8000-00000000beef', kind = 'lease', expires_at = now() + interval '1 hour'`,
        [shop.id],
      );
      handle = await startService(loadConfig(w.vars), { listen: false, schedule: false, work: true, logger: silentLogger(), announce: () => undefined });
      await handle.queue!.enqueue(DECIDE_QUEUE, [{ data: { shopId: shop.id, requestId: request.id }, singletonKey: String(request.id) }]);
      await waitUntil('the decision queued again twice while the shop is busy', async () => {
        const [busy] = await w.db.dataSource.query(`SELECT max((data->>'busy')::int) AS n FROM pgboss.job WHERE name = 'decide'`);
        return (busy?.n ?? 0) >= 2;
      });
      const [waiting] = await w.db.dataSource.query(`SELECT status FROM cancel_requests WHERE id = $1`, [request.id]);
      assert.equal(waiting.status, 'pending', 'nothing decided while another holder has the shop');
      assert.equal(w.sim.writes.filter((write) => write.orderNo === order.orderNo).length, 0);
      const queued = await w.db.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'decide' AND state = 'created'`);
      assert.equal(queued[0].n, 1, 'one waiting job for the request, however often it was queued again');

      await w.db.dataSource.query(`DELETE FROM shop_leases WHERE holder = '00000000-0000-4000-8000-00000000beef'`);
      await waitUntil('the request accepted once the shop is free', async () => {
        const [row] = await w.db.dataSource.query(`SELECT status, outcome FROM cancel_requests WHERE id = $1`, [request.id]);
        return row.status === 'done';
      });
      const [row] = await w.db.dataSource.query(`SELECT outcome FROM cancel_requests WHERE id = $1`, [request.id]);
      assert.equal(row.outcome, 'accepted');
      assert.equal(w.sim.writes.filter((write) => write.orderNo === order.orderNo && write.kind === 'cancel').length, 1);
    } finally {
      await handle?.stop();
      await w.close();
    }
  });

  test('a claims poll that finds its shop busy comes back, and polls the shop once it is free', async () => {
    const w = await world(20);
    let handle: ServiceHandle | null = null;
    try {
      const [shop] = await w.db.dataSource.query(`SELECT id FROM shops ORDER BY id LIMIT 1`);
      await w.db.dataSource.query(
        `INSERT INTO shop_leases (shop_id, holder, kind, expires_at) VALUES ($1, '00000000-0000-4000-8000-00000000beef', 'lease', now() + interval '1 hour')
         ON CONFLICT (shop_id) DO UPDATE SET holder = '00000000-0000-4000-8000-00000000beef', kind = 'lease', expires_at = now() + interval '1 hour'`,
        [shop.id],
      );
      // The worker does not tick: only the job queued here runs. Its slot is a minute ahead (the job runs at
      // once all the same), so the slot cannot end while this test waits for a retry.
      handle = await startService(loadConfig(w.vars), { listen: false, schedule: false, work: true, logger: silentLogger(), announce: () => undefined });
      const slot = new Date(slotOf(SCHEDULE, new Date()).getTime() + 60_000);
      await handle.queue!.enqueue(POLL_CLAIMS_QUEUE, [{ id: slotJobId(POLL_CLAIMS_QUEUE, shop.id, slot), data: { shopId: shop.id, slot: slot.toISOString() } }]);
      await waitUntil('the claims poll queued again while the shop is busy', async () => {
        const [busy] = await w.db.dataSource.query(`SELECT max((data->>'busy')::int) AS n FROM pgboss.job WHERE name = 'poll-claims'`);
        return (busy?.n ?? 0) >= 1;
      });
      assert.equal((await w.polls()).length, 0, 'no poll while another holder has the shop');

      await w.db.dataSource.query(`DELETE FROM shop_leases WHERE holder = '00000000-0000-4000-8000-00000000beef'`);
      await waitUntil('the shop polled once it is free', async () => (await w.polls()).some((r) => r.shop_id === shop.id && r.status === 'ok'));
      await waitUntil('no poll-claims job left waiting', async () => {
        const [open] = await w.db.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'poll-claims' AND state < 'completed'`);
        return open.n === 0;
      });
      assert.equal((await w.polls()).length, 1, 'polled once for the slot');
      const failed = await w.db.dataSource.query(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'poll-claims' AND state = 'failed'`);
      assert.equal(failed[0].n, 0, 'a busy shop is not a failed job');
    } finally {
      await handle?.stop();
      await w.close();
    }
  });
});
