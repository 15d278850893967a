// Response schemas of the admin API (OpenAPI 3.1 / JSON Schema), mirroring the presenters. Request
// schemas are not written here: openapi.ts derives them from the DTO classes that validate requests.

export type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const nullable = (schema: Schema): Schema => {
  if ('$ref' in schema) return { anyOf: [schema, { type: 'null' }] };
  return { ...schema, type: [schema.type, 'null'], ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}) };
};
const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const instant: Schema = { type: 'string', format: 'date-time' };
const json: Schema = {};
const arr = (items: Schema): Schema => ({ type: 'array', items });
/** Every listed property is present in answers (null when unknown), so all are required. */
const obj = (properties: Record<string, Schema>, description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  properties,
  required: Object.keys(properties),
});

const REQUEST_STATUS: Schema = { type: 'string', enum: ['pending', 'review', 'acting', 'done', 'closed'] };
const DECISION_KIND: Schema = { type: 'string', enum: ['accept', 'refuse', 'seller-fault', 'review'] };
const RATE_STATUS: Schema = { type: 'string', enum: ['ok', 'watch', 'danger', 'over'] };
const PENALTY_TIER: Schema = { type: 'string', enum: ['ok', 'warning', 'mega_wari_barred', 'listing_limited', 'sales_blocked'] };
const ACTION_KIND: Schema = { type: 'string', enum: ['accept', 'refuse', 'seller-fault'] };

const request = {
  id: str,
  shopId: { type: 'string', format: 'uuid' },
  orderNo: str,
  packNo: nullable(str),
  requestedAt: instant,
  reason: nullable(str),
  status: REQUEST_STATUS,
  outcome: nullable(str),
  firstSeenAt: instant,
};

const alert = obj({
  id: str,
  shopId: nullable(str),
  kind: str,
  severity: { type: 'string', enum: ['info', 'warning', 'critical'] },
  subject: str,
  body: str,
  payload: { type: 'object' },
  createdAt: instant,
  email: obj({ status: str, attempts: int, lastError: nullable(str), sentAt: nullable(instant), nextAttemptAt: nullable(instant) }),
});

const rateReport = obj(
  {
    shopId: str,
    month: { type: 'string', description: 'JST month YYYY-MM' },
    monthStart: instant,
    monthEnd: instant,
    asOf: instant,
    orders: int,
    countedCancels: int,
    excludedCancels: int,
    rate: { type: 'number', description: 'fraction: 0.05 is 5 %' },
    rateDefined: bool,
    limit: num,
    status: RATE_STATUS,
    levelsCrossed: arr(num),
    headroom: { type: 'integer', description: 'more counted cancels before the rate passes the limit, if no more orders came' },
    headroomAtMonthEnd: int,
    elapsedFraction: num,
    projectionBasis: { type: 'string', enum: ['pace', 'actual'] },
    projectedOrders: int,
    projectedCountedCancels: int,
    projectedRate: num,
    byReason: { type: 'object' },
    topItems: arr({ type: 'object' }),
    sellerFaultItems: arr({ type: 'object' }),
    pending: { type: 'object' },
    sellerFaultCancels: int,
    sellerFaultRate: { type: 'number', description: 'counted seller-fault cancels ÷ orders: a second figure, not the rate' },
    quarter: obj({
      period: { type: 'string', description: 'JST quarter, e.g. 2026-Q4' },
      orders: int,
      countedCancels: int,
      excludedCancels: int,
      rate: num,
      headroom10: int,
      headroom15: int,
      projectedRate: num,
      tier: PENALTY_TIER,
      projectedTier: PENALTY_TIER,
      twoQuartersRisk: bool,
      previous: { type: 'object' },
    }),
    penaltyTier: PENALTY_TIER,
    definition: obj({
      text: str,
      formula: str,
      cohort: { type: 'string', enum: ['completed_in_period', 'paid_cohort'] },
      denominator: str,
      cancelMonthBasis: str,
      countingUnit: { type: 'string', enum: ['order_line'] },
      cancelTime: str,
      exclusionHours: num,
      timeZone: str,
    }),
  },
  'Rates are fractions; counted numerator, excluded cancels and denominator are given beside the rate.',
);

