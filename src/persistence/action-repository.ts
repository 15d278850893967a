import type { DataSource, EntityManager } from 'typeorm';

export type ActionKind = 'cancel' | 'send_tracking';
export type ActionState = 'pending' | 'sending' | 'succeeded' | 'failed';

export interface ActionRecord {
  id: string;
  shopId: string;
  requestId: string | null;
  decisionId: string | null;
  kind: ActionKind;
  orderNo: string;
  idempotencyKey: string;
  state: ActionState;
  request: Record<string, unknown>;
  response: unknown;
  errorCode: string | null;
  errorMessage: string | null;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  completedAt: Date | null;
}

interface ActionRow {
  id: string;
  shop_id: string;
  request_id: string | null;
  decision_id: string | null;
  kind: ActionKind;
  order_no: string;
  idempotency_key: string;
  state: ActionState;
  request: Record<string, unknown>;
  response: unknown;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  created_at: Date;
  sent_at: Date | null;
  completed_at: Date | null;
}

const toAction = (row: ActionRow): ActionRecord => ({
  id: String(row.id),
  shopId: row.shop_id,
  requestId: row.request_id === null ? null : String(row.request_id),
  decisionId: row.decision_id === null ? null : String(row.decision_id),
  kind: row.kind,
  orderNo: row.order_no,
  idempotencyKey: row.idempotency_key,
  state: row.state,
  request: row.request,
  response: row.response,
  errorCode: row.error_code,
  errorMessage: row.error_message,
  attempts: row.attempts,
  createdAt: row.created_at,
  sentAt: row.sent_at,
  completedAt: row.completed_at,
});

/**
 * The one outbox key of "this tracking number on this order line". A refusal and an import of the
 * same number share it, so the number is submitted once whichever path gets there first.
 */
export const sendTrackingKey = (shopId: string, orderNo: string, trackingNo: string) => `send_tracking:${shopId}:${orderNo}:${trackingNo}`;

export interface NewAction {
  shopId: string;
  requestId: string | null;
  decisionId: string | null;
  kind: ActionKind;
  orderNo: string;
  /** One effect, one key: a second enqueue of the same effect is a no-op. */
  idempotencyKey: string;
  request: Record<string, unknown>;
}

/**
 * The outbox of calls that change Qoo10. A row is committed before the call ('pending'), marked
 * 'sending' by exactly one process right before the call, and closed with Qoo10's answer. A row
 * left in 'sending' by a crash has an unknown outcome and is reconciled by re-reading the order.
 */
