import type { DataSource } from 'typeorm';
import type { JobRunRepository } from '../persistence/job-run-repository';
import { pendingMigrations } from '../persistence/migrations';

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable';
  pendingMigrations: string[];
  lastPollAt: string | null;
  lastPollAgeSeconds: number | null;
  pollStale: boolean;
}

export class HealthService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly jobRuns: JobRunRepository,
    private readonly pollStaleMinutes: number,
    private readonly now: () => Date,
  ) {}

  /**
   * Ready means the database answers and its schema is current. The poll's age is reported (and
   * flagged stale) but does not make the process unready: restarting it would not fix Qoo10.
   */
  async readiness(): Promise<Readiness> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      return { ready: false, database: 'unreachable', pendingMigrations: [], lastPollAt: null, lastPollAgeSeconds: null, pollStale: true };
    }
    const pending = await pendingMigrations(this.dataSource);
    const lastPoll = pending.length === 0 ? await this.jobRuns.lastSuccess('poll') : null;
    const ageSeconds = lastPoll ? Math.max(0, Math.round((this.now().getTime() - lastPoll.getTime()) / 1000)) : null;
    return {
      ready: pending.length === 0,
      database: 'ok',
      pendingMigrations: pending,
      lastPollAt: lastPoll ? lastPoll.toISOString() : null,
      lastPollAgeSeconds: ageSeconds,
      pollStale: ageSeconds === null || ageSeconds > this.pollStaleMinutes * 60,
    };
  }
}
