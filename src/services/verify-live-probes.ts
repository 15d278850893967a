// verify-live's read-only probes: list reads, a fresh read, window limits and the date format to the second,
// through Qoo10ProbeReader (reads only). Each probe records what it saw; the domain (qoo10-facts.ts) judges.
import { formatQoo10RequestDate } from '../domain/jst-calendar';
import {
  judgeClaimStatus,
  judgeCompletionTime,
  judgeDatesToSecond,
  judgeFreshReadFields,
  judgeSearchWindow,
  judgeThrottling,
  looksThrottled,
  type DateWindowProbe,
  type FactFinding,
  type SeenClaimStatus,
  type WindowAnswer,
} from '../domain/qoo10-facts';
import type { ProbeAnswer, ProbeReadMethod, Qoo10ProbeReader } from '../qoo10/qoo10-probe-reader';
import { DAY_MS, formatJstDateTime, jstDayStart, parseJstDateTime } from '../qoo10/qoo10-dates';

const CLAIMS: ProbeReadMethod = 'ShippingBasic.GetClaimInfo_V3';
const ORDERS: ProbeReadMethod = 'ShippingBasic.GetShippingInfo_v3';
const FRESH: ProbeReadMethod = 'ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2';
const SECOND_MS = 1000;
const HOUR_MS = 3600 * SECOND_MS;
/** How far back the lists are read for samples. */
const LOOKBACK_DAYS = 30;

export interface ReadObservations {
  calls: number;
  /** `method: what ResultObject was` per distinct answer shape (null, [], one object, array of n ...). */
  envelopes: string[];
  /** Answers that were not a success, by method and code or transport error. */
  failures: string[];
}

type Row = Record<string, unknown>;

/** Wraps the reader: every answer is kept for the envelope and throttling observations. */
class ProbeLog {
  readonly answers: ProbeAnswer[] = [];
  constructor(private readonly reader: Qoo10ProbeReader) {}

  async read(method: ProbeReadMethod, params: Record<string, string>): Promise<ProbeAnswer> {
    const answer = await this.reader.read(method, params);
    this.answers.push(answer);
    return answer;
  }

  /** The rows of a successful list/fresh read; null when the call failed. */
  async rows(method: ProbeReadMethod, params: Record<string, string>): Promise<Row[] | null> {
    const answer = await this.read(method, params);
    if (answer.code !== 0) return null;
    const result = (answer.json as Row).ResultObject;
    if (result === null || result === undefined || result === '') return [];
    if (Array.isArray(result)) return result.filter((r): r is Row => typeof r === 'object' && r !== null);
    return typeof result === 'object' ? [result as Row] : null;
  }
}

const day = (d: Date) => formatQoo10RequestDate(d, false);
const second = (d: Date) => formatQoo10RequestDate(d, true);

function claimParams(claimStat: number, condition: number, from: string, to: string): Record<string, string> {
  return { ClaimStat: String(claimStat), search_Sdate: from, search_Edate: to, search_condition: String(condition) };
}

function orderParams(from: string, to: string): Record<string, string> {
  return { ShippingStatus: '', SearchStartDate: from, SearchEndDate: to, SearchCondition: '1' };
}

const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const orderNoOf = (row: Row): string => text(row.orderNo ?? row.OrderNo).trim();

/** A row's time usable for the date probe: not at a JST day's first or last second (see judgeDatesToSecond). */
function sampleTime(value: unknown): Date | null {
  const at = parseJstDateTime(text(value).trim());
  if (!at) return null;
  const sinceDayStart = at.getTime() - jstDayStart(at).getTime();
  return sinceDayStart >= SECOND_MS && sinceDayStart <= DAY_MS - 2 * SECOND_MS ? at : null;
}

interface Sample {
  method: ProbeReadMethod;
  orderNo: string;
  at: Date;
  params: (from: string, to: string) => Record<string, string>;
}

async function probeDates(log: ProbeLog, sample: Sample | null): Promise<FactFinding> {
  if (!sample) return judgeDatesToSecond(null, null);
  const shows = async (from: Date, to: Date): Promise<boolean | null> => {
    const rows = await log.rows(sample.method, sample.params(second(from), second(to)));
    return rows === null ? null : rows.some((r) => orderNoOf(r) === sample.orderNo);
  };
  const t = sample.at.getTime();
  const probe: DateWindowProbe = {
    control: await shows(new Date(t - SECOND_MS), new Date(t + SECOND_MS)),
    afterSample: await shows(new Date(t + SECOND_MS), new Date(t + HOUR_MS)),
    beforeSample: await shows(new Date(t - HOUR_MS), new Date(t - SECOND_MS)),
  };
  return judgeDatesToSecond({ method: sample.method, at: formatJstDateTime(sample.at) }, probe);
}

async function windowAnswer(log: ProbeLog, method: ProbeReadMethod, params: Record<string, string>): Promise<WindowAnswer> {
  const answer = await log.read(method, params);
  if (answer.code === 0) return 'ok';
  return answer.code === -10003 ? 'refused' : 'failed';
}

