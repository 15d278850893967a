// The facts about Qoo10 that are not confirmed (README, "What is not confirmed about Qoo10") and how a
// `verify-live` observation settles each: confirmed, contradicted, or unknown (not enough seen), always with the
// evidence. Pure: the service makes the calls and hands the observations in.

export const QOO10_FACTS = [
  'ship_confirm_ends_request',
  'accept_keeps_buyer_reason',
  'search_dates_to_second',
  'claim_status_readable',
  'completion_time_on_reads',
  'fresh_read_fields',
  'search_window_90_days',
  'no_throttling_at_our_pace',
] as const;
export type Qoo10Fact = (typeof QOO10_FACTS)[number];

export const FACT_VERDICTS = ['confirmed', 'contradicted', 'unknown'] as const;
export type FactVerdict = (typeof FACT_VERDICTS)[number];

export interface FactFinding {
  fact: Qoo10Fact;
  verdict: FactVerdict;
  /** What was seen, in our words; never a key or buyer data. */
  evidence: string;
  /** What was measured, for the JSON report (small, no personal data). */
  observed?: Record<string, unknown>;
}

/** Each fact as a statement the check confirms or contradicts (Japanese first, as shown to the seller). */
export const FACT_STATEMENTS: Readonly<Record<Qoo10Fact, string>> = Object.freeze({
  ship_confirm_ends_request: '発送処理（SetSendingInfo）だけで、保留中のキャンセル要請が終わる',
  accept_keeps_buyer_reason: 'CancelReason=1 で承認しても、購入者のキャンセル理由はそのまま残る',
  search_dates_to_second: '検索日時 yyyyMMddHHmmss が秒単位で扱われる',
  claim_status_readable: 'claimStatus はコード、または末尾に (N) の付いた表示名で届く',
  completion_time_on_reads: 'キャンセル完了の行に完了日時（cancelRefundDate）が入っている',
  fresh_read_fields: '注文の再読み込み（GetShippingAndClaimInfoByOrderNo_V2）に、判断に使う項目がすべてある',
  search_window_90_days: '一覧の検索期間は 90 日まで（それより長いと拒否される）',
  no_throttling_at_our_pace: '設定した呼び出し間隔では、Qoo10 から流量制限を受けない',
});

export const finding = (fact: Qoo10Fact, verdict: FactVerdict, evidence: string, observed?: Record<string, unknown>): FactFinding =>
  observed === undefined ? { fact, verdict, evidence } : { fact, verdict, evidence, observed };

/** claimStatus as sent: "1", 1, "Cancel requested(1)" are readable; anything else is not. */
export function claimStatusShapeOf(value: unknown): 'code' | 'label' | 'unreadable' {
  if (typeof value === 'number' && Number.isInteger(value)) return 'code';
  if (typeof value !== 'string') return 'unreadable';
  if (/^\s*\d+\s*$/.test(value)) return 'code';
  return /\(\s*\d+\s*\)\s*$/.test(value) ? 'label' : 'unreadable';
}

export interface SeenClaimStatus {
  /** Where it was read: the list (GetClaimInfo_V3) or the fresh read. */
  source: 'list' | 'fresh_read';
  value: unknown;
}

const SHAPE_WORDS: Record<string, string> = {
  list: '一覧（GetClaimInfo_V3）',
  fresh_read: '再読み込み',
  code: 'コード',
  label: '表示名（末尾にコード）',
  unreadable: '読み取れない値',
};

const describeShape = (key: string): string => key.split(':').map((part) => SHAPE_WORDS[part] ?? part).join('は');

export function judgeClaimStatus(seen: readonly SeenClaimStatus[]): FactFinding {
  const fact = 'claim_status_readable';
  if (seen.length === 0) return finding(fact, 'unknown', '読み取れたキャンセル要請・完了の行がなく、claimStatus を見られませんでした。');
  const shapes: Record<string, string[]> = {};
  for (const s of seen) {
    const shape = claimStatusShapeOf(s.value);
    const key = `${s.source}:${shape}`;
    (shapes[key] ??= []).push(String(s.value));
  }
  const examples = Object.entries(shapes).map(([key, values]) => `${describeShape(key)} 例 "${values[0]}"（${values.length} 件）`).join('、');
  const unreadable = seen.filter((s) => claimStatusShapeOf(s.value) === 'unreadable');
  const observed = Object.fromEntries(Object.entries(shapes).map(([key, values]) => [key, values.length]));
  if (unreadable.length > 0) {
    return finding(fact, 'contradicted', `コードを読み取れない claimStatus がありました: ${examples}。`, observed);
  }
  return finding(fact, 'confirmed', `すべて読み取れました: ${examples}。`, observed);
}

export interface DateWindowProbe {
  /** Whether the sample row showed up in each window; null when that call failed. */
  control: boolean | null;
  afterSample: boolean | null;
  beforeSample: boolean | null;
}

