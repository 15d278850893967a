// Turns each intake (a label-software file, a WMS/3PL API call, a number typed in the dashboard) into
// the same shape: candidates the TrackingService matches to orders and submits, and per-row problems;
// and the report the service answers with. Messages never quote recipient data: they reach logs, API
// answers and e-mails.
import type { LabelFormat, ParsedLabelFile } from '../domain/label-csv';
import { checkShipmentRow, type HoldReason } from '../domain/shipment-row-check';
import type { CarrierId } from '../domain/types';

/** A problem with one row: `line` for a file (header = 1), `index` for an API array (0-based). */
export interface RowProblem {
  line?: number;
  index?: number;
  code: string;
  message: string;
}

/** Where a row came from, copied onto every problem and result about it. */
export type RowPosition = { line: number } | { index: number };

/** One tracking number ready to be matched to an order and submitted. */
export interface ShipmentCandidate {
  at: RowPosition;
  /** Stored as tracking_numbers.source_ref: `file.csv:12`, `api[3]`, `manual[0]`. */
  sourceRef: string;
  /** Our order number (OrderNo) or the cart number (PackNo). */
  reference: string;
  carrier: CarrierId;
  service: string | null;
  /** Normalized, as Qoo10 gets it. */
  trackingNo: string;
}

/** One shipment from the JSON API or the dashboard. */
export interface ShipmentInput {
  orderNo: string;
  /** Free text: "ヤマト", "yamato", "佐川急便", "ゆうパケット"... */
  carrier: string;
  trackingNo: string;
  service?: string;
  shopId?: string;
}

/** A row held for a person (never submitted as it is), before it is stored. */
export interface HeldCandidate {
  at: RowPosition;
  sourceRef: string;
  orderNo: string;
  carrier: string;
  service: string;
  trackingNo: string;
  reasons: HoldReason[];
}

export interface Intake {
  candidates: ShipmentCandidate[];
  held: HeldCandidate[];
  errors: RowProblem[];
  warnings: RowProblem[];
}

/** A held row as the report shows it: where it was, its id for correcting it, and why it is held. */
export interface HeldShipmentItem {
  line?: number;
  index?: number;
  /** The held row's id: `tracking correct <id>`, POST /api/shipments/held/<id>. */
  id: string;
  orderNo: string;
  carrier: string;
  trackingNo: string;
  reasons: HoldReason[];
}

/**
 * What happened to an accepted number on Qoo10, over every line of its cart: submitted (all lines
 * took it), rejected (Qoo10 refused a line), sending (no usable answer yet: the next poll reconciles
 * it by re-reading the order), pending (queued, not sent: it goes out with the next poll).
 */
export type ShipmentOutcome = 'submitted' | 'rejected' | 'sending' | 'pending';

export interface AcceptedShipment {
  line?: number;
  index?: number;
  shopId: string;
  reference: string;
  /** Whether the reference was an order number or a cart number (PackNo). */
  matchedBy: 'order_no' | 'pack_no';
  /** Every line of the cart the number was submitted for. */
  orderNos: string[];
  trackingNo: string;
  qoo10CarrierName: string;
  outcome: ShipmentOutcome;
  /** Every line already had this number in the outbox before: nothing new was queued for it. */
  alreadyKnown: boolean;
  /** Qoo10's answer when it refused a line ("code: message"). */
  error: string | null;
}

export interface TrackingReport {
  /** Null when an API call named several shops. */
  shopId: string | null;
  format: LabelFormat | null;
  encoding: string | null;
  counts: {
    rows: number;
    accepted: number;
    /** Rows held for a person to confirm or correct (junk carrier or number): nothing was sent. */
    held: number;
    refused: number;
    orderLines: number;
    submitted: number;
    rejected: number;
    unknown: number;
    waiting: number;
    alreadyKnown: number;
  };
  accepted: AcceptedShipment[];
  held: HeldShipmentItem[];
  errors: RowProblem[];
  warnings: RowProblem[];
  /** Something about the whole run a person should know (e.g. Qoo10 could not be reached). */
  notice: string | null;
  /** A preview (POST /api/shipments/import?dryRun=true): nothing was stored or sent. */
  dryRun?: boolean;
}

/**
 * The rows of a parsed label file. A row without management number cannot be matched: the recipient
 * fallback (phone + postcode unique among open orders) needs data the orders table does not keep.
 */
export function intakeFromLabelFile(parsed: ParsedLabelFile, fileName: string): Intake {
  const errors: RowProblem[] = parsed.errors.map(({ line, code, message }) => ({ line, code, message }));
  const candidates: ShipmentCandidate[] = [];
  const unmatched = new Set<number>();
  for (const row of parsed.rows) {
    if (row.reference === null) {
      unmatched.add(row.line);
      errors.push({
        line: row.line,
        code: 'no_reference',
        message:
          'The row has no management number, so it cannot be matched to an order (matching on recipient details is not supported). ' +
          'Print the Qoo10 order number in the management-number field and export again.',
      });
      continue;
    }
    candidates.push({
      at: { line: row.line },
      sourceRef: `${fileName}:${row.line}`,
      reference: row.reference,
      carrier: row.carrier,
      service: row.service,
      trackingNo: row.trackingNo,
    });
  }
  const warnings = parsed.warnings.filter((w) => !unmatched.has(w.line)).map(({ line, code, message }) => ({ line, code, message }));
  const held = parsed.held.map(({ line, reasons, ...values }) => ({ at: { line }, sourceRef: `${fileName}:${line}`, ...values, reasons }));
  return { candidates, held, errors: errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), warnings };
}