/**
 * The client's widest window (90 JST days, both included, as search-windows.ts sends them) must be accepted;
 * one that starts 91 days before its end must be refused, or the split is not what Qoo10 does.
 */
async function probeWindows(log: ProbeLog, now: Date): Promise<FactFinding> {
  const today = jstDayStart(now);
  const from90 = day(new Date(today.getTime() - 89 * DAY_MS));
  const from91 = day(new Date(today.getTime() - 91 * DAY_MS));
  const to = day(today);
  const answers = [];
  for (const [method, params] of [
    [CLAIMS, (from: string) => claimParams(1, 2, from, to)],
    [ORDERS, (from: string) => orderParams(from, to)],
  ] as const) {
    answers.push({ method, days90: await windowAnswer(log, method, params(from90)), days91: await windowAnswer(log, method, params(from91)) });
  }
  return judgeSearchWindow(answers);
}

function describeResult(answer: ProbeAnswer): string | null {
  if (answer.code !== 0) return null;
  const envelope = answer.json as Row;
  const result = envelope.ResultObject;
  const shape =
    !('ResultObject' in envelope) ? 'no ResultObject'
    : result === null ? 'ResultObject null'
    : Array.isArray(result) ? (result.length === 0 ? 'ResultObject []' : 'ResultObject array')
    : typeof result === 'object' ? 'ResultObject one object'
    : `ResultObject ${typeof result}`;
  return `${answer.method}: ${shape}`;
}

function observationsOf(answers: readonly ProbeAnswer[]): ReadObservations {
  const envelopes = new Set<string>();
  const failures = new Set<string>();
  for (const a of answers) {
    const shape = describeResult(a);
    if (shape) envelopes.add(shape);
    else failures.add(`${a.method}: ${a.transportError ?? (a.httpStatus !== 200 ? `HTTP ${a.httpStatus}` : `code ${a.code ?? 'none'}`)}`);
  }
  return { calls: answers.length, envelopes: [...envelopes].sort(), failures: [...failures].sort() };
}

/** Runs every read-only probe; sends nothing but the three read methods. */
export async function runReadProbes(
  reader: Qoo10ProbeReader,
  now: Date,
  minIntervalMs: number,
): Promise<{ findings: FactFinding[]; observations: ReadObservations }> {
  const log = new ProbeLog(reader);
  const from = day(new Date(now.getTime() - (LOOKBACK_DAYS - 1) * DAY_MS));
  const to = day(now);
  const pending = await log.rows(CLAIMS, claimParams(1, 2, from, to));
  const completed = await log.rows(CLAIMS, claimParams(3, 3, from, to));
  const orders = await log.rows(ORDERS, orderParams(from, to));

  const seen: SeenClaimStatus[] = [...(pending ?? []), ...(completed ?? [])]
    .filter((r) => r.claimStatus !== undefined && r.claimStatus !== '')
    .map((r) => ({ source: 'list', value: r.claimStatus }));

  // A sample for the date probe: a claim by its request date, else an order by its order date.
  const samples: Sample[] = [
    ...(pending ?? []).map((r) => ({ row: r, at: sampleTime(r.requestDate), method: CLAIMS, params: (f: string, t: string) => claimParams(1, 2, f, t) })),
    ...(completed ?? []).map((r) => ({ row: r, at: sampleTime(r.requestDate), method: CLAIMS, params: (f: string, t: string) => claimParams(3, 2, f, t) })),
    ...(orders ?? []).map((r) => ({ row: r, at: sampleTime(r.OrderDate), method: ORDERS, params: orderParams })),
  ]
    .filter((s) => s.at !== null && orderNoOf(s.row) !== '')
    .map((s) => ({ method: s.method, orderNo: orderNoOf(s.row), at: s.at as Date, params: s.params }));
  const dates = await probeDates(log, samples[0] ?? null);

  // The fresh read: an order with a pending request when there is one (its claim fields are then filled).
  const freshOrderNo = [...(pending ?? []), ...(orders ?? []), ...(completed ?? [])].map(orderNoOf).find((n) => /^\d+$/.test(n));
  let freshRead: { orderNo: string; fields: string[] } | null = null;
  if (freshOrderNo) {
    const rows = await log.rows(FRESH, { OrderNo: freshOrderNo });
    const row = rows?.[0];
    if (row) {
      freshRead = { orderNo: freshOrderNo, fields: Object.keys(row) };
      if (row.claimStatus !== undefined && row.claimStatus !== '') seen.push({ source: 'fresh_read', value: row.claimStatus });
    }
  }

  const windows = await probeWindows(log, now);
  const findings = [
    judgeClaimStatus(seen),
    judgeCompletionTime(completed === null ? null : completed.map((r) => ({ cancelRefundDate: r.cancelRefundDate }))),
    dates,
    judgeFreshReadFields(freshRead),
    windows,
    judgeThrottling(
      log.answers.filter((a) => a.httpStatus !== null).map((a) => ({ ms: a.ms, throttled: looksThrottled(a), ok: a.code === 0 })),
      minIntervalMs,
    ),
  ];
  return { findings, observations: observationsOf(log.answers) };
}
