// The one check every tracking row goes through before it may reach Qoo10, whatever its intake (a label
// file, the WMS/3PL API, the dashboard, a person correcting a held row). A row that could put junk in
// front of a buyer is HELD for a person to confirm or correct, never submitted: a carrier we do not
// recognise, text that is garbled (mojibake, U+FFFD, control characters), formula text (= + - @, which
// a spreadsheet would run), or a number that fails its carrier's format or check digit. Only a Japan
// Post check-digit doubt on a plausible number stays a warning (the rule is unconfirmed, carriers.md).
import { carrierFromName, serviceFromName } from './carrier-names';
import { validateTrackingNumber, type TrackingProblem } from './tracking-number';
import type { CarrierId } from './types';

/** The fields of a row a person can correct; reasons name the one they concern. */
export type ShipmentField = 'orderNo' | 'carrier' | 'service' | 'trackingNo';

export interface HoldReason {
  /** Stable snake_case code, e.g. 'formula_text', 'unknown_carrier', 'check_digit_mismatch'. */
  code: string;
  field: ShipmentField;
  /** One short English sentence; it never quotes recipient data (none is checked here). */
  message: string;
  /**
   * True when a person may submit the row unchanged by confirming it (a carrier name we do not know
   * but the shop's QSM list may have, a line in another encoding that decoded cleanly); false when the
   * value itself must be corrected.
   */
  confirmable: boolean;
}

/** A row's values as read (after NFKC and trimming by the caller, or as typed). */
export interface ShipmentRowInput {
  orderNo: string;
  /** Free text ('ヤマト', '佐川急便'...); ignored when the layout fixes the carrier. */
  carrier: string;
  service: string;
  trackingNo: string;
}

export interface ShipmentRowContext {
  /** The carrier of every row of a label layout (B2 → yamato); absent: read from the carrier text. */
  fixedCarrier?: CarrierId;
  /** The service when the layout fixes it or decoded it from a code (B2's 送り状種別). */
  fixedService?: string | null;
  /** A person confirmed the carrier text as the name to send (a carrier we do not model). */
  carrierConfirmed?: boolean;
}

export type ShipmentRowCheck =
  | { held: false; carrier: CarrierId; service: string | null; trackingNo: string; warnings: TrackingProblem[] }
  | { held: true; reasons: HoldReason[] };

// Spreadsheets run a cell that starts with one of these (CSV/formula injection); no order number,
// carrier name or tracking number legitimately does.
const FORMULA_START = /^[=+\-@]/;
// C0/C1 controls and invisible format characters (zero-width space, BOM, bidi marks) inside a value.
const CONTROL = /[\p{Cc}\p{Cf}]/u;
// UTF-8 kana read as CP932 begins with these three kanji (E3 81 / E3 82 / E3 83), which no carrier
// name, order number or tracking number contains; U+FFFD is what a decoder leaves for invalid bytes.
const MOJIBAKE = /[\ufffd縺繧繝]/;

/** Problems of a value's text itself, before any meaning is read from it. */
export function textProblems(field: ShipmentField, raw: string): HoldReason[] {
  const value = raw.normalize('NFKC').replace(/^ +| +$/g, '');
  const reasons: HoldReason[] = [];
  if (MOJIBAKE.test(raw)) {
    reasons.push(hold('garbled_text', field, `The ${FIELD_NAMES[field]} is garbled (replacement characters or text decoded in the wrong encoding); type it again.`));
  }
  if (CONTROL.test(value)) {
    reasons.push(hold('control_characters', field, `The ${FIELD_NAMES[field]} contains control or invisible characters; type it again.`));
  }
  if (FORMULA_START.test(value)) {
    reasons.push(hold('formula_text', field, `The ${FIELD_NAMES[field]} starts with = + - or @, which a spreadsheet runs as a formula; it is not sent.`));
  }
  return reasons;
}

/**
 * Checks one row. Held rows carry every reason found (field by field); accepted rows carry the
 * normalized number and the carrier and service to send, with any warnings.
 */
export function checkShipmentRow(input: ShipmentRowInput, context: ShipmentRowContext = {}): ShipmentRowCheck {
  const reasons: HoldReason[] = [
    ...textProblems('orderNo', input.orderNo),
    ...(context.fixedCarrier === undefined ? textProblems('carrier', input.carrier) : []),
    ...textProblems('service', input.service),
    ...textProblems('trackingNo', input.trackingNo),
  ];
  const carried = carrierAndService(input, context, reasons);
  // A number is only judged against a carrier we trust; with garbled text there is nothing to judge.
  // carried is null only with a carrier reason recorded.
  if (reasons.some((r) => r.field === 'trackingNo') || carried === null) return { held: true, reasons };
  const check = validateTrackingNumber(carried.carrier, input.trackingNo);
  if (!check.ok) for (const problem of check.problems) reasons.push(hold(problem.code, 'trackingNo', problem.message));
  if (reasons.length > 0) return { held: true, reasons };
  return { held: false, carrier: carried.carrier, service: carried.service, trackingNo: check.normalized, warnings: check.problems };
}

function carrierAndService(input: ShipmentRowInput, context: ShipmentRowContext, reasons: HoldReason[]): { carrier: CarrierId; service: string | null } | null {
  const serviceText = input.service.normalize('NFKC').trim();
  if (context.fixedCarrier !== undefined) return { carrier: context.fixedCarrier, service: context.fixedService ?? null };
  const carrierText = input.carrier.normalize('NFKC').trim();
  if (reasons.some((r) => r.field === 'carrier')) return null;
  const recognised = carrierText === '' ? null : carrierFromName(carrierText);
  if (recognised === null && !context.carrierConfirmed) {
    reasons.push(
      hold(
        'unknown_carrier',
        'carrier',
        carrierText === ''
          ? 'The carrier is empty.'
          : `Carrier "${carrierText}" is not recognised; confirm it is the name in the shop's QSM carrier list, or correct it.`,
        carrierText !== '',
      ),
    );
    return null;
  }
  // For carriers we do not model, the service slot carries the carrier's own name to Qoo10.
  if (recognised === null || recognised === 'other') return { carrier: 'other', service: carrierText };
  const service = serviceText
    ? (serviceFromName(recognised, serviceText) ?? serviceText)
    : (serviceFromName(recognised, carrierText) ?? context.fixedService ?? null);
  return { carrier: recognised, service };
}

const FIELD_NAMES: Record<ShipmentField, string> = {
  orderNo: 'order number',
  carrier: 'carrier',
  service: 'service',
  trackingNo: 'tracking number',
};

function hold(code: string, field: ShipmentField, message: string, confirmable = false): HoldReason {
  return { code, field, message, confirmable };
}

/** True when a person may submit the row as it is, by confirming it. */
export function confirmableAsIs(reasons: readonly HoldReason[]): boolean {
  return reasons.every((r) => r.confirmable);
}
