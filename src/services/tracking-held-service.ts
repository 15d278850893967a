// A person's desk for tracking rows that must not go out as they came: rows held at intake (junk
// carrier or number) and numbers Qoo10 definitely rejected. A person corrects or confirms a row and
// submits it; it then goes through TrackingService's one intake path like any other number.
import type { Logger } from '../logger';
import { checkShipmentRow, type HoldReason, type ShipmentField } from '../domain/shipment-row-check';
import { ConflictError, NotFoundError, ValidationFailedError } from '../errors';
import type { HeldShipment, HeldShipmentRepository, HeldShipmentStatus, HeldValues } from '../persistence/held-shipment-repository';
import type { ShopRepository } from '../persistence/shop-repository';
import type { TrackingRepository } from '../persistence/tracking-repository';
import type { DataSource } from 'typeorm';
import { resolveShop } from './shop-resolver';
import type { TrackingReport } from './tracking-import';
import type { TrackingService } from './tracking-service';

export type HeldCorrection = Partial<HeldValues>;

export interface HeldSubmission {
  held: HeldShipment;
  report: TrackingReport;
}

// Refusals of the intake path that a person fixes in one field of the held row.
const REFUSAL_FIELDS: Record<string, ShipmentField> = {
  unknown_order: 'orderNo',
  order_cancelled: 'orderNo',
  unknown_shop: 'orderNo',
  duplicate_tracking: 'trackingNo',
};

const isId = (id: string) => /^\d{1,18}$/.test(id);