/**
 * One API or dashboard shipment: the carrier read from free text, the number checked for it; junk is
 * held. `carrierConfirmed`: a person confirmed an unrecognised carrier name (submitting a held row).
 */
export function intakeFromShipment(input: ShipmentInput, index: number, source: 'api' | 'manual', carrierConfirmed = false): Intake {
  const at = { index };
  const sourceRef = `${source}[${index}]`;
  const values = { orderNo: input.orderNo, carrier: input.carrier, service: input.service ?? '', trackingNo: input.trackingNo };
  const check = checkShipmentRow(values, { carrierConfirmed });
  if (check.held) {
    const trimmed = { orderNo: values.orderNo.trim(), carrier: values.carrier.trim(), service: values.service.trim(), trackingNo: values.trackingNo.trim() };
    return { candidates: [], held: [{ at, sourceRef, ...trimmed, reasons: check.reasons }], errors: [], warnings: [] };
  }
  return {
    candidates: [
      { at, sourceRef, reference: input.orderNo.normalize('NFKC').trim(), carrier: check.carrier, service: check.service, trackingNo: check.trackingNo },
    ],
    held: [],
    errors: [],
    warnings: check.warnings.map((p) => ({ index, code: p.code, message: p.message })),
  };
}

/** A value quoted for a terminal: control and invisible characters shown as \u escapes, never sent raw. */
export function visibleText(value: string): string {
  return JSON.stringify(value).replace(/[\p{Cc}\p{Cf}]/gu, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`);
}

/** The report as lines for a terminal (the CLI's `import-tracking` without --json). */
export function describeTrackingReport(report: TrackingReport): string {
  const { counts } = report;
  const lines = [
    `format: ${report.format ?? 'n/a'}${report.encoding ? ` (${report.encoding})` : ''}`,
    `rows: ${counts.rows}, accepted: ${counts.accepted}, held: ${counts.held}, refused: ${counts.refused}, order lines: ${counts.orderLines}`,
    `Qoo10: ${counts.submitted} submitted, ${counts.rejected} rejected, ${counts.unknown} outcome unknown (reconciled on the next poll), ` +
      `${counts.waiting} waiting, ${counts.alreadyKnown} already submitted before`,
  ];
  const where = (p: { line?: number; index?: number }) => (p.line !== undefined ? `line ${p.line}` : `item ${p.index}`);
  for (const row of report.accepted.filter((r) => r.outcome === 'rejected')) {
    lines.push(`  rejected ${where(row)}: ${row.trackingNo} → ${row.orderNos.join(', ')}: ${row.error ?? ''}`);
  }
  for (const row of report.held) {
    const why = row.reasons.map((r) => `${r.code} (${r.field})`).join(', ');
    lines.push(`  held ${where(row)} as #${row.id}: ${visibleText(row.trackingNo)} for ${visibleText(row.orderNo)}: ${why}`);
  }
  if (report.held.length > 0) lines.push('  held rows are not sent: see "cancel-guard tracking held", correct or confirm, then "tracking submit <id>"');
  for (const error of report.errors) lines.push(`  error ${where(error)} [${error.code}]: ${error.message}`);
  for (const warning of report.warnings) lines.push(`  warning ${where(warning)} [${warning.code}]: ${warning.message}`);
  if (report.notice) lines.push(`note: ${report.notice}`);
  return lines.join('\n');
}

export function sortProblems(problems: RowProblem[]): RowProblem[] {
  return [...problems].sort((a, b) => (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0));
}

/** One report for an API call that named several shops (each shop's rows went through its own run). */
export function mergeReports(reports: TrackingReport[], extraErrors: RowProblem[]): TrackingReport {
  const sum = (key: keyof TrackingReport['counts']) => reports.reduce((total, r) => total + r.counts[key], 0);
  const counts = {
    rows: sum('rows') + extraErrors.length,
    accepted: sum('accepted'),
    held: sum('held'),
    refused: sum('refused') + extraErrors.length,
    orderLines: sum('orderLines'),
    submitted: sum('submitted'),
    rejected: sum('rejected'),
    unknown: sum('unknown'),
    waiting: sum('waiting'),
    alreadyKnown: sum('alreadyKnown'),
  };
  return {
    shopId: null,
    format: null,
    encoding: null,
    counts,
    accepted: reports.flatMap((r) => r.accepted).sort((a, b) => (a.index ?? 0) - (b.index ?? 0)),
    held: reports.flatMap((r) => r.held).sort((a, b) => (a.index ?? 0) - (b.index ?? 0)),
    errors: sortProblems([...reports.flatMap((r) => r.errors), ...extraErrors]),
    warnings: sortProblems(reports.flatMap((r) => r.warnings)),
    notice: reports.map((r) => r.notice).find((n) => n !== null) ?? null,
  };
}
