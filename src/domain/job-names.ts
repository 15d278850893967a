// Names of the scheduled jobs, shared by the job layer and the services that report on job runs. They live
// here, not in a service, so that no service has to import another service for a constant.

/** One poll cycle of one shop (job_runs.job). */
export const POLL_JOB = 'poll';
