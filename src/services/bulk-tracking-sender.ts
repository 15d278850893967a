import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import type { BulkRowResult, Qoo10Client, SendingInfoRow } from '../qoo10/qoo10-client';
import { errorForQoo10Code, isQoo10Error, Qoo10AuthError, Qoo10KeyExpiredError, type Qoo10Error } from '../qoo10/errors';
import { classifyRowResultCode } from '../qoo10/row-result-codes';
import type { ActionRecord, ActionRepository } from '../persistence/action-repository';
import type { TrackingRepository } from '../persistence/tracking-repository';
import type { ActionExecutor } from './action-executor';

/** Qoo10's limit on SetSendingInfoBulk rows per call (qoo10-api.md). */
export const BULK_CHUNK_LIMIT = 500;
/** Up to this many rows go out as single SetSendingInfo calls; more go in bulk. */
export const SINGLE_SEND_LIMIT = 3;
const BULK_METHOD = 'ShippingBasic.SetSendingInfoBulk';

export interface SendTally {
  succeeded: number;
  /** Qoo10 answered and refused the row for good, or kept refusing it after every retry. */
  failed: number;
  /** No usable answer (timeout, 5xx, malformed, no row result): left 'sending' for reconcile. */
  unknown: number;
  /** Provably not applied (key refused, call-level error, shutdown before the call): back to 'pending'. Bulk only. */
  returned: number;
  /** Row sends repeated after a transient per-row failure (a row retried twice counts 2). Bulk only. */
  retried: number;
}

/**
 * How rows that failed for a transient reason (row-result-codes.ts) are sent again within one run:
 * at most `maxAttempts` sends per row in all, waiting between rounds a capped, growing time with
 * jitter (half of min(maxDelayMs, baseDelayMs · 2^(round-1)) fixed, the other half random), so a
 * failing Qoo10 is not hammered. A row still failing after that is closed as failed (alerted), and a
 * person can resend it (the outbox key allows a new attempt after a failure).
 */
export interface RowRetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const DEFAULT_ROW_RETRY: RowRetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  sleep: (ms, signal) =>
    new Promise<void>((done) => {
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        done();
      }, { once: true });
    }),
  random: Math.random,
};

/** The wait before retry round `round` (1-based), ms. */
export function rowRetryDelayMs(round: number, policy: Pick<RowRetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (round - 1));
  return Math.round(ceiling / 2 + policy.random() * (ceiling / 2));
}
const isKeyError = (error: unknown): error is Qoo10AuthError | Qoo10KeyExpiredError =>
  error instanceof Qoo10AuthError || error instanceof Qoo10KeyExpiredError;

/**
 * Sends committed send_tracking outbox rows: a few one by one through ActionExecutor.send, more with
 * SetSendingInfoBulk in chunks of ≤ 500. Bulk rows are claimed first (only the winner sends them) and
 * closed through ActionExecutor.recordSuccess/recordFailure, so tracking rows and the cancel requests
 * waiting on a key settle the same way whichever path sent them. A row without a usable answer stays
 * 'sending' and ActionExecutor.reconcile settles it by re-reading the order: nothing is resent blindly.
 * Callers hold the shop's lock (ShopLock), as reconcile assumes no other process is mid-call.
 */
export class BulkTrackingSender {
  private readonly retry: RowRetryPolicy;

  constructor(
    private readonly actions: ActionRepository,
    private readonly tracking: TrackingRepository,
    private readonly executor: ActionExecutor,
    private readonly logger: Logger,
    private readonly chunkSize = BULK_CHUNK_LIMIT,
    retry: Partial<RowRetryPolicy> = {},
  ) {
    this.retry = { ...DEFAULT_ROW_RETRY, ...retry };
  }

  async sendPending(shop: Shop, client: Qoo10Client, actionIds: readonly string[], now: Date, signal?: AbortSignal): Promise<SendTally> {
    const tally: SendTally = { succeeded: 0, failed: 0, unknown: 0, returned: 0, retried: 0 };
    if (actionIds.length <= SINGLE_SEND_LIMIT) {
      for (const id of actionIds) {
        if (signal?.aborted) break;
        const result = await this.executor.send(shop, client, id, now, signal);
        if (result === 'succeeded') tally.succeeded += 1;
        if (result === 'failed') tally.failed += 1;
        if (result === 'unknown') tally.unknown += 1;
      }
      return tally;
    }
    let claimed = await this.actions.claimManyForSending(actionIds);
    const rows = claimed.length;
    for (let round = 1; claimed.length > 0; round += 1) {
      const again: ActionRecord[] = [];
      await this.sendChunks(shop, client, chunksWithoutRepeatedOrders(claimed, Math.min(this.chunkSize, BULK_CHUNK_LIMIT)), now, tally, again, signal);
      if (again.length === 0) break;
      const delayMs = rowRetryDelayMs(round, this.retry);
      this.logger.warn({ shopId: shop.id, rows: again.length, round, delayMs }, 'tracking rows failed for a transient reason; sending them again');
      await this.retry.sleep(delayMs, signal);
      // After a shutdown the rows stay pending: the next poll cycle sends them.
      if (signal?.aborted) {
        tally.returned += again.length;
        break;
      }
      claimed = await this.actions.claimManyForSending(again.map((a) => a.id));
      tally.retried += claimed.length;
    }
    this.logger.info({ shopId: shop.id, rows, ...tally }, 'tracking numbers sent to Qoo10 in bulk');
    return tally;
  }

