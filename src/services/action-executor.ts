import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../logger';
import { ClaimStatus, ShippingStatus, type Shop } from '../domain/types';
import { cancelCauseOfDecision } from '../domain/cancel-rate';
import { localReasonsNotToCancel, snapshotShowsShipped } from '../domain/money-safety';
import type { Qoo10Client, CancelCause } from '../qoo10/qoo10-client';
import { isDefiniteRefusal, isQoo10Error, Qoo10AuthError, Qoo10KeyExpiredError, Qoo10MalformedResponseError, Qoo10WrongStateError } from '../qoo10/errors';
import { testDefectOn } from '../config/test-defects';
import { classifyRowResultCode } from '../qoo10/row-result-codes';
import type { FactsRepository } from '../persistence/facts-repository';
import type { ActionRecord, ActionRepository } from '../persistence/action-repository';
import type { CancelRequestRepository } from '../persistence/cancel-request-repository';
import type { OrderRepository } from '../persistence/order-repository';
import type { CancelRepository } from '../persistence/cancel-repository';
import type { ShopRepository } from '../persistence/shop-repository';
import type { AlertService } from './alert-service';

export type SendResult = 'succeeded' | 'failed' | 'unknown' | 'skipped';

/** Where a person answers a request by hand when the API refuses an action. */
export const QSM_STEPS = 'QSM: 配送/キャンセル/未受取 → キャンセル要請 → the order';

interface Failure {
  code: string;
  message: string;
}

/** How many times one outbox row may be sent after unknown outcomes: once, and once more only after a read showed it unapplied. */
export const MAX_SENDS_PER_ACTION = 2;
/** How many times a row Qoo10 refused "for now" (a transient code, row-result-codes.ts) is sent in all. */
export const MAX_TRANSIENT_SENDS = 4;

/**
 * Sends committed outbox rows to Qoo10 and closes them with Qoo10's answer. A write is sent once. A call
 * whose outcome is unknown (timeout, 5xx, dropped connection, unreadable answer, shutdown or crash mid-call)
 * stays 'sending' and is settled by reading the order: applied → succeeded; unchanged → sent again, once,
 * under the same row. Only a clear "no" from Qoo10 is recorded as refused.
 */
export class ActionExecutor {
  constructor(
    private readonly dataSource: DataSource,
    private readonly actions: ActionRepository,
    private readonly requests: CancelRequestRepository,
    private readonly orders: OrderRepository,
    private readonly cancels: CancelRepository,
    private readonly shops: ShopRepository,
    private readonly alerts: AlertService,
    private readonly logger: Logger,
    private readonly facts: FactsRepository,
  ) {}

