import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  CANCEL_CAUSES,
  cancelInPeriod,
  type CancelCause,
  type CancelMonthBasis,
  type CauseCount,
  type CountingUnit,
  type ItemCancels,
  type RateDefinition,
} from '../domain/cancel-rate';
import { jstMonthRange, previousMonth, type MonthKey } from '../domain/jst-calendar';

/** The sums the rate is computed from, for one shop and one JST month. */
export interface RateCounts {
  orders: number;
  countedCancels: number;
  excludedCancels: number;
  byReason: Record<CancelCause, CauseCount>;
}

/** A pending cancel request still inside the exclusion window: accepted before `deadline`, it does not count. */
export interface PendingInWindow {
  requestId: string;
  orderNo: string;
  itemKey: string;
  itemTitle: string;
  orderedAt: Date;
  requestedAt: Date;
  /** ordered_at + exclusion hours. */
  deadline: Date;
}

export interface PendingSummary {
  total: number;
  insideExclusionWindow: number;
  /** The in-window requests, soonest deadline first (at most `listLimit`). */
  inWindow: PendingInWindow[];
}

export interface CountedCancel {
  orderNo: string;
  orderedAt: Date;
  cancelledAt: Date;
  cause: CancelCause;
  itemKey: string;
  itemTitle: string;
  source: string;
}

/** One JST calendar day of a month: the orders placed and the cancels booked on it. */
export interface DailyCounts {
  /** JST date, 'YYYY-MM-DD'. */
  date: string;
  /** Orders of the denominator placed on the day. */
  orders: number;
  countedCancels: number;
  excludedCancels: number;
}

/** Keyset position in the drill-down list (newest cancel first). */
export interface CancelCursor {
  cancelledAt: Date;
  orderNo: string;
}

/** The column holding the month a cancel counts in, per basis (both are indexed with shop_id). */
const MONTH_COLUMN: Record<CancelMonthBasis, 'cancel_month' | 'order_month'> = {
  cancel_time: 'cancel_month',
  order_time: 'order_month',
};

/**
 * Where each counting unit's rows are (CANCEL_RATE_COUNTING_UNIT): the one place the unit picks its
 * tables. Both sides have the same columns, so every read below is one SQL text per unit. The count
 * tables (cancel_totals, cancel_item_totals) hold both units in their `unit` column.
 */
const UNIT_ROWS: Record<CountingUnit, { orders: 'orders' | 'carts'; cancels: 'cancels' | 'cart_cancels'; countPrefix: 'orders' | 'carts' }> = {
  order_line: { orders: 'orders', cancels: 'cancels', countPrefix: 'orders' },
  cart: { orders: 'carts', cancels: 'cart_cancels', countPrefix: 'carts' },
};

/** The monthly_order_counts column holding the denominator under a definition. */
function denominatorColumn(definition: RateDefinition): string {
  const prefix = UNIT_ROWS[definition.countingUnit].countPrefix;
  if (definition.cohort === 'paid_cohort') return `${prefix}_paid_in_month`;
  return definition.denominator === 'orders_paid' ? `${prefix}_paid` : `${prefix}_placed`;
}

/** SQL condition on a count table's `unit` column (a fixed word from COUNTING_UNITS, never input). */
function unitCondition(definition: RateDefinition): string {
  return `unit = '${definition.countingUnit}'`;
}

/**
 * SQL condition selecting a period's cancels (months in the array parameter $n) from a table with
 * cancel_month, order_month and paid_month columns; the same rule as the domain's cancelInPeriod.
 */
function periodCondition(definition: RateDefinition, param: string): string {
  if (definition.cohort === 'paid_cohort') return `cancel_month = ANY(${param}) AND paid_month = ANY(${param})`;
  return `${MONTH_COLUMN[definition.cancelMonthBasis]} = ANY(${param})`;
}

interface CauseRow {
  cause: CancelCause;
  counted: number;
  excluded: number;
}

function emptyByReason(): Record<CancelCause, CauseCount> {
  return Object.fromEntries(CANCEL_CAUSES.map((cause) => [cause, { counted: 0, excluded: 0 }])) as Record<CancelCause, CauseCount>;
}

