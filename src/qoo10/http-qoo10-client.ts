// The one boundary class over HTTP to Qoo10 QAPI (qoo10-api.md). Every call: POST
// {baseUrl}/{Class}.{Method}, form-encoded UTF-8 with returnType=application/json, headers
// GiosisCertificationKey + QAPIVersion 1.0, a timeout, per-key pacing, and retries of retryable errors
// (network, timeout, 5xx, malformed) with capped exponential backoff and full jitter.
//
// Writes are sent once. Qoo10 has no idempotency keys, so a write whose answer was lost (timeout, 5xx,
// dropped connection, an answer we cannot read, a shutdown mid-call) may have been applied: it becomes
// Qoo10UnknownOutcomeError and the caller settles it by reading the order. Only reads are retried.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance } from 'axios';
import type { Claim, Order, OrderSnapshot } from '../domain/types';
import type { Logger } from '../logger';
import { backoffDelayMs } from './backoff';
import { CallPacer, realSleep, type Sleep } from './call-pacer';
import { cancelReasonFor, cancelReasonTable, type CancelReasonTable } from './decision-mapping';
import type { Qoo10Success } from './envelope';
import {
  Qoo10AbortedError,
  Qoo10AuthError,
  Qoo10Error,
  Qoo10InvalidRequestError,
  Qoo10KeyExpiredError,
  Qoo10MalformedResponseError,
  Qoo10NetworkError,
  Qoo10TimeoutError,
  Qoo10UnknownOutcomeError,
} from './errors';
import { keyFingerprint } from './key-fingerprint';
import { AnswerClock, readAnswer, StreamedRows } from './answer-body';
import { deliverRows } from './row-batches';
import {
  eachResultRow,
  mapBulkResults,
  mapCertificationKey,
  mapClaimRow,
  mapRowsIsolated,
  mapShippingRow,
  mapSnapshotRow,
  resultRows,
  type BulkRowResult,
} from './mappers';
import { formatRequestDate } from './qoo10-dates';
import type {
  CancelOrderInput,
  CertificationInput,
  ClaimQuery,
  ConfirmOrderInput,
  OrderQuery,
  Qoo10Client,
  SendingInfoRow,
} from './qoo10-client';
import type { RawClaimRow, RawOrderSnapshotRow, RawShippingRow } from './raw-types';
import { requireMemo, requireOrderNo, scrubSecrets, validSendingRow } from './request-validation';
import { splitSearchWindow, type SearchDateFormat } from './search-windows';