export const SCHEMAS: Record<string, Schema> = {
  Error: obj({
    code: { type: 'string', description: 'stable snake_case code, e.g. validation_failed, unauthorized, not_found, internal_error' },
    message: str,
    details: { description: 'for validation_failed: [{ field, message }]; otherwise what the code documents, or null' },
  }),
  Readiness: obj({
    ready: bool,
    database: { type: 'string', enum: ['ok', 'unreachable'] },
    pendingMigrations: arr(str),
    lastPollAt: nullable(instant),
    lastPollAgeSeconds: nullable(int),
    pollStale: bool,
  }),
  ShopRef: obj({ id: str, name: str }),
  Shop: obj({
    id: str,
    name: str,
    isDemo: bool,
    active: bool,
    keyStatus: { type: 'string', enum: ['unknown', 'ok', 'rejected', 'expired'] },
    keyExpiresAt: nullable(instant),
    policy: { type: 'object' },
    carrierNames: { type: 'object', additionalProperties: str },
  }),
  JobRun: obj({
    id: str,
    job: str,
    shopId: nullable(str),
    startedAt: instant,
    finishedAt: nullable(instant),
    status: { type: 'string', enum: ['running', 'ok', 'failed', 'aborted'] },
    windowFrom: nullable(instant),
    windowTo: nullable(instant),
    counts: { type: 'object', additionalProperties: int },
    error: nullable(str),
    durationMs: nullable(int),
  }),
  CancelRequest: obj(request),
  Decision: obj({
    id: str,
    kind: DECISION_KIND,
    code: str,
    reason: str,
    suggested: nullable(ACTION_KIND),
    trail: arr(obj({ rule: str, note: str })),
    tracking: nullable(obj({ carrier: str, trackingNo: str })),
    sellerFaultCause: nullable(str),
    trackingDeadline: nullable(instant),
    decidedBy: str,
    note: nullable(str),
    createdAt: instant,
  }),
  ReviewItem: obj({ ...request, itemTitle: nullable(str), sellerItemCode: nullable(str), decision: nullable(ref('Decision')) }),
  Action: obj({
    id: str,
    kind: { type: 'string', enum: ['cancel', 'send_tracking'] },
    orderNo: str,
    state: { type: 'string', enum: ['pending', 'sending', 'succeeded', 'failed'] },
    request: { type: 'object' },
    response: { description: 'what Qoo10 answered' },
    errorCode: nullable(str),
    errorMessage: nullable(str),
    attempts: int,
    createdAt: instant,
    sentAt: nullable(instant),
    completedAt: nullable(instant),
  }),
  CancelRequestDetail: obj(
    { request: ref('CancelRequest'), order: nullable({ type: 'object' }), decisions: arr(ref('Decision')), actions: arr(ref('Action')) },
    'The order is shown without buyer name or email.',
  ),
  ActionResult: obj({ results: arr({ type: 'object' }), request: ref('CancelRequest'), order: nullable({ type: 'object' }), decisions: arr(ref('Decision')), actions: arr(ref('Action')) }),
  CancelRequestRow: obj({
    ...request,
    updatedAt: instant,
    order: nullable(obj({ orderedAt: instant, itemTitle: str, sellerItemCode: nullable(str), quantity: int, totalYen: int, shippingStatus: nullable(int) })),
    decision: nullable(
      obj({
        id: str,
        kind: DECISION_KIND,
        code: str,
        reason: str,
        suggested: nullable(ACTION_KIND),
        action: { ...nullable(ACTION_KIND), description: 'what approving carries out' },
        trackingDeadline: nullable(instant),
        decidedBy: str,
        createdAt: instant,
      }),
    ),
  }),
  CancelRequestPage: obj({ items: arr(ref('CancelRequestRow')), nextCursor: { type: ['string', 'null'], description: 'pass back as cursor; null on the last page' } }),
  ItemFact: obj({ sellerItemCode: str, available: nullable(int), madeToOrder: bool, updatedAt: instant }),
  RateReport: obj({ shop: ref('ShopRef'), ...(rateReport.properties as Record<string, Schema>) }, rateReport.description as string),
  Alert: alert,
  Shipment: obj({
    id: str,
    orderNo: str,
    trackingNo: str,
    carrier: str,
    qoo10CarrierName: str,
    source: { type: 'string', enum: ['csv', 'api', 'manual', 'qoo10'] },
    sourceRef: nullable(str),
    status: { type: 'string', enum: ['pending', 'submitted', 'confirmed', 'rejected'] },
    error: nullable(str),
    actionState: nullable(str),
    attempts: int,
    qoo10Response: json,
    createdAt: instant,
    submittedAt: nullable(instant),
    confirmedAt: nullable(instant),
  }),
  BuyerMessage: {
    ...obj({
      id: str,
      requestId: str,
      shopId: str,
      orderNo: str,
      purpose: str,
      templateKey: str,
      language: str,
      subject: { ...nullable(str), description: 'null when a person must write the message' },
      body: nullable(str),
      needsPerson: bool,
      missing: arr(str),
      problems: arr(str),
      notes: arr(str),
      callFirst: obj({ call: bool, reasons: arr(str), outline: arr(str), cartTotalYen: nullable(int) }),
      email: obj({ status: str, heldReason: nullable(str), to: nullable(str), attempts: int, lastError: nullable(str), sentAt: nullable(instant), nextAttemptAt: nullable(instant) }),
      createdAt: instant,
    }),
    description: 'A message addressed to the buyer: its text, never the buyer\'s address (email.to is masked).',
  },
  BuyerMessageWithCalls: { allOf: [ref('BuyerMessage'), { type: 'object', properties: { callSummaries: arr(ref('BuyerMessage')) } }] },
  TrackingReport: {
    type: 'object',
    description: 'Per row: accepted (with what Qoo10 answered) or refused (with the reason), and counts.',
    properties: { counts: { type: 'object' }, accepted: arr({ type: 'object' }), errors: arr({ type: 'object' }), warnings: arr({ type: 'object' }) },
  },
  Dashboard: obj({
    asOf: instant,
    shop: nullable(ref('Shop')),
    shops: arr(obj({ id: str, name: str, isDemo: bool })),
    rate: nullable(rateReport),
    days: arr(
      obj({
        date: { type: 'string', description: 'JST date' },
        future: bool,
        orders: int,
        countedCancels: int,
        excludedCancels: int,
        cumulativeOrders: int,
        cumulativeCounted: int,
        allowance: { type: 'integer', description: 'floor(limit × month-to-date orders)' },
        status: RATE_STATUS,
      }),
    ),
    reviewQueue: arr(
      obj({
        id: str,
        orderNo: str,
        packNo: nullable(str),
        requestedAt: instant,
        reason: nullable(str),
        itemTitle: nullable(str),
        sellerItemCode: nullable(str),
        decision: nullable(
          obj({ kind: DECISION_KIND, code: str, reason: str, suggested: nullable(ACTION_KIND), action: nullable(ACTION_KIND), trackingDeadline: nullable(instant), createdAt: instant }),
        ),
      }),
    ),
    refusalsToday: arr(
      obj({
        requestId: str,
        orderNo: str,
        packNo: nullable(str),
        status: REQUEST_STATUS,
        decisionKind: DECISION_KIND,
        decisionCode: str,
        decidedAt: instant,
        itemTitle: nullable(str),
        sellerItemCode: nullable(str),
        tracking: nullable(obj({ carrier: str, trackingNo: str })),
        trackingDeadline: nullable(instant),
        trackingState: { type: 'string', enum: ['in', 'sending', 'failed', 'missing'] },
        overdue: bool,
        lines: arr(obj({ orderNo: str, state: str, errorCode: nullable(str) })),
      }),
    ),
    alerts: arr(alert),
    connection: nullable(
      obj({
        lastPollAt: nullable(instant),
        lastPollAgeSeconds: nullable(int),
        pollStale: bool,
        lastRun: nullable(ref('JobRun')),
        keyStatus: str,
        keyExpiresAt: nullable(instant),
        keyExpiryEstimated: bool,
        keyDaysLeft: nullable(int),
        demo: bool,
      }),
    ),
  }),
};
