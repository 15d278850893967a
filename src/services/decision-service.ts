import { isDeepStrictEqual } from 'node:util';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import { ClaimStatus, type Claim, type Decision, type DecisionFacts, type DecisionKind, type Order, type OrderSnapshot, type Shop } from '../domain/types';
import { ASSUMED_CAUSE_RULE } from '../domain/buyer-messages';
import { decide, isSettled } from '../domain/decide';
import { applySnapshot, applySnapshotToClaim, orderChanged } from '../domain/order-snapshot';
import { hasShipped, stockCovers } from '../domain/money-safety';
import { refusalLines } from '../domain/refusal-lines';
import type { Qoo10Client } from '../qoo10/qoo10-client';
import { refusalSendingRows } from '../qoo10/decision-mapping';
import type { OrderRepository } from '../persistence/order-repository';
import type { CancelRequestRecord, CancelRequestRepository, RequestStatus, StoredDecision } from '../persistence/cancel-request-repository';
import type { FactsRepository } from '../persistence/facts-repository';
import { sendTrackingKey, type ActionRecord, type ActionRepository } from '../persistence/action-repository';
import { readFreshOrder, reopenedConflict, unreadableFreshRead } from './fresh-read-guard';

/** Review codes whose answer can change when the shop adds a fact (stock, tracking): re-decided each cycle. */
const FACT_DEPENDENT_REVIEW_CODES = ['stock_unknown', 'shipped_without_tracking', 'order_missing'];

export type Decider = 'auto' | `person:${string}`;

export interface DecisionOutcome {
  requestId: string;
  /** Null when the request was skipped (another holder has it, it is no longer open, or it kept changing while Qoo10 was read). */
  decision: Decision | null;
  /** What happened to the request: closed (settled on Qoo10), review (waits for a person), acting (actions queued). */
  status: 'closed' | 'review' | 'acting' | 'skipped';
  actions: ActionRecord[];
}

/** Statuses in which a request may be decided, automatically or by a person. */
const DECIDABLE: readonly RequestStatus[] = ['pending', 'review'];

/** How many times a request is looked at and read when it keeps changing during the read; then the next run has it. */
const LOOKS = 2;

/** The write half's answer when the request or its order is no longer what the read was made for. */
const CHANGED = Symbol('changed');

/** What a Qoo10 read was made for: the stored request, its current decision and its order. */
interface Seen {
  request: CancelRequestRecord;
  previous: StoredDecision | null;
  order: Order | null;
}

/** Nothing about the request or its order changed between the look and the locked write. */
function sameState(seen: Seen, locked: Seen): boolean {
  return isDeepStrictEqual(seen.request, locked.request) && seen.previous?.id === locked.previous?.id && isDeepStrictEqual(seen.order, locked.order);
}

type PersonResult = { ok: true; actions: ActionRecord[] } | { ok: false; code: string; message: string };
const NOT_OPEN: PersonResult = { ok: false, code: 'request_not_open', message: 'This request is not waiting for a decision (already settled or being processed).' };

/** The request as decide() reads it: the stored request with its order's item fields. */
function claimOf(request: CancelRequestRecord, order: Order | null): Claim {
  return {
    orderNo: request.orderNo,
    packNo: request.packNo ?? order?.packNo ?? request.orderNo,
    claimStatus: ClaimStatus.CancelRequested,
    reason: request.reason,
    requestedAt: request.requestedAt,
    completedAt: null,
    orderedAt: order?.orderedAt ?? null,
    itemNo: order?.itemNo ?? '',
    sellerItemCode: order?.sellerItemCode ?? null,
    itemTitle: order?.itemTitle ?? '',
    quantity: order?.quantity ?? 0,
    paymentAmountYen: order?.totalYen ?? 0,
    carrier: order?.carrier ?? null,
    trackingNo: order?.trackingNo ?? null,
  };
}

/**
 * Decides cancel requests and turns decisions into outbox rows. For each request: decide on what is
 * stored → if the decision would act, re-read the order from Qoo10, with no transaction open and no
 * connection held → in one short transaction, lock the request and its order (SKIP LOCKED, so a second
 * holder moves on), check that neither changed since the look (else look and read again, or leave it
 * for the next run: never a decision on a stale read), decide again on the fresh read when the order
 * changed on Qoo10 → record the decision with its trail → queue the actions. Nothing is sent to Qoo10
 * here; the ActionExecutor sends committed outbox rows after its own last look.
 */
