// The Qoo10-side bad-data sweep: every field of every read method (GetClaimInfo_V3, GetShippingInfo_v3,
// GetShippingAndClaimInfoByOrderNo_V2) served in every hostile variant (NUL, control characters, a lone
// surrogate, a huge string, the wrong type, null, empty, missing, renamed) for one order of a shop, while
// two other orders of the same shop have pending requests too. Each case is one poll cycle of a fresh
// shop, and must hold:
//   - the other requests of the shop are decided (accepted) in that same cycle;
//   - nothing is closed silently: no request of the shop stays closed while Qoo10 still shows it pending
//     (a fresh read answering "no claim" may close it, but the next poll must reopen it), and the
//     hostile order's request is decided, handed to a person, or named by an alert;
//   - nothing is sent for the hostile order unless it is the right answer (an unshipped, in-stock
//     order's buyer cancel);
//   - no log line, alert or decision carries the shop's buyer names, e-mails or reasons.
// `npm run chaos` runs every case (bench/chaos/bad-data-sweep.ts); `npm test` a reduced set.
import type { DataSource } from 'typeorm';
import { claimRow, shippingRow, snapshotRow } from '../../src/qoo10/simulator/sim-rows';
import { HOSTILE_VARIANTS, type HostileMethod, type HostileRule, type HostileVariant } from '../../src/qoo10/simulator/hostile-data';
import { BUYER_DOMAIN, createHostileWorld, type HostileShop, type HostileWorld } from './hostile-world';

export interface SweepCase {
  method: HostileMethod;
  field: string;
  variant: HostileVariant;
}

export interface SweepCaseOutcome extends SweepCase {
  /** What became of the hostile order's request: its status and decision code, or 'alerted' / 'missing'. */
  victim: string;
  violations: string[];
}

export interface SweepResult {
  cases: SweepCaseOutcome[];
  violations: string[];
  ms: number;
}

/** Every field the simulator writes for each read method, from its own row builders. */
export function fieldsOf(world: HostileWorld, s: HostileShop): Record<HostileMethod, string[]> {
  const order = world.sim.state.order(s.victim)!;
  const claim = world.sim.state.currentClaim(s.simShop, s.victim)!;
  return {
    claims: Object.keys(claimRow(claim, order)),
    orders: Object.keys(shippingRow(order)),
    snapshot: Object.keys(snapshotRow(order, claim)),
  };
}

/** Every field × every variant of the three read methods. */
export function allCases(fields: Record<HostileMethod, string[]>): SweepCase[] {
  return (Object.keys(fields) as HostileMethod[]).flatMap((method) =>
    fields[method]!.flatMap((field) => HOSTILE_VARIANTS.map((variant) => ({ method, field, variant }))),
  );
}

/**
 * The reduced set for `npm test`: every variant at least once per method, on the fields that decide
 * (order number, claim status, dates, shipping status, quantity) and the ones that carry buyer data.
 */
export const REDUCED_CASES: readonly SweepCase[] = [
  { method: 'claims', field: 'orderNo', variant: 'renamed' },
  { method: 'claims', field: 'claimStatus', variant: 'missing' },
  { method: 'claims', field: 'claimStatus', variant: 'wrong_type' },
  { method: 'claims', field: 'requestDate', variant: 'nul' },
  { method: 'claims', field: 'reason', variant: 'huge' },
  { method: 'claims', field: 'reason', variant: 'lone_surrogate' },
  { method: 'claims', field: 'itemTitle', variant: 'control' },
  { method: 'claims', field: 'orderQty', variant: 'empty' },
  { method: 'claims', field: 'buyer', variant: 'nul' },
  { method: 'orders', field: 'OrderNo', variant: 'null' },
  { method: 'orders', field: 'OrderDate', variant: 'wrong_type' },
  { method: 'orders', field: 'ShippingStatus', variant: 'missing' },
  { method: 'orders', field: 'EstimatedShippingDate', variant: 'control' },
  { method: 'orders', field: 'OrderQty', variant: 'huge' },
  { method: 'orders', field: 'Buyer', variant: 'lone_surrogate' },
  { method: 'orders', field: 'BuyerEmail', variant: 'renamed' },
  { method: 'orders', field: 'ItemTitle', variant: 'empty' },
  { method: 'snapshot', field: 'claimStatus', variant: 'renamed' },
  { method: 'snapshot', field: 'claimStatus', variant: 'null' },
  { method: 'snapshot', field: 'claimStatus', variant: 'empty' },
  { method: 'snapshot', field: 'shippingStatus', variant: 'missing' },
  { method: 'snapshot', field: 'shippingStatus', variant: 'empty' },
  { method: 'snapshot', field: 'orderNo', variant: 'nul' },
  { method: 'snapshot', field: 'requestDate', variant: 'wrong_type' },
  { method: 'snapshot', field: 'trackingNo', variant: 'huge' },
];