function countsOf(orders: number, rows: CauseRow[]): RateCounts {
  const byReason = emptyByReason();
  for (const row of rows) {
    byReason[row.cause].counted += row.counted;
    byReason[row.cause].excluded += row.excluded;
  }
  const counted = CANCEL_CAUSES.reduce((sum, cause) => sum + byReason[cause].counted, 0);
  const excluded = CANCEL_CAUSES.reduce((sum, cause) => sum + byReason[cause].excluded, 0);
  return { orders, countedCancels: counted, excludedCancels: excluded, byReason };
}

type ItemGroupRow = CauseRow & { item_key: string; title: string };
type OrderCountRow = { month: string; orders: number };
type TotalsRow = CauseRow & { cancel_month: string; order_month: string; paid_month: string };
type OpenRequestsRow = {
  total: number;
  inside: number;
  listed: Array<{ id: string | number; order_no: string; requested_at: string; ordered_at: string; item_key: string | null; item_title: string | null }>;
};

// The report's reads as SQL text, so that each can run alone or inside the one-statement report
// (reportCounts). Arguments are placeholders ('$1', '$2::text[]').

/** The denominator per month of the months in `months`. */
function orderCountsSql(definition: RateDefinition, shop: string, months: string): string {
  return `SELECT month, ${denominatorColumn(definition)} AS orders FROM monthly_order_counts WHERE shop_id = ${shop} AND month = ANY(${months})`;
}

/** The cancel_totals rows touching the months (by cancel or order month); periods are cut in JS. */
function cancelTotalsSql(definition: RateDefinition, shop: string, months: string): string {
  return `SELECT cancel_month, order_month, paid_month, cause, counted, excluded FROM cancel_totals
    WHERE shop_id = ${shop} AND ${unitCondition(definition)} AND (cancel_month = ANY(${months}) OR order_month = ANY(${months}))`;
}

/** A period's cancels per item and cause. */
function itemGroupsSql(definition: RateDefinition, shop: string, months: string): string {
  return `SELECT item_key, cause, max(item_title) AS title, sum(counted)::int AS counted, sum(excluded)::int AS excluded
    FROM cancel_item_totals WHERE shop_id = ${shop} AND ${unitCondition(definition)} AND ${periodCondition(definition, months)}
    GROUP BY item_key, cause`;
}

/**
 * One row: the open requests (pending or waiting for a person, no cancel booked for the order), those
 * inside the exclusion window, and the first `limit` of those as JSON (timestamps as ISO text).
 * `include` false gives zeros without reading (a past month has no pending what-if).
 * Under the cart unit the figures count carts: several open requests of a cart are one, a cart
 * whose cancel already counts adds nothing, and a cart is inside only when all its requests are.
 */
function openRequestsSql(definition: RateDefinition, p: { shop: string; now: string; hours: string; orderMonth: string; limit: string; include: string }): string {
  const cart = definition.countingUnit === 'cart';
  // The order's facts are kept on the request (migration 20261201121000): one index, no join.
  return `WITH open AS (
      SELECT r.id, r.order_no, r.requested_at, r.ordered_at, r.item_key, r.item_title,
        ${cart ? 'COALESCE(r.pack_no, r.order_no)' : 'r.id::text'} AS unit_key,
        (r.ordered_at IS NOT NULL AND r.ordered_at <= ${p.now} AND ${p.now} - r.ordered_at < ${p.hours} * interval '1 hour') AS inside
      FROM cancel_requests r
      WHERE ${p.include} AND r.shop_id = ${p.shop} AND r.status IN ('pending', 'review') AND NOT r.cancel_booked
        AND (${p.orderMonth} IS NULL OR r.order_month = ${p.orderMonth})${
          cart
            ? `
        AND NOT EXISTS (SELECT 1 FROM cart_cancels k WHERE k.shop_id = r.shop_id AND k.pack_no = COALESCE(r.pack_no, r.order_no) AND k.counted)`
            : ''
        }
    )
    SELECT counts.total, counts.total - counts.outside AS inside,
      COALESCE((SELECT json_agg(l) FROM (SELECT id, order_no, requested_at, ordered_at, item_key, item_title FROM open
        WHERE inside ORDER BY ordered_at, order_no COLLATE "C" LIMIT ${p.limit}) AS l), '[]'::json) AS listed
    FROM (SELECT ${cart ? 'count(DISTINCT unit_key)' : 'count(*)'}::int AS total,
      ${cart ? 'count(DISTINCT unit_key)' : 'count(*)'} FILTER (WHERE NOT inside)::int AS outside FROM open) AS counts`;
}

