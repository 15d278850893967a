// `cancel-guard verify-live`: settles, on the seller's own account, what is not confirmed about Qoo10.
// By default it only reads (verify-live-probes.ts). A write check runs only when the seller names the order
// (--check-accept / --check-ship-confirm), reads it fresh, sees a preview, and types the order number again;
// each sends exactly one write through the shop's Qoo10 client, under the shop lock, then reads the order back.
// The report is stored per shop (qoo10_verifications, qoo10_facts); VerifiedFacts reads the verdicts.
import {
  claimStatusShapeOf,
  FACT_STATEMENTS,
  finding,
  judgeAcceptReason,
  judgeShipConfirm,
  type FactFinding,
  type OrderClaimRead,
  type Qoo10Fact,
} from '../domain/qoo10-facts';
import type { Shop } from '../domain/types';
import type { Logger } from '../logger';
import type { ShopLock } from '../persistence/shop-lock';
import type { Qoo10FactRepository } from '../persistence/qoo10-fact-repository';
import type { ShopRepository } from '../persistence/shop-repository';
import { Qoo10ProbeReader } from '../qoo10/qoo10-probe-reader';
import type { Qoo10Client } from '../qoo10/qoo10-client';
import type { Qoo10ClientProvider } from './qoo10-clients';
import { resolveShop } from './shop-resolver';
import { runReadProbes, type ReadObservations } from './verify-live-probes';

export type WriteCheck = 'accept' | 'ship_confirm';

export interface WriteCheckRequest {
  /** Accept this order's pending buyer request (Claim.SetCancelProcess, CancelReason=1). */
  accept?: { orderNo: string };
  /** Register shipping on this order, which has a pending request (ShippingBasic.SetSendingInfo). */
  shipConfirm?: { orderNo: string; carrier?: string; trackingNo?: string };
}

export interface WritePreview {
  check: WriteCheck;
  orderNo: string;
  /** What will be sent and what it does, for the seller to read before typing the order number. */
  lines: string[];
}

/** Shows the preview and returns what the seller typed (null: nothing typed). */
export type WriteConfirmer = (preview: WritePreview) => Promise<string | null>;

export interface WriteRecord {
  check: WriteCheck;
  orderNo: string;
  sent: boolean;
  note: string;
}

export interface VerifyLiveReport {
  shop: { id: string; name: string };
  ranAt: string;
  mode: 'read_only' | 'guided';
  findings: Array<FactFinding & { statement: string }>;
  observations: ReadObservations;
  writes: WriteRecord[];
}

export interface VerifyLiveDeps {
  shops: ShopRepository;
  facts: Qoo10FactRepository;
  shopLock: ShopLock;
  qoo10Clients: Qoo10ClientProvider;
  baseUrl: () => string;
  timeoutMs: number;
  minIntervalMs: number;
  logger: Logger;
  now: () => Date;
}

const FRESH = 'ShippingBasic.GetShippingAndClaimInfoByOrderNo_V2';
const ACCEPT_MEMO = 'ご依頼どおりキャンセルいたしました。';

function codeOf(value: unknown): number | null {
  if (claimStatusShapeOf(value) === 'unreadable') return null;
  const n = Number(String(value).match(/(\d+)\s*\)?\s*$/)?.[1]);
  return Number.isInteger(n) && n > 0 ? n : null;
}

export class VerifyLiveService {
  private readonly log: Logger;

  constructor(private readonly deps: VerifyLiveDeps) {
    this.log = deps.logger.child({ module: 'verify-live' });
  }