  async send(shop: Shop, client: Qoo10Client, actionId: string, now: Date, signal?: AbortSignal): Promise<SendResult> {
    const action = await this.actions.claimForSending(actionId);
    if (!action) {
      // Another path already carried this effect out (the same tracking number submitted by an
      // import, say): the request waiting on it is settled all the same.
      const existing = await this.actions.findAction(actionId);
      if (existing?.state === 'succeeded') {
        await this.dataSource.transaction((em) => this.settleRequestsWaitingOn(em, shop, existing.idempotencyKey, now));
      }
      if (existing?.state === 'failed') {
        // Qoo10 refused this very effect before: whoever waits on it goes to a person.
        return this.recordFailure(shop, existing, { code: existing.errorCode ?? 'failed', message: existing.errorMessage ?? 'refused earlier' }, now);
      }
      return 'skipped';
    }
    const log = this.logger.child({ shopId: shop.id, actionId, kind: action.kind, orderNo: action.orderNo });
    if (action.kind === 'cancel') {
      const stopped = await this.lastLookBeforeCancel(shop, client, action, now, signal);
      if (stopped) return stopped;
    }
    const sends = await this.actions.markDispatched(action.id);
    try {
      await this.callQoo10(client, action, signal);
    } catch (error) {
      if (isDefiniteRefusal(error)) {
        if (error instanceof Qoo10KeyExpiredError || error instanceof Qoo10AuthError) await this.keyProblem(shop, error);
        if (error.qoo10Code !== null && classifyRowResultCode(error.qoo10Code) === 'transient' && sends < MAX_TRANSIENT_SENDS) {
          // Refused for now (not applied): back in line for the next cycle, a bounded number of times.
          await this.actions.returnToPending(action.id, { code: error.code, message: `${error.message} (transient; send ${sends})` });
          return 'unknown';
        }
        if (error instanceof Qoo10WrongStateError) {
          // -10004: the order is no longer in a state that allows this. An earlier send may be what changed it.
          const settled = await this.settleIfApplied(shop, client, action, now, signal).catch(() => null);
          if (settled) return settled;
        }
        return this.recordFailure(shop, action, { code: error.code, message: error.message }, now, error.toJSON());
      }
      // Unknown outcome: Qoo10 may or may not have applied it. It stays 'sending' until a read settles it.
      log.warn({ err: isQoo10Error(error) ? error.toJSON() : String(error) }, 'action outcome unknown; settling it by reading the order');
      await this.actions.noteUnknownOutcome(action.id, isQoo10Error(error) ? error.code : 'unexpected_error');
      if (testDefectOn('resend_after_unknown')) {
        // Known defect for the chaos self-test: sends the write again without reading first.
        await this.callQoo10(client, action, signal).catch(() => undefined);
      }
      if (signal?.aborted) return 'unknown';
      const settled = await this.settleIfApplied(shop, client, action, now, signal).catch(() => null);
      return settled ?? 'unknown';
    }
    await this.recordSuccess(shop, action, { resultCode: 0 }, now);
    log.info('action carried out on Qoo10');
    return 'succeeded';
  }

  private async callQoo10(client: Qoo10Client, action: ActionRecord, signal?: AbortSignal): Promise<void> {
    if (action.kind === 'cancel') {
      const input = action.request as { orderNo: string; cause: CancelCause; memo: string };
      await client.cancelOrder({ orderNo: input.orderNo, cause: input.cause, memo: input.memo }, signal);
    } else {
      const input = action.request as { orderNo: string; carrier: string; trackingNo: string };
      await client.setSendingInfo({ orderNo: input.orderNo, carrier: input.carrier, trackingNo: input.trackingNo }, signal);
    }
  }

  /**
   * The last look before money moves, on both sides: Qoo10 (the order shipped, the request is gone) and the
   * shop's own facts (handed over, packed, a tracking number known or queued), which Qoo10 learns only later.
   * Returns the result when the cancel must not go out; null when it may. An unreadable fresh read sends the
   * request to a person (never a cancel on a guess); a read that did not get through puts the row back in line.
   */
  private async lastLookBeforeCancel(shop: Shop, client: Qoo10Client, action: ActionRecord, now: Date, signal?: AbortSignal): Promise<SendResult | null> {
    const signals = await this.facts.parcelSignals(shop.id, action.orderNo);
    const reasons = testDefectOn('skip_local_facts') ? [] : localReasonsNotToCancel(signals, shop.policy.packedOrders);
    if (reasons.length > 0) {
      return this.stopBeforeCancel(shop, action, 'local_facts_say_shipped', `Not cancelled: ${reasons.join('; ')}.`, now);
    }
    let snapshot;
    try {
      snapshot = await client.getOrderSnapshot(action.orderNo, signal);
    } catch (error) {
      if (error instanceof Qoo10MalformedResponseError) {
        // Qoo10 answers, but what it says about this order cannot be read: a person decides, nothing is sent.
        return this.stopBeforeCancel(shop, action, 'fresh_read_unreadable', `Not cancelled: Qoo10's fresh read of the order could not be read (${error.message}).`, now);
      }
      // Nothing was sent: the row goes back in line for the next cycle (a key problem stops the cycle).
      await this.actions.returnToPending(action.id, { code: isQoo10Error(error) ? error.code : 'read_failed', message: 'the order could not be re-read before the cancel; nothing was sent' });
      if (error instanceof Qoo10KeyExpiredError || error instanceof Qoo10AuthError) throw error;
      return 'unknown';
    }
    if (!snapshot) return this.recordFailure(shop, action, { code: 'order_not_found_on_qoo10', message: 'Qoo10 does not return this order any more.' }, now);
    if (snapshot.claimStatus === ClaimStatus.Cancelled) {
      await this.recordSuccess(shop, action, { resultCode: 0, note: 'already cancelled on Qoo10 when re-read' }, now);
      return 'succeeded';
    }
    if (snapshot.claimStatus !== ClaimStatus.CancelRequested) {
      return this.recordFailure(shop, action, { code: 'request_not_pending', message: 'Qoo10 no longer shows a pending cancel request on this order; nothing was sent.' }, now);
    }
    if (snapshotShowsShipped(snapshot)) {
      return this.recordFailure(shop, action, { code: 'order_shipped', message: 'The order shipped before the cancel was sent; nothing was sent.' }, now);
    }
    return null;
  }