/**
 * A row stamped at T: the window [T-1s, T+1s] must show it (control); [T+1s, T+1h] and [T-1h, T-1s] must not when
 * seconds are honoured. When only the day counts, both show it (the day holds T).
 */
export function judgeDatesToSecond(sample: { method: string; at: string } | null, probe: DateWindowProbe | null): FactFinding {
  const fact = 'search_dates_to_second';
  if (!sample || !probe) return finding(fact, 'unknown', '時刻の分かる行（注文・キャンセル要請）が最近 30 日になく、比べられませんでした。');
  const where = `${sample.method} の ${sample.at} の行`;
  const observed = { ...probe, sampleAt: sample.at };
  if (probe.control === null || probe.afterSample === null || probe.beforeSample === null) {
    return finding(fact, 'unknown', `${where}で比べる途中で呼び出しが失敗しました。`, observed);
  }
  if (!probe.control) return finding(fact, 'unknown', `${where}が、その前後 1 秒の検索にも出ませんでした（比較できません）。`, observed);
  if (!probe.afterSample && !probe.beforeSample) {
    return finding(fact, 'confirmed', `${where}は前後 1 秒の検索に出て、1 秒後から／1 秒前までの検索には出ませんでした。`, observed);
  }
  return finding(fact, 'contradicted', `${where}が、その時刻を含まない検索にも出ました（日付単位で扱われています）。`, observed);
}

/** What the service reads from a fresh read (mappers.mapSnapshotRow). */
export const FRESH_READ_FIELDS = ['orderNo', 'shippingStatus', 'orderDate', 'shippingDate', 'deliveryCompany', 'trackingNo', 'claimStatus', 'reason', 'requestDate'] as const;

export function judgeFreshReadFields(read: { orderNo: string; fields: string[] } | null): FactFinding {
  const fact = 'fresh_read_fields';
  if (!read) return finding(fact, 'unknown', '再読み込みできる注文が見つからず、確かめられませんでした。');
  const missing = FRESH_READ_FIELDS.filter((f) => !read.fields.includes(f));
  const observed = { fields: read.fields, missing };
  if (missing.length > 0) return finding(fact, 'contradicted', `再読み込みに次の項目がありません: ${missing.join(', ')}。`, observed);
  return finding(fact, 'confirmed', `再読み込みに必要な ${FRESH_READ_FIELDS.length} 項目がすべてありました（注文 ${read.orderNo}）。`, observed);
}

export interface CompletionRow {
  cancelRefundDate: unknown;
}

export function judgeCompletionTime(rows: readonly CompletionRow[] | null): FactFinding {
  const fact = 'completion_time_on_reads';
  if (rows === null) return finding(fact, 'unknown', 'キャンセル完了の一覧を読めませんでした。');
  if (rows.length === 0) return finding(fact, 'unknown', '最近 30 日にキャンセル完了の行がなく、確かめられませんでした。');
  const filled = rows.filter((r) => typeof r.cancelRefundDate === 'string' && r.cancelRefundDate.trim() !== '').length;
  const observed = { rows: rows.length, withCompletionTime: filled };
  if (filled === rows.length) return finding(fact, 'confirmed', `キャンセル完了 ${rows.length} 行すべてに完了日時がありました。`, observed);
  return finding(fact, 'contradicted', `キャンセル完了 ${rows.length} 行のうち ${rows.length - filled} 行で完了日時が空でした。`, observed);
}

/** 'ok' accepted, 'refused' answered -10003 (range too long), 'failed' anything else. */
export type WindowAnswer = 'ok' | 'refused' | 'failed';

export function judgeSearchWindow(answers: ReadonlyArray<{ method: string; days90: WindowAnswer; days91: WindowAnswer }>): FactFinding {
  const fact = 'search_window_90_days';
  const text = answers.map((a) => `${a.method}: 90 日 ${a.days90}、91 日 ${a.days91}`).join('／');
  const observed = { answers };
  if (answers.length === 0 || answers.some((a) => a.days90 === 'failed' || a.days91 === 'failed')) {
    return finding(fact, 'unknown', `呼び出しが失敗し、確かめられませんでした（${text}）。`, observed);
  }
  if (answers.every((a) => a.days90 === 'ok' && a.days91 === 'refused')) {
    return finding(fact, 'confirmed', `90 日は受け付け、91 日は拒否されました（${text}）。検索は 90 日ごとに分けて続けます。`, observed);
  }
  return finding(fact, 'contradicted', `上限が 90 日ではありません（${text}）。`, observed);
}

export interface CallSample {
  ms: number;
  throttled: boolean;
  /** Qoo10 answered success (ResultCode 0). */
  ok: boolean;
}