  private async sendChunks(
    shop: Shop, client: Qoo10Client, chunks: ActionRecord[][], now: Date, tally: SendTally, again: ActionRecord[], signal?: AbortSignal,
  ): Promise<void> {
    for (const [i, chunk] of chunks.entries()) {
      const rest = () => chunks.slice(i).flat();
      if (signal?.aborted) {
        tally.returned += await this.returnAll(rest(), { code: 'aborted', message: 'shutdown before the bulk call; sent again later' });
        return;
      }
      let results: BulkRowResult[];
      try {
        results = await client.setSendingInfoBulk(chunk.map(sendingRowOf), signal);
      } catch (error) {
        if (isKeyError(error)) {
          tally.returned += await this.keyRefused(shop, rest(), error);
          return;
        }
        // Shutdown mid-call or an unexpected failure: this chunk may or may not have been applied.
        this.outcomeUnknown(shop, error, chunk.length);
        tally.unknown += chunk.length;
        continue;
      }
      await this.recordResults(shop, chunk, results, now, tally, again);
    }
  }

  private async recordResults(shop: Shop, chunk: ActionRecord[], results: BulkRowResult[], now: Date, tally: SendTally, again: ActionRecord[]): Promise<void> {
    await this.recordApplied(shop, chunk.filter((_, j) => results[j]?.ok), now);
    for (const [j, action] of chunk.entries()) {
      const result = results[j];
      if (result?.ok) {
        tally.succeeded += 1;
        continue;
      }
      if (!result || result.code === null) {
        // The chunk's answer was lost, or had no row for this order: an unknown outcome, never a row
        // failure. It stays 'sending' and is settled by re-reading the order: nothing is resent blind.
        tally.unknown += 1;
        continue;
      }
      const kind = classifyRowResultCode(result.code);
      if (kind === 'call_level') {
        await this.actions.returnToPending(action.id, { code: `qoo10_${result.code}`, message: result.message });
        tally.returned += 1;
      } else if (kind === 'transient' && action.attempts < this.retry.maxAttempts) {
        // Qoo10 answered this row with a refusal for now: not applied, so it may be sent again.
        await this.actions.returnToPending(action.id, { code: `qoo10_${result.code}`, message: result.message });
        again.push(action);
      } else {
        const error = errorForQoo10Code(result.code, result.message, BULK_METHOD, true);
        const message = kind === 'transient' ? `${error.message} (still failing after ${action.attempts} attempts)` : error.message;
        await this.executor.recordFailure(shop, action, { code: error.code, message }, now, { ...result, attempts: action.attempts, via: BULK_METHOD });
        tally.failed += 1;
      }
    }
  }

  /** The chunk's applied rows in one transaction; a row a cancel request waits on goes through the executor. */
  private async recordApplied(shop: Shop, applied: ActionRecord[], now: Date): Promise<void> {
    const response = { resultCode: 0, resultMsg: 'SUCCESS', via: BULK_METHOD };
    const awaited = await this.tracking.keysAwaitedByRequests(shop.id, applied.map((a) => a.idempotencyKey));
    await this.tracking.recordSubmittedChunk(
      shop.id,
      applied.filter((a) => !awaited.has(a.idempotencyKey)).map((a) => ({ actionId: a.id, ...sendingRowOf(a) })),
      response,
      now,
    );
    for (const action of applied.filter((a) => awaited.has(a.idempotencyKey))) await this.executor.recordSuccess(shop, action, response, now);
  }

  // Qoo10 refused the key before looking at any row: nothing was applied. The rows wait in the outbox
  // for a working key; the poll cycle reports the key problem.
  private async keyRefused(shop: Shop, actions: readonly ActionRecord[], error: Qoo10Error): Promise<number> {
    this.logger.error({ shopId: shop.id, err: error.toJSON(), rows: actions.length }, 'Qoo10 refused the key; tracking rows put back in line');
    return this.returnAll(actions, { code: error.code, message: error.message });
  }

  private outcomeUnknown(shop: Shop, error: unknown, rows: number): void {
    this.logger.warn({ shopId: shop.id, rows, err: isQoo10Error(error) ? error.toJSON() : String(error) }, 'tracking outcome unknown; reconciled on the next poll');
  }

  private async returnAll(actions: readonly ActionRecord[], error: { code: string; message: string }): Promise<number> {
    for (const action of actions) await this.actions.returnToPending(action.id, error);
    return actions.length;
  }
}

function sendingRowOf(action: ActionRecord): SendingInfoRow {
  const request = action.request as { orderNo: string; carrier: string; trackingNo: string };
  return { orderNo: request.orderNo, carrier: request.carrier, trackingNo: request.trackingNo };
}

/**
 * Chunks of at most `size` rows in which no order appears twice: Qoo10 answers a bulk call per OrderNo,
 * so two numbers for one order in one call could not be told apart. A repeated order goes to a later
 * call, so the later number is also the one Qoo10 keeps.
 */
export function chunksWithoutRepeatedOrders<T extends { orderNo: string }>(items: readonly T[], size: number): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const round = seen.get(item.orderNo) ?? 0;
    seen.set(item.orderNo, round + 1);
    (rounds[round] ??= []).push(item);
  }
  const chunks: T[][] = [];
  for (const round of rounds) {
    for (let start = 0; start < round.length; start += size) chunks.push(round.slice(start, start + size));
  }
  return chunks;
}
