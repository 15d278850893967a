import { createHash } from 'node:crypto';
import {
  EMPTY_CASE_NOTES,
  buildBuyerMessage,
  callFirst,
  caseLogCsv,
  caseLogEntry,
  requestFromDecision,
  sellerFaultItemReport,
  type BuyerMessageResult,
  type CallFirstAdvice,
  type CaseLogEntry,
  type CaseNotes,
  type Language,
  type SellerFaultItemReport,
  type TemplateKey,
} from '../domain/buyer-messages';
import { jstDateOf, jstMonthOf, jstMonthRange } from '../domain/jst-calendar';
import type { DecisionKind, Order, Shop } from '../domain/types';
import { AppError, ConflictError, NotFoundError, ValidationFailedError } from '../errors';
import type { Logger } from '../logger';
import type {
  BuyerEmailStatus,
  BuyerMessageRecord,
  BuyerMessageRepository,
  EmailHeldReason,
  MessagePurpose,
  SettledRequest,
  StoredMessageSettings,
} from '../persistence/buyer-message-repository';
import type { CancelRequestRepository, StoredDecision } from '../persistence/cancel-request-repository';
import type { CaseLogRepository, CaseNotesPatch } from '../persistence/case-log-repository';
import type { OrderRepository } from '../persistence/order-repository';
import { resolveShop } from './shop-resolver';
import type { ShopRepository } from '../persistence/shop-repository';
import { effectiveSettings, settingsProblems, type EffectiveSettings } from './message-settings';

export interface BuyerMessageOptions {
  /** An SMTP server is configured (SMTP_URL); without one every draft is 'not_configured'. */
  emailConfigured: boolean;
  /**
   * Requests settled longer ago than this get no draft, so the first run after an upgrade does not
   * write about old cases.
   */
  lookbackMs: number;
  /**
   * A draft is emailed on its own only this soon after the settlement: buyers are contacted within
   * one business day; later, a person follows up instead of an automatic message.
   */
  maxEmailAgeMs: number;
  /** Requests drafted per query. */
  batchSize: number;
  /**
   * A call-first draft nobody has sent, called about or noted as contacted this long after it was
   * written raises a second, critical alert (BUYER_CALL_FIRST_ESCALATE_HOURS): no call-first buyer
   * waits 24 h without someone being told.
   */
  callFirstEscalateMs: number;
}

export const DEFAULT_BUYER_MESSAGE_OPTIONS: BuyerMessageOptions = {
  emailConfigured: false,
  lookbackMs: 14 * 86_400_000,
  maxEmailAgeMs: 24 * 3_600_000,
  batchSize: 200,
  callFirstEscalateMs: 4 * 3_600_000,
};

/** Call-first drafts are watched this long after they are written: past the 24 h promise with margin. */
export const CALL_FIRST_WATCH_MS = 48 * 3_600_000;

/** What the service needs from AlertService for call-first cases (kept narrow: no circle in services/). */
export interface CallFirstAlerter {
  callFirst(
    shop: Shop,
    c: { messageId: string; requestId: string; orderNo: string; reasons: string[]; cartTotalYen: number | null; phone: string | null; outline: string[] },
    escalation: { unsentHours: number } | null,
  ): Promise<unknown>;
}

/** The language a buyer is written to: English when Qoo10 names a delivery country outside Japan. */
export function buyerLanguage(order: Pick<Order, 'buyerCountry'> | null, shopLanguage: Language): Language {
  const country = order?.buyerCountry?.normalize('NFKC').trim().toLowerCase() ?? '';
  if (country === '') return shopLanguage;
  return ['jp', 'jpn', 'japan', '日本', '392'].includes(country) ? 'ja' : 'en';
}

export interface DraftReport {
  drafted: number;
  needsPerson: number;
  /** Drafts waiting for BuyerMailer. */
  toSend: number;
  /** Requests whose draft could not be written this time (logged; retried next cycle). */
  failed: number;
}

