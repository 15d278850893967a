// The bad-input sweep: hostile requests to every admin API input (CSV uploads, JSON bodies, path and
// query values, tokens) against a real daemon (`cancel-guard start`, its own process). Every one must be
// answered with a clear error (4xx JSON with a code) or, where the shape is valid, a per-row report;
// never a 5xx, never a dropped connection; a refused request changes no row; no hostile input causes a
// write to Qoo10; the process keeps answering /healthz.
import iconv from 'iconv-lite';
import type { DataSource } from 'typeorm';
import { CHAOS_ADMIN_TOKEN, createChaosWorld, type ChaosDatabase } from './chaos-world';
import type { ScenarioResult } from './chaos-scenarios';

export interface InputCase {
  name: string;
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Default: the admin token. null: no Authorization header. */
  authorization?: string | null;
  contentType?: string;
  body?: string | Buffer;
  /**
   * refuse: must be a 4xx JSON error with a code and change no row.
   * report: a valid shape; 4xx or 2xx are both fine, a 5xx is not.
   * parser: refused by Node's HTTP parser before the app (431 without a JSON body) or a 4xx JSON.
   */
  expect: 'refuse' | 'report' | 'parser';
}

export interface CaseOutcome {
  name: string;
  status: number | null;
  code: string | null;
  problems: string[];
}

const B2_HEADER =
  'お客様管理番号,送り状種類,クール区分,伝票番号,出荷予定日,お届け予定日,配達時間帯,お届け先コード,お届け先電話番号,お届け先電話番号枝番,お届け先郵便番号,お届け先住所,お届け先アパートマンション名,お届け先会社・部門１,お届け先会社・部門２,お届け先名,お届け先名(ｶﾅ),敬称,ご依頼主コード,ご依頼主電話番号,ご依頼主電話番号枝番,ご依頼主郵便番号,ご依頼主住所,ご依頼主アパートマンション,ご依頼主名';

const LONG = 'あ'.repeat(20_000);
const SQLISH = "1'; DROP TABLE orders; --";
const NUL = 'A\u0000B';

