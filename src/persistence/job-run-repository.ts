import type { DataSource, Repository } from 'typeorm';
import { JobRunEntity } from './entities';

export interface JobRun {
  id: string;
  job: string;
  shopId: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  status: 'running' | 'ok' | 'failed' | 'aborted';
  windowFrom: Date | null;
  windowTo: Date | null;
  counts: Record<string, number>;
  error: string | null;
  durationMs: number | null;
}

const toJobRun = (row: JobRunEntity): JobRun => ({ ...row });

export class JobRunRepository {
  private readonly runs: Repository<JobRunEntity>;

  constructor(dataSource: DataSource) {
    this.runs = dataSource.getRepository(JobRunEntity);
  }

  // startRun and finishRun are plain statements (not the query builder): every poll of every shop runs them.
  async startRun(job: string, shopId: string | null, startedAt: Date): Promise<string> {
    const rows: Array<{ id: string }> = await this.runs.query(
      `INSERT INTO job_runs (job, shop_id, started_at, status, counts) VALUES ($1, $2, $3, 'running', '{}'::jsonb) RETURNING id`,
      [job, shopId, startedAt],
    );
    return String(rows[0]!.id);
  }

  async finishRun(
    id: string,
    outcome: {
      status: 'ok' | 'failed' | 'aborted';
      finishedAt: Date;
      durationMs: number;
      counts?: Record<string, number>;
      error?: string | null;
      windowFrom?: Date | null;
      windowTo?: Date | null;
    },
  ): Promise<void> {
    // Committed without waiting for the disk (ADR 0026): lost only in a crash of the database itself, the run
    // then stays 'running' and its window does not advance, so the next poll reads the same window again.
    await this.runs.query(
      `WITH no_flush AS (SELECT set_config('synchronous_commit', 'off', true))
       UPDATE job_runs SET status = $2, finished_at = $3, duration_ms = $4, counts = $5::jsonb, error = $6, window_from = $7, window_to = $8
       FROM no_flush WHERE id = $1`,
      [id, outcome.status, outcome.finishedAt, outcome.durationMs, JSON.stringify(outcome.counts ?? {}), outcome.error ?? null, outcome.windowFrom ?? null, outcome.windowTo ?? null],
    );
  }

  /** The last successful run of a job (for a shop, or any shop): readiness and stale-poll alerts. */
  async lastSuccess(job: string, shopId?: string): Promise<Date | null> {
    const query = this.runs
      .createQueryBuilder('run')
      .select('MAX(run.finished_at)', 'last')
      .where('run.job = :job AND run.status = :status', { job, status: 'ok' });
    if (shopId) query.andWhere('run.shop_id = :shopId', { shopId });
    const row = await query.getRawOne<{ last: Date | null }>();
    return row?.last ?? null;
  }

  /** Whether the shop has a finished run (ok or failed) of the job that started at or after `since`. */
  async ranSince(job: string, shopId: string, since: Date): Promise<boolean> {
    const rows: unknown[] = await this.runs.query(
      `SELECT 1 FROM job_runs WHERE job = $1 AND shop_id = $2 AND started_at >= $3 AND status IN ('ok', 'failed') LIMIT 1`,
      [job, shopId, since],
    );
    return rows.length > 0;
  }

  /**
   * Starts a poll's run (as startRun) and, in the same statement, reads where the last successful run's
   * window ended: the poll starts there, minus an overlap. With `orCounting`, successful runs of another
   * job that counted the given key count too (the poll before it was split in two: its runs covered the
   * orders as well, ADR 0020). One statement and one commit instead of two per poll (ADR 0026).
   */
  async startPoll(
    job: string,
    shopId: string,
    startedAt: Date,
    orCounting?: { job: string; countKey: string },
  ): Promise<{ runId: string; lastWindowEnd: Date | null }> {
    const rows: Array<{ id: string; last: Date | null }> = await this.runs.query(
      `WITH run AS (
         INSERT INTO job_runs (job, shop_id, started_at, status, counts) VALUES ($1, $2, $3, 'running', '{}'::jsonb) RETURNING id)
       SELECT run.id,
              (SELECT MAX(window_to) FROM job_runs
               WHERE shop_id = $2 AND status = 'ok' AND (job = $1 OR (job = $4 AND counts ? $5))) AS last
       FROM run`,
      [job, shopId, startedAt, orCounting?.job ?? null, orCounting?.countKey ?? null],
    );
    return { runId: String(rows[0]!.id), lastWindowEnd: rows[0]!.last ?? null };
  }

  async recentRuns(limit: number, job?: string): Promise<JobRun[]> {
    const rows = await this.runs.find({
      where: job ? { job } : {},
      order: { startedAt: 'DESC' },
      take: limit,
    });
    return rows.map(toJobRun);
  }
}
