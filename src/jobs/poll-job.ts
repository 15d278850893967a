import type { Logger } from '../logger';
import type { PipelineService } from '../services/pipeline-service';

/** The scheduled poll: one pipeline cycle for every active shop, then the follow-up work. */
export function pollJob(pipeline: PipelineService, afterCycle: Array<(signal: AbortSignal) => Promise<unknown>>, logger: Logger) {
  return async (signal: AbortSignal): Promise<void> => {
    const reports = await pipeline.runCycle(signal);
    const failed = reports.filter((report) => report.status === 'failed');
    logger.info({ shops: reports.length, failed: failed.length }, 'poll cycle finished');
    for (const step of afterCycle) {
      if (signal.aborted) return;
      await step(signal);
    }
  };
}