export interface CallSummaryInput {
  agreedPoints: string[];
  calledAt: Date;
  language?: Language;
}

export interface RequestMessages {
  draft: BuyerMessageRecord | null;
  callSummaries: BuyerMessageRecord[];
}

export type CaseLogLine = CaseLogEntry & { requestId: string };

const TEMPLATE_OF_KIND: Record<Exclude<DecisionKind, 'review'>, Exclude<TemplateKey, `partial-${string}` | 'call-summary'>> = {
  accept: 'accepted',
  refuse: 'refused-shipped',
  'seller-fault': 'seller-fault',
};

const NO_CALL: CallFirstAdvice = { call: false, reasons: [], cartTotalYen: null, outline: [] };
const PLAIN_ADDRESS = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Whether and why a draft is emailed. Only a complete message to a known address of a shop that
 * chose email goes out by itself; a call-first case waits for the call, whose summary is sent.
 */
export function emailStatusFor(input: {
  emailConfigured: boolean;
  sendByEmail: boolean;
  purpose: MessagePurpose;
  needsPerson: boolean;
  callFirst: boolean;
  buyerEmail: string | null;
  /** How long ago the case was settled, in ms. */
  ageMs: number;
  maxAgeMs: number;
}): { status: BuyerEmailStatus; heldReason: EmailHeldReason | null } {
  if (!input.emailConfigured || !input.sendByEmail) return { status: 'not_configured', heldReason: null };
  if (input.needsPerson) return { status: 'held', heldReason: 'needs_person' };
  if (input.purpose === 'decision' && input.callFirst) return { status: 'held', heldReason: 'call_first' };
  if (!input.buyerEmail || !PLAIN_ADDRESS.test(input.buyerEmail.trim())) return { status: 'no_address', heldReason: null };
  if (input.ageMs > input.maxAgeMs) return { status: 'held', heldReason: 'stale' };
  return { status: 'pending', heldReason: null };
}

/**
 * The messages buyers receive after a decision: drafted once per settled decision from the order and
 * the shop's settings, shown to copy, emailed by BuyerMailer where the shop chose it. Also the
 * shop's message settings, the written summary after a phone call, and the case log.
 */
export class BuyerMessageService {
  private readonly options: BuyerMessageOptions;
  private readonly logger: Logger;

  constructor(
    private readonly messages: BuyerMessageRepository,
    private readonly cases: CaseLogRepository,
    private readonly requests: CancelRequestRepository,
    private readonly orders: OrderRepository,
    private readonly shops: ShopRepository,
    logger: Logger,
    options: Partial<BuyerMessageOptions> = {},
    private readonly alerts: CallFirstAlerter | null = null,
  ) {
    this.options = { ...DEFAULT_BUYER_MESSAGE_OPTIONS, ...options };
    this.logger = logger.child({ module: 'buyer-messages' });
  }

  /**
   * Writes the draft of every recently settled request that has none (of one shop, with `shopId`: the
   * buyer-messages job after a change in it). Without `shopId` it also raises the call-first alerts.
   */
  async draftPending(now: Date, shopId?: string): Promise<DraftReport> {
    const report: DraftReport = { drafted: 0, needsPerson: 0, toSend: 0, failed: 0 };
    const since = new Date(now.getTime() - this.options.lookbackMs);
    const settingsByShop = new Map<string, EffectiveSettings | null>();
    for (;;) {
      const batch = await this.messages.findSettledWithoutDraft(since, this.options.batchSize, shopId);
      let stored = 0;
      for (const settled of batch) {
        if (!settingsByShop.has(settled.shopId)) settingsByShop.set(settled.shopId, await this.loadSettings(settled.shopId));
        try {
          const draft = await this.draftDecision(settled, settingsByShop.get(settled.shopId)!, now);
          if (!draft) continue;
          stored += 1;
          report.drafted += 1;
          if (draft.needsPerson) report.needsPerson += 1;
          if (draft.emailStatus === 'pending') report.toSend += 1;
        } catch (error) {
          report.failed += 1;
          // Ids only: the order row holds the buyer's name and address.
          const err = error instanceof Error ? error.message : String(error);
          this.logger.warn({ requestId: settled.requestId, err }, 'buyer message draft failed; retried next cycle');
        }
      }
      // A row not drafted comes back in the next query: stop rather than loop on it.
      if (batch.length < this.options.batchSize || stored < batch.length) break;
    }
    if (report.drafted > 0) this.logger.info({ ...report }, 'buyer message drafts written');
    if (shopId === undefined) await this.checkCallFirst(now);
    return report;
  }