export interface HttpQoo10ClientOptions {
  /** e.g. https://api.qoo10.jp/GMKT.INC.Front.QAPIService/ebayjapan.qapi (or the simulator's URL). */
  baseUrl: string;
  /** The seller authorization key (SAK). Never logged, never in an error. */
  sellerAuthKey: string;
  logger: Logger;
  /** Per attempt, in ms. Default 15 000. */
  timeoutMs?: number;
  /** Minimum ms between the starts of two calls with the same key. Default 150. */
  minIntervalMs?: number;
  /** Retries after the first attempt for retryable errors. Default 3. */
  maxRetries?: number;
  /** Backoff base and cap in ms. Defaults 500 and 8 000. */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Longest search window per call, in days. Default 90 (Qoo10's limit for claims). */
  maxWindowDays?: number;
  /**
   * Request dates as whole JST days (yyyyMMdd, what public integrations send) or instants
   * (yyyyMMddHHmmss, which the contract also lists). INF which one every method accepts. Default 'date'.
   */
  searchDateFormat?: SearchDateFormat;
  /** Rows per SetSendingInfoBulk call, at most 500 (Qoo10's limit). */
  bulkChunkSize?: number;
  /** Overrides of the CancelReason table (decision-mapping.ts). */
  cancelReasons?: Partial<CancelReasonTable>;
  /** Used for pacing and backoff waits; tests inject one that does not wait. */
  sleep?: Sleep;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Share one pacer between clients of the same key; default: one per client. */
  pacer?: CallPacer;
}

const BULK_LIMIT = 500;
/** Answers at least this long are read row by row (answer-rows.ts); smaller ones are parsed whole. */
export const ROW_BY_ROW_BYTES = 256 * 1024;

interface CallOptions {
  isWrite: boolean;
  signal?: AbortSignal;
  /** The key for the header; default the SAK. */
  key?: string;
  /** Further secrets of this call that must not reach an error message. */
  secrets?: string[];
  /** A list whose rows are taken in batches: a large answer is read row by row while it arrives. */
  streamRows?: boolean;
}

/**
 * Connections, shared by every client in the process. Reads reuse connections (keep-alive): at 20,000
 * shops a new connection per call cost CPU on both ends, and TLS handshakes in production. An idle
 * connection is closed after 4 s, before the usual 5 s of a server's own keep-alive timeout; a read that
 * still meets a connection the server just closed fails as a network error and is retried like any other.
 * Writes always open a connection of their own: a write must never go out on a connection the server may
 * be closing at that moment, which would turn a write that was never received into an unclear outcome.
 */
const READ_AGENTS = { httpAgent: new HttpAgent({ keepAlive: true, timeout: 4_000 }), httpsAgent: new HttpsAgent({ keepAlive: true, timeout: 4_000 }) };
const WRITE_AGENTS = { httpAgent: new HttpAgent({ keepAlive: false }), httpsAgent: new HttpsAgent({ keepAlive: false }) };

/**
 * One axios instance per base URL, shared by every client in the process: a client is made per shop (up
 * to thousands per process), and each call passes all of its own settings (key header, agent, signal), so
 * nothing of a client lives in the instance. Making one per client cost CPU and memory for nothing.
 */
const HTTP_BY_BASE_URL = new Map<string, AxiosInstance>();

function httpFor(baseUrl: string): AxiosInstance {
  const base = baseUrl.replace(/\/+$/, '');
  let http = HTTP_BY_BASE_URL.get(base);
  if (!http) HTTP_BY_BASE_URL.set(base, (http = axios.create({ baseURL: base })));
  return http;
}

/** The CancelReason table when a client has no overrides (most clients): made and checked once. */
let defaultCancelReasons: CancelReasonTable | undefined;

export class HttpQoo10Client implements Qoo10Client {
  private readonly http: AxiosInstance;
  private readonly log: Logger;
  private readonly sellerAuthKey: string;
  private readonly timeoutMs: number;
  private readonly maxRetries: number;
  private readonly backoffBaseMs: number;
  private readonly backoffCapMs: number;
  private readonly maxWindowDays: number;
  private readonly searchDateFormat: SearchDateFormat;
  private readonly bulkChunkSize: number;
  private readonly cancelReasons: CancelReasonTable;
  private readonly sleep: Sleep;
  private readonly random: () => number;
  private readonly pacer: CallPacer;

  constructor(options: HttpQoo10ClientOptions) {
    if (!options.sellerAuthKey) throw new Qoo10InvalidRequestError('sellerAuthKey is required');
    this.http = httpFor(options.baseUrl);
    this.log = options.logger.child({ module: 'qoo10-client' });
    this.sellerAuthKey = options.sellerAuthKey;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxRetries = options.maxRetries ?? 3;
    this.backoffBaseMs = options.backoffBaseMs ?? 500;
    this.backoffCapMs = options.backoffCapMs ?? 8_000;
    this.maxWindowDays = options.maxWindowDays ?? 90;
    this.searchDateFormat = options.searchDateFormat ?? 'date';
    this.bulkChunkSize = Math.min(options.bulkChunkSize ?? BULK_LIMIT, BULK_LIMIT);
    this.cancelReasons = options.cancelReasons ? cancelReasonTable(options.cancelReasons) : (defaultCancelReasons ??= cancelReasonTable());
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.pacer = options.pacer ?? new CallPacer(options.minIntervalMs ?? 150, this.sleep);
  }

