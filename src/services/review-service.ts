import type { DecisionKind } from '../domain/types';
import { ConflictError, NotFoundError } from '../errors';
import type { ShopRepository } from '../persistence/shop-repository';
import type { ShopLock } from '../persistence/shop-lock';
import type { CancelRequestRepository, ReviewItem } from '../persistence/cancel-request-repository';
import type { ActionRecord, ActionRepository } from '../persistence/action-repository';
import type { OrderRepository } from '../persistence/order-repository';
import type { Qoo10ClientProvider } from './qoo10-clients';
import type { DecisionService } from './decision-service';
import type { ActionExecutor, SendResult } from './action-executor';

/**
 * How long a person's action waits for the shop's lease: a running poll cycle to finish, or the lease of a
 * process that died to lapse (SHOP_LEASE_SECONDS after its last renewal). Then a clear 409 shop_busy.
 */
export const SHOP_LOCK_WAIT_MS = 30_000;

export interface RequestDetail {
  request: NonNullable<Awaited<ReturnType<CancelRequestRepository['findRequest']>>>;
  order: Awaited<ReturnType<OrderRepository['findOrder']>>;
  decisions: Awaited<ReturnType<CancelRequestRepository['decisionsOf']>>;
  actions: ActionRecord[];
}

/** The review queue: what waits for a person, and a person's approve / override / handled-in-QSM. */
export class ReviewService {
  constructor(
    private readonly shops: ShopRepository,
    private readonly shopLock: ShopLock,
    private readonly requests: CancelRequestRepository,
    private readonly actions: ActionRepository,
    private readonly orders: OrderRepository,
    private readonly clients: Qoo10ClientProvider,
    private readonly decisions: DecisionService,
    private readonly executor: ActionExecutor,
    private readonly now: () => Date,
    private readonly lockWaitMs: number = SHOP_LOCK_WAIT_MS,
  ) {}

  queue(shopId?: string): Promise<ReviewItem[]> {
    return this.requests.reviewQueue(shopId);
  }

  async detail(requestId: string): Promise<RequestDetail> {
    // Ids are bigint: a longer number cannot exist (and would make PostgreSQL fail, not answer).
    const request = /^\d{1,18}$/.test(requestId) ? await this.requests.findRequest(requestId) : null;
    if (!request) throw new NotFoundError(`Cancel request ${requestId}`);
    return {
      request,
      order: await this.orders.findOrder(request.shopId, request.orderNo),
      decisions: await this.requests.decisionsOf(requestId),
      actions: await this.actions.actionsOfRequest(requestId),
    };
  }

  /** Carries out the suggested decision of a review item. */
  async approve(requestId: string, person: string, note: string | null): Promise<SendResult[]> {
    const { request } = await this.detail(requestId);
    const current = await this.requests.currentDecision(requestId);
    const kind = current?.kind === 'review' ? current.suggested : current?.kind;
    if (!kind) {
      throw new ConflictError('no_suggestion', 'This item has no suggested decision to approve: choose one with override.');
    }
    return this.decideAndSend(request.shopId, requestId, kind, person, note);
  }

  /** Carries out the decision a person chose instead of the suggestion (a note is required). */
  override(requestId: string, kind: Exclude<DecisionKind, 'review'>, person: string, note: string): Promise<SendResult[]> {
    return this.detail(requestId).then(({ request }) => this.decideAndSend(request.shopId, requestId, kind, person, note));
  }

  async markHandled(requestId: string, person: string, note: string | null): Promise<void> {
    await this.detail(requestId);
    if (!(await this.decisions.markHandledInQsm(requestId, person, note))) {
      throw new ConflictError('request_not_open', 'This request is not waiting for a decision.');
    }
  }

  /** Takes back "handled in QSM" until the shop's next poll starts (the dashboard's undo). */
  async undoHandled(requestId: string, person: string): Promise<void> {
    await this.detail(requestId);
    const result = await this.decisions.undoHandledInQsm(requestId, person);
    if (result === 'not_handled') throw new ConflictError('not_handled_in_qsm', 'This request is not marked as handled in QSM.');
    if (result === 'too_late') throw new ConflictError('undo_too_late', 'A poll has run since it was marked as handled in QSM, so the mark can no longer be undone.');
  }

  /**
   * Holds the shop's lease like a poll cycle does, so a person and the daemon never act at once. The lease
   * holds no connection; the decision reads Qoo10 outside any transaction (DecisionService.decideByPerson).
   */
  private async decideAndSend(shopId: string, requestId: string, kind: Exclude<DecisionKind, 'review'>, person: string, note: string | null): Promise<SendResult[]> {
    const shop = await this.shops.findShop(shopId);
    if (!shop) throw new NotFoundError(`Shop ${shopId}`);
    const client = await this.clients(shop);
    const outcome = await this.shopLock.withLock(shop.id, this.lockWaitMs, async () => {
      const result = await this.decisions.decideByPerson(shop, client, requestId, { kind, person, note });
      if (!result.ok) throw new ConflictError(result.code, result.message);
      const sent: SendResult[] = [];
      for (const action of result.actions) sent.push(await this.executor.send(shop, client, action.id, this.now()));
      return sent;
    });
    if (!outcome.locked) throw new ConflictError('shop_busy', 'A poll cycle is working on this shop right now, or one that stopped still holds it until its lease lapses (SHOP_LEASE_SECONDS); try again in a minute.');
    return outcome.value;
  }
}