/** A throttled answer: HTTP 429/503, or an error whose text speaks of too many calls. */
export function looksThrottled(answer: { httpStatus: number | null; code: number | null; message: string }): boolean {
  if (answer.httpStatus === 429 || answer.httpStatus === 503) return true;
  if (answer.code === null || answer.code === 0) return false;
  return /too many|rate limit|throttl|try again later|過多|制限|混雑/i.test(answer.message);
}

export function judgeThrottling(calls: readonly CallSample[], minIntervalMs: number): FactFinding {
  const fact = 'no_throttling_at_our_pace';
  const answered = calls.length;
  if (answered === 0) return finding(fact, 'unknown', '呼び出しに一度も答えがありませんでした。');
  if (!calls.some((c) => c.ok || c.throttled)) return finding(fact, 'unknown', `${answered} 回の呼び出しがすべて失敗し、流量制限の有無は分かりませんでした。`);
  const sorted = calls.map((c) => c.ms).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const throttled = calls.filter((c) => c.throttled).length;
  const observed = { calls: answered, throttled, minIntervalMs, msMin: sorted[0], msMedian: median, msMax: sorted[sorted.length - 1] };
  const times = `応答時間 最短 ${sorted[0]} ms・中央値 ${median} ms・最長 ${sorted[sorted.length - 1]} ms`;
  if (throttled > 0) {
    return finding(fact, 'contradicted', `${answered} 回のうち ${throttled} 回が流量制限と見られる答えでした（間隔 ${minIntervalMs} ms、${times}）。QOO10_MIN_INTERVAL_MS を広げてください。`, observed);
  }
  return finding(fact, 'confirmed', `${answered} 回の呼び出し（間隔 ${minIntervalMs} ms）で流量制限はありませんでした（${times}）。`, observed);
}

export interface OrderClaimRead {
  shippingStatus: number | null;
  claimStatus: number | null;
  /** The reason text; only compared, never shown or stored. */
  reason: string | null;
}

/** After SetSendingInfo on an order with a pending request (ClaimStat 1): is the request still pending? */
export function judgeShipConfirm(orderNo: string, after: OrderClaimRead | null): FactFinding {
  const fact = 'ship_confirm_ends_request';
  if (!after) return finding(fact, 'unknown', `発送処理の後、注文 ${orderNo} を読み直せませんでした。`);
  const observed = { orderNo, shippingStatusAfter: after.shippingStatus, claimStatusAfter: after.claimStatus };
  if (after.shippingStatus !== 4 && after.shippingStatus !== 5) {
    return finding(fact, 'unknown', `発送処理の後も注文 ${orderNo} が配送中になっていません（状態 ${after.shippingStatus ?? '不明'}）。`, observed);
  }
  if (after.claimStatus === 1) {
    return finding(fact, 'contradicted', `注文 ${orderNo} は配送中になりましたが、キャンセル要請は保留のまま（ClaimStat 1）でした。QSM でのキャンセル拒否が必要です。`, observed);
  }
  if (after.claimStatus === 3) return finding(fact, 'unknown', `注文 ${orderNo} がキャンセル完了になっていました（想定外）。`, observed);
  return finding(fact, 'confirmed', `注文 ${orderNo} は配送中になり、キャンセル要請は保留ではなくなりました（claimStatus ${after.claimStatus ?? 'なし'}）。`, observed);
}

/** After Claim.SetCancelProcess with CancelReason=1 on a buyer's request: cancelled, reason kept? */
export function judgeAcceptReason(orderNo: string, reasonBefore: string | null, after: OrderClaimRead | null): FactFinding {
  const fact = 'accept_keeps_buyer_reason';
  if (!after) return finding(fact, 'unknown', `承認の後、注文 ${orderNo} を読み直せませんでした。`);
  const observed = { orderNo, claimStatusAfter: after.claimStatus, reasonChanged: (after.reason ?? '') !== (reasonBefore ?? '') };
  if (after.claimStatus !== 3 && after.claimStatus !== 2) {
    return finding(fact, 'unknown', `承認の後も注文 ${orderNo} がキャンセル完了になっていません（claimStatus ${after.claimStatus ?? 'なし'}）。`, observed);
  }
  if ((reasonBefore ?? '') === '') return finding(fact, 'unknown', `注文 ${orderNo} にはもともと理由の文がなく、比べられませんでした。`, observed);
  if (!observed.reasonChanged) return finding(fact, 'confirmed', `注文 ${orderNo} はキャンセルされ、購入者の理由の文は変わりませんでした。`, observed);
  const now = after.reason ?? '';
  // Qoo10's own reason labels are not buyer data; the buyer's text is never shown.
  const shown = ['在庫なし', '注文変更', '配送不可地域', '配送遅延'].includes(now) ? `「${now}」` : '別の文';
  return finding(fact, 'contradicted', `注文 ${orderNo} はキャンセルされ、理由が購入者の文から${shown}に変わりました。`, observed);
}