/** Deterministic bytes that are not text. */
function noise(bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let state = 12345;
  for (let i = 0; i < bytes; i += 1) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

function shipment(fields: Record<string, unknown>): string {
  return JSON.stringify({ orderNo: '1000000001', carrier: 'ヤマト', trackingNo: '400000000016', ...fields });
}

export function inputCases(reviewRequestId: string): InputCase[] {
  const json = 'application/json';
  const csv = 'text/csv';
  const cases: InputCase[] = [
    // Tokens.
    { name: 'no Authorization header', method: 'GET', path: '/api/shops', authorization: null, expect: 'refuse' },
    { name: 'wrong token', method: 'GET', path: '/api/shops', authorization: 'Bearer wrong-token-0000000000', expect: 'refuse' },
    { name: 'Basic scheme', method: 'GET', path: '/api/shops', authorization: 'Basic YWRtaW46YWRtaW4=', expect: 'refuse' },
    { name: 'SQL-ish token', method: 'GET', path: '/api/shops', authorization: `Bearer ${SQLISH}`, expect: 'refuse' },
    { name: 'empty bearer', method: 'GET', path: '/api/shops', authorization: 'Bearer ', expect: 'refuse' },
    { name: '10 KB token', method: 'GET', path: '/api/shops', authorization: `Bearer ${'x'.repeat(10_000)}`, expect: 'refuse' },
    { name: '40 KB token (over the header limit)', method: 'GET', path: '/api/shops', authorization: `Bearer ${'x'.repeat(40_000)}`, expect: 'parser' },
    { name: 'no token on a write', method: 'POST', path: '/api/shipments', authorization: null, contentType: json, body: shipment({}), expect: 'refuse' },

    // JSON bodies: shape.
    { name: 'shipments: not JSON', method: 'POST', path: '/api/shipments', contentType: json, body: '{"orderNo": ', expect: 'refuse' },
    { name: 'shipments: empty array', method: 'POST', path: '/api/shipments', contentType: json, body: '[]', expect: 'refuse' },
    { name: 'shipments: a string', method: 'POST', path: '/api/shipments', contentType: json, body: '"1000000001"', expect: 'refuse' },
    { name: 'shipments: null', method: 'POST', path: '/api/shipments', contentType: json, body: 'null', expect: 'refuse' },
    { name: 'shipments: arrays for strings', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ orderNo: ['1'], trackingNo: ['2'] }), expect: 'refuse' },
    { name: 'shipments: objects for strings', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ carrier: { $ne: null } }), expect: 'refuse' },
    { name: 'shipments: number order no', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ orderNo: 1000000001 }), expect: 'refuse' },
    { name: 'shipments: very long order no', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ orderNo: LONG }), expect: 'refuse' },
    { name: 'shipments: very long carrier', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ carrier: LONG }), expect: 'refuse' },
    { name: 'shipments: unknown field', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ isAdmin: true }), expect: 'refuse' },
    // class-transformer drops a __proto__ key (no pollution); the row itself is then judged and refused.
    { name: 'shipments: __proto__ field', method: 'POST', path: '/api/shipments', contentType: json, body: '{"__proto__":{"polluted":1},"orderNo":"1","carrier":"ヤマト","trackingNo":"1"}', expect: 'report' },
    { name: 'shipments: 5,001 items', method: 'POST', path: '/api/shipments', contentType: json, body: `[${Array.from({ length: 5001 }, () => shipment({})).join(',')}]`, expect: 'refuse' },
    { name: 'shipments: body over 1 MB', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ carrier: 'x'.repeat(1_200_000) }), expect: 'refuse' },
    { name: 'shipments: nested 5,000 deep', method: 'POST', path: '/api/shipments', contentType: json, body: `${'['.repeat(5000)}${']'.repeat(5000)}`, expect: 'refuse' },
    { name: 'shipments: text/plain body', method: 'POST', path: '/api/shipments', contentType: 'text/plain', body: shipment({}), expect: 'refuse' },
    { name: 'shipments: bad source query', method: 'POST', path: '/api/shipments?source=evil', contentType: json, body: shipment({}), expect: 'refuse' },
    // JSON bodies: hostile strings of a valid shape (unknown orders): a per-row report, nothing sent.
    { name: 'shipments: SQL-ish order no', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ orderNo: SQLISH }), expect: 'report' },
    { name: 'shipments: NUL in order no', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ orderNo: `1000${NUL}` }), expect: 'report' },
    { name: 'shipments: NUL in tracking no', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ trackingNo: `4000${NUL}` }), expect: 'report' },
    { name: 'shipments: emoji and RTL carrier', method: 'POST', path: '/api/shipments', contentType: json, body: shipment({ carrier: '🚚\u202eトマヤ' }), expect: 'report' },
    { name: 'shipments: lone surrogate', method: 'POST', path: '/api/shipments', contentType: json, body: '{"orderNo":"\\ud800","carrier":"ヤマト","trackingNo":"400000000016"}', expect: 'report' },

    // Path and query values.
    { name: 'request id: letters', method: 'GET', path: '/api/cancel-requests/abc', expect: 'refuse' },
    { name: 'request id: beyond bigint', method: 'GET', path: '/api/cancel-requests/99999999999999999999999', expect: 'refuse' },
    { name: 'request id: SQL-ish', method: 'GET', path: `/api/cancel-requests/${encodeURIComponent(SQLISH)}`, expect: 'refuse' },
    { name: 'approve: beyond bigint', method: 'POST', path: '/api/cancel-requests/99999999999999999999999/approve', contentType: json, body: '{}', expect: 'refuse' },
    { name: 'approve: array body', method: 'POST', path: `/api/cancel-requests/${reviewRequestId}/approve`, contentType: json, body: '[]', expect: 'refuse' },
    { name: 'override: array note', method: 'POST', path: `/api/cancel-requests/${reviewRequestId}/override`, contentType: json, body: '{"kind":"accept","note":["x"]}', expect: 'refuse' },
    { name: 'override: long note', method: 'POST', path: `/api/cancel-requests/${reviewRequestId}/override`, contentType: json, body: JSON.stringify({ kind: 'accept', note: LONG }), expect: 'refuse' },
    { name: 'override: bad kind', method: 'POST', path: `/api/cancel-requests/${reviewRequestId}/override`, contentType: json, body: '{"kind":"delete","note":"x"}', expect: 'refuse' },
    { name: 'override: person as object', method: 'POST', path: `/api/cancel-requests/${reviewRequestId}/override`, contentType: json, body: '{"kind":"accept","note":"x","person":{"a":1}}', expect: 'refuse' },
    { name: 'handled: NUL in note', method: 'POST', path: `/api/cancel-requests/${reviewRequestId}/handled`, contentType: json, body: JSON.stringify({ note: `checked ${NUL}` }), expect: 'refuse' },
    { name: 'stock: array body', method: 'PUT', path: '/api/items/OK/stock', contentType: json, body: '[]', expect: 'refuse' },
    { name: 'stock: string quantity', method: 'PUT', path: '/api/items/OK/stock', contentType: json, body: '{"available":"5"}', expect: 'refuse' },
    { name: 'stock: negative', method: 'PUT', path: '/api/items/OK/stock', contentType: json, body: '{"available":-1}', expect: 'refuse' },
    { name: 'stock: beyond int4', method: 'PUT', path: '/api/items/OK/stock', contentType: json, body: '{"available":2147483648}', expect: 'refuse' },
    { name: 'stock: 1e400', method: 'PUT', path: '/api/items/OK/stock', contentType: json, body: '{"available":1e400}', expect: 'refuse' },
    { name: 'stock: NUL in item code', method: 'PUT', path: '/api/items/A%00B/stock', contentType: json, body: '{"available":1}', expect: 'refuse' },
    { name: 'stock: 5,000-char item code', method: 'PUT', path: `/api/items/${'x'.repeat(5000)}/stock`, contentType: json, body: '{"available":1}', expect: 'refuse' },
    { name: 'made-to-order: string flag', method: 'PUT', path: '/api/items/OK/made-to-order', contentType: json, body: '{"madeToOrder":"yes"}', expect: 'refuse' },
    { name: 'order facts: string flag', method: 'POST', path: '/api/orders/1000000001/facts', contentType: json, body: '{"packed":"yes"}', expect: 'refuse' },
    { name: 'order facts: bad shop fault', method: 'POST', path: '/api/orders/1000000001/facts', contentType: json, body: '{"shopFault":"meteor"}', expect: 'refuse' },
    { name: 'order facts: NUL in order no', method: 'POST', path: '/api/orders/1%00/facts', contentType: json, body: '{"packed":true}', expect: 'refuse' },
    { name: 'order facts: SQL-ish unknown order', method: 'POST', path: `/api/orders/${encodeURIComponent(SQLISH)}/facts`, contentType: json, body: '{"packed":true}', expect: 'refuse' },
    { name: 'rate: month 2026-13', method: 'GET', path: '/api/cancel-rate?month=2026-13', expect: 'refuse' },
    { name: 'rate: month as array', method: 'GET', path: '/api/cancel-rate?month=2026-11&month=2026-10', expect: 'refuse' },
    { name: 'rate: SQL-ish shop id', method: 'GET', path: `/api/cancel-rate?shopId=${encodeURIComponent(SQLISH)}`, expect: 'refuse' },
    { name: 'rate history: months=1e9', method: 'GET', path: '/api/cancel-rate/history?months=1000000000', expect: 'refuse' },
    { name: 'counted cancels: garbage cursor', method: 'GET', path: '/api/cancel-rate/cancels?cursor=!!!not-a-cursor', expect: 'refuse' },
    { name: 'counted cancels: JSON cursor', method: 'GET', path: `/api/cancel-rate/cancels?cursor=${Buffer.from('{"at":"x","id":"1 OR 1=1"}').toString('base64url')}`, expect: 'refuse' },
    { name: 'alerts: limit=-1', method: 'GET', path: '/api/alerts?limit=-1', expect: 'refuse' },
    { name: 'shipments list: status=evil', method: 'GET', path: '/api/shipments?status=evil', expect: 'refuse' },
    { name: 'unknown route', method: 'GET', path: '/api/%00../../etc/passwd', expect: 'refuse' },

    // Label CSV uploads.
    { name: 'label import: empty body', method: 'POST', path: '/api/shipments/import', contentType: csv, body: '', expect: 'refuse' },
    { name: 'label import: random bytes', method: 'POST', path: '/api/shipments/import', contentType: csv, body: noise(64 * 1024), expect: 'refuse' },
    { name: 'label import: header only', method: 'POST', path: '/api/shipments/import', contentType: csv, body: `${B2_HEADER}\r\n`, expect: 'report' },
    { name: 'label import: unclosed quote', method: 'POST', path: '/api/shipments/import', contentType: csv, body: `${B2_HEADER}\r\n"1000000001,0,,"40000000001`, expect: 'report' },
    { name: 'label import: UTF-16', method: 'POST', path: '/api/shipments/import', contentType: csv, body: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${B2_HEADER}\r\n`, 'utf16le')]), expect: 'refuse' },
    { name: 'label import: ZIP bytes', method: 'POST', path: '/api/shipments/import', contentType: 'application/octet-stream', body: Buffer.concat([Buffer.from('PK\u0003\u0004'), noise(2048)]), expect: 'refuse' },
    { name: 'label import: unknown layout', method: 'POST', path: '/api/shipments/import', contentType: csv, body: 'a,b,c\r\n1,2,3\r\n', expect: 'refuse' },
    { name: 'label import: over 20 MB', method: 'POST', path: '/api/shipments/import', contentType: csv, body: Buffer.alloc(21 * 1024 * 1024, 0x41), expect: 'refuse' },
    { name: 'label import: JSON content type', method: 'POST', path: '/api/shipments/import', contentType: json, body: `${B2_HEADER}\r\n`, expect: 'refuse' },
    { name: 'label import: bad format', method: 'POST', path: '/api/shipments/import?format=evil', contentType: csv, body: `${B2_HEADER}\r\n`, expect: 'refuse' },
    { name: 'label import: path in filename', method: 'POST', path: '/api/shipments/import?filename=..%2F..%2Fetc%2Fpasswd', contentType: csv, body: `${B2_HEADER}\r\n`, expect: 'refuse' },
    { name: 'label import: NUL in filename', method: 'POST', path: '/api/shipments/import?filename=a%00.csv', contentType: csv, body: `${B2_HEADER}\r\n`, expect: 'refuse' },
    {
      name: 'label import: hostile cells (unknown orders)',
      method: 'POST',
      path: '/api/shipments/import',
      contentType: csv,
      body: iconv.encode(
        `${B2_HEADER}\r\n${SQLISH},0,,40000000001${1 % 7},2026/11/20\r\n${'9'.repeat(500)},0,,${'8'.repeat(300)},2026/11/20\r\n"1\u0000",0,,🚚,2026/11/20\r\n`,
        'cp932',
      ),
      expect: 'report',
    },

    // Stock CSV uploads.
    { name: 'stock import: empty', method: 'POST', path: '/api/stock/import', contentType: csv, body: '', expect: 'refuse' },
    { name: 'stock import: unclosed quote', method: 'POST', path: '/api/stock/import', contentType: csv, body: 'seller_item_code,available\n"OK,5\n', expect: 'refuse' },
    // Inventory tools write Shift_JIS: read as such (checked after the sweep: no mojibake code stored).
    { name: 'stock import: Shift_JIS bytes', method: 'POST', path: '/api/stock/import', contentType: csv, body: iconv.encode('seller_item_code,available\n在庫品A,5\n', 'cp932'), expect: 'report' },
    { name: 'stock import: NUL in code', method: 'POST', path: '/api/stock/import', contentType: csv, body: `seller_item_code,available\n${NUL},5\n`, expect: 'refuse' },
    // A per-line error in the report (checked after the sweep: the row is not stored).
    { name: 'stock import: beyond int4', method: 'POST', path: '/api/stock/import', contentType: csv, body: 'seller_item_code,available\nBIG,99999999999999999999\n', expect: 'report' },
    { name: 'stock import: random bytes', method: 'POST', path: '/api/stock/import', contentType: csv, body: noise(32 * 1024), expect: 'refuse' },
    { name: 'stock import: over 20 MB', method: 'POST', path: '/api/stock/import', contentType: csv, body: Buffer.alloc(21 * 1024 * 1024, 0x41), expect: 'refuse' },
    { name: 'stock import: octet-stream', method: 'POST', path: '/api/stock/import', contentType: 'application/octet-stream', body: 'OK,5\n', expect: 'refuse' },
    { name: 'stock import: only bad rows', method: 'POST', path: '/api/stock/import', contentType: csv, body: 'seller_item_code,available\nX,many\n,5\n', expect: 'report' },
  ];
  return cases;
}

const TABLES = ['orders', 'cancel_requests', 'decisions', 'actions', 'tracking_numbers', 'item_facts', 'order_facts', 'cancels', 'monthly_order_counts', 'shops'];

/** A digest of every row of each table: a refused request must leave all of them as they were. */
async function rowCounts(ds: DataSource): Promise<Record<string, string>> {
  const [row] = await ds.query(
    `SELECT ${TABLES.map((t) => `(SELECT count(*) || ':' || md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), '')) FROM ${t} x) AS ${t}`).join(', ')}`,
  );
  return row as Record<string, string>;
}

async function send(base: string, c: InputCase): Promise<{ status: number | null; body: string; contentType: string; error?: string }> {
  const headers: Record<string, string> = {};
  const auth = c.authorization === undefined ? `Bearer ${CHAOS_ADMIN_TOKEN}` : c.authorization;
  if (auth !== null) headers.Authorization = auth;
  if (c.contentType) headers['Content-Type'] = c.contentType;
  try {
    const res = await fetch(`${base}${c.path}`, { method: c.method, headers, body: c.body, signal: AbortSignal.timeout(30_000) });
    return { status: res.status, body: await res.text(), contentType: res.headers.get('content-type') ?? '' };
  } catch (error) {
    return { status: null, body: '', contentType: '', error: error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? '')}` : String(error) };
  }
}

