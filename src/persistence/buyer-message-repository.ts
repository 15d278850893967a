import type { DataSource } from 'typeorm';
import type { CallReason, Language, ShopMessageSettings, TemplateKey } from '../domain/buyer-messages';
import { toStoredDecision, type StoredDecision } from './cancel-request-repository';

export const BUYER_EMAIL_STATUSES = ['not_configured', 'no_address', 'held', 'pending', 'sending', 'sent', 'failed'] as const;
/** See migrations/20261122020000_buyer_messages.sql for what each status means. */
export type BuyerEmailStatus = (typeof BUYER_EMAIL_STATUSES)[number];
export type EmailHeldReason = 'needs_person' | 'call_first' | 'stale' | 'interrupted' | 'sent_by_hand';
export type MessagePurpose = 'decision' | 'call_summary';

/**
 * What a shop stores in shops.message_settings: the builders' settings (shopName optional, it
 * defaults to the shop's name) plus how messages leave the service.
 */
export interface StoredMessageSettings extends Partial<ShopMessageSettings> {
  /** Email the drafts to buyers whose address is known; otherwise they are only shown to copy. */
  sendByEmail?: boolean;
  /** Sender of this shop's buyer emails; BUYER_EMAIL_FROM when unset. */
  fromAddress?: string;
  /** Where buyers' replies go (the shop's inbox); BUYER_EMAIL_REPLY_TO when unset. */
  replyTo?: string;
  /** The buyers' language: 'en' for a cross-border shop. Default 'ja'. */
  language?: Language;
}

export interface NewBuyerMessage {
  shopId: string;
  requestId: string;
  decisionId: string | null;
  orderNo: string;
  purpose: MessagePurpose;
  draftKey: string;
  templateKey: TemplateKey;
  language: Language;
  /** Null when a person must write the message. */
  subject: string | null;
  body: string | null;
  needsPerson: boolean;
  missing: string[];
  problems: string[];
  notes: string[];
  callFirst: { call: boolean; reasons: CallReason[]; outline: string[]; cartTotalYen: number | null };
  emailStatus: BuyerEmailStatus;
  emailHeldReason: EmailHeldReason | null;
  createdAt: Date;
}

export interface BuyerMessageRecord extends NewBuyerMessage {
  id: string;
  /** The text as built, before a person's edit; subject/body above are what is sent (edited or not). */
  original: { subject: string | null; body: string | null };
  edited: { at: Date; by: string } | null;
  /** Sent by hand through QSM's messaging. */
  qsmSent: { at: Date; by: string } | null;
  callFirstAlertedAt: Date | null;
  callFirstEscalatedAt: Date | null;
  /** The buyer's phone for a call-first draft when Qoo10 gave it; null otherwise (personal data, shown only where a call is due). */
  buyerPhone: string | null;
  emailAttempts: number;
  emailLastError: string | null;
  emailNextAttemptAt: Date | null;
  emailedAt: Date | null;
  /** The buyer's address masked (t***@example.com): the address itself never leaves this file but to the mailer. */
  recipientMasked: string | null;
}

/** A draft claimed for sending, with the one copy of the buyer's address the mailer needs. */
export interface ClaimedBuyerEmail {
  id: string;
  shopId: string;
  requestId: string;
  subject: string;
  body: string;
  to: string | null;
  /** The shop's own sender address, if it set one. */
  fromAddress: string | null;
  /** The shop's own Reply-To address, if it set one. */
  replyTo: string | null;
  /** Attempts including this one. */
  attempts: number;
}

/** A request settled by us whose current decision has no draft yet. */
export interface SettledRequest {
  requestId: string;
  shopId: string;
  orderNo: string;
  /** When the request became 'done' (its last update). */
  settledAt: Date;
  /** When the buyer asked to cancel. */
  requestedAt: Date;
  decision: StoredDecision;
}