  /**
   * Finishes what a crash or a lost answer left open: pending rows are sent; 'sending' rows are
   * settled by what Qoo10 shows now (done → succeeded; not done → back in line and sent).
   * Call it only while holding the shop's lock: then no other process can be mid-call on a row.
   */
  async reconcile(shop: Shop, client: Qoo10Client, now: Date, signal?: AbortSignal): Promise<Record<SendResult, number>> {
    const tally: Record<SendResult, number> = { succeeded: 0, failed: 0, unknown: 0, skipped: 0 };
    // Tracking writes first: a number queued later must never lose to an older cancel of the same order
    // (the cancel's last look then sees the tracking and stops).
    for (const action of await this.unfinished(shop.id)) {
      if (signal?.aborted) break;
      tally[await this.finishAction(shop, client, action, now, signal)] += 1;
    }
    return tally;
  }

  /** The shop's pending and 'sending' rows, tracking writes before cancels (see reconcile). */
  async unfinished(shopId: string): Promise<ActionRecord[]> {
    return [...(await this.actions.findUnfinished(shopId))].sort((a, b) => kindOrder(a) - kindOrder(b));
  }

  /**
   * One outbox row, as the send-action job runs it: a pending row is sent; a 'sending' row was left by a
   * run that died or lost its answer (the caller holds the shop's lease, so no one else is mid-call on it)
   * and is settled by reading first; a finished row is left alone.
   */
  async finish(shop: Shop, client: Qoo10Client, actionId: string, now: Date, signal?: AbortSignal): Promise<SendResult> {
    const action = await this.actions.findAction(actionId);
    if (!action || action.shopId !== shop.id) return 'skipped';
    if (action.state !== 'pending' && action.state !== 'sending') return this.send(shop, client, action.id, now, signal);
    return this.finishAction(shop, client, action, now, signal);
  }

  private async finishAction(shop: Shop, client: Qoo10Client, action: ActionRecord, now: Date, signal?: AbortSignal): Promise<SendResult> {
    if (action.state === 'sending') {
      let settled: SendResult | null;
      try {
        settled = await this.settleIfApplied(shop, client, action, now, signal);
      } catch (error) {
        // The read failed: this row stays unknown until a later read; the shop's other rows go on.
        if (error instanceof Qoo10KeyExpiredError || error instanceof Qoo10AuthError) throw error;
        this.logger.warn({ shopId: shop.id, actionId: action.id, orderNo: action.orderNo, err: isQoo10Error(error) ? error.code : 'read_failed' }, 'could not read the order to settle an unknown outcome; tried again next cycle');
        return 'unknown';
      }
      if (settled) return settled;
      if (action.attempts >= MAX_SENDS_PER_ACTION) {
        return this.recordFailure(shop, action, {
          code: 'outcome_unknown_twice',
          message: `Sent ${action.attempts} times without a clear answer and Qoo10 does not show it applied; not sent again. Check the order in QSM.`,
        }, now);
      }
      await this.actions.returnToPending(action.id, { code: 'reconciled', message: 'not applied on Qoo10 after an unknown outcome; sending again' });
    }
    return this.send(shop, client, action.id, now, signal);
  }