  async getClaims(query: ClaimQuery, signal?: AbortSignal): Promise<Claim[]> {
    const method = 'ShippingBasic.GetClaimInfo_V3';
    const merged = new Map<string, Claim>();
    for (const window of this.windows(query.from, query.to)) {
      const claims = await this.call(
        method,
        {
          ClaimStat: String(query.claimStatus),
          search_Sdate: window.from,
          search_Edate: window.to,
          search_condition: String(query.condition),
        },
        { isWrite: false, signal },
        ({ resultObject }) =>
          mapRowsIsolated(eachResultRow(resultObject, method), method, (row, i) => mapClaimRow(row as RawClaimRow, method, i), query.onRowFault),
      );
      for (const claim of claims) {
        // One order can carry several claims over time; a request is identified by order + request time.
        merged.set(`${claim.orderNo}|${claim.claimStatus}|${claim.requestedAt.getTime()}`, claim);
      }
    }
    return [...merged.values()];
  }

  async getOrders(query: OrderQuery, signal?: AbortSignal): Promise<Order[]> {
    const method = 'ShippingBasic.GetShippingInfo_v3';
    const merged = new Map<string, Order>();
    for (const window of this.windows(query.from, query.to)) {
      const orders = await this.call(
        method,
        orderParams(query, window),
        { isWrite: false, signal },
        ({ resultObject }) =>
          mapRowsIsolated(eachResultRow(resultObject, method), method, (row, i) => mapShippingRow(row as RawShippingRow, method, i), query.onRowFault),
      );
      for (const order of orders) merged.set(order.orderNo, order);
    }
    return [...merged.values()];
  }

  async readOrders(query: OrderQuery, take: (orders: Order[]) => Promise<void>, signal?: AbortSignal): Promise<number> {
    const method = 'ShippingBasic.GetShippingInfo_v3';
    let listed = 0;
    for (const window of this.windows(query.from, query.to)) {
      listed += await this.call(method, orderParams(query, window), { isWrite: false, signal, streamRows: true }, ({ resultObject }) =>
        deliverRows(resultObject, method, (row, i) => mapShippingRow(row as RawShippingRow, method, i), query.onRowFault, take),
      );
    }
    return listed;
  }

  async getOrderSnapshot(orderNo: string, signal?: AbortSignal): Promise<OrderSnapshot | null> {
    const method = 'ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2';
    const wanted = requireOrderNo(orderNo);
    return this.call(method, { OrderNo: wanted }, { isWrite: false, signal }, ({ resultObject }) => {
      const rows = resultRows(resultObject, method).map((row) => mapSnapshotRow(row as RawOrderSnapshotRow, method));
      if (rows.length === 0) return null;
      const match = rows.find((s) => s.orderNo === wanted);
      // Acting on another order's state would be worse than failing.
      if (!match) throw new Qoo10MalformedResponseError(`${method} answered for another order`, { method });
      return match;
    });
  }

  async setSendingInfo(row: SendingInfoRow, signal?: AbortSignal): Promise<void> {
    const method = 'ShippingBasic.SetSendingInfo';
    const valid = validSendingRow(row);
    await this.call(
      method,
      { OrderNo: valid.OrderNo, ShippingCorp: valid.ShippingCorp, TrackingNo: valid.TrackingNo },
      { isWrite: true, signal },
      ignoreResult(),
    );
  }

  async setSendingInfoBulk(rows: readonly SendingInfoRow[], signal?: AbortSignal): Promise<BulkRowResult[]> {
    const method = 'ShippingBasic.SetSendingInfoBulk';
    const valid = rows.map(validSendingRow);
    const results: BulkRowResult[] = [];
    for (let start = 0; start < valid.length; start += this.bulkChunkSize) {
      const chunk = valid.slice(start, start + this.bulkChunkSize);
      const orderNos = chunk.map((r) => r.OrderNo);
      try {
        const chunkResults = await this.call(
          method,
          { ShippingInfoJson: JSON.stringify(chunk) },
          { isWrite: true, signal },
          ({ resultObject }) => mapBulkResults(resultObject, orderNos, method),
        );
        results.push(...chunkResults);
      } catch (error) {
        // Key problems and shutdown stop everything; any other failure of this chunk becomes per-row
        // failures so the rows of chunks that did succeed are still reported.
        if (error instanceof Qoo10AuthError || error instanceof Qoo10KeyExpiredError) throw error;
        if (error instanceof Qoo10AbortedError || !(error instanceof Qoo10Error)) throw error;
        results.push(...orderNos.map((orderNo) => ({ orderNo, ok: false, code: error.qoo10Code, message: error.message })));
      }
    }
    return results;
  }