interface MessageRow {
  id: string;
  shop_id: string;
  request_id: string;
  decision_id: string | null;
  order_no: string;
  purpose: MessagePurpose;
  draft_key: string;
  template_key: TemplateKey;
  language: Language;
  subject: string | null;
  body: string | null;
  needs_person: boolean;
  missing: string[];
  problems: string[];
  notes: string[];
  call_first: boolean;
  call_reasons: CallReason[];
  call_outline: string[];
  cart_total_yen: string | null;
  email_status: BuyerEmailStatus;
  email_held_reason: EmailHeldReason | null;
  email_attempts: number;
  email_last_error: string | null;
  email_next_attempt_at: Date | null;
  emailed_at: Date | null;
  created_at: Date;
  edited_subject: string | null;
  edited_body: string | null;
  edited_at: Date | null;
  edited_by: string | null;
  qsm_sent_at: Date | null;
  qsm_sent_by: string | null;
  call_first_alerted_at: Date | null;
  call_first_escalated_at: Date | null;
  buyer_email: string | null;
  buyer_phone: string | null;
}

/** 'taro@example.com' → 't***@example.com'; anything that is not an address → '***'. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/** Masks every address-like word in a text, e.g. an SMTP reply quoting the rejected recipient. */
export function maskEmailsIn(text: string): string {
  return text.replace(/[^\s<>"'(),;:[\]]+@[^\s<>"'(),;:[\]]+/g, (address) => maskEmail(address));
}

const toMessage = (row: MessageRow): BuyerMessageRecord => ({
  id: String(row.id),
  shopId: row.shop_id,
  requestId: String(row.request_id),
  decisionId: row.decision_id === null ? null : String(row.decision_id),
  orderNo: row.order_no,
  purpose: row.purpose,
  draftKey: row.draft_key,
  templateKey: row.template_key,
  language: row.language,
  subject: row.edited_subject ?? row.subject,
  body: row.edited_body ?? row.body,
  original: { subject: row.subject, body: row.body },
  edited: row.edited_at ? { at: row.edited_at, by: row.edited_by ?? '' } : null,
  qsmSent: row.qsm_sent_at ? { at: row.qsm_sent_at, by: row.qsm_sent_by ?? '' } : null,
  callFirstAlertedAt: row.call_first_alerted_at,
  callFirstEscalatedAt: row.call_first_escalated_at,
  buyerPhone: row.call_first && row.buyer_phone ? row.buyer_phone : null,
  needsPerson: row.needs_person,
  missing: row.missing,
  problems: row.problems,
  notes: row.notes,
  callFirst: {
    call: row.call_first,
    reasons: row.call_reasons,
    outline: row.call_outline,
    cartTotalYen: row.cart_total_yen === null ? null : Number(row.cart_total_yen),
  },
  emailStatus: row.email_status,
  emailHeldReason: row.email_held_reason,
  emailAttempts: row.email_attempts,
  emailLastError: row.email_last_error,
  emailNextAttemptAt: row.email_next_attempt_at,
  emailedAt: row.emailed_at,
  createdAt: row.created_at,
  recipientMasked: row.buyer_email ? maskEmail(row.buyer_email) : null,
});

// The buyer's address is joined in only to be masked by toMessage.
const WITH_RECIPIENT = `LEFT JOIN orders o ON o.shop_id = m.shop_id AND o.order_no = m.order_no`;

const SENDS_BY_EMAIL = `(SELECT s.message_settings -> 'sendByEmail' = 'true'::jsonb FROM shops s WHERE s.id = m.shop_id)`;

/** Buyer-message drafts, their email delivery, and the shops' message settings. */
export class BuyerMessageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Requests settled since `since` (accept, refuse, seller-fault) whose current decision has no draft. */
  async findSettledWithoutDraft(since: Date, limit: number, shopId?: string): Promise<SettledRequest[]> {
    const rows: Array<
      Parameters<typeof toStoredDecision>[0] & { r_shop_id: string; r_order_no: string; settled_at: Date; r_requested_at: Date }
    > =
      await this.dataSource.query(
        `SELECT d.*, r.shop_id AS r_shop_id, r.order_no AS r_order_no, r.updated_at AS settled_at, r.requested_at AS r_requested_at
         FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id
         WHERE r.status = 'done' AND r.updated_at >= $1 AND d.kind IN ('accept', 'refuse', 'seller-fault')
           AND ($3::uuid IS NULL OR r.shop_id = $3)
           AND NOT EXISTS (SELECT 1 FROM buyer_messages m WHERE m.decision_id = d.id AND m.purpose = 'decision')
         ORDER BY r.updated_at, r.id LIMIT $2`,
        [since, limit, shopId ?? null],
      );
    return rows.map((row) => ({
      requestId: String(row.request_id),
      shopId: row.r_shop_id,
      orderNo: row.r_order_no,
      settledAt: row.settled_at,
      requestedAt: row.r_requested_at,
      decision: toStoredDecision(row),
    }));
  }

  /** Stores a draft once per draft key; null when that draft was stored before. */
  async insertDraft(draft: NewBuyerMessage): Promise<BuyerMessageRecord | null> {
    let rows: MessageRow[];
    try {
      rows = await this.dataSource.query(
        `WITH m AS (
           INSERT INTO buyer_messages (shop_id, request_id, decision_id, order_no, purpose, draft_key, template_key, language,
             subject, body, needs_person, missing, problems, notes, call_first, call_reasons, call_outline, cart_total_yen,
             email_status, email_held_reason, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
           ON CONFLICT (draft_key) DO NOTHING
           RETURNING *)
         SELECT m.*, o.buyer_email, o.buyer_phone FROM m ${WITH_RECIPIENT}`,
        [
          draft.shopId, draft.requestId, draft.decisionId, draft.orderNo, draft.purpose, draft.draftKey, draft.templateKey,
          draft.language, draft.subject, draft.body, draft.needsPerson, draft.missing, draft.problems, draft.notes,
          draft.callFirst.call, draft.callFirst.reasons, draft.callFirst.outline, draft.callFirst.cartTotalYen,
          draft.emailStatus, draft.emailHeldReason, draft.createdAt,
        ],
      );
    } catch (error) {
      // TypeORM's error carries the query parameters, and the body names the buyer: keep only what failed.
      throw new Error(`storing buyer message ${draft.draftKey} failed: ${error instanceof Error ? error.message : 'unknown error'}`);
    }
    return rows[0] ? toMessage(rows[0]) : null;
  }

  async findByDraftKey(draftKey: string): Promise<BuyerMessageRecord | null> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT m.*, o.buyer_email, o.buyer_phone FROM buyer_messages m ${WITH_RECIPIENT} WHERE m.draft_key = $1`,
      [draftKey],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /** Every draft of a request, oldest first: the decision's, then the call summaries. */
  async draftsOfRequest(requestId: string): Promise<BuyerMessageRecord[]> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT m.*, o.buyer_email, o.buyer_phone FROM buyer_messages m ${WITH_RECIPIENT} WHERE m.request_id = $1 ORDER BY m.id`,
      [requestId],
    );
    return rows.map(toMessage);
  }

  /** Newest first; `status` is an email status or 'needs_person'. */
  async recentDrafts(filter: { shopId?: string; status?: BuyerEmailStatus | 'needs_person'; limit: number }): Promise<BuyerMessageRecord[]> {
    const needsPerson = filter.status === 'needs_person';
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT m.*, o.buyer_email, o.buyer_phone FROM buyer_messages m ${WITH_RECIPIENT}
       WHERE ($1::uuid IS NULL OR m.shop_id = $1) AND ($2::text IS NULL OR m.email_status = $2)
         AND ($3::boolean IS NULL OR m.needs_person = $3)
       ORDER BY m.created_at DESC, m.id DESC LIMIT $4`,
      [filter.shopId ?? null, needsPerson ? null : (filter.status ?? null), needsPerson ? true : null, filter.limit],
    );
    return rows.map(toMessage);
  }

  /**
   * A claim older than the lease belongs to a process that stopped mid-send: the mail server may
   * have taken the message. Unlike alerts it is not retried (a buyer must never get it twice); it
   * is held for a person, who can check and copy it.
   */
  async holdAbandonedClaims(now: Date, leaseMs: number): Promise<number> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE buyer_messages SET email_status = 'held', email_held_reason = 'interrupted', email_claimed_at = NULL,
         email_last_error = 'interrupted: the sending process stopped before the mail server answered'
       WHERE email_status = 'sending' AND email_claimed_at <= $1::timestamptz - $2::float8 * interval '1 millisecond'
       RETURNING id`,
      [now, leaseMs],
    );
    return rows.length;
  }

  /**
   * Drafts waiting to be sent that should no longer go out on their own: too old (a late automatic
   * email reads odd; a person follows up instead), or the shop stopped sending by email.
   */
  async withdrawUnsendable(now: Date, maxAgeMs: number, maxAttempts: number): Promise<number> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      `UPDATE buyer_messages m SET
         email_status = CASE WHEN ${SENDS_BY_EMAIL} IS TRUE THEN 'held' ELSE 'not_configured' END,
         email_held_reason = CASE WHEN ${SENDS_BY_EMAIL} IS TRUE THEN 'stale' ELSE NULL END,
         email_next_attempt_at = NULL
       WHERE m.email_status IN ('pending', 'failed') AND m.email_attempts < $3
         AND (m.created_at <= $1::timestamptz - $2::float8 * interval '1 millisecond' OR ${SENDS_BY_EMAIL} IS NOT TRUE)
       RETURNING m.id`,
      [now, maxAgeMs, maxAttempts],
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` due drafts (pending, or failed past their backoff with attempts left) and
   * counts the attempt, in one UPDATE over rows locked with SKIP LOCKED: a second sender running at
   * the same moment claims other rows or none, never the same ones.
   */
  async claimDueEmails(now: Date, maxAgeMs: number, maxAttempts: number, limit: number): Promise<ClaimedBuyerEmail[]> {
    // A SELECT over the UPDATE's RETURNING: TypeORM then answers plain rows (not [rows, count]).
    const rows: Array<{
      id: string; shop_id: string; request_id: string; subject: string; body: string; email_attempts: number;
      buyer_email: string | null; from_address: string | null; reply_to: string | null; created_at: Date;
    }> = await this.dataSource.query(
      `WITH m AS (
         UPDATE buyer_messages SET email_status = 'sending', email_claimed_at = $1, email_attempts = email_attempts + 1
         WHERE email_status IN ('pending', 'failed') AND id IN (
           SELECT m.id FROM buyer_messages m
           WHERE m.email_status IN ('pending', 'failed') AND m.email_attempts < $3
             AND (m.email_next_attempt_at IS NULL OR m.email_next_attempt_at <= $1)
             AND m.created_at > $1::timestamptz - $2::float8 * interval '1 millisecond'
             AND ${SENDS_BY_EMAIL} IS TRUE AND m.qsm_sent_at IS NULL
           ORDER BY m.created_at, m.id
           LIMIT $4
           FOR UPDATE SKIP LOCKED)
         RETURNING *)
       SELECT m.id, m.shop_id, m.request_id, COALESCE(m.edited_subject, m.subject) AS subject,
         COALESCE(m.edited_body, m.body) AS body, m.email_attempts, m.created_at, o.buyer_email,
         s.message_settings ->> 'fromAddress' AS from_address, s.message_settings ->> 'replyTo' AS reply_to
       FROM m JOIN shops s ON s.id = m.shop_id ${WITH_RECIPIENT}
       ORDER BY m.created_at, m.id`,
      [now, maxAgeMs, maxAttempts, limit],
    );
    return rows.map((row) => ({
      id: String(row.id),
      shopId: row.shop_id,
      requestId: String(row.request_id),
      subject: row.subject,
      body: row.body,
      to: row.buyer_email,
      fromAddress: row.from_address,
      replyTo: row.reply_to,
      attempts: row.email_attempts,
    }));
  }

  async markEmailSent(id: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE buyer_messages SET email_status = 'sent', emailed_at = $2, email_last_error = NULL, email_claimed_at = NULL,
         email_next_attempt_at = NULL
       WHERE id = $1 AND email_status = 'sending'`,
      [id, at],
    );
  }

  /** `nextAttemptAt` null: no attempts left, the draft stays 'failed' (visible in the API). */
  async markEmailFailed(id: string, error: string, nextAttemptAt: Date | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE buyer_messages SET email_status = 'failed', email_last_error = $2, email_next_attempt_at = $3, email_claimed_at = NULL
       WHERE id = $1 AND email_status = 'sending'`,
      [id, error, nextAttemptAt],
    );
  }

  /**
   * Replaces the text of one draft with a person's edit (the original stays). Refused (null) once
   * the draft was sent or is being sent: what the buyer got must stay what is shown.
   */
  async editDraft(id: string, edit: { subject: string; body: string }, by: string, at: Date): Promise<BuyerMessageRecord | null> {
    const rows: MessageRow[] = await this.dataSource.query(
      `WITH m AS (
         UPDATE buyer_messages SET edited_subject = $2, edited_body = $3, edited_by = $4, edited_at = $5
         WHERE id = $1 AND qsm_sent_at IS NULL AND email_status NOT IN ('sending', 'sent')
         RETURNING *)
       SELECT m.*, o.buyer_email, o.buyer_phone FROM m ${WITH_RECIPIENT}`,
      [id, edit.subject, edit.body, by, at],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /**
   * Records that a person sent the draft through QSM (once: a second click keeps the first time).
   * An email still waiting is withdrawn so the buyer does not get the message twice; null while an
   * email is being sent (the person should look again in a moment).
   */
  async markSentInQsm(id: string, by: string, at: Date): Promise<BuyerMessageRecord | null> {
    const rows: MessageRow[] = await this.dataSource.query(
      `WITH m AS (
         UPDATE buyer_messages SET qsm_sent_at = COALESCE(qsm_sent_at, $3), qsm_sent_by = COALESCE(qsm_sent_by, $2),
           email_status = CASE WHEN email_status IN ('pending', 'failed', 'held', 'no_address') THEN 'held' ELSE email_status END,
           email_held_reason = CASE WHEN email_status IN ('pending', 'failed', 'held', 'no_address') THEN 'sent_by_hand' ELSE email_held_reason END,
           email_next_attempt_at = NULL
         WHERE id = $1 AND email_status <> 'sending'
         RETURNING *)
       SELECT m.*, o.buyer_email, o.buyer_phone FROM m ${WITH_RECIPIENT}`,
      [id, by, at],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /**
   * Call-first decision drafts nobody has sent yet (not by QSM, not by email) and whose request has
   * no call summary and no recorded contact: those not alerted yet, and those older than
   * `escalateBefore` not escalated yet. Only drafts written after `watchSince`: older ones predate
   * the watch (an upgrade must not page about last month's cases).
   */
  async findUnansweredCallFirst(escalateBefore: Date, watchSince: Date, limit: number): Promise<BuyerMessageRecord[]> {
    const rows: MessageRow[] = await this.dataSource.query(
      `SELECT m.*, o.buyer_email, o.buyer_phone FROM buyer_messages m ${WITH_RECIPIENT}
       WHERE m.call_first AND m.purpose = 'decision' AND m.qsm_sent_at IS NULL AND m.emailed_at IS NULL
         AND m.created_at > $3
         AND (m.call_first_alerted_at IS NULL OR (m.call_first_escalated_at IS NULL AND m.created_at <= $1))
         AND NOT EXISTS (SELECT 1 FROM buyer_messages c WHERE c.request_id = m.request_id AND c.purpose = 'call_summary')
         AND NOT EXISTS (SELECT 1 FROM case_notes n WHERE n.request_id = m.request_id AND (n.contacted_at IS NOT NULL OR n.call_made))
       ORDER BY m.created_at, m.id LIMIT $2`,
      [escalateBefore, limit, watchSince],
    );
    return rows.map(toMessage);
  }

  async markCallFirstAlerted(id: string, at: Date): Promise<void> {
    await this.dataSource.query('UPDATE buyer_messages SET call_first_alerted_at = COALESCE(call_first_alerted_at, $2) WHERE id = $1', [id, at]);
  }

  async markCallFirstEscalated(id: string, at: Date): Promise<void> {
    await this.dataSource.query('UPDATE buyer_messages SET call_first_escalated_at = COALESCE(call_first_escalated_at, $2) WHERE id = $1', [id, at]);
  }

  /** The shop's name and its stored settings as written (validated on the way in, not on the way out). */
  async findMessageSettings(shopId: string): Promise<{ shopName: string; settings: unknown } | null> {
    const rows: Array<{ name: string; message_settings: unknown }> = await this.dataSource.query(
      'SELECT name, message_settings FROM shops WHERE id = $1',
      [shopId],
    );
    return rows[0] ? { shopName: rows[0].name, settings: rows[0].message_settings } : null;
  }

  /** Replaces the shop's settings; false when the shop does not exist. */
  async saveMessageSettings(shopId: string, settings: StoredMessageSettings): Promise<boolean> {
    const [rows]: [unknown[], number] = await this.dataSource.query(
      'UPDATE shops SET message_settings = $2::jsonb, updated_at = now() WHERE id = $1 RETURNING id',
      [shopId, JSON.stringify(settings)],
    );
    return rows.length > 0;
  }

}