  async run(options: { shopId?: string; writes?: WriteCheckRequest; confirm?: WriteConfirmer } = {}): Promise<VerifyLiveReport> {
    const { deps } = this;
    const shop = await resolveShop(deps.shops, options.shopId);
    const ranAt = deps.now();
    const reader = new Qoo10ProbeReader({
      baseUrl: deps.baseUrl(),
      sellerAuthKey: await deps.shops.sellerAuthKey(shop.id),
      timeoutMs: deps.timeoutMs,
      minIntervalMs: deps.minIntervalMs,
    });
    const { findings, observations } = await runReadProbes(reader, ranAt, deps.minIntervalMs);
    const writes: WriteRecord[] = [];
    const confirm = options.confirm ?? (async () => null);
    findings.push(await this.acceptCheck(shop, reader, options.writes?.accept, confirm, writes));
    findings.push(await this.shipConfirmCheck(shop, reader, options.writes?.shipConfirm, confirm, writes));

    const mode = writes.some((w) => w.sent) ? 'guided' : 'read_only';
    const report: VerifyLiveReport = {
      shop: { id: shop.id, name: shop.name },
      ranAt: ranAt.toISOString(),
      mode,
      findings: findings.map((f) => ({ ...f, statement: FACT_STATEMENTS[f.fact] })),
      observations,
      writes,
    };
    await deps.facts.recordVerification(shop.id, ranAt, mode, report, findings);
    this.log.info(
      { shopId: shop.id, mode, verdicts: Object.fromEntries(findings.map((f) => [f.fact, f.verdict])) },
      'verify-live finished',
    );
    return report;
  }

  /** The order as Qoo10 shows it now; null when it cannot be read. */
  private async readOrder(reader: Qoo10ProbeReader, orderNo: string): Promise<OrderClaimRead | null> {
    const answer = await reader.read(FRESH, { OrderNo: orderNo });
    if (answer.code !== 0) return null;
    const result = (answer.json as Record<string, unknown>).ResultObject;
    const row = (Array.isArray(result) ? result[0] : result) as Record<string, unknown> | null | undefined;
    if (!row || typeof row !== 'object') return null;
    return {
      shippingStatus: codeOf(row.shippingStatus),
      claimStatus: codeOf(row.claimStatus),
      reason: typeof row.reason === 'string' ? row.reason : null,
    };
  }

