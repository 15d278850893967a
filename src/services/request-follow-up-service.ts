import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import { ClaimStatus, type Shop } from '../domain/types';
import { jstTimeOnDay } from '../domain/jst-calendar';
import { endedOnQoo10, reviewReason } from '../domain/review-tasks';
import type { Qoo10Client } from '../qoo10/qoo10-client';
import { Qoo10AuthError, Qoo10KeyExpiredError } from '../qoo10/errors';
import type { CancelRequestRepository } from '../persistence/cancel-request-repository';
import type { AlertService } from './alert-service';
import type { VerifiedFacts } from './verified-facts';

/**
 * Where verify-live confirmed that ship-confirm ends a pending request on this account, a refusal still shown
 * pending right after the tracking went in is given this long for Qoo10 to catch up before it becomes a task.
 */
export const SHIP_CONFIRM_GRACE_MS = 10 * 60_000;

/** JST clock time of the first reminder on the deadline day for a refusal only a person can finish in QSM. */
export const REFUSE_IN_QSM_REMINDER_JST = '15:00';

export interface FollowUpCounts {
  refusalsDone: number;
  refusalsToQsm: number;
  leftQueue: number;
}

/**
 * Follows requests after a decision, by what Qoo10 shows (never by what we sent):
 * - a refusal whose tracking numbers are all in Qoo10 is re-read: when the request is gone it is done; when it
 *   is still pending (ClaimStat 1), it becomes a person's `refuse_in_qsm` task (QSM キャンセル拒否, same day).
 *   Correct whichever way ship-confirm behaves; where verify-live confirmed that it ends requests on this
 *   account, Qoo10 gets SHIP_CONFIRM_GRACE_MS to show it before a person is asked;
 * - every request waiting for a person that the poll no longer lists as pending is re-read, and leaves the
 *   queue with the reason when Qoo10 ended it (withdrawn, cancelled, refused in QSM, a return);
 * - `refuse_in_qsm` tasks still open raise a reminder at 15:00 JST and an alert at the cut-off, once each.
 * Reads happen outside transactions; each change is a short transaction under the request's row lock.
 */
