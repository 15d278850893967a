// A small READ-ONLY path to Qoo10 for `cancel-guard verify-live`: the probes must see the raw answer (the envelope,
// the field names, claimStatus as sent), which HttpQoo10Client rightly hides behind domain types. It can call the
// three read methods only; any other method name is refused before anything is sent. Guided write checks go
// through HttpQoo10Client, never through here.
//
// One call, one attempt: a probe wants to see what Qoo10 answers (throttling included), not to heal it.
// Calls are paced like the client (QOO10_MIN_INTERVAL_MS). The key never leaves this file: it is sent in the
// header only, and every text handed back (messages, bodies) has it replaced by [redacted].
import axios, { type AxiosInstance } from 'axios';
import { CallPacer } from './call-pacer';
import { keyFingerprint } from './key-fingerprint';
import { scrubSecrets } from './request-validation';

export const PROBE_READ_METHODS = [
  'ShippingBasic.GetClaimInfo_V3',
  'ShippingBasic.GetShippingInfo_v3',
  'ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2',
] as const;
export type ProbeReadMethod = (typeof PROBE_READ_METHODS)[number];

export interface ProbeAnswer {
  method: ProbeReadMethod;
  /** Null when no HTTP answer came (timeout, network). */
  httpStatus: number | null;
  ms: number;
  /** The parsed JSON body when it was JSON (secrets removed from its texts). */
  json: unknown;
  /** ResultCode, or ErrorCode, when the body was an envelope. */
  code: number | null;
  /** ResultMsg / ErrorMsg, scrubbed; for non-JSON bodies the first 200 characters, scrubbed. */
  message: string;
  /** What went wrong below the envelope ('timeout', 'network', 'not_json'); null otherwise. */
  transportError: string | null;
}

export interface ProbeReaderOptions {
  baseUrl: string;
  sellerAuthKey: string;
  timeoutMs: number;
  minIntervalMs: number;
}

export class Qoo10ProbeReader {
  private readonly http: AxiosInstance;
  private readonly pacer: CallPacer;
  private readonly fingerprint: string;
  private readonly key: string;
  private readonly timeoutMs: number;

  constructor(options: ProbeReaderOptions) {
    this.http = axios.create({ baseURL: options.baseUrl.replace(/\/+$/, '') });
    this.pacer = new CallPacer(options.minIntervalMs);
    this.key = options.sellerAuthKey;
    this.fingerprint = keyFingerprint(options.sellerAuthKey);
    this.timeoutMs = options.timeoutMs;
  }

  /** One read call; never throws for what Qoo10 answers. */
  async read(method: ProbeReadMethod, params: Record<string, string>): Promise<ProbeAnswer> {
    if (!(PROBE_READ_METHODS as readonly string[]).includes(method)) {
      throw new Error(`the probe reader sends reads only; ${String(method)} is not one`);
    }
    await this.pacer.wait(this.fingerprint);
    const started = Date.now();
    const answer: ProbeAnswer = { method, httpStatus: null, ms: 0, json: undefined, code: null, message: '', transportError: null };
    let text: string;
    try {
      const response = await this.http.post<string>(`/${method}`, new URLSearchParams({ returnType: 'application/json', ...params }).toString(), {
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=UTF-8',
          GiosisCertificationKey: this.key,
          QAPIVersion: '1.0',
        },
        signal: AbortSignal.timeout(this.timeoutMs),
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
      });
      answer.httpStatus = response.status;
      text = typeof response.data === 'string' ? response.data : String(response.data ?? '');
    } catch (error) {
      // The axios error carries the request (and so the key): only its kind is kept.
      answer.ms = Date.now() - started;
      answer.transportError = axios.isAxiosError(error) && error.code === 'ERR_CANCELED' ? 'timeout' : 'network';
      return answer;
    }
    answer.ms = Date.now() - started;
    const clean = scrubSecrets(text, [this.key]);
    try {
      answer.json = JSON.parse(clean);
    } catch {
      answer.transportError = 'not_json';
      answer.message = clean.slice(0, 200);
      return answer;
    }
    const envelope = answer.json as Record<string, unknown> | null;
    if (envelope && typeof envelope === 'object' && !Array.isArray(envelope)) {
      const code = envelope.ResultCode ?? envelope.ErrorCode;
      const n = typeof code === 'number' ? code : typeof code === 'string' && /^-?\d+$/.test(code.trim()) ? Number(code) : null;
      answer.code = n;
      answer.message = String(envelope.ResultMsg ?? envelope.ErrorMsg ?? '');
    }
    return answer;
  }
}