  /**
   * Alerts for call-first drafts: at once when one is written, and again, critical, when nobody has
   * reached the buyer after callFirstEscalateMs. Each alert is raised once (dedupe key per draft).
   */
  async checkCallFirst(now: Date): Promise<{ alerted: number; escalated: number }> {
    const counts = { alerted: 0, escalated: 0 };
    if (!this.alerts) return counts;
    const escalateBefore = new Date(now.getTime() - this.options.callFirstEscalateMs);
    const watchSince = new Date(now.getTime() - CALL_FIRST_WATCH_MS);
    const open = await this.messages.findUnansweredCallFirst(escalateBefore, watchSince, this.options.batchSize);
    for (const message of open) {
      const shop = await this.shops.findShop(message.shopId);
      if (!shop) continue;
      const facts = {
        messageId: message.id,
        requestId: message.requestId,
        orderNo: message.orderNo,
        reasons: message.callFirst.reasons,
        cartTotalYen: message.callFirst.cartTotalYen,
        phone: message.buyerPhone,
        outline: message.callFirst.outline,
      };
      if (!message.callFirstAlertedAt) {
        await this.alerts.callFirst(shop, facts, null);
        await this.messages.markCallFirstAlerted(message.id, now);
        counts.alerted += 1;
      }
      if (!message.callFirstEscalatedAt && message.createdAt.getTime() <= escalateBefore.getTime()) {
        const unsentHours = Math.floor((now.getTime() - message.createdAt.getTime()) / 3_600_000);
        await this.alerts.callFirst(shop, facts, { unsentHours });
        await this.messages.markCallFirstEscalated(message.id, now);
        counts.escalated += 1;
      }
    }
    return counts;
  }

  private async loadSettings(shopId: string): Promise<EffectiveSettings | null> {
    const found = await this.messages.findMessageSettings(shopId);
    return found ? effectiveSettings(found.shopName, found.settings) : null;
  }

  private async draftDecision(settled: SettledRequest, shop: EffectiveSettings | null, now: Date): Promise<BuyerMessageRecord | null> {
    const { decision } = settled;
    if (decision.kind === 'review' || !shop) return null;
    const order = await this.orders.findOrder(settled.shopId, settled.orderNo);
    const templateKey = TEMPLATE_OF_KIND[decision.kind];
    const request = order
      ? requestFromDecision({ ...domainDecision(decision), trail: decision.trail }, order, { requestedAt: settled.requestedAt })
      : null;
    const language = buyerLanguage(order, shop.language);
    // No order, no facts at all: a person writes this one.
    const result: BuyerMessageResult = request
      ? buildBuyerMessage(request, shop.settings, { now, language })
      : { ok: false, needsPerson: true, missing: ['order'], problems: [] };
    const advice = order ? callFirst(await this.cartOf(settled.shopId, order), shop.settings, templateKey, language) : NO_CALL;
    return this.messages.insertDraft({
      ...this.draftFields(result, templateKey, { ...shop, language }, 'decision', advice, order, now.getTime() - settled.settledAt.getTime()),
      shopId: settled.shopId,
      requestId: settled.requestId,
      decisionId: decision.id,
      orderNo: settled.orderNo,
      draftKey: `decision:${decision.id}`,
      createdAt: now,
    });
  }

