// Turns each intake (a label-software file, a WMS/3PL API call, a number typed in the dashboard) into
// the same shape: candidates the TrackingService matches to orders and submits, and per-row problems;
// and the report the service answers with. Messages never quote recipient data: they reach logs, API
// answers and e-mails.
import { carrierFromName, serviceFromName } from '../domain/carrier-names';
import type { LabelFormat, ParsedLabelFile } from '../domain/label-csv';
import { validateTrackingNumber } from '../domain/tracking-number';
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

export interface Intake {
  candidates: ShipmentCandidate[];
  errors: RowProblem[];
  warnings: RowProblem[];
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
    refused: number;
    orderLines: number;
    submitted: number;
    rejected: number;
    unknown: number;
    waiting: number;
    alreadyKnown: number;
  };
  accepted: AcceptedShipment[];
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
  return { candidates, errors: errors.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)), warnings };
}

/** One API or dashboard shipment: the carrier read from free text, the number checked for it. */
export function intakeFromShipment(input: ShipmentInput, index: number, source: 'api' | 'manual'): Intake {
  const at = { index };
  const warnings: RowProblem[] = [];
  const carrierText = input.carrier.trim();
  const recognised = carrierFromName(carrierText);
  if (recognised === null) {
    warnings.push({ index, code: 'unknown_carrier', message: `Carrier "${carrierText}" is not recognised; it is sent to Qoo10 as written.` });
  }
  const carrier: CarrierId = recognised ?? 'other';
  const service = carrier === 'other' ? carrierText : serviceOf(carrier, carrierText, input.service);

  const check = validateTrackingNumber(carrier, input.trackingNo);
  const problems = check.problems.map((p) => ({ index, code: p.code, message: p.message }));
  if (!check.ok) return { candidates: [], errors: problems, warnings };
  return {
    candidates: [
      { at, sourceRef: `${source}[${index}]`, reference: input.orderNo.trim(), carrier, service, trackingNo: check.normalized },
    ],
    errors: [],
    warnings: [...warnings, ...problems],
  };
}

// The service can come from its own field or from the carrier text itself ("ネコポス", "ゆうパケット").
function serviceOf(carrier: CarrierId, carrierText: string, serviceText: string | undefined): string | null {
  const given = serviceText?.trim();
  if (given) return serviceFromName(carrier, given) ?? given;
  return serviceFromName(carrier, carrierText);
}

/** The report as lines for a terminal (the CLI's `import-tracking` without --json). */
export function describeTrackingReport(report: TrackingReport): string {
  const { counts } = report;
  const lines = [
    `format: ${report.format ?? 'n/a'}${report.encoding ? ` (${report.encoding})` : ''}`,
    `rows: ${counts.rows}, accepted: ${counts.accepted}, refused: ${counts.refused}, order lines: ${counts.orderLines}`,
    `Qoo10: ${counts.submitted} submitted, ${counts.rejected} rejected, ${counts.unknown} outcome unknown (reconciled on the next poll), ` +
      `${counts.waiting} waiting, ${counts.alreadyKnown} already submitted before`,
  ];
  const where = (p: { line?: number; index?: number }) => (p.line !== undefined ? `line ${p.line}` : `item ${p.index}`);
  for (const row of report.accepted.filter((r) => r.outcome === 'rejected')) {
    lines.push(`  rejected ${where(row)}: ${row.trackingNo} → ${row.orderNos.join(', ')}: ${row.error ?? ''}`);
  }
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
    errors: sortProblems([...reports.flatMap((r) => r.errors), ...extraErrors]),
    warnings: sortProblems(reports.flatMap((r) => r.warnings)),
    notice: reports.map((r) => r.notice).find((n) => n !== null) ?? null,
  };
}
