// The Qoo10 simulator: a real HTTP server at Qoo10's paths (POST {base}/{Class}.{Method}, form-encoded,
// HTTP 200 even for API errors, method names case-insensitive, plain text for unknown methods), per-shop
// state keyed by the GiosisCertificationKey header, fault injection and a record of every call.
// Tests and the demo change the world through the handle (state, clock, faults, order streams) or the
// JSON admin path /__sim/ (sim-admin.ts), which is not part of Qoo10's API.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../../logger';
import { keyFingerprint } from '../key-fingerprint';
import { FaultInjector, malformedBody, type SimulatorFaults, type TransportFault } from './faults';
import { OrderStream, type OrderStreamOptions } from './order-stream';
import type { Scenario } from './scenario';
import { answerApiCall, type ApiDeps } from './sim-api';
import { handleAdminRequest } from './sim-admin';
import { HostileData } from './hostile-data';
import { SimClock } from './sim-clock';
import { SimulatorState } from './sim-state';
import { loseAnswer } from './lose-answer';
import { beginWriteAttempts, parseWriteCall, settleWriteAttempts, type LostAnswerKind, type WriteAttempt } from './write-faults';

export const QAPI_BASE_PATH = '/GMKT.INC.Front.QAPIService/ebayjapan.qapi';

export interface RecordedCall {
  seq: number;
  /** Simulated time of the call. */
  at: Date;
  /** `Class.Method` as requested. */
  method: string;
  /** Fingerprint of the GiosisCertificationKey header ('none' when absent); never the key. */
  shop: string;
  shopName: string | null;
  /** Form fields as sent, except `pwd` and `user_id`, which are replaced. */
  params: Record<string, string>;
  httpStatus: number;
  /** ResultCode or ErrorCode of the answer; null for non-JSON answers and timeouts. */
  responseCode: number | null;
  /** A bulk write's per-row result_cd by OrderNo (a row failed by fault was not applied). */
  rowCodes?: Record<string, number>;
  fault: TransportFault['kind'] | null;
  /** A write applied (or lost on the way in) whose answer was then lost or garbled (write-faults.ts). */
  lostAnswer: LostAnswerKind | null;
}

export interface StartSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  scenario?: Scenario;
  faults?: SimulatorFaults;
  /** The base clock; the handle's clock adds an offset to it. */
  now?: () => Date;
  logger?: Logger;
}

