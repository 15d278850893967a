import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import cronParser from 'cron-parser';
import type { Logger } from '../logger';
import { safeErrorMessage } from '../safe-error';

/** One job per shop per schedule slot: the shop's poll cycle (pipeline-service runShopJob). */
export const SHOP_POLL_QUEUE = 'shop-poll';
/** One job per schedule slot for the whole database: alerts, mails, buyer messages (main.ts followUp). */
export const FOLLOW_UP_QUEUE = 'follow-up';

/** A tick that fires late, or a clock a little ahead, still names the slot of the tick it belongs to. */
const SLOT_TOLERANCE_MS = 2_000;
/** pg-boss fails a job whose handler runs longer than this; a shop's lease, not this, keeps shops apart. */
const JOB_EXPIRE_SECONDS = 3_600;

/** The slot a moment belongs to: the latest scheduled tick of `schedule` at or before it. */
export function slotOf(schedule: string, at: Date): Date {
  return cronParser.parseExpression(schedule, { currentDate: new Date(at.getTime() + SLOT_TOLERANCE_MS) }).prev().toDate();
}

/** The same id for the same job from every process (a name-based UUID), so a second insert is a no-op. */
export function slotJobId(kind: string, key: string, slot: Date): string {
  const hex = createHash('sha1').update(`${kind}\u0000${key}\u0000${slot.toISOString()}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export interface WorkQueueDeps {
  connectionString: string;
  /** POLL_SCHEDULE: the cron expression whose ticks name the slots. */
  schedule: string;
  concurrency: number;
  pollIntervalMs: number;
  logger: Logger;
  activeShopIds(): Promise<string[]>;
  /** One shop's poll for the slot starting at `slot`. */
  runShop(shopId: string, slot: Date, signal: AbortSignal): Promise<{ status: string }>;
  followUp(signal: AbortSignal): Promise<void>;
}

/**
 * The job queue (pg-boss on the service's own PostgreSQL; docs/adr/0018). node-cron stays the clock:
 * every process's tick calls enqueueDue, which inserts one job per active shop under an id derived
 * from the shop and the slot, so however many processes tick, each shop has one job per slot. A shop
 * whose job from an earlier slot is still waiting is not queued again. Workers in any number of
 * processes take jobs with SKIP LOCKED; the shop's lease keeps one holder per shop, and a job that
 * finds its shop already polled since its slot began does nothing.
 */
export class WorkQueue {
  private readonly boss: PgBoss;
  private readonly abort = new AbortController();
  private started = false;
  private readonly loops: Array<Promise<void>> = [];
  /** Idle workers waiting for their next look at the queue. */
  private readonly nappers = new Set<() => void>();

  constructor(private readonly deps: WorkQueueDeps) {
    this.boss = new PgBoss({
      connectionString: deps.connectionString,
      application_name: 'cancel-guard-queue',
      max: 4,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: 60,
      // Completed jobs stay in pgboss.job for an hour (what makes a slot's job id unique for schedules up
      // to hourly: a late process's insert of the same slot is a no-op), then a day in the archive.
      archiveCompletedAfterSeconds: 3_600,
      deleteAfterSeconds: 86_400,
    } as PgBoss.ConstructorOptions);
    this.boss.on('error', (error) => deps.logger.error({ err: error }, 'job queue error'));
  }

  /** Connects (creating the pgboss schema on first use) and, with `work`, starts this process's workers. */
  async start(work: boolean): Promise<void> {
    await this.boss.start();
    this.started = true;
    await this.ensureQueue(SHOP_POLL_QUEUE);
    await this.ensureQueue(FOLLOW_UP_QUEUE);
    if (!work) return;
    for (let i = 0; i < this.deps.concurrency; i++) {
      this.loops.push(
        this.workLoop<{ shopId: string; slot: string }>(SHOP_POLL_QUEUE, async (job) => {
          const report = await this.deps.runShop(job.data.shopId, new Date(job.data.slot), this.abort.signal);
          return { status: report.status };
        }),
      );
    }
    this.loops.push(this.workLoop(FOLLOW_UP_QUEUE, async () => this.deps.followUp(this.abort.signal)));
  }

  /**
   * Creates the queue unless it exists. Two processes starting together on a fresh database can
   * deadlock inside pg-boss's create_queue (queue row and partition attach); it is idempotent, so the
   * loser tries again.
   */
  private async ensureQueue(name: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.boss.getQueue(name)) return;
        await this.boss.createQueue(name, { name, policy: 'standard', retryLimit: 0, expireInSeconds: JOB_EXPIRE_SECONDS });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((done) => setTimeout(done, 100 * attempt + Math.floor(Math.random() * 200)));
      }
    }
  }

  /**
   * One worker: fetch a job (SKIP LOCKED), run it, record the outcome; ask again at once after a job,
   * nap when the queue is empty (a tick wakes it). pg-boss's fetch / complete / fail are awaited here
   * rather than left to its work(), which does not await complete() and crashes the process when the
   * database goes away at that moment.
   */
  private async workLoop<T extends object>(queue: string, run: (job: PgBoss.Job<T>) => Promise<object | void>): Promise<void> {
    while (!this.abort.signal.aborted) {
      const [job] = await this.boss.fetch<T>(queue, { batchSize: 1 }).catch(() => [] as Array<PgBoss.Job<T>>);
      if (!job) {
        await this.nap(this.deps.pollIntervalMs);
        continue;
      }
      try {
        const output = await run(job);
        await this.boss.complete(queue, job.id, output ?? {}).catch((error: unknown) => this.deps.logger.warn({ err: error, queue }, 'could not mark a job done'));
      } catch (error) {
        this.deps.logger.error({ err: error, queue }, 'job failed');
        await this.boss.fail(queue, job.id, { error: safeErrorMessage(error) }).catch((failure: unknown) => this.deps.logger.warn({ err: failure, queue }, 'could not mark a job failed'));
      }
    }
  }

  /** Waits `ms`, or less when a tick queued work or the queue is stopping (wake). */
  private nap(ms: number): Promise<void> {
    return new Promise((done) => {
      const finish = () => {
        clearTimeout(timer);
        this.nappers.delete(finish);
        done();
      };
      const timer = setTimeout(finish, ms);
      this.nappers.add(finish);
    });
  }

  private wake(): void {
    for (const finish of [...this.nappers]) finish();
  }

  /**
   * The tick: offer this slot's job for every active shop not still waiting from an earlier slot (and
   * the slot's follow-up); jobs another process already queued for the slot are no-ops.
   */
  async enqueueDue(at: Date): Promise<{ slot: Date; offered: number }> {
    const slot = slotOf(this.deps.schedule, at);
    // pg-boss's partial index on waiting jobs (state < 'active') serves this.
    const { rows } = await this.boss.getDb().executeSql(`SELECT data->>'shopId' AS shop_id FROM pgboss.job WHERE name = $1 AND state < 'active'`, [SHOP_POLL_QUEUE]);
    const waiting = new Set(rows.map((row: { shop_id: string }) => row.shop_id));
    const jobs = (await this.deps.activeShopIds())
      .filter((shopId) => !waiting.has(shopId))
      .map((shopId) => ({
        name: SHOP_POLL_QUEUE,
        id: slotJobId(SHOP_POLL_QUEUE, shopId, slot),
        data: { shopId, slot: slot.toISOString() },
      }));
    for (let i = 0; i < jobs.length; i += 1_000) await this.boss.insert(jobs.slice(i, i + 1_000));
    // Runs beside the slot's polls (its own queue and worker): what those polls change is alerted and
    // mailed by the next slot's follow-up, at most one interval later.
    await this.boss.insert([{ name: FOLLOW_UP_QUEUE, id: slotJobId(FOLLOW_UP_QUEUE, 'all', slot), data: { slot: slot.toISOString() } }]);
    this.wake();
    return { slot, offered: jobs.length };
  }

  /** Stops taking jobs, signals running ones to abort, waits up to `graceMs` for them, then closes the pool. */
  async stop(graceMs = 10_000): Promise<void> {
    this.abort.abort();
    this.wake();
    if (!this.started) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(this.loops), new Promise((done) => (timer = setTimeout(done, graceMs)))]);
    clearTimeout(timer);
    await this.boss.stop({ graceful: false, wait: true });
  }
}