  /**
   * Asks for the typed confirmation and sends one write under the shop lock. Returns why nothing was sent,
   * or null when the write went out (its error, if any, in `failure`).
   */
  private async confirmAndSend(
    shop: Shop,
    preview: WritePreview,
    confirm: WriteConfirmer,
    send: () => Promise<void>,
  ): Promise<{ notSent: string | null; failure: string | null }> {
    const typed = await confirm(preview);
    if ((typed ?? '').trim() !== preview.orderNo) {
      return { notSent: '確認の入力が注文番号と一致しなかったため、送っていません。', failure: null };
    }
    let failure: string | null = null;
    const locked = await this.deps.shopLock.withLock(shop.id, 0, async () => {
      try {
        await send();
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
    });
    if (!locked.locked) return { notSent: 'このショップを別の処理（定期実行など）が扱っていたため、送っていません。少し後でもう一度実行してください。', failure: null };
    this.log.warn({ shopId: shop.id, check: preview.check, orderNo: preview.orderNo, failed: failure !== null }, 'verify-live sent a write check');
    return { notSent: null, failure };
  }

  /**
   * One guided write check: read the order fresh, refuse early when it does not qualify (nothing is shown or
   * sent), show the preview, send on the typed order number, read the order back and judge.
   */
  private async guidedCheck(shop: Shop, reader: Qoo10ProbeReader, confirm: WriteConfirmer, writes: WriteRecord[], spec: {
    check: WriteCheck;
    fact: Qoo10Fact;
    orderNo: string;
    /** Why the order does not qualify, or null. */
    refusal: (before: OrderClaimRead) => string | null;
    preview: string[];
    send: (client: Qoo10Client) => Promise<void>;
    judge: (before: OrderClaimRead, after: OrderClaimRead | null) => FactFinding;
    failed: string;
  }): Promise<FactFinding> {
    const { check, fact, orderNo } = spec;
    const notSent = (note: string): FactFinding => {
      writes.push({ check, orderNo, sent: false, note });
      return finding(fact, 'unknown', note);
    };
    const before = await this.readOrder(reader, orderNo);
    if (!before) return notSent(`注文 ${orderNo} を読めなかったため、送っていません。`);
    const refusal = spec.refusal(before);
    if (refusal) return notSent(refusal);
    const client = await this.deps.qoo10Clients(shop);
    const outcome = await this.confirmAndSend(shop, { check, orderNo, lines: spec.preview }, confirm, () => spec.send(client));
    if (outcome.notSent) return notSent(outcome.notSent);
    const result = outcome.failure
      ? finding(fact, 'unknown', `${spec.failed}: ${outcome.failure}`)
      : spec.judge(before, await this.readOrder(reader, orderNo));
    writes.push({ check, orderNo, sent: true, note: result.evidence });
    return result;
  }

  private async acceptCheck(
    shop: Shop,
    reader: Qoo10ProbeReader,
    request: { orderNo: string } | undefined,
    confirm: WriteConfirmer,
    writes: WriteRecord[],
  ): Promise<FactFinding> {
    const fact = 'accept_keeps_buyer_reason';
    if (!request) return finding(fact, 'unknown', '書き込みの確認は行っていません（--check-accept <注文番号> で確かめられます）。');
    const { orderNo } = request;
    return this.guidedCheck(shop, reader, confirm, writes, {
      check: 'accept',
      fact,
      orderNo,
      refusal: (before) =>
        before.claimStatus !== 1 ? `注文 ${orderNo} に保留中のキャンセル要請（ClaimStat 1）がないため、送っていません。`
        : before.shippingStatus === null || before.shippingStatus >= 4 ? `注文 ${orderNo} は発送済みか状態が分からないため、送っていません。`
        : null,
      preview: [
        `注文 ${orderNo} の購入者からのキャンセル要請を承認し、実際にキャンセルします（取り消せません）。`,
        '送る内容: Claim.SetCancelProcess、CancelReason=1（注文変更）。',
        'その後、注文を読み直し、キャンセル完了になったか、購入者の理由が残っているかを確かめます。',
        '続けるには、注文番号をもう一度入力してください。',
      ],
      send: (client) => client.cancelOrder({ orderNo, cause: 'buyer', memo: ACCEPT_MEMO }),
      judge: (before, after) => judgeAcceptReason(orderNo, before.reason, after),
      failed: 'キャンセルの送信が失敗しました',
    });
  }

  private async shipConfirmCheck(
    shop: Shop,
    reader: Qoo10ProbeReader,
    request: WriteCheckRequest['shipConfirm'],
    confirm: WriteConfirmer,
    writes: WriteRecord[],
  ): Promise<FactFinding> {
    const fact = 'ship_confirm_ends_request';
    if (!request) return finding(fact, 'unknown', '書き込みの確認は行っていません（--check-ship-confirm <注文番号> で確かめられます）。');
    const { orderNo } = request;
    const carrier = request.carrier?.trim() ?? '';
    const trackingNo = request.trackingNo?.trim() ?? '';
    return this.guidedCheck(shop, reader, confirm, writes, {
      check: 'ship_confirm',
      fact,
      orderNo,
      refusal: (before) =>
        before.claimStatus !== 1 ? `注文 ${orderNo} に保留中のキャンセル要請（ClaimStat 1）がないため、送っていません。`
        : !carrier || !trackingNo ? '配送会社と追跡番号（--carrier と --tracking）が必要です。送っていません。'
        : null,
      preview: [
        `注文 ${orderNo} に発送を登録します: ${carrier} ${trackingNo}。`,
        '荷物を本当に出荷済みの注文だけに使ってください（実際に出荷していない発送登録は Qoo10 のペナルティ対象です）。',
        '送る内容: ShippingBasic.SetSendingInfo。その後、注文を読み直し、キャンセル要請が終わったか保留のままかを確かめます。',
        '保留のままなら、今日中に QSM でキャンセル拒否を押してください。',
        '続けるには、注文番号をもう一度入力してください。',
      ],
      send: (client) => client.setSendingInfo({ orderNo, carrier, trackingNo }),
      judge: (_before, after) => judgeShipConfirm(orderNo, after),
      failed: '発送登録の送信が失敗しました',
    });
  }
}