function judge(c: InputCase, res: { status: number | null; body: string; contentType: string; error?: string }): { code: string | null; problems: string[] } {
  const problems: string[] = [];
  if (res.status === null) return { code: null, problems: [`no answer (${res.error})`] };
  let parsed: { code?: unknown; message?: unknown } | null = null;
  try {
    parsed = JSON.parse(res.body) as { code?: unknown; message?: unknown };
  } catch {
    parsed = null;
  }
  const code = parsed && typeof parsed.code === 'string' ? parsed.code : null;
  if (res.status >= 500) problems.push(`answered ${res.status} ${res.body.slice(0, 160)}`);
  if (c.expect === 'parser' && (res.status === 431 || res.status === 400)) return { code, problems };
  if (c.expect === 'refuse' && res.status < 400) problems.push(`accepted (${res.status}) instead of refusing: ${res.body.slice(0, 160)}`);
  if (res.status >= 400 && res.status < 500) {
    if (!/json/.test(res.contentType) || !code || typeof parsed?.message !== 'string') problems.push(`${res.status} without a JSON { code, message }: ${res.body.slice(0, 120)}`);
  }
  return { code, problems };
}

/** Runs the sweep against a fresh daemon; `onCase` sees each outcome (tests print them). */
export async function badInputScenario(db: ChaosDatabase, options: { onCase?: (outcome: CaseOutcome) => void } = {}): Promise<ScenarioResult & { outcomes: CaseOutcome[] }> {
  const started = Date.now();
  const world = await createChaosWorld({ db, shops: 1, perKind: 1, laterPerKind: 0 });
  const result: ScenarioResult & { outcomes: CaseOutcome[] } = { scenario: 'bad-input', runs: 0, killed: 0, requests: 0, violations: [], ms: 0, notes: [], outcomes: [] };
  // Polls only at start-up: claims once a year, each shop's orders once an hour (the longest interval).
  const daemon = world.startDaemon({ POLL_SCHEDULE: '0 0 1 1 *', POLL_ORDERS_INTERVAL: '60m' });
  try {
    const base = await daemon.url;
    // Let the start-up work settle the four requests (one of them stays in review; the refusal stays
    // 'acting' until a later claims poll sees it end): no poll running, no request undecided, no outbox
    // row in flight, no queued job left (decisions and sends are jobs of their own).
    const deadline = Date.now() + 60_000;
    let reviewId: string | null = null;
    while (Date.now() < deadline && reviewId === null) {
      const rows: Array<{ id: string }> = await db.dataSource.query(`SELECT id FROM cancel_requests WHERE status = 'review' LIMIT 1`);
      const [{ busy }] = await db.dataSource.query(
        `SELECT (SELECT count(*) FROM job_runs WHERE finished_at IS NULL)
              + (SELECT count(*) FROM cancel_requests WHERE status = 'pending')
              + (SELECT count(*) FROM actions WHERE state IN ('pending', 'sending')) AS busy`,
      );
      // pg-boss creates its schema when the daemon's queue starts, a moment after the port answers.
      const [{ queue }] = await db.dataSource.query(`SELECT to_regclass('pgboss.job') IS NOT NULL AS queue`);
      const [{ queued }] = queue ? await db.dataSource.query(`SELECT count(*)::int AS queued FROM pgboss.job WHERE state IN ('created', 'retry', 'active')`) : [{ queued: 1 }];
      if (rows.length > 0 && Number(busy) === 0 && queued === 0) reviewId = String(rows[0]!.id);
      else await new Promise((done) => setTimeout(done, 250));
    }
    if (!reviewId) throw new Error(`the daemon's first cycle did not leave a review item: ${daemon.output().slice(-800)}`);

    const cases = inputCases(reviewId);
    result.requests = cases.length;
    for (const c of cases) {
      const writesBefore = world.sim.calls.filter((call) => /^(Claim\.SetCancelProcess|ShippingBasic\.SetSendingInfo)/i.test(call.method)).length;
      const before = await rowCounts(db.dataSource);
      const res = await send(base, c);
      result.runs += 1;
      const { code, problems } = judge(c, res);
      if (res.status !== null && res.status >= 400 && res.status < 500) {
        const after = await rowCounts(db.dataSource);
        for (const [table, count] of Object.entries(before)) {
          if (after[table] !== count) problems.push(`refused, yet ${table} changed ${count} → ${after[table]}`);
        }
      }
      const writesAfter = world.sim.calls.filter((call) => /^(Claim\.SetCancelProcess|ShippingBasic\.SetSendingInfo)/i.test(call.method)).length;
      if (writesAfter !== writesBefore) problems.push(`caused ${writesAfter - writesBefore} write(s) to Qoo10`);
      const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, () => null);
      result.runs += 1;
      if (health !== 200) problems.push(`/healthz answered ${health} afterwards`);
      const outcome: CaseOutcome = { name: c.name, status: res.status, code, problems };
      result.outcomes.push(outcome);
      options.onCase?.(outcome);
      for (const problem of problems) result.violations.push(`${c.name}: ${problem}`);
    }
    // What the reports accepted was stored right: no mojibake or NUL codes, no out-of-range row.
    const stored: Array<{ code: string; available: number | null }> = await db.dataSource.query('SELECT seller_item_code AS code, available FROM item_facts');
    for (const row of stored) {
      if (/[\uFFFD\u0000]/.test(row.code)) result.violations.push(`item_facts holds a mangled code ${JSON.stringify(row.code)}`);
      if (row.code === 'BIG') result.violations.push('the out-of-range stock row was stored');
    }
    if (!stored.some((row) => row.code === '在庫品A' && row.available === 5)) result.violations.push('the Shift_JIS stock file was not read as Shift_JIS (no 在庫品A = 5)');
    const exit = await daemon.stop();
    if (exit !== 0) result.violations.push(`the daemon exited ${exit} on SIGTERM after the sweep`);
    if (/unhandled|uncaught/i.test(daemon.output())) result.notes.push('the daemon logged unhandled errors (see its output)');
  } finally {
    await daemon.stop();
    await world.close();
    result.ms = Date.now() - started;
  }
  return result;
}