  private draftFields(
    result: BuyerMessageResult,
    templateKey: TemplateKey,
    shop: EffectiveSettings,
    purpose: MessagePurpose,
    advice: CallFirstAdvice,
    order: Order | null,
    ageMs: number,
  ) {
    const email = emailStatusFor({
      emailConfigured: this.options.emailConfigured,
      sendByEmail: shop.sendByEmail,
      purpose,
      needsPerson: !result.ok,
      callFirst: advice.call,
      buyerEmail: order?.buyerEmail ?? null,
      ageMs,
      maxAgeMs: this.options.maxEmailAgeMs,
    });
    return {
      purpose,
      templateKey: result.ok ? result.templateKey : templateKey,
      language: result.ok ? result.language : shop.language,
      subject: result.ok ? result.subject : null,
      body: result.ok ? result.body : null,
      needsPerson: !result.ok,
      missing: result.ok ? [] : result.missing,
      problems: result.ok ? [] : result.problems,
      notes: result.ok ? result.notes : [],
      callFirst: { call: advice.call, reasons: advice.reasons, outline: advice.outline, cartTotalYen: advice.cartTotalYen },
      emailStatus: email.status,
      emailHeldReason: email.heldReason,
    };
  }

  /** The order and the other lines of its cart still standing: a high-value cart is judged whole. */
  private async cartOf(shopId: string, order: Order): Promise<Order[]> {
    const others = (await this.orders.findCartOrderNos(shopId, order.packNo)).filter((no) => no !== order.orderNo);
    const lines = await Promise.all(others.map((no) => this.orders.findOrder(shopId, no)));
    return [order, ...lines.filter((line): line is Order => line !== null)];
  }

  async messagesOfRequest(requestId: string): Promise<RequestMessages> {
    if (!(await this.requests.findRequest(requestId))) throw new NotFoundError(`The cancel request ${requestId}`);
    const drafts = await this.messages.draftsOfRequest(requestId);
    return {
      draft: drafts.find((d) => d.purpose === 'decision') ?? null,
      callSummaries: drafts.filter((d) => d.purpose === 'call_summary'),
    };
  }

  /** The decision's draft; 404 until the request is settled and drafted. */
  async draftOfRequest(requestId: string): Promise<RequestMessages & { draft: BuyerMessageRecord }> {
    const found = await this.messagesOfRequest(requestId);
    if (!found.draft) {
      throw new AppError(
        'message_not_drafted',
        404,
        `Cancel request ${requestId} has no message draft yet: drafts are written once the request is settled ` +
          "(accepted, refused or cancelled as the shop's fault).",
      );
    }
    return { ...found, draft: found.draft };
  }