export class ActionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Returns the action for this key: the new row, or the one an earlier enqueue created. */
  async enqueue(manager: EntityManager, action: NewAction): Promise<ActionRecord> {
    await manager.query(
      `INSERT INTO actions (shop_id, request_id, decision_id, kind, order_no, idempotency_key, request)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [action.shopId, action.requestId, action.decisionId, action.kind, action.orderNo, action.idempotencyKey, JSON.stringify(action.request)],
    );
    const rows: ActionRow[] = await manager.query('SELECT * FROM actions WHERE idempotency_key = $1', [action.idempotencyKey]);
    return toAction(rows[0]!);
  }

  /**
   * Takes a pending action for sending. Only one caller can win: the update is conditional on the
   * state, and its effect is committed before the call is made. `attempts` counts only dispatches
   * (markDispatched): a row claimed by a process that died before the call left was never sent.
   */
  async claimForSending(id: string): Promise<ActionRecord | null> {
    // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount].
    const [rows]: [ActionRow[], number] = await this.dataSource.query(
      `UPDATE actions SET state = 'sending' WHERE id = $1 AND state = 'pending' RETURNING *`,
      [id],
    );
    return rows[0] ? toAction(rows[0]) : null;
  }

  /**
   * Committed right before the request leaves for Qoo10: from here on the write may have been applied.
   * Returns how many times the row has now been sent.
   */
  async markDispatched(id: string): Promise<number> {
    const [rows]: [Array<{ attempts: number }>, number] = await this.dataSource.query(
      `UPDATE actions SET attempts = attempts + 1, sent_at = now() WHERE id = $1 AND state = 'sending' RETURNING attempts`,
      [id],
    );
    return rows[0]?.attempts ?? 0;
  }

  async markSucceeded(id: string, response: unknown, manager?: EntityManager): Promise<void> {
    const em = manager ?? this.dataSource.manager;
    await em.query(
      `UPDATE actions SET state = 'succeeded', response = $2::jsonb, error_code = NULL, error_message = NULL, completed_at = now()
       WHERE id = $1`,
      [id, JSON.stringify(response ?? null)],
    );
  }

  async markFailed(id: string, error: { code: string; message: string; response?: unknown }, manager?: EntityManager): Promise<void> {
    const em = manager ?? this.dataSource.manager;
    await em.query(
      `UPDATE actions SET state = 'failed', error_code = $2, error_message = $3, response = $4::jsonb, completed_at = now()
       WHERE id = $1`,
      [id, error.code, error.message, JSON.stringify(error.response ?? null)],
    );
  }

  /** Notes what was seen when a call's outcome is unknown; the row stays 'sending' until a read settles it. */
  async noteUnknownOutcome(id: string, seen: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE actions SET error_code = 'outcome_unknown', error_message = $2 WHERE id = $1 AND state = 'sending'`,
      [id, `no clear answer from Qoo10 (${seen}); settled by reading the order`],
    );
  }

  /** Puts an action whose call did not reach Qoo10 (or provably did not apply) back in line. */
  async returnToPending(id: string, error: { code: string; message: string }): Promise<void> {
    await this.dataSource.query(
      `UPDATE actions SET state = 'pending', error_code = $2, error_message = $3 WHERE id = $1 AND state = 'sending'`,
      [id, error.code, error.message],
    );
  }

  /** Actions not closed yet: pending ones to send, 'sending' ones to reconcile (under the shop lock). */
  /** Shops with an outbox row finished since `since` (by any path: a job, a person, an import). */
  async shopsWithActionsFinishedSince(since: Date): Promise<string[]> {
    const rows: Array<{ shop_id: string }> = await this.dataSource.query(
      `SELECT DISTINCT shop_id FROM actions WHERE completed_at >= $1`,
      [since],
    );
    return rows.map((row) => row.shop_id);
  }

  async findUnfinished(shopId: string): Promise<ActionRecord[]> {
    const rows: ActionRow[] = await this.dataSource.query(
      `SELECT * FROM actions WHERE shop_id = $1 AND state IN ('pending', 'sending') ORDER BY id`,
      [shopId],
    );
    return rows.map(toAction);
  }

  /**
   * enqueue() for many effects in two statements (an import of thousands of rows). Returns one action
   * per distinct key, the new row or the one an earlier enqueue created, in no particular order.
   */
  async enqueueMany(manager: EntityManager, actions: readonly NewAction[], options: { reopenFailed?: boolean } = {}): Promise<ActionRecord[]> {
    if (actions.length === 0) return [];
    const unique = [...new Map(actions.map((action) => [action.idempotencyKey, action])).values()];
    if (options.reopenFailed) await this.archiveFailed(manager, unique.map((a) => a.idempotencyKey));
    await manager.query(
      `INSERT INTO actions (shop_id, request_id, decision_id, kind, order_no, idempotency_key, request)
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
       ON CONFLICT (idempotency_key) DO NOTHING`,
      [
        unique.map((a) => a.shopId),
        unique.map((a) => a.requestId),
        unique.map((a) => a.decisionId),
        unique.map((a) => a.kind),
        unique.map((a) => a.orderNo),
        unique.map((a) => a.idempotencyKey),
        unique.map((a) => JSON.stringify(a.request)),
      ],
    );
    return this.findByKeys(unique.map((a) => a.idempotencyKey), manager);
  }

  /**
   * The enqueue rule after a definite rejection: a key whose row Qoo10 refused ('failed') is final for
   * every automatic path (a re-run of the same file sends nothing), but a person who corrected or
   * confirmed the row may try again. Then the refused row keeps its request and response under the key
   * `<key>#failed:<id>` and the key is free for a new attempt, in the caller's transaction.
   */
  async archiveFailed(manager: EntityManager, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    // TypeORM answers an UPDATE with [rows, affected count].
    const [, archived]: [unknown[], number] = await manager.query(
      `UPDATE actions SET idempotency_key = idempotency_key || '#failed:' || id
       WHERE idempotency_key = ANY($1::text[]) AND state = 'failed'`,
      [keys],
    );
    return archived;
  }

  /** claimForSending() for many rows at once (one bulk call); returns only the rows this caller won. */
  async claimManyForSending(ids: readonly string[]): Promise<ActionRecord[]> {
    if (ids.length === 0) return [];
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [ActionRow[], number] = await this.dataSource.query(
      `UPDATE actions SET state = 'sending', attempts = attempts + 1, sent_at = now()
       WHERE id = ANY($1::bigint[]) AND state = 'pending' RETURNING *`,
      [ids],
    );
    return rows.map(toAction);
  }

  async findByKeys(keys: readonly string[], manager?: EntityManager): Promise<ActionRecord[]> {
    if (keys.length === 0) return [];
    const em = manager ?? this.dataSource.manager;
    const rows: ActionRow[] = await em.query('SELECT * FROM actions WHERE idempotency_key = ANY($1::text[]) ORDER BY id', [keys]);
    return rows.map(toAction);
  }

  async actionsOfRequest(requestId: string): Promise<ActionRecord[]> {
    const rows: ActionRow[] = await this.dataSource.query('SELECT * FROM actions WHERE request_id = $1 ORDER BY id', [requestId]);
    return rows.map(toAction);
  }

  async findAction(id: string, manager?: EntityManager): Promise<ActionRecord | null> {
    const em = manager ?? this.dataSource.manager;
    const rows: ActionRow[] = await em.query('SELECT * FROM actions WHERE id = $1', [id]);
    return rows[0] ? toAction(rows[0]) : null;
  }
}