async function storedTextWithBuyerData(db: DataSource, shopId: string): Promise<string[]> {
  const rows: Array<{ text: string }> = await db.query(
    `SELECT subject || body || payload::text AS text FROM alerts WHERE shop_id = $1
     UNION ALL SELECT d.reason || d.trail::text FROM decisions d JOIN cancel_requests r ON r.id = d.request_id WHERE r.shop_id = $1
     UNION ALL SELECT coalesce(error, '') FROM job_runs WHERE shop_id = $1`,
    [shopId],
  );
  return rows.map((r) => r.text).filter((text) => text.includes(BUYER_DOMAIN) || text.includes('購入者テスト'));
}

function closedRequests(world: HostileWorld, s: HostileShop): Promise<Array<{ order_no: string; outcome: string }>> {
  return world.dataSource.query("SELECT order_no, outcome FROM cancel_requests WHERE shop_id = $1 AND status = 'closed'", [s.shop.id]);
}

async function runCase(world: HostileWorld, c: SweepCase): Promise<SweepCaseOutcome> {
  const s = await world.newShop();
  const violations: string[] = [];
  const logStart = world.logs.length;
  const rule: HostileRule = { ...c, orderNo: s.victim };
  world.sim.hostile.set([rule]);
  let report;
  let reopened = false;
  try {
    report = await world.services.pipeline.runShop(s.shop);
    // A fresh read answering "no claim" ('' / 0) while the list says pending closes the request (the
    // contract's reading of an empty claim status, INF). That is allowed only because the next poll,
    // seeing it listed as pending again, reopens it: check that it does, with the data still hostile.
    if ((await closedRequests(world, s)).length > 0) {
      await world.services.pipeline.runShop(s.shop);
      reopened = true;
    }
  } finally {
    world.sim.hostile.set([]);
  }

  for (const orderNo of s.bystanders) {
    const row = await world.request(s.shop, orderNo);
    if (row?.status !== 'done' || row.code !== 'unshipped_in_stock') {
      violations.push(`bystander ${orderNo} not decided in the same cycle: ${row ? `${row.status}/${row.code}` : 'not stored'} (run ${report.status}${report.error ? `: ${report.error}` : ''})`);
    }
  }

  for (const row of await closedRequests(world, s)) {
    violations.push(`request on ${row.order_no} closed (${row.outcome}) while Qoo10 shows it pending${reopened ? ', and the next poll did not reopen it' : ''}`);
  }

  const victim = await world.request(s.shop, s.victim);
  const [{ alerts }] = await world.dataSource.query("SELECT count(*)::int AS alerts FROM alerts WHERE shop_id = $1 AND kind = 'qoo10_data_fault'", [s.shop.id]);
  let victimState: string;
  if (victim && victim.status !== 'pending') victimState = `${reopened ? 'closed, reopened next poll → ' : ''}${victim.status}/${victim.code}`;
  else if (alerts > 0) victimState = victim ? 'pending, alerted' : 'alerted';
  else {
    victimState = victim ? 'pending' : 'missing';
    violations.push(`the hostile order's request is ${victimState} and no alert names the bad row`);
  }
  const simOrder = world.sim.state.order(s.victim)!;
  if (simOrder.cancelledAt && !(victim?.status === 'done' && victim.code === 'unshipped_in_stock')) {
    violations.push(`the hostile order was cancelled on Qoo10 without an accept decision (${victimState})`);
  }
  if (simOrder.shippingStatus >= 4) violations.push('the hostile order was marked shipped on Qoo10');

  const newLeaks = world.linesWithBuyerData(s.buyers, logStart);
  if (newLeaks.length > 0) violations.push(`${newLeaks.length} log line(s) carry buyer data, e.g. ${newLeaks[0]!.slice(0, 160)}`);
  const stored = await storedTextWithBuyerData(world.dataSource, s.shop.id);
  if (stored.length > 0) violations.push(`${stored.length} alert/decision/run text(s) carry buyer data`);

  return { ...c, victim: victimState, violations };
}

/** Runs the cases on `dataSource` (a migrated database the caller drops); `deadline` stops early. */
export async function qoo10BadDataSweep(
  dataSource: DataSource,
  options: { cases?: readonly SweepCase[]; deadline?: number } = {},
): Promise<SweepResult> {
  const started = Date.now();
  const world = await createHostileWorld(dataSource);
  const outcomes: SweepCaseOutcome[] = [];
  try {
    let cases = options.cases;
    if (!cases) cases = allCases(fieldsOf(world, await world.newShop()));
    for (const c of cases) {
      if (options.deadline !== undefined && Date.now() > options.deadline) break;
      try {
        outcomes.push(await runCase(world, c));
      } catch (error) {
        outcomes.push({ ...c, victim: 'error', violations: [`the case could not run: ${error instanceof Error ? error.message : String(error)}`] });
      }
    }
  } finally {
    await world.close();
  }
  return {
    cases: outcomes,
    violations: outcomes.flatMap((o) => o.violations.map((v) => `${o.method}.${o.field} ${o.variant}: ${v}`)),
    ms: Date.now() - started,
  };
}
