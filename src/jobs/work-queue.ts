import PgBoss from 'pg-boss';
import type { Logger } from '../logger';
import { safeErrorMessage } from '../safe-error';

/** Our index on pg-boss's job table for its fetch (ensureFetchIndex). */
export const FETCH_ORDER_INDEX = 'cg_job_fetch_order';

/**
 * The fetcher takes jobs for fewer than a quarter of its slots at most this often: slots freed within it
 * are filled by one fetch (each fetch scans the queue; at 20,000 shops fetching for one slot at a time was
 * the database's most frequent statement).
 */
const GATHER_MS = 50;

/** A shop added (or made active) is polled at most this much later than if the tick read the shops each time. */
const ACTIVE_SHOPS_TTL_MS = 15_000;

/** Jobs of one queue finishing within this long are marked completed in one statement. */
const COMPLETE_BATCH_MS = 25;

export { SLOT_TOLERANCE_MS, nextSlotOf, shopPhase, shopSlotBoundsAt, shopSlotEnd, shopSlotsAt, slotJobId, slotLengthMs, slotOf, tickScheduleFor } from './slots';

/** A job to queue: a slot job carries an id derived from its slot; a keyed job a singletonKey. */
export interface QueuedJob {
  id?: string;
  data: object;
  /** On a 'keyed' queue at most one job per key waits at a time: queueing it again is a no-op. */
  singletonKey?: string;
  startAfter?: Date;
}

export interface JobContext {
  signal: AbortSignal;
  /** Queues jobs of any kind (ON CONFLICT DO NOTHING: ids and keys make re-queueing idempotent). */
  enqueue(queue: string, jobs: readonly QueuedJob[]): Promise<void>;
}

/** One kind of job: its queue, how it is queued on a tick (slot jobs), and its handler. */
export interface JobKind<T extends object = object> {
  queue: string;
  /**
   * 'slot': one job per slot under an id derived from the slot (pg-boss policy standard; completed jobs
   * stay an hour, so a late insert of the same slot is a no-op). 'keyed': pg-boss policy short, at most
   * one waiting job per singletonKey (a request, an outbox row, a shop).
   */
  policy: 'slot' | 'keyed';
  /** How many times pg-boss runs a job again after it failed or its worker died (after expireInSeconds). */
  retryLimit: number;
  expireInSeconds: number;
  /** Jobs that hold database transactions for long (decisions, sends): at most `heavySlots` run at once. */
  heavy?: boolean;
  /**
   * The tick: this kind's jobs whose slot began since the previous tick of this process (`previous`; null
   * on its first tick: every shop's current slot) up to `at`, for the active shops (slot kinds only).
   */
  due?(at: Date, shopIds: readonly string[], previous: Date | null): QueuedJob[];
  run(data: T, context: JobContext): Promise<object | void>;
}

export interface WorkQueueDeps {
  connectionString: string;
  /** Job kinds in priority order: free slots are filled from the first kinds that have jobs ready. */
  kinds: readonly JobKind[];
  concurrency: number;
  /** How many heavy jobs (kinds marked heavy) run at once in this process. */
  heavySlots: number;
  pollIntervalMs: number;
  logger: Logger;
  activeShopIds(): Promise<string[]>;
  /** Read the active shops again at most this often (capped at ACTIVE_SHOPS_TTL_MS; main: a claims slot). */
  shopIdsTtlMs?: number;
}

/**
 * The job queue (pg-boss on the service's own PostgreSQL; ADR 0018, ADR 0020). node-cron stays the clock:
 * every process's tick calls enqueueDue, which offers each slot kind's due jobs under ids derived from the
 * shop and the slot, so however many processes tick, each shop has one job per slot; a shop whose job from
 * an earlier slot is still waiting is not offered again. Jobs queue further jobs (a claims poll its
 * decisions, a decision its sends) under keys, so re-queueing is idempotent. Each process has one fetcher
 * that takes batches of ready jobs (SKIP LOCKED) in priority order for its free slots; any number of
 * processes share the queue.
 */