export interface SimulatorHandle {
  /** The base URL to give the client: http://host:port/GMKT.INC.Front.QAPIService/ebayjapan.qapi */
  url: string;
  /** http://host:port, for the /__sim/ admin path. */
  origin: string;
  state: SimulatorState;
  calls: RecordedCall[];
  /** Every write attempt, one per order named (write-faults.ts): applied, refused or lost; ground truth for checks. */
  writes: WriteAttempt[];
  clock: SimClock;
  setFaults(faults: SimulatorFaults): void;
  /** Hostile data served by the read methods (hostile-data.ts); set([]) turns it off. */
  hostile: HostileData;
  /** Starts a stream of new orders for a shop, ticking on every call and every clock change. */
  startOrderStream(options: OrderStreamOptions): OrderStream;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const SECRET_PARAMS = new Set(['pwd', 'user_id']);

export async function startSimulator(options: StartSimulatorOptions = {}): Promise<SimulatorHandle> {
  const host = options.host ?? '127.0.0.1';
  const clock = new SimClock(options.now);
  const state = new SimulatorState(options.scenario ?? { shops: [] }, () => clock.now());
  const faults = new FaultInjector(options.faults);
  const deps: ApiDeps = { state, faults, readUnshipped: new Set() };
  const calls: RecordedCall[] = [];
  const writes: WriteAttempt[] = [];
  const streams: OrderStream[] = [];
  const held = new Set<NodeJS.Timeout>();
  const log = options.logger?.child({ module: 'qoo10-simulator' });
  const tick = () => streams.forEach((s) => s.tick(clock.now()));
  clock.onChange(tick);

  const handle: SimulatorHandle = {
    url: '',
    origin: '',
    state,
    calls,
    writes,
    clock,
    setFaults: (f) => faults.set(f),
    hostile: new HostileData(),
    startOrderStream: (o) => {
      const stream = new OrderStream(state, o, clock.now());
      streams.push(stream);
      return stream;
    },
    close: async () => {
      held.forEach((t) => clearTimeout(t));
      streams.forEach((s) => s.stop());
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function serveApi(req: IncomingMessage, res: ServerResponse, methodName: string, params: URLSearchParams): Promise<void> {
    tick();
    const key = headerValue(req, 'giosiscertificationkey');
    const record: RecordedCall = {
      seq: calls.length + 1,
      at: clock.now(),
      method: methodName,
      shop: keyFingerprint(key),
      shopName: state.shopByKey(key)?.name ?? null,
      params: recordedParams(params),
      httpStatus: 200,
      responseCode: null,
      fault: null,
      lostAnswer: null,
    };
    calls.push(record);
    const lowerParams: Record<string, string> = {};
    params.forEach((value, name) => {
      lowerParams[name.toLowerCase()] = value;
    });
    const write = parseWriteCall(methodName, lowerParams);
    const attempts = write ? beginWriteAttempts(write, record.seq, record.at, record.shopName, state, writes) : [];
    const latency = faults.current.latencyMs ?? 0;
    if (latency > 0) await delay(latency);
    const fault = faults.nextTransportFault();
    record.fault = fault?.kind ?? null;
    if (fault) attempts.forEach((a) => (a.answer = fault.kind));
    if (fault?.kind === 'timeout') {
      // Never answer; drop the connection later (or when the client gives up first).
      const timer = setTimeout(() => {
        held.delete(timer);
        res.destroy();
      }, faults.current.timeoutHoldMs ?? 30_000);
      held.add(timer);
      req.on('close', () => {
        clearTimeout(timer);
        held.delete(timer);
      });
      return;
    }
    if (fault?.kind === 'http500') {
      record.httpStatus = 500;
      return sendText(res, 500, 'Internal Server Error');
    }
    if (fault?.kind === 'malformed') {
      // A scalar ResultObject is malformed only where a list is due. On a write, `{"ResultCode":0,
      // "ResultObject":0}` is Qoo10 saying "done" (a client must read it as success, like scalar_success),
      // so a write left unapplied gets an answer without a ResultCode instead.
      const variant = write && fault.variant === 'result_object_scalar' ? 'no_result_code' : fault.variant;
      const { contentType, body } = malformedBody(variant);
      return send(res, 200, contentType, body);
    }
    if (fault?.kind === 'error_code_shape') {
      record.responseCode = fault.code;
      return sendJson(res, { ErrorCode: fault.code, ErrorMsg: 'Simulated gateway error' });
    }
    const lost = write ? faults.nextLostAnswer(write) : null;
    if (lost && lost.fault.apply === false) {
      faults.lostAnswerUsed(lost.index);
      return loseAnswer(req, res, record, attempts, lost.fault);
    }
    const answer = answerApiCall({ method: methodName.toLowerCase(), key, params: lowerParams }, deps);
    if (!answer) return sendText(res, 200, `The API method ${methodName} cannot be found.`);
    const code = answer.envelope.ResultCode ?? answer.envelope.ErrorCode;
    record.responseCode = typeof code === 'number' ? code : null;
    if (Array.isArray(answer.envelope.ResultObject)) {
      const rows = answer.envelope.ResultObject as Array<{ OrderNo?: unknown; result_cd?: unknown }>;
      record.rowCodes = Object.fromEntries(rows.filter((r) => typeof r?.result_cd === 'number').map((r) => [String(r.OrderNo), r.result_cd as number]));
    }
    record.shopName = answer.shop?.name ?? record.shopName;
    log?.debug({ method: methodName, shop: record.shop, code: record.responseCode }, 'simulated call');
    const applied = settleWriteAttempts(attempts, answer.envelope);
    if (lost && applied) {
      faults.lostAnswerUsed(lost.index);
      return loseAnswer(req, res, record, attempts, lost.fault);
    }
    sendJson(res, handle.hostile.apply(methodName.toLowerCase(), answer.envelope));
  }

  const server = createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const url = new URL(req.url ?? '/', 'http://simulator');
        const path = decodeURIComponent(url.pathname);
        const apiPrefix = `${QAPI_BASE_PATH}/`.toLowerCase();
        if (path.toLowerCase().startsWith(apiPrefix)) {
          const params = new URLSearchParams(url.search);
          new URLSearchParams(body).forEach((value, name) => params.set(name, value));
          return serveApi(req, res, path.slice(apiPrefix.length), params);
        }
        if (path.startsWith('/__sim/')) {
          const answer = handleAdminRequest(req.method ?? 'GET', path.slice('/__sim/'.length), body, handle);
          return send(res, answer.status, 'application/json; charset=utf-8', JSON.stringify(answer.body));
        }
        sendText(res, 200, 'The resource cannot be found.');
      })
      .catch((error: unknown) => {
        log?.error({ err: error }, 'simulator request failed');
        if (!res.headersSent) sendText(res, 500, 'Simulator error');
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  handle.origin = `http://${host}:${port}`;
  handle.url = `${handle.origin}${QAPI_BASE_PATH}`;
  return handle;
}

function headerValue(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value ?? '').trim();
}

function recordedParams(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  params.forEach((value, name) => {
    out[name] = SECRET_PARAMS.has(name.toLowerCase()) ? '[redacted]' : value;
  });
  return out;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, body: unknown): void {
  send(res, 200, 'application/json; charset=utf-8', JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): void {
  send(res, status, 'text/plain; charset=utf-8', text);
}