  async cancelOrder(input: CancelOrderInput, signal?: AbortSignal): Promise<void> {
    const method = 'Claim.SetCancelProcess';
    const orderNo = requireOrderNo(input.orderNo);
    requireMemo(input.memo, 'SellerMemo');
    await this.call(
      method,
      {
        ContrNo: orderNo,
        CancelReason: cancelReasonFor(input.cause, this.cancelReasons),
        SellerMemo: input.memo,
        returnFeeStat: '',
      },
      { isWrite: true, signal },
      ignoreResult(),
    );
  }

  async confirmOrder(input: ConfirmOrderInput, signal?: AbortSignal): Promise<void> {
    const method = 'ShippingBasic.SetSellerCheckYN_V2';
    const orderNo = requireOrderNo(input.orderNo);
    requireMemo(input.memo, 'DelayMemo');
    await this.call(
      method,
      {
        OrderNo: orderNo,
        EstShipDt: formatRequestDate(input.estimatedShipDate, false),
        DelayType: String(input.delayType),
        DelayMemo: input.memo,
      },
      { isWrite: true, signal },
      ignoreResult(),
    );
  }

  async createCertificationKey(input: CertificationInput, signal?: AbortSignal): Promise<string> {
    const method = 'CertificationAPI.CreateCertificationKey';
    if (!input.apiKey || !input.userId || !input.password) {
      throw new Qoo10InvalidRequestError('apiKey, userId and password are all required');
    }
    return this.call(
      method,
      { user_id: input.userId, pwd: input.password },
      { isWrite: false, signal, key: input.apiKey, secrets: [input.apiKey, input.password] },
      ({ resultObject }) => mapCertificationKey(resultObject, method),
    );
  }

  /** Search windows of at most maxWindowDays, as request date texts. */
  private windows(from: Date, to: Date): Array<{ from: string; to: string }> {
    const withTime = this.searchDateFormat === 'datetime';
    return splitSearchWindow(from, to, this.maxWindowDays, this.searchDateFormat).map((w) => ({
      from: formatRequestDate(w.from, withTime),
      to: formatRequestDate(w.to, withTime),
    }));
  }

  /**
   * One logical call: pacing, attempts and backoff. `read` maps the answer inside the retry loop, so an
   * answer whose rows cannot be read is retried like any other malformed answer.
   */
  private async call<T>(
    method: string,
    params: Record<string, string>,
    options: CallOptions,
    read: (success: Qoo10Success) => T | Promise<T>,
  ): Promise<T> {
    const key = options.key ?? this.sellerAuthKey;
    const fingerprint = keyFingerprint(key);
    for (let attempt = 0; ; attempt += 1) {
      const startedMs = Date.now();
      // Whether this attempt's request may have left: a write stopped before that was certainly not applied.
      let sent = false;
      try {
        await this.waitOrAbort(() => this.pacer.wait(fingerprint, options.signal), options.signal, method);
        if (options.signal?.aborted) throw new Qoo10AbortedError(`${method} was aborted`, { method });
        sent = true;
        const success = await this.attempt(method, params, key, options);
        let result: T;
        try {
          result = await read(success);
        } finally {
          if (success.resultObject instanceof StreamedRows) success.resultObject.close();
        }
        this.log.debug({ method, attempt, ms: Date.now() - startedMs }, 'qoo10 call ok');
        return result;
      } catch (error) {
        if (!(error instanceof Qoo10Error)) throw error;
        if (options.isWrite && (error.retryable || error instanceof Qoo10AbortedError) && sent) {
          const unknown = new Qoo10UnknownOutcomeError(
            `${method}: outcome unknown (${error.code}); it may have been applied, settle it by reading the order`,
            { method, httpStatus: error.httpStatus ?? undefined },
            error.code,
          );
          this.logFailure(unknown, attempt);
          throw unknown;
        }
        if (!error.retryable || attempt >= this.maxRetries) {
          this.logFailure(error, attempt);
          throw error;
        }
        const waitMs = backoffDelayMs(attempt, this.backoffBaseMs, this.backoffCapMs, this.random);
        this.log.warn({ method, attempt, code: error.code, waitMs }, 'qoo10 call failed, retrying');
        await this.waitOrAbort(() => this.sleep(waitMs, options.signal), options.signal, method);
      }
    }
  }

