import type { DataSource } from 'typeorm';
import type { JobRunRepository } from '../persistence/job-run-repository';
import { pendingMigrations } from '../persistence/migrations';

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable';
  pendingMigrations: string[];
  /** Active shops without a successful poll yet: the service knows nothing of their requests. */
  shopsAwaitingFirstPoll: string[];
  lastPollAt: string | null;
  lastPollAgeSeconds: number | null;
  pollStale: boolean;
}

const UNREACHABLE: Readiness = Object.freeze({
  ready: false,
  database: 'unreachable',
  pendingMigrations: [],
  shopsAwaitingFirstPoll: [],
  lastPollAt: null,
  lastPollAgeSeconds: null,
  pollStale: true,
}) as Readiness;

/** /readyz answers within this budget (probes commonly time out at 2 s or more). */
export const READINESS_BUDGET_MS = 1_500;

export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobRuns: JobRunRepository,
    private readonly pollStaleMinutes: number,
    private readonly now: () => Date,
  ) {}

  /**
   * readiness(), or "database unreachable" when it has not answered within `budgetMs`: a database that
   * hangs makes /readyz answer 503 at once instead of hanging with it. The late answer is dropped; the
   * next probe asks again, so readiness comes back by itself when the database does.
   */
  async readinessWithin(budgetMs: number): Promise<Readiness> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Readiness>((done) => {
      timer = setTimeout(() => done(UNREACHABLE), budgetMs);
    });
    const check = this.readiness().catch((): Readiness => UNREACHABLE);
    try {
      return await Promise.race([check, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Ready means the database answers, its schema is current and every active shop has been polled
   * successfully once since its data was (re)stored. The poll's age after that is reported (and
   * flagged stale) but does not make the process unready: restarting it would not fix Qoo10.
   */
  async readiness(): Promise<Readiness> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      return { ready: false, database: 'unreachable', pendingMigrations: [], shopsAwaitingFirstPoll: [], lastPollAt: null, lastPollAgeSeconds: null, pollStale: true };
    }
    const pending = await pendingMigrations(this.dataSource);
    const lastPoll = pending.length === 0 ? await this.jobRuns.lastSuccess('poll') : null;
    const awaiting: string[] =
      pending.length === 0
        ? (
            await this.dataSource.query(
              `SELECT s.id FROM shops s WHERE s.active
                 AND NOT EXISTS (SELECT 1 FROM job_runs r WHERE r.job = 'poll' AND r.shop_id = s.id AND r.status = 'ok')
               ORDER BY s.created_at`,
            )
          ).map((row: { id: string }) => row.id)
        : [];
    const ageSeconds = lastPoll ? Math.max(0, Math.round((this.now().getTime() - lastPoll.getTime()) / 1000)) : null;
    return {
      ready: pending.length === 0 && awaiting.length === 0,
      database: 'ok',
      pendingMigrations: pending,
      shopsAwaitingFirstPoll: awaiting,
      lastPollAt: lastPoll ? lastPoll.toISOString() : null,
      lastPollAgeSeconds: ageSeconds,
      pollStale: ageSeconds === null || ageSeconds > this.pollStaleMinutes * 60,
    };
  }
}