export class WorkQueue {
  private readonly boss: PgBoss;
  private readonly abort = new AbortController();
  private started = false;
  private fetcher: Promise<void> | undefined;
  /** The jobs running in this process's slots (at most `concurrency`). */
  private readonly running = new Set<Promise<void>>();
  private readonly context: JobContext = { signal: this.abort.signal, enqueue: (queue, jobs) => this.enqueue(queue, jobs) };
  /** The fetcher, napping until its next look at the queue. */
  private readonly nappers = new Set<() => void>();
  /** Queues found empty, and until when this process does not ask again (a local enqueue clears it). */
  private readonly emptyUntil = new Map<string, number>();
  private heavyRunning = 0;
  /** Completions waiting for their batch (completeLater), by queue and output. */
  private readonly completions = new Map<string, { queue: string; output: object; ids: string[]; waiters: Array<{ done(): void; fail(error: unknown): void }> }>();
  private completionTimer: NodeJS.Timeout | undefined;
  /** This process's last tick whose due jobs were all queued (enqueueDue). */
  private lastTick: Date | null = null;
  private shopIds: { ids: readonly string[]; readAt: number } | null = null;
  /** Fewer free slots than this wait up to GATHER_MS for more before a fetch. */
  private readonly minBatch: number;

  constructor(private readonly deps: WorkQueueDeps) {
    this.minBatch = Math.max(1, Math.floor(deps.concurrency / 4));
    this.boss = new PgBoss({
      connectionString: deps.connectionString,
      application_name: 'cancel-guard-queue',
      max: 4,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: 60,
      // Completed jobs stay in pgboss.job for an hour (what makes a slot's job id unique for intervals up
      // to an hour: a late process's insert of the same slot is a no-op), then a day in the archive.
      archiveCompletedAfterSeconds: 3_600,
      deleteAfterSeconds: 86_400,
    } as PgBoss.ConstructorOptions);
    this.boss.on('error', (error) => deps.logger.error({ err: error }, 'job queue error'));
  }

  /** Connects (creating the pgboss schema and queues on first use) and, with `work`, starts this process's workers. */
  async start(work: boolean): Promise<void> {
    await this.boss.start();
    this.started = true;
    await this.ensureFetchIndex();
    for (const kind of this.deps.kinds) await this.ensureQueue(kind);
    if (!work) return;
    this.fetcher = this.fetchLoop();
  }

  /**
   * pg-boss 10 fetches in the order priority DESC, created_on, id, but its index for waiting jobs is on
   * (name, start_after): every fetch read and sorted every ready job of its queue (60 ms a fetch with the
   * 20,000 claims jobs of one slot waiting, 84 % of PostgreSQL's time at 20,000 shops; ADR 0025). This
   * index serves the fetch's order, so a fetch reads about as many rows as it takes (0.3 ms). It is made
   * once on pg-boss's partitioned job table, so every queue's partition has it, now and when created later.
   * Two processes starting together may race to create it; the loser finds it made.
   */
  private async ensureFetchIndex(): Promise<void> {
    const exists = async () =>
      (await this.boss.getDb().executeSql(`SELECT 1 FROM pg_indexes WHERE schemaname = 'pgboss' AND indexname = $1`, [FETCH_ORDER_INDEX])).rows.length > 0;
    for (let attempt = 1; !(await exists()); attempt++) {
      try {
        await this.boss.getDb().executeSql(`CREATE INDEX IF NOT EXISTS ${FETCH_ORDER_INDEX} ON pgboss.job (name, priority DESC, created_on, id) WHERE state < 'active'`, []);
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((done) => setTimeout(done, 100 * attempt + Math.floor(Math.random() * 200)));
      }
    }
  }