/**
 * The one statement of a report (RateRepository.reportCounts). Parameters: $1 shop, $2 the months of
 * every period, $3 the month (one-element array), $4 now, $5 exclusion hours, $6 order month or
 * null, $7 list limit, $8 whether to read the open requests.
 */
export function reportSql(definition: RateDefinition): string {
  const open = openRequestsSql(definition, { shop: '$1', now: '$4::timestamptz', hours: '$5::float8', orderMonth: '$6::text', limit: '$7::int', include: '$8::boolean' });
  return `SELECT
     (SELECT COALESCE(json_agg(x), '[]'::json) FROM (${orderCountsSql(definition, '$1', '$2::text[]')}) AS x) AS orders,
     (SELECT COALESCE(json_agg(x), '[]'::json) FROM (${cancelTotalsSql(definition, '$1', '$2::text[]')}) AS x) AS totals,
     (SELECT COALESCE(json_agg(x), '[]'::json) FROM (${itemGroupsSql(definition, '$1', '$3::text[]')}) AS x) AS items,
     (SELECT row_to_json(x) FROM (${open}) AS x) AS pending`;
}

/** The month's counts and its items (every item with a counted cancel, in no particular order). */
function breakdownOf(orders: number, groups: ItemGroupRow[]): { counts: RateCounts; items: ItemCancels[] } {
  const items = new Map<string, ItemCancels>();
  for (const group of groups) {
    if (group.counted === 0) continue;
    const item = items.get(group.item_key) ?? { itemKey: group.item_key, title: group.title, counted: 0, sellerFault: 0 };
    item.counted += group.counted;
    // Seller fault in the item sense: every cause but the buyer's (stock-outs, defects, late shipping).
    if (group.cause !== 'buyer') item.sellerFault += group.counted;
    items.set(group.item_key, item);
  }
  return { counts: countsOf(orders, groups), items: [...items.values()] };
}

function periodsOf(periods: ReadonlyArray<readonly MonthKey[]>, orderRows: OrderCountRow[], totalRows: TotalsRow[], definition: RateDefinition): RateCounts[] {
  return periods.map((period) => {
    const inPeriod = new Set(period);
    const orders = orderRows.filter((row) => inPeriod.has(row.month)).reduce((sum, row) => sum + row.orders, 0);
    const causes = totalRows.filter((row) =>
      cancelInPeriod({ cancelMonth: row.cancel_month, orderMonth: row.order_month, paidMonth: row.paid_month || null }, inPeriod, definition),
    );
    return countsOf(orders, causes);
  });
}

function pendingOf(summary: OpenRequestsRow, exclusionHours: number): PendingSummary {
  const windowMs = exclusionHours * 3_600_000;
  const inWindow = summary.listed
    .map((row) => {
      const orderedAt = new Date(row.ordered_at);
      return {
        requestId: String(row.id),
        orderNo: row.order_no,
        itemKey: row.item_key ?? '',
        itemTitle: row.item_title ?? '',
        orderedAt,
        requestedAt: new Date(row.requested_at),
        deadline: new Date(orderedAt.getTime() + windowMs),
      };
    })
    .sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || (a.orderNo < b.orderNo ? -1 : a.orderNo > b.orderNo ? 1 : 0));
  return { total: summary.total, insideExclusionWindow: summary.inside, inWindow };
}

/** The prepared statements' names by SQL text (one per rate definition). */
const statementNames = new Map<string, string>();

/** What one rate report reads: the month's breakdown, the periods' counts, the open requests. */
export interface ReportCounts {
  month: { counts: RateCounts; items: ItemCancels[] };
  periods: RateCounts[];
  pending: PendingSummary;
}

/**
 * Reads for the cancellation rate. The running figures are sums over small count tables kept as
 * orders and cancels are written (monthly_order_counts, cancel_totals, cancel_item_totals), never
 * over the cancels themselves; `scanPeriod` recomputes the same figures from the raw rows, to verify.
 */
