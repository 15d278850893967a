import type { DataSource } from 'typeorm';
import type { Logger } from '../logger';
import type { Shop } from '../domain/types';
import { qoo10CarrierName } from '../domain/carrier-names';
import { formatJst, isClockTime, jstDateOf, jstDayRangeOf, jstTimeOnDay } from '../domain/jst-calendar';
import { LABEL_FORMATS, parseLabelCsv, type LabelFormat } from '../domain/label-csv';
import { AppError } from '../errors';
import { sendTrackingKey, type ActionRecord, type ActionRepository, type NewAction } from '../persistence/action-repository';
import type { ShopRepository } from '../persistence/shop-repository';
import type { ShopLock } from '../persistence/shop-lock';
import type { NewTrackingNumber, TrackingRepository, TrackingSource, TrackingStatus, TrackingSubmission } from '../persistence/tracking-repository';
import type { HeldShipmentRepository } from '../persistence/held-shipment-repository';
import type { AlertService } from './alert-service';
import type { BulkTrackingSender } from './bulk-tracking-sender';
import type { Qoo10ClientProvider } from './qoo10-clients';
import { resolveShop } from './shop-resolver';
import {
  intakeFromLabelFile,
  intakeFromShipment,
  mergeReports,
  sortProblems,
  type AcceptedShipment,
  type HeldShipmentItem,
  type Intake,
  type RowPosition,
  type RowProblem,
  type ShipmentCandidate,
  type ShipmentInput,
  type ShipmentOutcome,
  type TrackingReport,
} from './tracking-import';

/** How long a submission waits for a running poll cycle of the same shop before leaving its rows to it. */
const SHOP_LOCK_WAIT_MS = 30_000;
/** How far back handed-over orders are checked against the same-day cut-off (covers an outage of days). */
const CUTOFF_LOOKBACK_MS = 7 * 24 * 3_600_000;

/**
 * A label file no parser recognises, or one it cannot read at all (empty, undecodable, a column missing):
 * the whole upload is refused. Codes: unknown_label_format, label_missing_column, label_empty_file...
 */
export class LabelFileRefusedError extends AppError {
  constructor(parserCode: string, message: string, details: RowProblem[]) {
    super(parserCode === 'unknown_format' ? 'unknown_label_format' : `label_${parserCode}`, 400, message, details);
  }
}

/** How a person's own submission differs from an intake's (submitting a held row, resending a rejected number). */
export interface SubmitOptions {
  /** The person confirmed an unrecognised carrier name as the one to send. */
  carrierConfirmed?: boolean;
  /**
   * A number Qoo10 definitely rejected before may be sent again: its failed outbox row is kept under an
   * archived key and a new attempt is queued. Without it a re-run of the same file never resends it.
   */
  reopenRejected?: boolean;
  /** Stored as the number's source_ref instead of `manual[0]` (e.g. `held#12 (file.csv:5)`). */
  sourceRef?: string;
}

interface PlannedShipment {
  candidate: ShipmentCandidate;
  matchedBy: 'order_no' | 'pack_no';
  orderNos: string[];
  qoo10CarrierName: string;
  keys: string[];
}

/**
 * The instant by which tracking must be in Qoo10 for a parcel handed over at `handedAt`: the shop's
 * JST cut-off that day, or the end of that JST day when the parcel left after the cut-off (the rule is
 * "the same day", and the cut-off only moves it earlier).
 */
export function trackingDeadlineFor(handedAt: Date, cutoffJst: string): Date {
  // A malformed policy value must not silence the alert: the rule itself still holds.
  if (!isClockTime(cutoffJst)) return jstDayRangeOf(handedAt).end;
  const cutoff = jstTimeOnDay(handedAt, cutoffJst);
  return handedAt.getTime() <= cutoff.getTime() ? cutoff : jstDayRangeOf(handedAt).end;
}

/**
 * The one path for tracking numbers, whatever the intake (label file, WMS/3PL API, dashboard): check,
 * match to the order's cart, store, queue one outbox row per cart line, send at once (BulkTrackingSender:
 * single calls for a few, SetSendingInfoBulk for many), and report per row what Qoo10 answered.
 */
