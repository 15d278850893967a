import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../logger';

export type JobFn = (signal: AbortSignal) => Promise<void>;

/**
 * The one scheduler. Each job runs on its cron expression with an overlap guard (a run still going
 * when the next tick comes is not started twice in this process) and an AbortSignal that stop()
 * raises, so shutdown can finish or abort in-flight work.
 */
export class Scheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();

  constructor(private readonly logger: Logger) {}

  schedule(name: string, expression: string, job: JobFn): void {
    let busy = false;
    const task = cron.schedule(
      expression,
      async () => {
        if (busy || this.abort.signal.aborted) {
          this.logger.warn({ job: name }, 'previous run still going; tick skipped');
          return;
        }
        busy = true;
        const run = this.runOnce(name, job).finally(() => {
          busy = false;
          this.running.delete(run);
        });
        this.running.add(run);
        await run;
      },
      { name },
    );
    this.tasks.push(task);
  }

  /** Runs a job now (used at start-up and by `poll --once`), with the scheduler's abort signal. */
  async runOnce(name: string, job: JobFn): Promise<void> {
    const started = Date.now();
    try {
      await job(this.abort.signal);
      this.logger.debug({ job: name, ms: Date.now() - started }, 'job run finished');
    } catch (error) {
      this.logger.error({ job: name, err: error }, 'job run failed');
    }
  }

  /** Stops the ticks, signals in-flight runs to abort, and waits up to `graceMs` for them. */
  async stop(graceMs = 10_000): Promise<void> {
    for (const task of this.tasks) await task.destroy();
    this.abort.abort();
    const all = Promise.allSettled([...this.running]);
    await Promise.race([all, new Promise((done) => setTimeout(done, graceMs).unref())]);
  }
}
