// The job queue's queue names (pg-boss), one per job kind (ADR 0020). Recorded runs use the names in
// src/domain/job-names.ts.

/** Per shop per claims slot (POLL_CLAIMS_INTERVAL): poll-claims.ts. */
export const POLL_CLAIMS_QUEUE = 'poll-claims';
/** Per shop per orders slot (POLL_ORDERS_INTERVAL, a shop's own offset): poll-orders.ts. */
export const POLL_ORDERS_QUEUE = 'poll-orders';
/** Per request: decide.ts. */
export const DECIDE_QUEUE = 'decide';
/** Per outbox row: send-action.ts. */
export const SEND_ACTION_QUEUE = 'send-action';
/** Per shop, after a change in it: rate-alerts.ts. */
export const RATE_ALERTS_QUEUE = 'rate-alerts';
/** Per shop, after a request of it settled: buyer-messages.ts. */
export const BUYER_MESSAGES_QUEUE = 'buyer-messages';
/** One per claims slot for the whole database: health alerts and the mailers (follow-up.ts). */
export const FOLLOW_UP_QUEUE = 'follow-up';