export class RequestFollowUpService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly requests: CancelRequestRepository,
    private readonly alerts: AlertService,
    private readonly logger: Logger,
    private readonly verifiedFacts: Pick<VerifiedFacts, 'shipConfirmEndsRequest'>,
  ) {}

  /** Refusals whose tracking writes all succeeded: done when Qoo10 dropped the request, else a QSM task. */
  async verifyRefusals(shop: Shop, client: Qoo10Client, now: Date, signal?: AbortSignal): Promise<Pick<FollowUpCounts, 'refusalsDone' | 'refusalsToQsm'>> {
    const counts = { refusalsDone: 0, refusalsToQsm: 0 };
    const shipConfirmEnds = await this.verifiedFacts.shipConfirmEndsRequest(shop.id);
    for (const { id, orderNo, trackingInAt } of await this.requests.findRefusalsToVerify(shop.id)) {
      if (signal?.aborted) break;
      const snapshot = await this.read(client, orderNo, signal);
      // Unreadable or not found: nothing is concluded; tried again next cycle.
      if (!snapshot) continue;
      const stillPending = snapshot.claimStatus === ClaimStatus.CancelRequested;
      if (stillPending && shipConfirmEnds && now.getTime() - trackingInAt.getTime() < SHIP_CONFIRM_GRACE_MS) continue;
      const changed = await this.dataSource.transaction(async (em) => {
        const request = await this.requests.lockRequest(em, id, ['acting']);
        if (!request) return false;
        const current = await this.requests.currentDecision(id, em);
        if (!current || current.kind !== 'refuse') return false;
        if (!stillPending) {
          const ended = endedOnQoo10(snapshot.claimStatus);
          const outcome = ended?.outcome === 'cancelled_on_qoo10' || ended?.outcome === 'turned_into_return' ? ended.outcome : 'refused';
          await this.requests.setStatus(em, id, 'done', outcome);
          return true;
        }
        const reason = reviewReason('refuse_in_qsm');
        await this.requests.recordDecision(
          em,
          id,
          {
            kind: 'review',
            code: 'refuse_in_qsm',
            reason:
              'The tracking number is in Qoo10, but Qoo10 still shows the cancel request pending: ship-confirm did not end it. ' +
              reason.en,
            trail: [...current.trail, { rule: 'refusal-verified', note: 'Re-read after the tracking was accepted: the request is still ClaimStat 1.' }],
            suggested: 'refuse',
            tracking: current.tracking ?? undefined,
            trackingDeadline: current.trackingDeadline ?? undefined,
          },
          'auto',
        );
        await this.requests.setStatus(em, id, 'review');
        return true;
      });
      if (!changed) continue;
      if (stillPending) counts.refusalsToQsm += 1;
      else counts.refusalsDone += 1;
    }
    return counts;
  }

  /**
   * Every request waiting for a person that the poll at `listedAt` no longer
   * listed as pending is re-read; the ones Qoo10 ended leave the queue with the reason. The whole queue, not a page.
   */
  async recheckQueue(shop: Shop, client: Qoo10Client, listedAt: Date, signal?: AbortSignal): Promise<number> {
    let left = 0;
    for (const { id, orderNo } of await this.requests.findOpenNotListedSince(shop.id, listedAt)) {
      if (signal?.aborted) break;
      const snapshot = await this.read(client, orderNo, signal);
      // Not found, unreadable or still pending: it stays where it is (a person sees it).
      if (!snapshot) continue;
      const ended = endedOnQoo10(snapshot.claimStatus);
      if (!ended) continue;
      const closed = await this.dataSource.transaction(async (em) => {
        const request = await this.requests.lockRequest(em, id, ['review']);
        if (!request) return false;
        const current = await this.requests.currentDecision(id, em);
        const wasQsmRefusal = current?.code === 'refuse_in_qsm' && ended.outcome === 'no_longer_pending';
        const reason = wasQsmRefusal
          ? { ja: 'QSMでのキャンセル拒否がQoo10に反映されたため、タスクを自動で閉じました。', en: 'Qoo10 no longer shows the request pending: the QSM refusal went through, so the task closed by itself.' }
          : ended.reason;
        await this.requests.recordDecision(
          em,
          id,
          {
            kind: 'review',
            code: ended.outcome,
            reason: reason.en,
            trail: [...(current?.trail ?? []), { rule: 'queue-recheck', note: `Not listed as pending any more; a fresh read shows claim status ${snapshot.claimStatus ?? 'none'}.` }],
          },
          'auto',
        );
        await this.requests.setStatus(em, id, 'closed', wasQsmRefusal ? 'refused_in_qsm' : ended.outcome);
        return true;
      });
      if (closed) {
        left += 1;
        this.logger.info({ shopId: shop.id, requestId: id, orderNo, outcome: ended.outcome }, 'request left the queue: Qoo10 no longer shows it pending');
      }
    }
    return left;
  }

  /** Reminders for open `refuse_in_qsm` tasks: at 15:00 JST on the deadline day and at the deadline, once each. */
  async remindQsmRefusals(shop: Shop, now: Date): Promise<number> {
    let raised = 0;
    for (const task of await this.requests.openTasksWithCode(shop.id, 'refuse_in_qsm')) {
      if (!task.deadline) continue;
      if (now.getTime() >= task.deadline.getTime()) {
        await this.alerts.refuseInQsmDue(shop, task.id, task.orderNo, 'cutoff', task.deadline);
        raised += 1;
      } else if (now.getTime() >= jstTimeOnDay(task.deadline, REFUSE_IN_QSM_REMINDER_JST).getTime()) {
        await this.alerts.refuseInQsmDue(shop, task.id, task.orderNo, 'afternoon', task.deadline);
        raised += 1;
      }
    }
    return raised;
  }

  /** A fresh read; undefined when it failed (a key problem stops the cycle). */
  private async read(client: Qoo10Client, orderNo: string, signal?: AbortSignal) {
    try {
      return await client.getOrderSnapshot(orderNo, signal);
    } catch (error) {
      if (error instanceof Qoo10AuthError || error instanceof Qoo10KeyExpiredError) throw error;
      this.logger.warn({ orderNo, err: error instanceof Error ? error.message : String(error) }, 'follow-up read failed; tried again next cycle');
      return undefined;
    }
  }
}