  /** One HTTP exchange, turned into a success or a typed error. */
  private async attempt(
    method: string,
    params: Record<string, string>,
    key: string,
    options: CallOptions,
  ): Promise<Qoo10Success> {
    if (options.signal?.aborted) throw new Qoo10AbortedError(`${method} was aborted`, { method });
    const clock = new AnswerClock(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, clock.signal]) : clock.signal;
    const body = new URLSearchParams({ returnType: 'application/json', ...params }).toString();
    // The axios error holds the request config (and so the key): only its code is kept.
    const fail = (error: unknown): Qoo10Error => {
      if (options.signal?.aborted) return new Qoo10AbortedError(`${method} was aborted`, { method });
      if (clock.expired) return new Qoo10TimeoutError(`${method} got no answer within ${this.timeoutMs} ms`, { method });
      const code = (error as { code?: unknown } | null)?.code;
      return new Qoo10NetworkError(`${method} could not reach Qoo10 (${typeof code === 'string' ? code : 'unknown'})`, { method });
    };
    let response;
    try {
      response = await this.http.post<Readable>(`/${method}`, body, {
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
          GiosisCertificationKey: key,
          QAPIVersion: '1.0',
        },
        signal,
        ...(options.isWrite ? WRITE_AGENTS : READ_AGENTS),
        // Bytes, read in answer-body.ts: a large list answer is read row by row, never as one string, and
        // one whose rows are taken in batches is never held whole.
        responseType: 'stream',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
      });
    } catch (error) {
      clock.stop();
      throw fail(error);
    }
    const secrets = [this.sellerAuthKey, key, ...(options.secrets ?? [])];
    return readAnswer(response.data, response.status, {
      context: { method, isWrite: options.isWrite, scrub: (message: string) => scrubSecrets(message, secrets) },
      streamRows: options.streamRows === true,
      rowByRowBytes: ROW_BY_ROW_BYTES,
      fail,
      clock,
    });
  }

  /** Runs a wait; an abort during it becomes Qoo10AbortedError. */
  private async waitOrAbort(wait: () => Promise<void>, signal: AbortSignal | undefined, method: string): Promise<void> {
    try {
      await wait();
    } catch (error) {
      if (signal?.aborted) throw new Qoo10AbortedError(`${method} was aborted`, { method });
      throw error;
    }
  }

  private logFailure(error: Qoo10Error, attempt: number): void {
    const fields = { method: error.method, attempt, code: error.code, qoo10Code: error.qoo10Code };
    // A dead key stops every job of the shop: someone must renew it.
    if (error instanceof Qoo10KeyExpiredError || error instanceof Qoo10AuthError) {
      this.log.error(fields, error.message);
    } else {
      this.log.debug(fields, error.message);
    }
  }
}

/** GetShippingInfo_v3's parameters for one search window. */
function orderParams(query: OrderQuery, window: { from: string; to: string }): Record<string, string> {
  return {
    // Blank = Qoo10's default set (statuses 1–3).
    ShippingStatus: query.shippingStatus === undefined ? '' : String(query.shippingStatus),
    SearchStartDate: window.from,
    SearchEndDate: window.to,
    SearchCondition: String(query.condition),
  };
}

/**
 * Writes return nothing we use: ResultCode 0 is the answer, whatever the ResultObject (absent, null, an
 * object, or a plain value such as 0 or "OK").
 */
function ignoreResult() {
  return (_success: Qoo10Success): void => undefined;
}
