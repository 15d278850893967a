import type { DataSource, EntityManager } from 'typeorm';
import type { Claim, Decision, DecisionKind, RuleStep, SellerFaultCause, TrackingInfo } from '../domain/types';

export type RequestStatus = 'pending' | 'review' | 'acting' | 'done' | 'closed';

export interface CancelRequestRecord {
  id: string;
  shopId: string;
  orderNo: string;
  packNo: string | null;
  requestedAt: Date;
  reason: string | null;
  status: RequestStatus;
  outcome: string | null;
  firstSeenAt: Date;
  updatedAt: Date;
}

export interface StoredDecision {
  id: string;
  requestId: string;
  kind: DecisionKind;
  code: string;
  reason: string;
  trail: RuleStep[];
  suggested: Exclude<DecisionKind, 'review'> | null;
  tracking: TrackingInfo | null;
  sellerFaultCause: SellerFaultCause | null;
  trackingDeadline: Date | null;
  decidedBy: string;
  note: string | null;
  /** Outbox idempotency keys this decision waits on (empty for review decisions). */
  actionKeys: string[];
  createdAt: Date;
}

export interface ReviewItem {
  request: CancelRequestRecord;
  decision: StoredDecision | null;
  itemTitle: string | null;
  sellerItemCode: string | null;
}

interface RequestRow {
  id: string;
  shop_id: string;
  order_no: string;
  pack_no: string | null;
  requested_at: Date;
  reason: string | null;
  status: RequestStatus;
  outcome: string | null;
  first_seen_at: Date;
  updated_at: Date;
}

interface DecisionRow {
  id: string;
  request_id: string;
  kind: DecisionKind;
  code: string;
  reason: string;
  trail: RuleStep[];
  suggested: Exclude<DecisionKind, 'review'> | null;
  tracking: TrackingInfo | null;
  seller_fault_cause: SellerFaultCause | null;
  tracking_deadline: Date | null;
  decided_by: string;
  note: string | null;
  action_keys: string[];
  created_at: Date;
}

const toRequest = (row: RequestRow): CancelRequestRecord => ({
  id: String(row.id),
  shopId: row.shop_id,
  orderNo: row.order_no,
  packNo: row.pack_no,
  requestedAt: row.requested_at,
  reason: row.reason,
  status: row.status,
  outcome: row.outcome,
  firstSeenAt: row.first_seen_at,
  updatedAt: row.updated_at,
});

export const toStoredDecision = (row: DecisionRow): StoredDecision => ({
  id: String(row.id),
  requestId: String(row.request_id),
  kind: row.kind,
  code: row.code,
  reason: row.reason,
  trail: row.trail,
  suggested: row.suggested,
  tracking: row.tracking,
  sellerFaultCause: row.seller_fault_cause,
  trackingDeadline: row.tracking_deadline,
  decidedBy: row.decided_by,
  note: row.note,
  actionKeys: row.action_keys ?? [],
  createdAt: row.created_at,
});

/** Outcome of a request reopened because Qoo10 listed it as pending again after it was closed. */
export const REOPENED_OUTCOME = 'reopened';
/** Closing outcomes a later listing as pending can overturn: those that came from a fresh read. */
// Closed because Qoo10 seemed to have ended the request; a later poll listing it pending again reopens it.
const REOPENABLE_OUTCOMES = ['request_not_pending', 'no_longer_pending', 'refused_in_qsm'];

