// Names of the recorded job runs (job_runs.job), shared by the job layer and the services that report on job
// runs. They live here, not in a service, so that no service has to import another service for a constant.

/**
 * One claims poll of one shop: pending cancel requests and completed cancels, every POLL_CLAIMS_INTERVAL.
 * It keeps the name the whole poll cycle had before the poll was split (ADR 0020), so the claims window, the
 * stale-poll alerts, readiness and the dashboard carry on across an upgrade without a data migration.
 */
export const POLL_CLAIMS_JOB = 'poll';

/** One orders poll of one shop: the order lists, every POLL_ORDERS_INTERVAL. */
export const POLL_ORDERS_JOB = 'poll-orders';

/**
 * Before ADR 0020 a `poll` run read the orders too; such runs count this key. The first orders poll after an
 * upgrade starts where the last of them ended, not at the month start.
 */
export const LEGACY_ORDERS_COUNT = 'orders';

/** The poll whose runs say whether the service is polling at all (health, dashboard, stale-poll alerts). */
export const POLL_JOB = POLL_CLAIMS_JOB;