  /**
   * Reads the order and closes the row as succeeded when Qoo10 shows the effect; null when it does not (or
   * shows something else, which the caller handles). A read that fails leaves everything as it was.
   */
  private async settleIfApplied(shop: Shop, client: Qoo10Client, action: ActionRecord, now: Date, signal?: AbortSignal): Promise<SendResult | null> {
    const snapshot = await client.getOrderSnapshot(action.orderNo, signal);
    if (!snapshot) return null;
    if (action.kind === 'cancel') {
      if (snapshot.claimStatus === ClaimStatus.Cancelled) {
        await this.recordSuccess(shop, action, { resultCode: 0, note: 'settled by reading: cancelled on Qoo10' }, now);
        return 'succeeded';
      }
      return null;
    }
    const ours = (action.request as { trackingNo: string }).trackingNo;
    if (snapshot.trackingNo === ours) {
      await this.recordSuccess(shop, action, { resultCode: 0, note: 'settled by reading: tracking present on Qoo10' }, now);
      return 'succeeded';
    }
    return null;
  }

  /** Closes an action as applied on Qoo10 and, when it was the last of its request, settles the request. */
  async recordSuccess(shop: Shop, action: ActionRecord, response: Record<string, unknown>, now: Date): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await this.actions.markSucceeded(action.id, { ...response, at: now.toISOString() }, em);
      if (action.kind === 'send_tracking') {
        const sent = action.request as { carrier: string; trackingNo: string };
        await this.orders.applySnapshot(
          shop.id,
          { orderNo: action.orderNo, packNo: null, shippingStatus: ShippingStatus.InDelivery, orderedAt: null, shippedAt: null,
            carrier: sent.carrier, trackingNo: sent.trackingNo, claimStatus: null, claimReason: null, claimRequestedAt: null },
          em,
        );
        await em.query(
          `UPDATE tracking_numbers SET status = 'submitted', submitted_at = $4, action_id = $5, error = NULL
           WHERE shop_id = $1 AND order_no = $2 AND tracking_no = $3 AND status IN ('pending', 'rejected')`,
          [shop.id, action.orderNo, sent.trackingNo, now, action.id],
        );
      }
      await this.settleRequestsWaitingOn(em, shop, action.idempotencyKey, now);
    });
  }

  /** Requests in 'acting' whose current decision waits on this outbox key (several can share a tracking row). */
  private async requestsWaitingOn(em: EntityManager, shop: Shop, key: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await em.query(
      `SELECT r.id FROM cancel_requests r JOIN decisions d ON d.id = r.current_decision_id
       WHERE r.shop_id = $1 AND r.status = 'acting' AND $2 = ANY(d.action_keys)`,
      [shop.id, key],
    );
    return rows.map((row) => String(row.id));
  }

  private async settleRequestsWaitingOn(em: EntityManager, shop: Shop, key: string, now: Date): Promise<void> {
    for (const requestId of await this.requestsWaitingOn(em, shop, key)) await this.settleRequestIfDone(em, shop, requestId, now);
  }

  /**
   * When every action of the request's current decision succeeded, a cancel request is done and the cancel
   * is booked for the rate (with the cause we decided). A refusal waits for the follow-up's re-read.
   */
  private async settleRequestIfDone(em: EntityManager, shop: Shop, requestId: string, now: Date): Promise<void> {
    const request = await this.requests.findRequest(requestId, em);
    const decision = await this.requests.currentDecision(requestId, em);
    if (!decision || !request || request.status !== 'acting' || decision.actionKeys.length === 0) return;
    // A refusal is done only when Qoo10 shows the request ended: RequestFollowUpService re-reads the order
    // once every tracking write succeeded (ship-confirm may or may not end a pending request on Qoo10).
    if (decision.kind === 'refuse') return;
    const states: Array<{ state: string }> = await em.query('SELECT state FROM actions WHERE idempotency_key = ANY($1)', [decision.actionKeys]);
    if (states.length < decision.actionKeys.length || !states.every((row) => row.state === 'succeeded')) return;
    const cause = cancelCauseOfDecision({ kind: decision.kind, sellerFaultCause: decision.sellerFaultCause ?? undefined });
    if (cause) {
      const order = await this.orders.findOrder(shop.id, request.orderNo, em);
      await this.orders.markCancelled(shop.id, request.orderNo, now, em);
      if (order) {
        await this.cancels.recordCancel(
          shop.id,
          { orderNo: order.orderNo, orderedAt: order.orderedAt, cancelledAt: now, cause, itemKey: order.sellerItemCode ?? order.itemNo, itemTitle: order.itemTitle, source: 'action' },
          em,
        );
      }
    }
    const outcome = decision.kind === 'accept' ? 'accepted' : 'cancelled_seller_fault';
    await this.requests.setStatus(em, requestId, 'done', outcome);
  }

  /** A cancel the shop's own facts forbid: nothing is sent, the requests waiting on it go to a person. */
  private async stopBeforeCancel(shop: Shop, action: ActionRecord, code: string, message: string, now: Date): Promise<SendResult> {
    await this.dataSource.transaction(async (em) => {
      await this.actions.markFailed(action.id, { code, message }, em);
      await this.sendWaitingRequestsToPerson(em, shop, action, {
        code,
        reason: `${message} The parcel may have left: refuse the request in ${QSM_STEPS} and make sure the tracking number reaches Qoo10 today.`,
        note: `cancel on ${action.orderNo} stopped before sending: ${code}.`,
        suggested: 'refuse',
      });
    });
    this.logger.warn({ shopId: shop.id, actionId: action.id, orderNo: action.orderNo, code, at: now.toISOString() }, 'cancel stopped by the shop\'s own facts; sent to a person');
    return 'failed';
  }

  /** Closes an action as refused by Qoo10: the request goes to a person and an alert is raised. */
  async recordFailure(shop: Shop, action: ActionRecord, failure: Failure, now: Date, response?: unknown): Promise<SendResult> {
    await this.dataSource.transaction(async (em) => {
      await this.actions.markFailed(action.id, { ...failure, response }, em);
      if (action.kind === 'send_tracking') {
        const sent = action.request as { trackingNo: string };
        await em.query(
          `UPDATE tracking_numbers SET status = 'rejected', error = $4, action_id = $5
           WHERE shop_id = $1 AND order_no = $2 AND tracking_no = $3`,
          [shop.id, action.orderNo, sent.trackingNo, `${failure.code}: ${failure.message}`, action.id],
        );
      }
      await this.sendWaitingRequestsToPerson(em, shop, action, {
        code: failure.code === 'order_shipped' ? 'order_shipped_before_action' : 'qoo10_refused_action',
        reason: `Qoo10 did not take the ${action.kind === 'cancel' ? 'cancel' : 'tracking number'} (${failure.code}: ${failure.message}). Check the order and answer in ${QSM_STEPS}.`,
        note: `${action.kind} on ${action.orderNo} failed: ${failure.code}.`,
        suggested: failure.code === 'order_shipped' ? 'refuse' : undefined,
      });
    });
    await this.alerts.actionRefused(shop, action, failure, now);
    return 'failed';
  }

  private async sendWaitingRequestsToPerson(
    em: EntityManager,
    shop: Shop,
    action: ActionRecord,
    review: { code: string; reason: string; note: string; suggested?: 'refuse' },
  ): Promise<void> {
    for (const requestId of await this.requestsWaitingOn(em, shop, action.idempotencyKey)) {
      const current = await this.requests.currentDecision(requestId, em);
      await this.requests.recordDecision(
        em,
        requestId,
        { kind: 'review', code: review.code, reason: review.reason, trail: [...(current?.trail ?? []), { rule: 'action', note: review.note }], suggested: review.suggested },
        'auto',
      );
      await this.requests.setStatus(em, requestId, 'review');
    }
  }

  private async keyProblem(shop: Shop, error: Qoo10AuthError | Qoo10KeyExpiredError): Promise<void> {
    const status = error instanceof Qoo10KeyExpiredError ? 'expired' : 'rejected';
    await this.shops.recordKeyStatus(shop.id, status);
    await this.alerts.keyProblem(shop, status);
  }
}

/** Tracking writes before cancels (see reconcile). */
function kindOrder(action: ActionRecord): number {
  return action.kind === 'send_tracking' ? 0 : 1;
}