/** Cancel requests, the decisions taken on them, and the review queue. */
export class CancelRequestRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records requests seen by a poll. The same request (order number + request time) seen by several
   * overlapping polls is one row; returns how many were new.
   */
  /**
   * Stores the pending requests a poll listed (new ones are inserted) and notes that they were listed at
   * `listedAt`. Returns how many were new.
   */
  async recordRequests(shopId: string, claims: readonly Claim[], manager?: EntityManager, listedAt: Date = new Date()): Promise<number> {
    if (claims.length === 0) return 0;
    const em = manager ?? this.dataSource.manager;
    const rows: Array<{ inserted: boolean }> = await em.query(
      `INSERT INTO cancel_requests (shop_id, order_no, pack_no, requested_at, reason, last_listed_at)
       SELECT $1, *, $6::timestamptz FROM unnest($2::text[], $3::text[], $4::timestamptz[], $5::text[])
       ON CONFLICT (shop_id, order_no, requested_at) DO UPDATE SET last_listed_at = EXCLUDED.last_listed_at
       RETURNING (xmax = 0) AS inserted`,
      [
        shopId,
        claims.map((claim) => claim.orderNo),
        claims.map((claim) => claim.packNo || null),
        claims.map((claim) => claim.requestedAt),
        claims.map((claim) => claim.reason),
        listedAt,
      ],
    );
    return rows.filter((row) => row.inserted).length;
  }

  /**
   * Requests waiting for a person that the poll at `listedAt` did not
   * list as pending: Qoo10 may have ended them (withdrawn, cancelled, refused in QSM, a return). The whole
   * queue, oldest first.
   */
  async findOpenNotListedSince(shopId: string, listedAt: Date): Promise<Array<{ id: string; orderNo: string }>> {
    const rows: Array<{ id: string; order_no: string }> = await this.dataSource.query(
      `SELECT id, order_no FROM cancel_requests
       WHERE shop_id = $1 AND status = 'review' AND (last_listed_at IS NULL OR last_listed_at < $2)
       ORDER BY requested_at, id`,
      [shopId, listedAt],
    );
    return rows.map((row) => ({ id: String(row.id), orderNo: row.order_no }));
  }

  /** Open review items with this code, with their deadline (e.g. refuse_in_qsm tasks). */
  async openTasksWithCode(shopId: string, code: string): Promise<Array<{ id: string; orderNo: string; deadline: Date | null }>> {
    const rows: Array<{ id: string; order_no: string; tracking_deadline: Date | null }> = await this.dataSource.query(
      `SELECT r.id, r.order_no, d.tracking_deadline FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id
       WHERE r.shop_id = $1 AND r.status = 'review' AND d.code = $2 ORDER BY r.requested_at, r.id`,
      [shopId, code],
    );
    return rows.map((row) => ({ id: String(row.id), orderNo: row.order_no, deadline: row.tracking_deadline }));
  }

  /** Review items the rules decided with one of these codes (the whole queue, oldest first). */
  async findAutoReviewIds(shopId: string, codes: readonly string[]): Promise<Array<{ id: string; code: string; hasTracking: boolean }>> {
    const rows: Array<{ id: string; code: string; has_tracking: boolean }> = await this.dataSource.query(
      `SELECT r.id, d.code, (d.tracking IS NOT NULL) AS has_tracking FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id
       WHERE r.shop_id = $1 AND r.status = 'review' AND d.decided_by = 'auto' AND d.code = ANY($2::text[])
       ORDER BY r.requested_at, r.id`,
      [shopId, codes],
    );
    return rows.map((row) => ({ id: String(row.id), code: row.code, hasTracking: row.has_tracking }));
  }

  /**
   * Requests whose refusal's tracking writes all succeeded and that still wait for Qoo10 to show the
   * request ended (status 'acting', current decision 'refuse').
   */
  async findRefusalsToVerify(shopId: string): Promise<Array<{ id: string; orderNo: string; trackingInAt: Date }>> {
    const rows: Array<{ id: string; order_no: string; tracking_in_at: Date }> = await this.dataSource.query(
      `SELECT r.id, r.order_no,
              (SELECT max(a.completed_at) FROM actions a WHERE a.idempotency_key = ANY(d.action_keys)) AS tracking_in_at
       FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id
       WHERE r.shop_id = $1 AND r.status = 'acting' AND d.kind = 'refuse' AND cardinality(d.action_keys) > 0
         AND NOT EXISTS (SELECT 1 FROM actions a WHERE a.idempotency_key = ANY(d.action_keys) AND a.state <> 'succeeded')
         AND (SELECT count(*) FROM actions a WHERE a.idempotency_key = ANY(d.action_keys)) = cardinality(d.action_keys)
       ORDER BY r.requested_at, r.id`,
      [shopId],
    );
    return rows.map((row) => ({ id: String(row.id), orderNo: row.order_no, trackingInAt: row.tracking_in_at }));
  }

  /**
   * Requests closed because a fresh read said they were no longer pending, which Qoo10's request
   * list shows as pending again (ClaimStat 1): the close was a mistake (a read that lagged or lied).
   * They go back to 'pending' with outcome REOPENED_OUTCOME, to be decided again. Returns their ids.
   */
  async reopenListedRequests(shopId: string, claims: readonly Claim[], manager?: EntityManager): Promise<string[]> {
    if (claims.length === 0) return [];
    const em = manager ?? this.dataSource.manager;
    // TypeORM answers an UPDATE ... RETURNING with [rows, affected count].
    const [rows]: [Array<{ id: string }>, number] = await em.query(
      `UPDATE cancel_requests r SET status = 'pending', outcome = $4, updated_at = now()
       FROM unnest($2::text[], $3::timestamptz[]) AS listed(order_no, requested_at)
       WHERE r.shop_id = $1 AND r.order_no = listed.order_no AND r.requested_at = listed.requested_at
         AND r.status = 'closed' AND r.outcome = ANY($5)
       RETURNING r.id`,
      [shopId, claims.map((c) => c.orderNo), claims.map((c) => c.requestedAt), REOPENED_OUTCOME, REOPENABLE_OUTCOMES],
    );
    return rows.map((row) => String(row.id));
  }

  /** The id of the request on this order made at this instant, if stored. */
  async findRequestId(shopId: string, orderNo: string, requestedAt: Date, manager?: EntityManager): Promise<string | null> {
    const em = manager ?? this.dataSource.manager;
    const rows: Array<{ id: string }> = await em.query(
      'SELECT id FROM cancel_requests WHERE shop_id = $1 AND order_no = $2 AND requested_at = $3',
      [shopId, orderNo, requestedAt],
    );
    return rows[0] ? String(rows[0].id) : null;
  }

  /**
   * Whether the shop has any open request (pending, review, acting) and any unfinished outbox row, in one
   * round trip: a claims poll of a shop with neither (the common case) skips its per-request follow-ups.
   */
  async openWork(shopId: string): Promise<{ requests: boolean; actions: boolean }> {
    const [row]: Array<{ requests: boolean; actions: boolean }> = await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM cancel_requests WHERE shop_id = $1 AND status IN ('pending', 'review', 'acting')) AS requests,
              EXISTS (SELECT 1 FROM actions WHERE shop_id = $1 AND state IN ('pending', 'sending')) AS actions`,
      [shopId],
    );
    return { requests: row!.requests, actions: row!.actions };
  }

  /** Ids of requests no one has decided yet, oldest first. */
  async findUndecidedRequestIds(shopId: string, limit = 500): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(
      `SELECT id FROM cancel_requests WHERE shop_id = $1 AND status = 'pending' ORDER BY requested_at, id LIMIT $2`,
      [shopId, limit],
    );
    return rows.map((row) => String(row.id));
  }

  /**
   * Locks one request in the given statuses for the caller's transaction, or returns null when
   * another process holds it or its status moved on. This is what keeps two daemons from acting
   * twice on the same request.
   */
  async lockRequest(manager: EntityManager, id: string, statuses: readonly RequestStatus[]): Promise<CancelRequestRecord | null> {
    const rows: RequestRow[] = await manager.query(
      `SELECT * FROM cancel_requests WHERE id = $1 AND status = ANY($2) FOR UPDATE SKIP LOCKED`,
      [id, statuses],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  async findRequest(id: string, manager?: EntityManager): Promise<CancelRequestRecord | null> {
    const em = manager ?? this.dataSource.manager;
    const rows: RequestRow[] = await em.query('SELECT * FROM cancel_requests WHERE id = $1', [id]);
    return rows[0] ? toRequest(rows[0]) : null;
  }

  /** Appends a decision with its rule trail and makes it the request's current one. */
  async recordDecision(
    manager: EntityManager,
    requestId: string,
    decision: Decision,
    decidedBy: string,
    note: string | null = null,
  ): Promise<string> {
    const [row]: Array<{ id: string }> = await manager.query(
      `INSERT INTO decisions (request_id, kind, code, reason, trail, suggested, tracking, seller_fault_cause,
         tracking_deadline, decided_by, note)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, $8, $9, $10, $11) RETURNING id`,
      [
        requestId,
        decision.kind,
        decision.code,
        decision.reason,
        JSON.stringify(decision.trail),
        decision.suggested ?? null,
        decision.tracking ? JSON.stringify(decision.tracking) : null,
        decision.sellerFaultCause ?? null,
        decision.trackingDeadline ?? null,
        decidedBy,
        note,
      ],
    );
    await manager.query('UPDATE cancel_requests SET current_decision_id = $2, updated_at = now() WHERE id = $1', [requestId, row!.id]);
    return String(row!.id);
  }

  async setDecisionActionKeys(manager: EntityManager, decisionId: string, keys: readonly string[]): Promise<void> {
    await manager.query('UPDATE decisions SET action_keys = $2 WHERE id = $1', [decisionId, keys]);
  }

  async setStatus(manager: EntityManager, requestId: string, status: RequestStatus, outcome: string | null = null): Promise<void> {
    await manager.query(
      'UPDATE cancel_requests SET status = $2, outcome = COALESCE($3, outcome), updated_at = now() WHERE id = $1',
      [requestId, status, outcome],
    );
  }

  /** Back in the review queue (undoing "handled in QSM"): status review, no outcome. */
  async reopenForReview(manager: EntityManager, requestId: string): Promise<void> {
    await manager.query(`UPDATE cancel_requests SET status = 'review', outcome = NULL, updated_at = now() WHERE id = $1`, [requestId]);
  }

  /** Whether a poll of the shop started after this instant (then a person's QSM mark is final). */
  async pollStartedSince(manager: EntityManager, shopId: string, since: Date): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM job_runs WHERE job = 'poll' AND shop_id = $1 AND started_at > $2 LIMIT 1`, [shopId, since]);
    return rows.length > 0;
  }

  async currentDecision(requestId: string, manager?: EntityManager): Promise<StoredDecision | null> {
    const em = manager ?? this.dataSource.manager;
    const rows: DecisionRow[] = await em.query(
      `SELECT d.* FROM decisions d JOIN cancel_requests r ON r.current_decision_id = d.id WHERE r.id = $1`,
      [requestId],
    );
    return rows[0] ? toStoredDecision(rows[0]) : null;
  }

  async decisionsOf(requestId: string): Promise<StoredDecision[]> {
    const rows: DecisionRow[] = await this.dataSource.query('SELECT * FROM decisions WHERE request_id = $1 ORDER BY id', [requestId]);
    return rows.map(toStoredDecision);
  }

  /** Requests waiting for a person, oldest first, with the current decision (reason, trail, suggestion). */
  async reviewQueue(shopId?: string, limit = 200): Promise<ReviewItem[]> {
    const rows: Array<RequestRow & { decision: DecisionRow | null; item_title: string | null; seller_item_code: string | null }> =
      await this.dataSource.query(
        `SELECT r.*, to_jsonb(d) AS decision, o.item_title, o.seller_item_code
         FROM cancel_requests r
         LEFT JOIN decisions d ON d.id = r.current_decision_id
         LEFT JOIN orders o ON o.shop_id = r.shop_id AND o.order_no = r.order_no
         WHERE r.status = 'review' AND ($1::uuid IS NULL OR r.shop_id = $1)
         ORDER BY r.requested_at, r.id LIMIT $2`,
        [shopId ?? null, limit],
      );
    return rows.map((row) => ({
      request: toRequest(row),
      decision: row.decision
        ? toStoredDecision({
            ...row.decision,
            tracking_deadline: row.decision.tracking_deadline ? new Date(row.decision.tracking_deadline) : null,
            created_at: new Date(row.decision.created_at),
          })
        : null,
      itemTitle: row.item_title,
      sellerItemCode: row.seller_item_code,
    }));
  }

  /** Pending or in-review requests on an order; a completed cancel or a shipment settles them. */
  async openRequestIdsForOrder(shopId: string, orderNo: string, manager?: EntityManager): Promise<string[]> {
    const em = manager ?? this.dataSource.manager;
    const rows: Array<{ id: string }> = await em.query(
      `SELECT id FROM cancel_requests WHERE shop_id = $1 AND order_no = $2 AND status IN ('pending', 'review')`,
      [shopId, orderNo],
    );
    return rows.map((row) => String(row.id));
  }

  async countByStatus(shopId?: string): Promise<Record<RequestStatus, number>> {
    const rows: Array<{ status: RequestStatus; n: number }> = await this.dataSource.query(
      `SELECT status, count(*)::int AS n FROM cancel_requests WHERE ($1::uuid IS NULL OR shop_id = $1) GROUP BY status`,
      [shopId ?? null],
    );
    const counts: Record<RequestStatus, number> = { pending: 0, review: 0, acting: 0, done: 0, closed: 0 };
    for (const row of rows) counts[row.status] = row.n;
    return counts;
  }

  /**
   * Requests that must be refused with a tracking number today whose tracking is not in Qoo10 by the
   * cut-off: still waiting for a person (shipped without tracking), or a refusal whose submission has
   * not succeeded.
   */
  async overdueTrackingRequests(shopId: string, now: Date): Promise<Array<{ id: string; orderNo: string; deadline: Date }>> {
    const rows: Array<{ id: string; order_no: string; tracking_deadline: Date }> = await this.dataSource.query(
      `SELECT r.id, r.order_no, d.tracking_deadline
       FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id
       WHERE r.shop_id = $1 AND r.status IN ('review', 'acting') AND d.tracking_deadline IS NOT NULL
         AND d.tracking_deadline < $2
         AND (d.kind = 'refuse' OR d.suggested = 'refuse')
         -- A QSM refusal task has its own reminders; it is "tracking overdue" only while Qoo10 lacks the number.
         AND NOT (d.code = 'refuse_in_qsm' AND EXISTS (
           SELECT 1 FROM orders o WHERE o.shop_id = r.shop_id AND o.order_no = r.order_no AND o.tracking_no IS NOT NULL AND o.tracking_no <> ''))`,
      [shopId, now],
    );
    return rows.map((row) => ({ id: String(row.id), orderNo: row.order_no, deadline: row.tracking_deadline }));
  }
}