export class RateRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * The month's figures in two queries over count tables: the denominator from one row of
   * monthly_order_counts, and the month's rows of cancel_item_totals (a few per item and cause),
   * from which the totals, the breakdown by reason and the per-item counts are summed here.
   * `items` holds every item with a counted cancel, in no particular order.
   */
  async monthBreakdown(shopId: string, month: MonthKey, definition: RateDefinition): Promise<{ counts: RateCounts; items: ItemCancels[] }> {
    const [orderRows, groups] = await Promise.all([
      this.dataSource.query(orderCountsSql(definition, '$1', '$2::text[]'), [shopId, [month]]) as Promise<OrderCountRow[]>,
      this.dataSource.query(itemGroupsSql(definition, '$1', '$2::text[]'), [shopId, [month]]) as Promise<ItemGroupRow[]>,
    ]);
    return breakdownOf(orderRows[0]?.orders ?? 0, groups);
  }

  /**
   * Cancel requests still waiting for an answer (pending, or waiting for a person) whose order has
   * no recorded cancel yet. Inside the window: now − ordered_at < exclusionHours, so accepting it now
   * would not count. A request whose order time is unknown is treated as outside (it would count).
   * `orderMonth` limits them to orders of that month (for the order-time basis).
   */
  async pendingRequests(
    shopId: string,
    definition: RateDefinition,
    now: Date,
    exclusionHours: number,
    listLimit: number,
    orderMonth?: MonthKey,
  ): Promise<PendingSummary> {
    const [summary]: OpenRequestsRow[] = await this.dataSource.query(
      openRequestsSql(definition, { shop: '$1', now: '$2::timestamptz', hours: '$3::float8', orderMonth: '$4::text', limit: '$5::int', include: 'true' }),
      [shopId, now, exclusionHours, orderMonth ?? null, listLimit],
    );
    return pendingOf(summary!, exclusionHours);
  }

  /**
   * Everything one rate report reads, in ONE statement (one round trip, one backend): the month's
   * breakdown, the counts of `periods` (e.g. the month's quarter and the two before), and the open
   * requests when `pending.include` (see pendingRequests). Same figures as the separate reads.
   */
  async reportCounts(
    shopId: string,
    month: MonthKey,
    periods: ReadonlyArray<readonly MonthKey[]>,
    definition: RateDefinition,
    pending: { include: boolean; now: Date; exclusionHours: number; listLimit: number; orderMonth?: MonthKey },
  ): Promise<ReportCounts> {
    const months = [...new Set([month, ...periods.flat()])];
    const [row] = await this.preparedQuery<{ orders: OrderCountRow[]; totals: TotalsRow[]; items: ItemGroupRow[]; pending: OpenRequestsRow }>(
      reportSql(definition),
      [shopId, months, [month], pending.now, pending.exclusionHours, pending.orderMonth ?? null, pending.listLimit, pending.include],
    );
    return {
      month: breakdownOf(row!.orders.find((entry) => entry.month === month)?.orders ?? 0, row!.items),
      periods: periodsOf(periods, row!.orders, row!.totals, definition),
      pending: pendingOf(row!.pending, pending.exclusionHours),
    };
  }

  /**
   * A read as a named prepared statement: PostgreSQL plans it once per connection instead of on
   * every page load (planning was about a third of the report's time, bench/rate-query.ts). Goes to
   * the pg pool under TypeORM because DataSource.query cannot name a statement. The name is a hash
   * of the text (PostgreSQL keeps 63 characters of a name), so each text has its own.
   */
  private async preparedQuery<T>(sql: string, params: unknown[]): Promise<T[]> {
    const name = statementNames.get(sql) ?? statementNames.set(sql, `rate-${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`).get(sql)!;
    const pool = (this.dataSource.driver as unknown as { master: { query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: T[] }> } })
      .master;
    return (await pool.query({ name, text: sql, values: params })).rows;
  }

  /**
   * Counted cancels of the month, newest first, `limit` rows after `cursor`. Ordered and compared at
   * millisecond precision, the precision of the JS Date the cursor carries (timestamptz keeps µs).
   */
  async countedCancels(
    shopId: string,
    month: MonthKey,
    definition: RateDefinition,
    limit: number,
    cursor: CancelCursor | null,
  ): Promise<CountedCancel[]> {
    const rows: Array<{
      order_no: string;
      ordered_at: Date;
      cancelled_at: Date;
      cause: CancelCause;
      item_key: string;
      item_title: string;
      source: string;
    }> = await this.dataSource.query(
      `SELECT order_no, ordered_at, cancelled_at, cause, item_key, item_title, source FROM ${UNIT_ROWS[definition.countingUnit].cancels}
       WHERE shop_id = $1 AND ${periodCondition(definition, '$2::text[]')} AND counted
         AND ($3::timestamptz IS NULL OR (date_trunc('milliseconds', cancelled_at), order_no) < ($3::timestamptz, $4::text))
       ORDER BY date_trunc('milliseconds', cancelled_at) DESC, order_no DESC LIMIT $5`,
      [shopId, [month], cursor?.cancelledAt ?? null, cursor?.orderNo ?? '', limit],
    );
    return rows.map((row) => ({
      orderNo: row.order_no,
      orderedAt: row.ordered_at,
      cancelledAt: row.cancelled_at,
      cause: row.cause,
      itemKey: row.item_key,
      itemTitle: row.item_title,
      source: row.source,
    }));
  }

  /**
   * Counts for several periods (each a list of JST months: one month, or a quarter's three) in two
   * queries over count tables: monthly_order_counts and cancel_totals (a few rows per month).
   * Returned in the order of `periods`.
   */
  async periodCounts(shopId: string, periods: ReadonlyArray<readonly MonthKey[]>, definition: RateDefinition): Promise<RateCounts[]> {
    const months = [...new Set(periods.flat())];
    const [orderRows, totalRows] = await Promise.all([
      this.dataSource.query(orderCountsSql(definition, '$1', '$2::text[]'), [shopId, months]) as Promise<OrderCountRow[]>,
      this.dataSource.query(cancelTotalsSql(definition, '$1', '$2::text[]'), [shopId, months]) as Promise<TotalsRow[]>,
    ]);
    return periodsOf(periods, orderRows, totalRows, definition);
  }

  /**
   * The same figures recomputed from the raw rows, independently of the count tables: orders
   * counted by scanning `orders` over the period's instant range (by payment time for the paid
   * cohort), cancels re-classified from their instants (elapsed < window is excluded; a cancel
   * dated before its order counts, as in classifyCancel) and placed in the period by their instants
   * (and, for the paid cohort, the stored order's payment instant), not by any stored month.
   * Under the cart unit, carts are grouped from the orders by PackNo (earliest order and payment
   * instants) and each cart's cancel is re-chosen from its lines by the rule of cartCancelOf.
   * `months` must be consecutive. A scan: for verification and the chaos harness, not page loads.
   */
  async scanPeriod(shopId: string, months: readonly MonthKey[], definition: RateDefinition, exclusionHours: number): Promise<RateCounts> {
    const start = jstMonthRange(months[0]!).start;
    const end = jstMonthRange(months[months.length - 1]!).end;
    const cart = definition.countingUnit === 'cart';
    const inRange = (column: string) => `${column} >= $2 AND ${column} < $3`;
    const orderFilter =
      definition.cohort === 'paid_cohort'
        ? inRange('paid_at')
        : `${inRange('ordered_at')}${definition.denominator === 'orders_paid' ? ' AND paid_at IS NOT NULL' : ''}`;
    const cancelFilter =
      definition.cohort === 'paid_cohort'
        ? `${inRange('cancelled_at')} AND ${inRange('paid_at')}`
        : inRange(definition.cancelMonthBasis === 'cancel_time' ? 'cancelled_at' : 'ordered_at');
    // Each unit as rows of (ordered_at, paid_at) and of (cause, excluded, cancelled_at, ordered_at, paid_at).
    const cartsOfOrders = 'SELECT pack_no, min(ordered_at) AS ordered_at, min(paid_at) AS paid_at FROM orders WHERE shop_id = $1 GROUP BY pack_no';
    const excluded = `(c.cancelled_at >= c.ordered_at AND c.cancelled_at - c.ordered_at < $4::float8 * interval '1 hour')`;
    const orderRowsSql = cart ? cartsOfOrders : 'SELECT ordered_at, paid_at FROM orders WHERE shop_id = $1';
    const cancelRowsSql = cart
      ? `SELECT DISTINCT ON (c.pack_no) c.cause, ${excluded} AS excluded, c.cancelled_at, COALESCE(k.ordered_at, c.ordered_at) AS ordered_at, k.paid_at
         FROM cancels c LEFT JOIN (${cartsOfOrders}) AS k ON k.pack_no = c.pack_no
         WHERE c.shop_id = $1 ORDER BY c.pack_no, ${excluded}, c.cancelled_at, c.order_no COLLATE "C"`
      : `SELECT c.cause, ${excluded} AS excluded, c.cancelled_at, c.ordered_at, o.paid_at
         FROM cancels c LEFT JOIN orders o ON o.shop_id = c.shop_id AND o.order_no = c.order_no WHERE c.shop_id = $1`;
    const [orderRows, causeRows] = await Promise.all([
      this.dataSource.query(`SELECT count(*)::int AS orders FROM (${orderRowsSql}) AS scanned WHERE ${orderFilter}`, [shopId, start, end]) as Promise<
        Array<{ orders: number }>
      >,
      this.dataSource.query(
        `SELECT cause, (count(*) FILTER (WHERE NOT excluded))::int AS counted, (count(*) FILTER (WHERE excluded))::int AS excluded
         FROM (${cancelRowsSql}) AS scanned WHERE ${cancelFilter} GROUP BY cause`,
        [shopId, start, end, exclusionHours],
      ) as Promise<CauseRow[]>,
    ]);
    return countsOf(orderRows[0]?.orders ?? 0, causeRows);
  }

  /**
   * The month's orders and cancels per JST day (days without any are absent), for the dashboard's
   * chart. Orders are grouped by order time; cancels by the instant of the month basis (cancel time
   * or order time). Both passes use the (shop_id, month) indexes. JST is UTC+9 all year, so the day
   * is the UTC instant shifted by nine hours, as in domain/jst-calendar.ts.
   */
  async dailyCounts(
    shopId: string,
    month: MonthKey,
    definition: RateDefinition,
  ): Promise<DailyCounts[]> {
    const rows = UNIT_ROWS[definition.countingUnit];
    const jstDay = (column: string) => `to_char((${column} AT TIME ZONE 'UTC') + interval '9 hours', 'YYYY-MM-DD')`;
    const cohort = definition.cohort === 'paid_cohort';
    const instant = cohort || definition.cancelMonthBasis === 'cancel_time' ? 'cancelled_at' : 'ordered_at';
    // The paid cohort counts orders by payment day; a payment falls in the order's month or the next.
    const { start, end } = jstMonthRange(month);
    const orderSql = cohort
      ? `SELECT ${jstDay('paid_at')} AS day, count(*)::int AS orders FROM ${rows.orders}
         WHERE shop_id = $1 AND order_month IN ($2, $3) AND paid_at >= $4 AND paid_at < $5 GROUP BY 1`
      : `SELECT ${jstDay('ordered_at')} AS day,
           (count(*) ${definition.denominator === 'orders_paid' ? 'FILTER (WHERE paid_at IS NOT NULL)' : ''})::int AS orders
         FROM ${rows.orders} WHERE shop_id = $1 AND order_month = $2 GROUP BY 1`;
    const [orderRows, cancelRows] = await Promise.all([
      this.dataSource.query(orderSql, cohort ? [shopId, month, previousMonth(month), start, end] : [shopId, month]) as Promise<
        Array<{ day: string; orders: number }>
      >,
      this.dataSource.query(
        `SELECT ${jstDay(instant)} AS day, (count(*) FILTER (WHERE counted))::int AS counted,
           (count(*) FILTER (WHERE NOT counted))::int AS excluded
         FROM ${rows.cancels} WHERE shop_id = $1 AND ${periodCondition(definition, '$2::text[]')} GROUP BY 1`,
        [shopId, [month]],
      ) as Promise<Array<{ day: string; counted: number; excluded: number }>>,
    ]);
    const days = new Map<string, DailyCounts>();
    const dayOf = (date: string) => days.get(date) ?? days.set(date, { date, orders: 0, countedCancels: 0, excludedCancels: 0 }).get(date)!;
    for (const row of orderRows) dayOf(row.day).orders = row.orders;
    for (const row of cancelRows) {
      const day = dayOf(row.day);
      day.countedCancels = row.counted;
      day.excludedCancels = row.excluded;
    }
    return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
  }
}
