import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import type { BulkRowResult, Qoo10Client, SendingInfoRow } from '../qoo10/qoo10-client';
import { errorForQoo10Code, isQoo10Error, Qoo10AuthError, Qoo10KeyExpiredError, type Qoo10Error } from '../qoo10/errors';
import type { ActionRecord, ActionRepository } from '../persistence/action-repository';
import type { ActionExecutor } from './action-executor';

/** Qoo10's limit on SetSendingInfoBulk rows per call (qoo10-api.md). */
export const BULK_CHUNK_LIMIT = 500;
/** Up to this many rows go out as single SetSendingInfo calls; more go in bulk. */
export const SINGLE_SEND_LIMIT = 3;
const BULK_METHOD = 'ShippingBasic.SetSendingInfoBulk';

export interface SendTally {
  succeeded: number;
  /** Qoo10 answered and refused the row. */
  failed: number;
  /** No usable answer (timeout, 5xx, malformed, no row result): left 'sending' for reconcile. */
  unknown: number;
  /** Provably not applied (key refused, call-level error, shutdown before the call): back to 'pending'. Bulk only. */
  returned: number;
}

// Common codes (qoo10-api.md) concern the call, not the row: the row was not applied and may be sent again.
const isCallLevelCode = (code: number) => code === -10000 || code <= -90000;
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
  constructor(
    private readonly actions: ActionRepository,
    private readonly executor: ActionExecutor,
    private readonly logger: Logger,
    private readonly chunkSize = BULK_CHUNK_LIMIT,
  ) {}

  async sendPending(shop: Shop, client: Qoo10Client, actionIds: readonly string[], now: Date, signal?: AbortSignal): Promise<SendTally> {
    const tally: SendTally = { succeeded: 0, failed: 0, unknown: 0, returned: 0 };
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
    const claimed = await this.actions.claimManyForSending(actionIds);
    await this.sendChunks(shop, client, chunksWithoutRepeatedOrders(claimed, Math.min(this.chunkSize, BULK_CHUNK_LIMIT)), now, tally, signal);
    this.logger.info({ shopId: shop.id, rows: claimed.length, ...tally }, 'tracking numbers sent to Qoo10 in bulk');
    return tally;
  }

  private async sendChunks(shop: Shop, client: Qoo10Client, chunks: ActionRecord[][], now: Date, tally: SendTally, signal?: AbortSignal): Promise<void> {
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
      await this.recordResults(shop, chunk, results, now, tally);
    }
  }

  private async recordResults(shop: Shop, chunk: ActionRecord[], results: BulkRowResult[], now: Date, tally: SendTally): Promise<void> {
    for (const [j, action] of chunk.entries()) {
      const result = results[j];
      if (result?.ok) {
        await this.executor.recordSuccess(shop, action, { resultCode: 0, resultMsg: result.message, via: BULK_METHOD }, now);
        tally.succeeded += 1;
      } else if (!result || result.code === null) {
        // The chunk's answer was lost, or had no row for this order: re-read before anything is resent.
        tally.unknown += 1;
      } else if (isCallLevelCode(result.code)) {
        await this.actions.returnToPending(action.id, { code: `qoo10_${result.code}`, message: result.message });
        tally.returned += 1;
      } else {
        const error = errorForQoo10Code(result.code, result.message, BULK_METHOD, true);
        await this.executor.recordFailure(shop, action, { code: error.code, message: error.message }, now, { ...result, via: BULK_METHOD });
        tally.failed += 1;
      }
    }
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