export class TrackingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shops: ShopRepository,
    private readonly shopLock: ShopLock,
    private readonly tracking: TrackingRepository,
    private readonly heldRows: HeldShipmentRepository,
    private readonly actions: ActionRepository,
    private readonly sender: BulkTrackingSender,
    private readonly alerts: AlertService,
    private readonly clients: Qoo10ClientProvider,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** A label-software export. Throws LabelFileRefusedError (400) when the file is no known format. */
  async importLabelFile(
    input: { file: Buffer; fileName: string; format?: LabelFormat; shopId?: string; dryRun?: boolean },
    signal?: AbortSignal,
  ): Promise<TrackingReport> {
    const shop = await resolveShop(this.shops, input.shopId);
    const parsed = parseLabelCsv(input.file, { format: input.format });
    const fileProblem = parsed.errors.find((e) => ['unknown_format', 'missing_column', 'empty_file'].includes(e.code) || e.line === 0);
    if (parsed.format === null || (parsed.rows.length === 0 && fileProblem)) {
      const problem = fileProblem ?? { line: 0, code: 'unknown_format', message: `Accepted formats: ${LABEL_FORMATS.join(', ')}.` };
      throw new LabelFileRefusedError(problem.code, problem.message, parsed.errors);
    }
    const intake = intakeFromLabelFile(parsed, input.fileName);
    const rows = new Set([...parsed.rows.map((r) => r.line), ...parsed.held.map((r) => r.line), ...parsed.errors.filter((e) => e.line > 1).map((e) => e.line)]).size;
    const report = input.dryRun ? await this.preview(shop, intake, rows) : await this.acceptAndSend(shop, intake, 'csv', rows, signal);
    return { ...report, format: parsed.format, encoding: parsed.encoding };
  }

  /** Shipments from the JSON API (source 'api') or the dashboard ('manual'); each may name its shop. */
  async submitShipments(items: readonly ShipmentInput[], source: 'api' | 'manual', signal?: AbortSignal, options: SubmitOptions = {}): Promise<TrackingReport> {
    const byShop = new Map<string, { shop: Shop; intake: Intake; rows: number }>();
    const errors: RowProblem[] = [];
    for (const [index, item] of items.entries()) {
      let shop: Shop;
      try {
        shop = await resolveShop(this.shops, item.shopId);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        errors.push({ index, code: error.code === 'not_found' ? 'unknown_shop' : error.code, message: error.message });
        continue;
      }
      const group = byShop.get(shop.id) ?? { shop, intake: { candidates: [], held: [], errors: [], warnings: [] }, rows: 0 };
      const intake = intakeFromShipment(item, index, source, options.carrierConfirmed);
      if (options.sourceRef !== undefined) for (const c of intake.candidates) c.sourceRef = options.sourceRef;
      group.intake.candidates.push(...intake.candidates);
      group.intake.held.push(...intake.held);
      group.intake.errors.push(...intake.errors);
      group.intake.warnings.push(...intake.warnings);
      group.rows += 1;
      byShop.set(shop.id, group);
    }
    const reports = [];
    for (const group of byShop.values()) reports.push(await this.acceptAndSend(group.shop, group.intake, source, group.rows, signal, options.reopenRejected));
    const merged = mergeReports(reports, errors);
    return byShop.size === 1 ? { ...merged, shopId: [...byShop.keys()][0]! } : merged;
  }

  async listShipments(query: { shopId?: string; status?: TrackingStatus; limit?: number }): Promise<TrackingSubmission[]> {
    const shop = await resolveShop(this.shops, query.shopId);
    return this.tracking.listSubmissions(shop.id, { status: query.status, limit: query.limit ?? 100 });
  }

  /** After a poll: numbers Qoo10 now shows on shipped orders become 'confirmed'. Returns how many. */
  async confirmFromOrders(shopId: string): Promise<number> {
    return this.tracking.confirmShownOnQoo10(shopId, this.now());
  }

  /**
   * Alerts once per order when a parcel the shop marked as handed to the carrier has no number on Qoo10
   * by the same-day cut-off: until it has, the buyer can still ask to cancel. Returns the alerts raised.
   */
  async checkSameDayCutoff(shop: Shop, now: Date): Promise<number> {
    let raised = 0;
    const handovers = await this.tracking.findHandoversWithoutTracking(shop.id, new Date(now.getTime() - CUTOFF_LOOKBACK_MS));
    for (const { orderNo, handedToCarrierAt } of handovers) {
      const deadline = trackingDeadlineFor(handedToCarrierAt, shop.policy.sameDayCutoffJst);
      if (now.getTime() < deadline.getTime()) continue;
      const alert = await this.alerts.raise({
        shopId: shop.id,
        kind: 'tracking_not_submitted',
        dedupeKey: `tracking_not_submitted:${shop.id}:${orderNo}:${jstDateOf(handedToCarrierAt)}`,
        severity: 'critical',
        subject: `【至急】出荷済みの注文の追跡番号がQoo10に届いていません（注文番号 ${orderNo}）`,
        body: [
          `${shop.name} の注文 ${orderNo} は ${formatJst(handedToCarrierAt)}（日本時間）に配送業者へ引き渡したと記録されていますが、`,
          `締め時刻の ${formatJst(deadline)}（日本時間）を過ぎてもQoo10への追跡番号の登録が確認できていません。`,
          '追跡番号が登録されて注文が配送中になるまで、購入者はキャンセル要請を出すことができます。',
          'ラベルソフトの出力ファイルを取り込むか、管理画面から追跡番号を入力してください。',
          '送信済みで失敗している場合は、追跡番号の送信一覧（状態: rejected）でQoo10の回答を確認できます。',
        ].join('\n'),
        payload: { orderNo, handedToCarrierAt: handedToCarrierAt.toISOString(), deadline: deadline.toISOString() },
      });
      if (alert) raised += 1;
    }
    return raised;
  }

  /**
   * What an import would do, without storing or sending anything: the same checks and matching, each
   * accepted row reported as 'pending' (dryRun: true). The dashboard shows it before the real upload.
   */
  private async preview(shop: Shop, intake: Intake, rows: number): Promise<TrackingReport> {
    const errors = [...intake.errors];
    const warnings = [...intake.warnings];
    const planned = await this.plan(shop, intake.candidates, errors, warnings);
    const known = new Set((await this.actions.findByKeys(planned.flatMap((p) => p.keys))).map((a) => a.idempotencyKey));
    const accepted = planned.map((p) => ({ ...this.acceptedOf(shop, p, [], p.keys.every((k) => known.has(k))), outcome: 'pending' as const }));
    const orderLines = planned.reduce((sum, p) => sum + p.keys.length, 0);
    const refused = new Set(errors.map((e) => e.line ?? e.index)).size;
    return {
      shopId: shop.id,
      format: null,
      encoding: null,
      counts: { rows, accepted: accepted.length, held: intake.held.length, refused, orderLines, submitted: 0, rejected: 0, unknown: 0, waiting: accepted.length, alreadyKnown: accepted.filter((a) => a.alreadyKnown).length },
      accepted,
      // Held rows as they would be held (no id: nothing is stored in a preview).
      held: intake.held.map((h) => ({ ...h.at, id: '', orderNo: h.orderNo, carrier: h.carrier, trackingNo: h.trackingNo, reasons: h.reasons })),
      errors: sortProblems(errors),
      warnings: sortProblems(warnings),
      notice: null,
      dryRun: true,
    };
  }

  private async acceptAndSend(
    shop: Shop, intake: Intake, source: TrackingSource, rows: number, signal?: AbortSignal, reopenRejected = false,
  ): Promise<TrackingReport> {
    const now = this.now();
    const errors = [...intake.errors];
    const warnings = [...intake.warnings];
    const held = await this.hold(shop, intake, source);
    const planned = await this.plan(shop, intake.candidates, errors, warnings);
    const allKeys = planned.flatMap((p) => p.keys);
    const before = await this.actions.findByKeys(allKeys);
    const known = new Set(before.filter((a) => !(reopenRejected && a.state === 'failed')).map((a) => a.idempotencyKey));
    const queued = await this.store(shop, planned, source, reopenRejected);

    const pending = queued.filter((a) => a.state === 'pending').map((a) => a.id);
    const notice = pending.length > 0 ? await this.sendUnderShopLock(shop, pending, now, signal) : null;

    const byKey = new Map((await this.actions.findByKeys(allKeys)).map((a) => [a.idempotencyKey, a]));
    const accepted = planned.map((p) => this.acceptedOf(shop, p, p.keys.map((k) => byKey.get(k)!), p.keys.every((k) => known.has(k))));
    const refused = new Set(errors.map((e) => e.line ?? e.index));
    return {
      shopId: shop.id,
      format: null,
      encoding: null,
      counts: {
        rows,
        accepted: accepted.length,
        held: held.length,
        refused: refused.size,
        orderLines: allKeys.length,
        submitted: accepted.filter((a) => a.outcome === 'submitted').length,
        rejected: accepted.filter((a) => a.outcome === 'rejected').length,
        unknown: accepted.filter((a) => a.outcome === 'sending').length,
        waiting: accepted.filter((a) => a.outcome === 'pending').length,
        alreadyKnown: accepted.filter((a) => a.alreadyKnown).length,
      },
      accepted,
      held,
      errors: sortProblems(errors),
      warnings: sortProblems(warnings),
      notice,
    };
  }

  /**
   * Sends holding the shop's lock, like a poll cycle: reconcile treats every 'sending' row it finds as
   * left by a dead run, so no two processes may be mid-call for one shop. Returns a notice when the rows
   * were left for the next poll cycle instead.
   */
  private async sendUnderShopLock(shop: Shop, actionIds: string[], now: Date, signal?: AbortSignal): Promise<string | null> {
    try {
      const client = await this.clients(shop);
      const sent = await this.shopLock.withLock(shop.id, SHOP_LOCK_WAIT_MS, () => this.sender.sendPending(shop, client, actionIds, now, signal));
      return sent.locked ? null : 'A poll cycle is working on this shop; the numbers are queued and go out with it.';
    } catch (error) {
      // The numbers are stored and queued: the next poll cycle sends them.
      this.logger.error({ shopId: shop.id, err: error instanceof Error ? error.message : String(error) }, 'tracking send failed; queued for the next poll');
      return 'Qoo10 could not be reached; the numbers are stored and go out with the next poll cycle.';
    }
  }

  /** Stores the intake's held rows (never sent as they are) and reports them with their ids. */
  private async hold(shop: Shop, intake: Intake, source: TrackingSource): Promise<HeldShipmentItem[]> {
    if (intake.held.length === 0) return [];
    const heldSource = source === 'qoo10' ? 'manual' : source;
    const ids = await this.heldRows.holdRows(
      shop.id,
      intake.held.map((h) => ({ source: heldSource, sourceRef: h.sourceRef, orderNo: h.orderNo, carrier: h.carrier, service: h.service, trackingNo: h.trackingNo, reasons: h.reasons })),
    );
    this.logger.info({ shopId: shop.id, held: ids.length }, 'tracking rows held for a person to confirm');
    // Rows from a WMS arrive with nobody watching: say so once per shop and JST day.
    const now = this.now();
    await this.alerts.raise({
      shopId: shop.id,
      kind: 'tracking_held',
      dedupeKey: `tracking_held:${shop.id}:${jstDateOf(now)}`,
      severity: 'warning',
      subject: `【確認依頼】追跡番号の行を${ids.length}件保留しました（${shop.name}）`,
      body: [
        `${shop.name} に届いた追跡番号のうち ${ids.length} 件は、配送会社名が読み取れない、文字化けしている、`,
        '数式のような値で始まる、または番号の桁数やチェックディジットが合わないため、Qoo10へ送らずに保留しました。',
        '保留した行は購入者には届いていません。内容を確認し、修正または確認のうえ送信してください。',
        '確認先: cancel-guard tracking held（コマンド）または GET /api/shipments/held',
        `最初の保留: ${intake.held[0]!.sourceRef}（${formatJst(now)} 日本時間）。同じ日の以降の保留はこの通知にまとめています。`,
      ].join('\n'),
      payload: { heldIds: ids.slice(0, 50), count: ids.length, firstSourceRef: intake.held[0]!.sourceRef },
    });
    return intake.held.map((h, i) => ({ ...h.at, id: ids[i]!, orderNo: h.orderNo, carrier: h.carrier, trackingNo: h.trackingNo, reasons: h.reasons }));
  }

  /** Matches candidates to carts and refuses the ones that cannot be sent, each with its reason. */
  private async plan(shop: Shop, candidates: readonly ShipmentCandidate[], errors: RowProblem[], warnings: RowProblem[]): Promise<PlannedShipment[]> {
    const carts = await this.tracking.findCartsByReference(shop.id, [...new Set(candidates.map((c) => c.reference))]);
    const holders = await this.tracking.findNumberHolders(shop.id, [...new Set(candidates.map((c) => c.trackingNo))]);
    const inBatch = new Map<string, { packNo: string; at: RowPosition }>();
    const planned: PlannedShipment[] = [];
    for (const candidate of candidates) {
      const refuse = (code: string, message: string) => errors.push({ ...candidate.at, code, message });
      const cart = carts.get(candidate.reference);
      if (!cart) {
        refuse(
          'unknown_order',
          `No order of this shop has the order number or cart number (PackNo) "${candidate.reference}". ` +
            'Check the management number on the label; an order placed in the last minutes is known after the next poll.',
        );
        continue;
      }
      if (cart.cancelled) {
        refuse('order_cancelled', `Order ${candidate.reference} is cancelled (every line of its cart); no tracking number is sent for it.`);
        continue;
      }
      const elsewhere = [...(holders.get(candidate.trackingNo) ?? [])].find((orderNo) => !cart.openOrderNos.includes(orderNo));
      if (elsewhere !== undefined) {
        refuse('duplicate_tracking', `Tracking number ${candidate.trackingNo} is already registered for order ${elsewhere}, outside this order's cart.`);
        continue;
      }
      const earlier = inBatch.get(candidate.trackingNo);
      if (earlier && earlier.packNo !== cart.packNo) {
        refuse('duplicate_tracking', `Tracking number ${candidate.trackingNo} is already used for another order at ${describeAt(earlier.at)}.`);
        continue;
      }
      if (earlier) {
        warnings.push({ ...candidate.at, code: 'repeated_row', message: `The same number for the same cart is already at ${describeAt(earlier.at)}; it is sent once.` });
        continue;
      }
      inBatch.set(candidate.trackingNo, { packNo: cart.packNo, at: candidate.at });
      planned.push({
        candidate,
        matchedBy: cart.matchedBy,
        orderNos: cart.openOrderNos,
        qoo10CarrierName: qoo10CarrierName(candidate.carrier, candidate.service, shop.carrierNames),
        keys: cart.openOrderNos.map((orderNo) => sendTrackingKey(shop.id, orderNo, candidate.trackingNo)),
      });
    }
    return planned;
  }

  /** Queues one outbox row per cart line and stores the numbers, in one transaction. */
  private async store(shop: Shop, planned: readonly PlannedShipment[], source: TrackingSource, reopenRejected: boolean): Promise<ActionRecord[]> {
    const newActions: NewAction[] = planned.flatMap((p) =>
      p.orderNos.map((orderNo, i) => ({
        shopId: shop.id,
        requestId: null,
        decisionId: null,
        kind: 'send_tracking' as const,
        orderNo,
        idempotencyKey: p.keys[i]!,
        request: { orderNo, carrier: p.qoo10CarrierName, trackingNo: p.candidate.trackingNo },
      })),
    );
    return this.dataSource.transaction(async (em) => {
      const queued = await this.actions.enqueueMany(em, newActions, { reopenFailed: reopenRejected });
      const byKey = new Map(queued.map((a) => [a.idempotencyKey, a]));
      const numbers: NewTrackingNumber[] = planned.flatMap((p) =>
        p.orderNos.map((orderNo, i) => {
          const action = byKey.get(p.keys[i]!)!;
          // A number an earlier path (a refusal, a previous import) already sent keeps that outcome.
          const status: TrackingStatus = action.state === 'succeeded' ? 'submitted' : action.state === 'failed' ? 'rejected' : 'pending';
          return {
            orderNo,
            carrier: p.candidate.carrier,
            qoo10CarrierName: p.qoo10CarrierName,
            trackingNo: p.candidate.trackingNo,
            source,
            sourceRef: p.candidate.sourceRef,
            status,
            actionId: action.id,
            submittedAt: action.state === 'succeeded' ? action.completedAt : null,
            error: action.state === 'failed' ? `${action.errorCode}: ${action.errorMessage}` : null,
          };
        }),
      );
      await this.tracking.recordNumbers(em, shop.id, numbers);
      return queued;
    });
  }

  private acceptedOf(shop: Shop, p: PlannedShipment, actions: ActionRecord[], alreadyKnown: boolean): AcceptedShipment {
    const failed = actions.find((a) => a.state === 'failed');
    const outcome: ShipmentOutcome = failed
      ? 'rejected'
      : actions.some((a) => a.state === 'sending')
        ? 'sending'
        : actions.some((a) => a.state === 'pending')
          ? 'pending'
          : 'submitted';
    return {
      ...p.candidate.at,
      shopId: shop.id,
      reference: p.candidate.reference,
      matchedBy: p.matchedBy,
      orderNos: p.orderNos,
      trackingNo: p.candidate.trackingNo,
      qoo10CarrierName: p.qoo10CarrierName,
      outcome,
      alreadyKnown,
      error: failed ? `${failed.errorCode}: ${failed.errorMessage}` : null,
    };
  }
}

function describeAt(at: RowPosition): string {
  return 'line' in at ? `line ${at.line}` : `item ${at.index}`;
}