export class DecisionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly orders: OrderRepository,
    private readonly requests: CancelRequestRepository,
    private readonly facts: FactsRepository,
    private readonly actions: ActionRepository,
    private readonly exclusionHours: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Decides one request. The Qoo10 read happens outside any transaction; the write is a short transaction
   * that locks the request (and its order) and goes ahead only when both are still what the read was made
   * for. When they changed meanwhile the request is looked at and read again, once; after that it is left
   * for the next run ('skipped'). A request another holder has locked or already decided is 'skipped' too.
   */
  async decideRequest(shop: Shop, client: Qoo10Client, requestId: string, now: Date, signal?: AbortSignal): Promise<DecisionOutcome> {
    const skipped: DecisionOutcome = { requestId, decision: null, status: 'skipped', actions: [] };
    for (let look = 1; look <= LOOKS; look += 1) {
      const seen = await this.seen(shop.id, requestId, DECIDABLE);
      if (!seen) return skipped;
      const facts = seen.order ? await this.facts.factsFor(shop.id, seen.order) : null;
      // Re-read right before acting: the order may have shipped or the buyer withdrawn since the poll.
      const fresh = this.wouldAct(this.decide(claimOf(seen.request, seen.order), seen.order, facts, shop, now), shop)
        ? await readFreshOrder(client, seen.request.orderNo, signal)
        : null;
      const outcome = await this.dataSource.transaction((em) => this.recordAutomatic(em, shop, seen, fresh, now));
      if (outcome !== CHANGED) return outcome;
      this.logger.info({ shopId: shop.id, requestId, look }, 'request or order changed while Qoo10 was read; not decided on that read');
    }
    return skipped;
  }

  /** The write half of decideRequest: under the request's and the order's row locks, on the read made for `seen`. */
  private async recordAutomatic(
    em: EntityManager,
    shop: Shop,
    seen: Seen,
    fresh: { snapshot: OrderSnapshot | null; fault: string | null } | null,
    now: Date,
  ): Promise<DecisionOutcome | typeof CHANGED> {
    const requestId = seen.request.id;
    const locked = await this.lockSeen(em, shop.id, requestId, DECIDABLE);
    if (!locked) return { requestId, decision: null, status: 'skipped', actions: [] };
    if (!sameState(seen, locked)) return CHANGED;
    const { request, previous } = locked;
    let order = locked.order;
    let claim = claimOf(request, order);
    let facts = order ? await this.facts.factsFor(shop.id, order, em) : null;
    let decision = this.decide(claim, order, facts, shop, now);
    let note: string | null = null;

    if (this.wouldAct(decision, shop)) {
      // The shop's facts changed since the look and the decision would now act: there is no read for it.
      if (!fresh) return CHANGED;
      const { snapshot, fault } = fresh;
      if (fault !== null) {
        decision = unreadableFreshRead(decision, fault);
      } else if (!snapshot) {
        decision = { ...decision, kind: 'review', code: 'order_not_found_on_qoo10', reason: 'Qoo10 no longer returns this order; check it in QSM.', suggested: undefined };
      } else if (order && orderChanged(order, snapshot)) {
        await this.orders.applySnapshot(shop.id, snapshot, em);
        order = applySnapshot(order, snapshot);
        claim = applySnapshotToClaim(claim, snapshot);
        facts = await this.facts.factsFor(shop.id, order, em);
        decision = this.decide(claim, order, facts, shop, now);
        note = 'The order changed between the poll and the action; decided again on the fresh read.';
        this.logger.info({ shopId: shop.id, requestId, orderNo: request.orderNo, kind: decision.kind, code: decision.code }, 'order changed before acting; decided again');
      }
    }

    decision = reopenedConflict(request, decision);
    // A review that comes out the same again is left alone: no new row every cycle.
    if (previous && previous.kind === decision.kind && previous.code === decision.code) {
      return { requestId, decision, status: 'skipped', actions: [] };
    }

    const decisionId = await this.requests.recordDecision(em, requestId, decision, 'auto', note);
    if (isSettled(decision)) {
      await this.requests.setStatus(em, requestId, 'closed', decision.code);
      return { requestId, decision, status: 'closed', actions: [] };
    }
    if (!this.wouldAct(decision, shop)) {
      await this.requests.setStatus(em, requestId, 'review');
      return { requestId, decision, status: 'review', actions: [] };
    }
    const actions = await this.queueActions(em, shop, request, order!, decision, decisionId);
    if (actions.length === 0) {
      // A refusal with no line to submit for (Qoo10 shows another number on the line): only QSM can refuse.
      await this.noLineToSubmit(em, requestId, decision);
      return { requestId, decision, status: 'review', actions };
    }
    await this.requests.setStatus(em, requestId, 'acting');
    return { requestId, decision, status: 'acting', actions };
  }

  /** The stored request (when in one of `statuses`), its current decision and its order; no transaction, no lock. */
  private async seen(shopId: string, requestId: string, statuses: readonly RequestStatus[]): Promise<Seen | null> {
    const request = await this.requests.findRequest(requestId);
    if (!request || request.shopId !== shopId || !statuses.includes(request.status)) return null;
    return {
      request,
      previous: await this.requests.currentDecision(requestId),
      order: await this.orders.findOrder(shopId, request.orderNo),
    };
  }

  /**
   * The same, with the request's and the order's rows locked for `em`'s transaction. Null when the request is
   * no longer in `statuses` or another holder has it locked (SKIP LOCKED: it moves on). An order another
   * transaction is writing comes back null, which differs from what was seen, so the caller looks again.
   */
  private async lockSeen(em: EntityManager, shopId: string, requestId: string, statuses: readonly RequestStatus[]): Promise<Seen | null> {
    const request = await this.requests.lockRequest(em, requestId, statuses);
    if (!request || request.shopId !== shopId) return null;
    return {
      request,
      previous: await this.requests.currentDecision(requestId, em),
      order: await this.orders.lockOrder(em, shopId, request.orderNo),
    };
  }

  /**
   * Review requests whose answer may have changed because the shop added a fact (the whole queue). A
   * refuse_in_qsm task counts only while it has no tracking number: one whose number is already in Qoo10
   * waits for the QSM refusal, and deciding it again would only submit the same number again.
   */
  async findRedecidableReviewIds(shopId: string): Promise<string[]> {
    const items = await this.requests.findAutoReviewIds(shopId, [...FACT_DEPENDENT_REVIEW_CODES, 'refuse_in_qsm']);
    return items.filter((item) => item.code !== 'refuse_in_qsm' || !item.hasTracking).map((item) => item.id);
  }

  /**
   * A person's decision on a review item: `kind` is carried out after the same re-read and the same
   * money-safety check as an automatic one (a shipped order is never cancelled, whoever asks).
   */
  async decideByPerson(
    shop: Shop,
    client: Qoo10Client,
    requestId: string,
    input: { kind: Exclude<DecisionKind, 'review'>; person: string; note: string | null },
    signal?: AbortSignal,
  ): Promise<PersonResult> {
    for (let look = 1; look <= LOOKS; look += 1) {
      const seen = await this.seen(shop.id, requestId, DECIDABLE);
      if (!seen) return NOT_OPEN;
      if (!seen.order) return { ok: false, code: 'order_missing', message: 'No order data is held for this request; handle it in QSM.' };
      // Read outside any transaction; the write below goes ahead only on the state this read was made for.
      const snapshot = await client.getOrderSnapshot(seen.request.orderNo, signal);
      if (!snapshot) return { ok: false, code: 'order_not_found_on_qoo10', message: 'Qoo10 does not return this order; handle it in QSM.' };
      const result = await this.dataSource.transaction((em) => this.recordByPerson(em, shop, seen, snapshot, input));
      if (result !== CHANGED) return result;
      this.logger.info({ shopId: shop.id, requestId, look }, "request or order changed while Qoo10 was read for a person's decision; read again");
    }
    return { ok: false, code: 'request_changed', message: 'This request changed while Qoo10 was being read; nothing was sent. Look at it again and retry.' };
  }

  /** The write half of decideByPerson, under the request's and the order's row locks. */
  private async recordByPerson(
    em: EntityManager,
    shop: Shop,
    seen: Seen,
    snapshot: OrderSnapshot,
    input: { kind: Exclude<DecisionKind, 'review'>; person: string; note: string | null },
  ): Promise<PersonResult | typeof CHANGED> {
    const requestId = seen.request.id;
    const locked = await this.lockSeen(em, shop.id, requestId, DECIDABLE);
    if (!locked) return NOT_OPEN;
    if (!sameState(seen, locked)) return CHANGED;
    const { request, previous: current } = locked;
    await this.orders.applySnapshot(shop.id, snapshot, em);
    const order = applySnapshot(locked.order!, snapshot);
    if (snapshot.claimStatus !== ClaimStatus.CancelRequested) {
      await this.requests.setStatus(em, requestId, 'closed', 'request_not_pending');
      return { ok: false, code: 'request_not_pending', message: 'Qoo10 no longer shows this cancel request as pending; nothing was sent.' };
    }
    const facts = await this.facts.factsFor(shop.id, order, em);
    if (input.kind !== 'refuse' && hasShipped(order, facts)) {
      return { ok: false, code: 'order_shipped', message: 'The order has shipped: a cancel would lose the item and the money. Refuse it with the tracking number instead.' };
    }
    if (input.kind === 'accept' && facts.stockAvailable !== null && !stockCovers(facts.stockAvailable, order.quantity, shop.policy.stockMeaning)) {
      // A known stock-out booked as the buyer's reason is what Qoo10 sanctions: the shop must own it.
      return {
        ok: false,
        code: 'stock_out_not_buyer_reason',
        message:
          `The shop's stock figure for this item is ${facts.stockAvailable} (${shop.policy.stockMeaning === 'available' ? 'available after this order' : 'on hand'}) for ${order.quantity} ordered: ` +
          "accepting would book a stock-out as the buyer's reason. Cancel it as the shop's fault, or correct the stock figure first if the item is actually there.",
      };
    }
    const tracking = current?.tracking ?? facts.tracking ?? (order.trackingNo && order.carrier ? { carrier: order.carrier, trackingNo: order.trackingNo } : null);
    if (input.kind === 'refuse' && !tracking) {
      return { ok: false, code: 'tracking_missing', message: 'Refusing needs the tracking number: enter it first (it is what tells Qoo10 the order shipped).' };
    }
    const decision: Decision = {
      kind: input.kind,
      code: current?.kind === input.kind || current?.suggested === input.kind ? 'approved_by_person' : 'overridden_by_person',
      reason: input.note ?? `Decided by ${input.person}.`,
      trail: [
        ...(current?.trail ?? []),
        { rule: 'person', note: `${input.person} chose ${input.kind}.` },
        // Qoo10 needs a cause; the buyer's message must not state one nobody named.
        ...(input.kind === 'seller-fault' && !(current?.sellerFaultCause ?? facts.shopFault)
          ? [{ rule: ASSUMED_CAUSE_RULE, note: 'No cause was named: out_of_stock is booked for Qoo10 only; the buyer is told no reason.' }]
          : []),
      ],
      tracking: input.kind === 'refuse' ? tracking! : undefined,
      sellerFaultCause: input.kind === 'seller-fault' ? current?.sellerFaultCause ?? facts.shopFault ?? 'out_of_stock' : undefined,
    };
    const decisionId = await this.requests.recordDecision(em, requestId, decision, `person:${input.person}`, input.note);
    const actions = await this.queueActions(em, shop, request, order, decision, decisionId);
    if (actions.length === 0) {
      await this.noLineToSubmit(em, requestId, decision);
      return { ok: true, actions };
    }
    await this.requests.setStatus(em, requestId, 'acting');
    return { ok: true, actions };
  }

  private async noLineToSubmit(em: EntityManager, requestId: string, decision: Decision): Promise<void> {
    await this.requests.recordDecision(
      em,
      requestId,
      {
        kind: 'review',
        code: 'refuse_in_qsm',
        reason: 'No cart line can take this tracking number (another number is already registered on Qoo10): refuse the request in QSM today.',
        trail: [...decision.trail, { rule: 'refusal-lines', note: 'Every line was left alone; nothing to submit.' }],
        suggested: 'refuse',
        tracking: decision.tracking,
        trackingDeadline: decision.trackingDeadline,
      },
      'auto',
    );
    await this.requests.setStatus(em, requestId, 'review');
  }

  /** The request was answered in QSM by hand: close it, keeping who said so and why. */
  async markHandledInQsm(requestId: string, person: string, note: string | null): Promise<boolean> {
    return this.dataSource.transaction(async (em) => {
      const request = await this.requests.lockRequest(em, requestId, ['review', 'pending']);
      if (!request) return false;
      const current = await this.requests.currentDecision(requestId, em);
      await this.requests.recordDecision(
        em,
        requestId,
        {
          kind: 'review',
          code: 'handled_in_qsm',
          reason: note ?? 'Answered by hand in QSM.',
          trail: [...(current?.trail ?? []), { rule: 'person', note: `${person} answered it in QSM.` }],
        },
        `person:${person}`,
        note,
      );
      await this.requests.setStatus(em, requestId, 'closed', 'handled_in_qsm');
      return true;
    });
  }

  /**
   * Undoes markHandledInQsm while no poll of the shop has started since: the decision before the mark
   * becomes current again and the request returns to the review queue. After a poll the mark is final
   * (the poll may already have acted on what QSM shows). 'not_handled' | 'too_late' | 'ok'.
   */
  async undoHandledInQsm(requestId: string, person: string): Promise<'ok' | 'not_handled' | 'too_late'> {
    return this.dataSource.transaction(async (em) => {
      const request = await this.requests.lockRequest(em, requestId, ['closed']);
      const current = request ? await this.requests.currentDecision(requestId, em) : null;
      if (!request || current?.code !== 'handled_in_qsm') return 'not_handled';
      if (await this.requests.pollStartedSince(em, request.shopId, current.createdAt)) return 'too_late';
      const before = (await this.requests.decisionsOf(requestId)).filter((d) => d.id !== current.id && d.code !== 'handled_in_qsm').pop();
      await this.requests.recordDecision(
        em,
        requestId,
        {
          kind: 'review',
          code: before?.code ?? 'handled_in_qsm_undone',
          reason: before?.reason ?? 'The QSM mark was undone.',
          trail: [...current.trail, { rule: 'person', note: `${person} undid the QSM mark.` }],
          ...(before?.kind === 'review' ? (before.suggested ? { suggested: before.suggested } : {}) : before ? { suggested: before.kind } : {}),
          ...(before?.tracking ? { tracking: before.tracking } : {}),
          ...(before?.sellerFaultCause ? { sellerFaultCause: before.sellerFaultCause } : {}),
          ...(before?.trackingDeadline ? { trackingDeadline: before.trackingDeadline } : {}),
        },
        `person:${person}`,
        null,
      );
      await this.requests.reopenForReview(em, requestId);
      return 'ok';
    });
  }

  private decide(claim: Claim, order: Order | null, facts: DecisionFacts | null, shop: Shop, now: Date): Decision {
    const known: DecisionFacts = facts ?? { stockAvailable: null, madeToOrder: false, packed: false, handedToCarrier: false, tracking: null, shopFault: null };
    return decide(claim, order, known, shop.policy, now, { exclusionHours: this.exclusionHours });
  }

  private wouldAct(decision: Decision, shop: Shop): boolean {
    return decision.kind !== 'review' && shop.policy.autoDecisions.includes(decision.kind);
  }

  /** Outbox rows for a decision. Idempotency keys name the effect, so no effect is queued twice. */
  private async queueActions(
    em: EntityManager,
    shop: Shop,
    request: CancelRequestRecord,
    order: Order,
    decision: Decision,
    decisionId: string,
  ): Promise<ActionRecord[]> {
    const queued = await this.enqueueActions(em, shop, request, order, decision, decisionId);
    await this.requests.setDecisionActionKeys(em, decisionId, queued.map((action) => action.idempotencyKey));
    return queued;
  }

  private async enqueueActions(
    em: EntityManager,
    shop: Shop,
    request: CancelRequestRecord,
    order: Order,
    decision: Decision,
    decisionId: string,
  ): Promise<ActionRecord[]> {
    if (decision.kind === 'refuse') {
      // Line by line: never overwrite another parcel's number, never mark a line shipped that may not be in it.
      const lines = refusalLines(order.orderNo, await this.orders.findCartLines(shop.id, order.packNo, em), decision.tracking!.trackingNo);
      if (lines.skipped.length > 0) {
        this.logger.info({ shopId: shop.id, requestId: request.id, orderNo: order.orderNo, skipped: lines.skipped }, 'refusal leaves some cart lines alone');
      }
      const rows = refusalSendingRows(lines.send, decision.tracking!);
      const queued: ActionRecord[] = [];
      for (const row of rows) {
        queued.push(
          await this.actions.enqueue(em, {
            shopId: shop.id,
            requestId: request.id,
            decisionId,
            kind: 'send_tracking',
            orderNo: row.orderNo,
            idempotencyKey: sendTrackingKey(shop.id, row.orderNo, row.trackingNo),
            request: { ...row },
          }),
        );
      }
      return queued;
    }
    const cause = decision.kind === 'accept' ? 'buyer' : decision.sellerFaultCause ?? 'out_of_stock';
    const memo =
      decision.kind === 'accept'
        ? 'Cancelled at the buyer\'s request (unshipped).'
        : `Cancelled by the shop: ${cause.replace(/_/g, ' ')}.`;
    return [
      await this.actions.enqueue(em, {
        shopId: shop.id,
        requestId: request.id,
        decisionId,
        kind: 'cancel',
        orderNo: order.orderNo,
        // One cancel per request: a retry or a second daemon finds the same row.
        idempotencyKey: `cancel:${request.id}`,
        request: { orderNo: order.orderNo, cause, memo, decisionKind: decision.kind },
      }),
    ];
  }
}