  /**
   * The written follow-up to a phone call: what was agreed, as a second draft of the request. The
   * same points on the same JST day are stored once, so a double click sends nothing twice.
   */
  async writeCallSummary(requestId: string, input: CallSummaryInput, now: Date): Promise<{ message: BuyerMessageRecord; created: boolean }> {
    const request = await this.requests.findRequest(requestId);
    if (!request) throw new NotFoundError(`The cancel request ${requestId}`);
    const order = await this.orders.findOrder(request.shopId, request.orderNo);
    if (!order) throw new ConflictError('order_missing', 'No order data is held for this request; write the summary by hand.');
    const shop = await this.loadSettings(request.shopId);
    if (!shop) throw new NotFoundError(`The shop ${request.shopId}`);
    const existing = await this.messages.draftsOfRequest(requestId);
    const language = input.language ?? existing.find((d) => d.purpose === 'decision')?.language ?? shop.language;
    const points = input.agreedPoints.map((point) => point.trim()).filter((point) => point !== '');
    const result = buildBuyerMessage(
      { outcome: 'call-summary', order, calledAt: input.calledAt, agreedPoints: points },
      shop.settings,
      { now, language },
    );
    const digest = createHash('sha256')
      .update(JSON.stringify({ language, points, day: jstDateOf(input.calledAt) }))
      .digest('hex');
    const draftKey = `call:${requestId}:${digest}`;
    const decision = await this.requests.currentDecision(requestId);
    const stored = await this.messages.insertDraft({
      ...this.draftFields(result, 'call-summary', { ...shop, language }, 'call_summary', NO_CALL, order, 0),
      shopId: request.shopId,
      requestId,
      decisionId: decision?.id ?? null,
      orderNo: request.orderNo,
      draftKey,
      createdAt: now,
    });
    if (stored) {
      // The call happened: the case log records it (a person's own notes are never overwritten).
      await this.cases.saveNotes(request.shopId, requestId, { callMade: true, callSummary: points.join(' / '), contactChannel: 'phone', contactedAt: input.calledAt }, 'cancel-guard', true);
      return { message: stored, created: true };
    }
    const again = await this.messages.findByDraftKey(draftKey);
    if (!again) throw new Error(`call summary ${draftKey} conflicted but cannot be read`);
    return { message: again, created: false };
  }

  /**
   * A person's own wording for one draft before it is sent (a personal line, as a careful shop adds):
   * the edit is what QSM text and email carry from then on; the built text is kept beside it.
   */
  async editDraft(requestId: string, edit: { subject?: string; body?: string }, by: string, now: Date): Promise<BuyerMessageRecord> {
    const { draft } = await this.draftOfRequest(requestId);
    const subject = (edit.subject ?? draft.subject ?? '').trim();
    const body = (edit.body ?? draft.body ?? '').trim();
    const details = [
      ...(subject === '' ? [{ field: 'subject', message: 'subject must not be empty (this draft has no built text to keep)' }] : []),
      ...(subject.includes('\n') ? [{ field: 'subject', message: 'subject must be one line' }] : []),
      ...(body === '' ? [{ field: 'body', message: 'body must not be empty (this draft has no built text to keep)' }] : []),
      ...(/\{\{|\}\}/.test(subject + body) ? [{ field: 'body', message: 'the text still holds {{placeholders}}: write the words themselves' }] : []),
    ];
    if (details.length > 0) throw new ValidationFailedError(`The edit is invalid: ${[...new Set(details.map((d) => d.field))].join(', ')}.`, details);
    const edited = await this.messages.editDraft(draft.id, { subject, body }, by, now);
    if (!edited) throw new ConflictError('message_already_sent', 'This message was already sent (or is being sent); what the buyer received cannot be changed.');
    return edited;
  }

  /**
   * The person sent the draft through QSM: recorded once, any waiting email withdrawn, and the case
   * log notes QSM as the contact channel (unless a person already noted another).
   */
  async markSent(requestId: string, by: string, now: Date, messageId?: string): Promise<BuyerMessageRecord> {
    const found = await this.draftOfRequest(requestId);
    // A call summary sent in QSM is marked by its id; the decision's draft is the default.
    const draft = messageId === undefined ? found.draft : [found.draft, ...found.callSummaries].find((m) => m.id === messageId);
    if (!draft) throw new NotFoundError(`The message ${messageId} of cancel request ${requestId}`);
    if (draft.needsPerson && !draft.edited) {
      throw new ConflictError('message_incomplete', 'This draft is missing facts; edit it into a complete message before marking it sent.');
    }
    const sent = await this.messages.markSentInQsm(draft.id, by, now);
    if (!sent) throw new ConflictError('message_being_emailed', 'This message is being emailed right now; look again in a minute before sending it in QSM.');
    const at = sent.qsmSent?.at ?? now;
    await this.cases.saveNotes(sent.shopId, requestId, { contactChannel: 'qsm', contactedAt: at }, by, true);
    return sent;
  }

