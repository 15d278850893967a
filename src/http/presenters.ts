import type { Order, Shop } from '../domain/types';
import { qsmSteps, reviewReason } from '../domain/review-tasks';
import type { JobRun } from '../persistence/job-run-repository';
import type { CancelRequestRecord, ReviewItem, StoredDecision } from '../persistence/cancel-request-repository';
import type { ActionRecord } from '../persistence/action-repository';
import type { ItemFact } from '../persistence/facts-repository';
import type { RequestDetail } from '../services/review-service';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function presentShop(shop: Shop) {
  return {
    id: shop.id,
    name: shop.name,
    isDemo: shop.isDemo,
    active: shop.active,
    keyStatus: shop.keyStatus,
    keyExpiresAt: iso(shop.keyExpiresAt),
    policy: shop.policy,
    carrierNames: shop.carrierNames,
  };
}

export function presentJobRun(run: JobRun) {
  return {
    id: run.id,
    job: run.job,
    shopId: run.shopId,
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    status: run.status,
    windowFrom: iso(run.windowFrom),
    windowTo: iso(run.windowTo),
    counts: run.counts,
    error: run.error,
    durationMs: run.durationMs,
  };
}

export function presentRequest(request: CancelRequestRecord) {
  return {
    id: request.id,
    shopId: request.shopId,
    orderNo: request.orderNo,
    packNo: request.packNo,
    requestedAt: iso(request.requestedAt),
    reason: request.reason,
    status: request.status,
    outcome: request.outcome,
    firstSeenAt: iso(request.firstSeenAt),
  };
}

export function presentDecision(decision: StoredDecision) {
  return {
    id: decision.id,
    kind: decision.kind,
    code: decision.code,
    reason: decision.reason,
    suggested: decision.suggested,
    trail: decision.trail,
    tracking: decision.tracking,
    sellerFaultCause: decision.sellerFaultCause,
    trackingDeadline: iso(decision.trackingDeadline),
    decidedBy: decision.decidedBy,
    note: decision.note,
    createdAt: iso(decision.createdAt),
  };
}

/**
 * One review item, as `GET /api/review-queue` and `cancel-guard review list --json` give it. The flat fields
 * (requestId, code, suggestedKind, deadline, reasonJa/En, qsmSteps) are the public interface for scripts.
 */
export function presentReviewItem(item: ReviewItem) {
  const code = item.decision?.code ?? 'undecided';
  const reason = reviewReason(code, item.decision?.reason);
  return {
    ...presentRequest(item.request),
    requestId: item.request.id,
    code,
    suggestedKind: item.decision?.suggested ?? null,
    deadline: iso(item.decision?.trackingDeadline ?? null),
    reasonJa: reason.ja,
    reasonEn: reason.en,
    qsmSteps: qsmSteps(code, item.request.orderNo, item.request.packNo),
    itemTitle: item.itemTitle,
    sellerItemCode: item.sellerItemCode,
    decision: item.decision ? presentDecision(item.decision) : null,
  };
}

/** The order as the admin sees it; buyer name and email are left out of API answers. */
export function presentOrder(order: Order) {
  return {
    orderNo: order.orderNo,
    packNo: order.packNo,
    orderedAt: iso(order.orderedAt),
    paidAt: iso(order.paidAt),
    shippingDeadline: iso(order.shippingDeadline),
    shippedAt: iso(order.shippedAt),
    shippingStatus: order.shippingStatus,
    itemNo: order.itemNo,
    sellerItemCode: order.sellerItemCode,
    itemTitle: order.itemTitle,
    quantity: order.quantity,
    totalYen: order.totalYen,
    paymentMethod: order.paymentMethod,
    carrier: order.carrier,
    trackingNo: order.trackingNo,
  };
}

export function presentAction(action: ActionRecord) {
  return {
    id: action.id,
    kind: action.kind,
    orderNo: action.orderNo,
    state: action.state,
    request: action.request,
    response: action.response,
    errorCode: action.errorCode,
    errorMessage: action.errorMessage,
    attempts: action.attempts,
    createdAt: iso(action.createdAt),
    sentAt: iso(action.sentAt),
    completedAt: iso(action.completedAt),
  };
}

export function presentRequestDetail(detail: RequestDetail) {
  return {
    request: presentRequest(detail.request),
    order: detail.order ? presentOrder(detail.order) : null,
    decisions: detail.decisions.map(presentDecision),
    actions: detail.actions.map(presentAction),
  };
}

export function presentItemFact(item: ItemFact) {
  return { sellerItemCode: item.sellerItemCode, available: item.available, madeToOrder: item.madeToOrder, updatedAt: iso(item.updatedAt) };
}
