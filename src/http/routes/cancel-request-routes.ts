import { Router } from 'express';
import { jstDayRange, type InstantRange } from '../../domain/jst-calendar';
import { ValidationFailedError } from '../../errors';
import type {
  DecisionSummary,
  RequestListCursor,
  RequestListRepository,
  RequestListRow,
} from '../../persistence/request-list-repository';
import { CancelRequestsQuery } from '../dto/cancel-request.dto';
import { validated } from '../validate';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The text form request-list-repository reads back: UTC at microsecond precision. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/**
 * The shape alone is not enough: PostgreSQL refuses year 0000, month 13 or 30 February with an error
 * (a 500). The instant must exist, with its fields unchanged by Date's roll-over, in years 1900–9999.
 */
function isCursorTime(text: string): boolean {
  if (!CURSOR_TIME.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const instant = new Date(`${text.slice(0, 23)}Z`);
  return year >= 1900 && !Number.isNaN(instant.getTime()) && instant.toISOString().slice(0, 23) === text.slice(0, 23);
}

export function encodeRequestCursor(cursor: RequestListCursor): string {
  return Buffer.from(JSON.stringify([cursor.requestedAt, cursor.id]), 'utf8').toString('base64url');
}

/** Throws a 400 naming `cursor` for anything encodeRequestCursor did not produce. */
export function decodeRequestCursor(text: string): RequestListCursor {
  try {
    const [requestedAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof requestedAt === 'string' && isCursorTime(requestedAt) && typeof id === 'string' && /^\d{1,18}$/.test(id)) {
      return { requestedAt, id };
    }
  } catch {
    // Falls through to the validation error below.
  }
  throw new ValidationFailedError('cursor is not a cursor this API returned', [{ field: 'cursor', message: 'cursor must be the nextCursor of a previous page' }]);
}

/**
 * A query bound as an instant. A JST date means its whole day: `from` its first instant, `to` the
 * next day's first instant (exclusive), so from=to=2026-11-15 lists that day.
 */
function boundOf(value: string | undefined, field: 'from' | 'to'): Date | undefined {
  if (value === undefined) return undefined;
  const invalid = () =>
    new ValidationFailedError(`${field} is not an existing date or instant`, [{ field, message: `${field} is not an existing date or instant` }]);
  let day: InstantRange;
  try {
    // The calendar check also guards instants: Date rolls 2026-02-30T00:00Z over to March 2.
    day = jstDayRange(value.slice(0, 10));
  } catch {
    throw invalid();
  }
  if (value.length === 10) return field === 'from' ? day.start : day.end;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) throw invalid();
  return instant;
}

function presentDecisionSummary(decision: DecisionSummary) {
  return {
    id: decision.id,
    kind: decision.kind,
    code: decision.code,
    reason: decision.reason,
    suggested: decision.suggested,
    // What approving would do: a review's suggestion, else the decision itself.
    action: decision.kind === 'review' ? decision.suggested : decision.kind,
    trackingDeadline: iso(decision.trackingDeadline),
    decidedBy: decision.decidedBy,
    createdAt: iso(decision.createdAt),
  };
}

export function presentRequestListRow(row: RequestListRow) {
  return {
    id: row.id,
    shopId: row.shopId,
    orderNo: row.orderNo,
    packNo: row.packNo,
    requestedAt: iso(row.requestedAt),
    reason: row.reason,
    status: row.status,
    outcome: row.outcome,
    firstSeenAt: iso(row.firstSeenAt),
    updatedAt: iso(row.updatedAt),
    order: row.order
      ? {
          orderedAt: iso(row.order.orderedAt),
          itemTitle: row.order.itemTitle,
          sellerItemCode: row.order.sellerItemCode,
          quantity: row.order.quantity,
          totalYen: row.order.totalYen,
          shippingStatus: row.order.shippingStatus,
        }
      : null,
    decision: row.decision ? presentDecisionSummary(row.decision) : null,
  };
}

/**
 * The list of cancel requests with filters and cursor pagination. One request in full (order, rule
 * trail, actions, Qoo10's answers) is GET /api/cancel-requests/:id in review-routes.ts.
 */
export function cancelRequestRoutes(requests: RequestListRepository): Router {
  const router = Router();
  router.get('/cancel-requests', async (req, res) => {
    const query = validated(CancelRequestsQuery, req.query, 'query');
    const from = boundOf(query.from, 'from');
    const to = boundOf(query.to, 'to');
    if (from && to && from.getTime() >= to.getTime()) {
      throw new ValidationFailedError('to must come after from', [{ field: 'to', message: 'to must come after from' }]);
    }
    const cursor = query.cursor ? decodeRequestCursor(query.cursor) : null;
    // One row more than asked tells whether another page exists.
    const rows = await requests.listRequests(
      { shopId: query.shopId, status: query.status, kind: query.kind, from, to, q: query.q },
      query.limit + 1,
      cursor,
    );
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    res.json({
      items: items.map(presentRequestListRow),
      nextCursor: rows.length > query.limit && last ? encodeRequestCursor(last.cursor) : null,
    });
  });
  return router;
}