  async caseNotes(requestId: string): Promise<CaseNotes> {
    if (!(await this.requests.findRequest(requestId))) throw new NotFoundError(`The cancel request ${requestId}`);
    return (await this.cases.findNotes(requestId)) ?? EMPTY_CASE_NOTES;
  }

  async updateCaseNotes(requestId: string, patch: CaseNotesPatch, by: string): Promise<CaseNotes> {
    const request = await this.requests.findRequest(requestId);
    if (!request) throw new NotFoundError(`The cancel request ${requestId}`);
    return this.cases.saveNotes(request.shopId, requestId, patch, by);
  }

  /** The month's case log as CSV for Excel (UTF-8 with BOM). */
  async caseLogCsv(shopId: string | undefined, month: string | undefined, now: Date): Promise<{ shop: Shop; month: string; csv: string }> {
    const log = await this.caseLog(shopId, month, now);
    return { shop: log.shop, month: log.month, csv: caseLogCsv(log.entries) };
  }

  recentMessages(filter: { shopId?: string; status?: BuyerEmailStatus | 'needs_person'; limit: number }): Promise<BuyerMessageRecord[]> {
    return this.messages.recentDrafts(filter);
  }

  async messageSettings(shopId: string): Promise<{ shopId: string; shopName: string; settings: StoredMessageSettings }> {
    const found = await this.messages.findMessageSettings(shopId);
    if (!found) throw new NotFoundError(`The shop ${shopId}`);
    const effective = effectiveSettings(found.shopName, found.settings);
    return { shopId, shopName: effective.settings.shopName, settings: effective.stored };
  }

  /** Replaces the shop's settings after checking every template: a typo never reaches a buyer. */
  async updateMessageSettings(shopId: string, settings: StoredMessageSettings) {
    const problems = settingsProblems(settings);
    if (problems.length > 0) {
      throw new ValidationFailedError(`The message settings are invalid: ${[...new Set(problems.map((p) => p.field))].join(', ')}.`, problems);
    }
    if (!(await this.messages.saveMessageSettings(shopId, settings))) throw new NotFoundError(`The shop ${shopId}`);
    return this.messageSettings(shopId);
  }

  /**
   * One line per request we settled in the JST month (by the deciding decision's time): item,
   * cause, timing from the order, outcome.
   */
  async caseLog(shopId: string | undefined, month: string | undefined, now: Date): Promise<{ shop: Shop; month: string; entries: CaseLogLine[] }> {
    const shop = await this.resolveShop(shopId);
    const key = month ?? jstMonthOf(now);
    const rows = await this.cases.settledCases(shop.id, jstMonthRange(key));
    const entries = rows.map((row) => ({
      requestId: row.requestId,
      ...caseLogEntry(domainDecision(row.decision), row.order, row.decision.createdAt),
      handledIn: row.handledInQsm ? ('qsm' as const) : ('service' as const),
      notes: row.notes ?? EMPTY_CASE_NOTES,
    }));
    return { shop, month: key, entries };
  }

  /** Which items caused the month's seller-fault cancels, most first: whose stock sync to fix. */
  async sellerFaultItems(
    shopId: string | undefined,
    month: string | undefined,
    now: Date,
  ): Promise<{ shop: Shop; month: string; report: SellerFaultItemReport }> {
    const log = await this.caseLog(shopId, month, now);
    return { shop: log.shop, month: log.month, report: sellerFaultItemReport(log.entries) };
  }

  private resolveShop(shopId?: string): Promise<Shop> {
    return resolveShop(this.shops, shopId);
  }
}

/** The stored decision in the domain's shape (absent rather than null). */
function domainDecision(decision: StoredDecision) {
  return {
    kind: decision.kind,
    ...(decision.tracking ? { tracking: decision.tracking } : {}),
    ...(decision.sellerFaultCause ? { sellerFaultCause: decision.sellerFaultCause } : {}),
  };
}