  /**
   * Creates the queue unless it exists. Two processes starting together on a fresh database can
   * deadlock inside pg-boss's create_queue (queue row and partition attach); it is idempotent, so the
   * loser tries again.
   */
  private async ensureQueue(kind: JobKind): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (await this.boss.getQueue(kind.queue)) return;
        await this.boss.createQueue(kind.queue, {
          name: kind.queue,
          policy: kind.policy === 'keyed' ? 'short' : 'standard',
          retryLimit: kind.retryLimit,
          retryDelay: 5,
          expireInSeconds: kind.expireInSeconds,
        });
        return;
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((done) => setTimeout(done, 100 * attempt + Math.floor(Math.random() * 200)));
      }
    }
  }

  /**
   * The fetcher, one per process: with N slots free, it takes up to N ready jobs with one fetch per kind
   * (SKIP LOCKED), in priority order, heavy kinds only up to the free heavy slots, and starts each in a
   * slot; it asks again as soon as a slot is free (jobs finishing while a fetch is in flight make the next
   * batch larger) and naps only when every queue was found empty (an enqueue in this process, or a job
   * finishing, wakes it). One fetch in flight per process instead of one per worker: pg-boss's fetch was
   * the database's main load with 48 single-job fetchers per process (ADR 0020, Amended).
   */
  private async fetchLoop(): Promise<void> {
    let lastFetch = 0;
    while (!this.abort.signal.aborted) {
      let free = this.deps.concurrency - this.running.size;
      if (free <= 0) {
        await this.nap(this.deps.pollIntervalMs);
        continue;
      }
      // A few free slots while others run: wait a moment for more to free up, so one fetch fills many.
      const gathering = GATHER_MS - (Date.now() - lastFetch);
      if (free < this.minBatch && this.running.size > 0 && gathering > 0) {
        await this.nap(gathering);
        continue;
      }
      lastFetch = Date.now();
      let fetched = 0;
      for (const kind of this.deps.kinds) {
        if (this.abort.signal.aborted || free <= 0) break;
        if ((this.emptyUntil.get(kind.queue) ?? 0) > Date.now()) continue;
        const batchSize = kind.heavy ? Math.min(free, this.deps.heavySlots - this.heavyRunning) : free;
        if (batchSize <= 0) continue;
        const jobs = await this.boss.fetch<object>(kind.queue, { batchSize }).catch(() => [] as Array<PgBoss.Job<object>>);
        if (jobs.length === 0) this.emptyUntil.set(kind.queue, Date.now() + this.deps.pollIntervalMs);
        for (const job of jobs) this.runJob(kind, job);
        free -= jobs.length;
        fetched += jobs.length;
      }
      if (fetched === 0) await this.nap(this.deps.pollIntervalMs);
    }
  }

  /**
   * Runs one fetched job in a slot and records its outcome. pg-boss's complete / fail are awaited here
   * rather than left to its work(), which does not await complete() and crashes the process when the
   * database goes away at that moment. Completions are written in batches (completeLater); the slot stays
   * taken until its job's completion is written.
   */
  private runJob(kind: JobKind, job: PgBoss.Job<object>): void {
    if (kind.heavy) this.heavyRunning += 1;
    const running = (async () => {
      try {
        const output = await kind.run(job.data, this.context);
        await this.completeLater(kind.queue, job.id, output ?? {}).catch((error: unknown) => this.deps.logger.warn({ err: error, queue: kind.queue }, 'could not mark a job done'));
      } catch (error) {
        this.deps.logger.error({ err: error, queue: kind.queue }, 'job failed');
        await this.boss.fail(kind.queue, job.id, { error: safeErrorMessage(error) }).catch((failure: unknown) => this.deps.logger.warn({ err: failure, queue: kind.queue }, 'could not mark a job failed'));
      }
    })().finally(() => {
      if (kind.heavy) this.heavyRunning -= 1;
      this.running.delete(running);
      this.wake();
    });
    this.running.add(running);
  }

  /**
   * Marks a job completed in a batch with the other jobs of its queue that finished with the same output
   * within COMPLETE_BATCH_MS: one statement for many jobs (a completion per job was among the database's
   * most frequent statements at 20,000 shops). A process that dies before the batch is written leaves
   * those jobs active, as dying right after a job always could: pg-boss expires them (slot jobs are
   * idempotent, and the next claims poll queues any decision or send again).
   */
  private completeLater(queue: string, id: string, output: object): Promise<void> {
    const key = `${queue}\u0000${JSON.stringify(output)}`;
    let batch = this.completions.get(key);
    if (!batch) {
      batch = { queue, output, ids: [], waiters: [] };
      this.completions.set(key, batch);
    }
    batch.ids.push(id);
    const written = new Promise<void>((done, fail) => batch.waiters.push({ done, fail }));
    this.completionTimer ??= setTimeout(() => void this.flushCompletions(), COMPLETE_BATCH_MS);
    return written;
  }

  private async flushCompletions(): Promise<void> {
    this.completionTimer = undefined;
    const batches = [...this.completions.values()];
    this.completions.clear();
    await Promise.all(
      batches.map(async ({ queue, output, ids, waiters }) => {
        try {
          await this.boss.complete(queue, ids, output);
          for (const waiter of waiters) waiter.done();
        } catch (error) {
          for (const waiter of waiters) waiter.fail(error);
        }
      }),
    );
  }

  /** Waits `ms`, or less when this process queued work or the queue is stopping (wake). */
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

  /** Inserts jobs of one kind (a no-op for ids and waiting keys that exist), and wakes this process's idle workers. */
  async enqueue(queue: string, jobs: readonly QueuedJob[]): Promise<void> {
    if (jobs.length === 0) return;
    for (let i = 0; i < jobs.length; i += 1_000) {
      await this.boss.insert(jobs.slice(i, i + 1_000).map((job) => ({ name: queue, ...job })));
    }
    // A job queued for later (startAfter) does not clear the empty mark: it is not ready yet.
    if (jobs.some((job) => !job.startAfter || job.startAfter.getTime() <= Date.now())) this.emptyUntil.delete(queue);
    this.wake();
  }

  /**
   * The tick: offer every slot kind's due jobs, except for shops whose job of that kind from an earlier
   * slot is still waiting; jobs another process already queued for the slot are no-ops.
   */
  async enqueueDue(at: Date): Promise<{ offered: Record<string, number> }> {
    const shopIds = await this.activeShopIds(at);
    const offered: Record<string, number> = {};
    for (const kind of this.deps.kinds) {
      if (!kind.due) continue;
      const due = kind.due(at, shopIds, this.lastTick);
      offered[kind.queue] = 0;
      if (due.length === 0) continue;
      // pg-boss's partial index on waiting jobs (state < 'active') serves this.
      const { rows } = await this.boss.getDb().executeSql(`SELECT data->>'shopId' AS shop_id FROM pgboss.job WHERE name = $1 AND state < 'active'`, [kind.queue]);
      const waiting = new Set(rows.map((row: { shop_id: string | null }) => row.shop_id).filter(Boolean));
      const jobs = due.filter((job) => !waiting.has((job.data as { shopId?: string }).shopId ?? ''));
      await this.enqueue(kind.queue, jobs);
      offered[kind.queue] = jobs.length;
    }
    // Only a tick whose jobs were all queued moves the window on: a failed one is offered again next tick.
    this.lastTick = at;
    return { offered };
  }

  /** The active shops' ids, read again at most every ACTIVE_SHOPS_TTL_MS (every tick would read 20,000 ids every 5 s). */
  private async activeShopIds(at: Date): Promise<readonly string[]> {
    const ttl = Math.min(ACTIVE_SHOPS_TTL_MS, this.deps.shopIdsTtlMs ?? ACTIVE_SHOPS_TTL_MS);
    if (!this.shopIds || at.getTime() - this.shopIds.readAt >= ttl || at.getTime() < this.shopIds.readAt) {
      this.shopIds = { ids: await this.deps.activeShopIds(), readAt: at.getTime() };
    }
    return this.shopIds.ids;
  }

  /** Stops taking jobs, signals running ones to abort, waits up to `graceMs` for them, then closes the pool. */
  async stop(graceMs = 10_000): Promise<void> {
    this.abort.abort();
    this.wake();
    if (!this.started) return;
    let timer: NodeJS.Timeout | undefined;
    const settled = (async () => {
      await this.fetcher;
      await Promise.allSettled([...this.running]);
    })();
    await Promise.race([settled, new Promise((done) => (timer = setTimeout(done, graceMs)))]);
    clearTimeout(timer);
    await this.boss.stop({ graceful: false, wait: true });
  }
}