export class HeldTrackingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly shops: ShopRepository,
    private readonly heldRows: HeldShipmentRepository,
    private readonly tracking: TrackingRepository,
    private readonly intake: TrackingService,
    private readonly logger: Logger,
  ) {}

  async list(query: { shopId?: string; status?: HeldShipmentStatus; limit?: number }): Promise<HeldShipment[]> {
    const shop = await resolveShop(this.shops, query.shopId);
    return this.heldRows.listHeld(shop.id, { status: query.status, limit: query.limit ?? 100 });
  }

  async find(id: string): Promise<HeldShipment> {
    const held = isId(id) ? await this.heldRows.findHeld(id) : null;
    if (!held) throw new NotFoundError(`Held tracking row ${id}`);
    return held;
  }

  /** Saves a person's corrections and the reasons they still leave; nothing is sent. */
  async correct(id: string, correction: HeldCorrection, person: string): Promise<HeldShipment> {
    await this.find(id);
    await this.dataSource.transaction(async (em) => {
      const held = await this.heldRows.lockHeld(em, id);
      if (!held) throw notOpen(id);
      const values = valuesOf(held, correction);
      await this.heldRows.recordCorrection(em, id, values, reasonsOf(values), person);
    });
    return this.find(id);
  }

  /**
   * Submits a held row, with corrections if given. The person's submit confirms what only needs
   * confirming (an unrecognised carrier name is sent as written); a value that is still junk is a 400
   * naming the field. When the intake path refuses the row (unknown order...), it stays held with that
   * reason; otherwise it is closed with the report of what Qoo10 answered.
   */
  async submit(id: string, person: string, correction: HeldCorrection = {}, signal?: AbortSignal): Promise<HeldSubmission> {
    const current = await this.find(id);
    if (current.status !== 'held') throw notOpen(id);
    const values = valuesOf(current, correction);
    const blocking = reasonsOf(values, true);
    if (blocking.length > 0) {
      throw new ValidationFailedError(
        `The held row cannot be submitted: ${[...new Set(blocking.map((r) => r.field))].join(', ')} must be corrected.`,
        blocking.map((r) => ({ field: r.field, code: r.code, message: r.message })),
      );
    }
    // Claimed before the Qoo10 call and without holding a transaction across it: one submit wins.
    const claimed = await this.dataSource.transaction(async (em) => {
      const held = await this.heldRows.lockHeld(em, id);
      if (!held) return false;
      await this.heldRows.recordCorrection(em, id, values, [], person);
      await this.heldRows.resolve(em, id, 'submitted', person, { state: 'submitting' });
      return true;
    });
    if (!claimed) throw notOpen(id);

    let report: TrackingReport;
    try {
      report = await this.intake.submitShipments(
        [{ ...values, shopId: current.shopId }],
        'manual',
        signal,
        { carrierConfirmed: true, reopenRejected: true, sourceRef: `held#${id} (${current.sourceRef})` },
      );
    } catch (error) {
      await this.heldRows.reopen(id, current.reasons, person, { state: 'failed_to_submit' });
      throw error;
    }
    const accepted = report.accepted[0];
    if (accepted === undefined) {
      const reasons: HoldReason[] = report.errors.map((e) => ({ code: e.code, field: REFUSAL_FIELDS[e.code] ?? 'orderNo', message: e.message, confirmable: false }));
      await this.heldRows.reopen(id, reasons, person, { refused: report.errors });
    } else {
      await this.dataSource.transaction((em) => this.heldRows.resolve(em, id, 'submitted', person, accepted));
      this.logger.info({ heldId: id, outcome: accepted.outcome }, 'held tracking row submitted by a person');
    }
    return { held: await this.find(id), report };
  }

  async discard(id: string, person: string): Promise<HeldShipment> {
    await this.find(id);
    await this.dataSource.transaction(async (em) => {
      if (!(await this.heldRows.lockHeld(em, id))) throw notOpen(id);
      await this.heldRows.resolve(em, id, 'discarded', person, null);
    });
    return this.find(id);
  }

  /**
   * Sends a number Qoo10 rejected again, with a corrected carrier and/or number. The same number opens
   * a new outbox attempt under its key (the refused one is kept); a new number is a new submission.
   */
  async resendRejected(trackingId: string, correction: { carrier?: string; trackingNo?: string }, person: string, signal?: AbortSignal): Promise<TrackingReport> {
    const rejected = isId(trackingId) ? await this.tracking.findSubmission(trackingId) : null;
    if (!rejected) throw new NotFoundError(`Tracking number ${trackingId}`);
    if (rejected.status !== 'rejected') {
      throw new ConflictError('tracking_not_rejected', `Tracking number ${trackingId} is ${rejected.status}, not rejected: there is nothing to resend.`);
    }
    const values = {
      orderNo: rejected.orderNo,
      // What was sent names the service too (ネコポス), which the carrier id alone does not.
      carrier: correction.carrier ?? rejected.qoo10CarrierName,
      service: '',
      trackingNo: correction.trackingNo ?? rejected.trackingNo,
    };
    const blocking = reasonsOf(values, true);
    if (blocking.length > 0) {
      throw new ValidationFailedError(`The corrected row is invalid: ${blocking.map((r) => r.field).join(', ')}.`, blocking.map((r) => ({ field: r.field, code: r.code, message: r.message })));
    }
    this.logger.info({ trackingId, person }, 'rejected tracking number sent again by a person');
    return this.intake.submitShipments([{ ...values, shopId: rejected.shopId }], 'manual', signal, {
      carrierConfirmed: true,
      reopenRejected: true,
      sourceRef: `resend#${trackingId}`,
    });
  }

}

function valuesOf(held: HeldValues, correction: HeldCorrection): HeldValues {
  return {
    orderNo: correction.orderNo ?? held.orderNo,
    carrier: correction.carrier ?? held.carrier,
    service: correction.service ?? held.service,
    trackingNo: correction.trackingNo ?? held.trackingNo,
  };
}

/** What the values still get held for; with `confirmed`, only what a confirmation cannot cover. */
function reasonsOf(values: HeldValues, confirmed = false): HoldReason[] {
  const check = checkShipmentRow(values, { carrierConfirmed: confirmed });
  const reasons = check.held ? check.reasons : [];
  // The order number is checked as text only; whether the order exists is the intake path's answer.
  if (values.orderNo.trim() === '' && !reasons.some((r) => r.field === 'orderNo')) {
    reasons.push({ code: 'missing_order_no', field: 'orderNo', message: 'The order number is empty.', confirmable: false });
  }
  return confirmed ? reasons.filter((r) => !r.confirmable) : reasons;
}

function notOpen(id: string): ConflictError {
  return new ConflictError('held_row_not_open', `Held tracking row ${id} was already submitted or discarded.`);
}
