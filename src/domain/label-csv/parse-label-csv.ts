// Reads a label-software export (B2クラウド, e飛伝Ⅱ/Ⅲ, ゆうプリR, クリックポスト or our generic layout)
// into rows of order reference + tracking number, ready to match to Qoo10 orders.
// User data errors never throw: the good rows come back with every problem and its line number.
// Messages never quote recipient data (names, phones, addresses): they end up in logs and e-mails.
import { checkShipmentRow, textProblems, type HoldReason } from '../shipment-row-check';
import type { CarrierId } from '../types';
import { decodeLabelFile, type LabelFileEncoding } from './decode-label-file';
import {
  describeAcceptedFormats,
  detectLayout,
  layoutFor,
  resolveColumns,
  type LabelColumn,
  type LabelFormat,
  type LabelLayout,
} from './label-layouts';
import { readCsvRecords, type CsvRecord } from './read-csv-records';

export interface LabelFileProblem {
  /** 1-based physical line (header = line 1); 0 when the problem concerns the file as a whole. */
  line: number;
  code: string;
  message: string;
}

/** Buyer personal data, kept only to match rows without a reference; never logged or quoted. */
export interface LabelRecipient {
  name?: string;
  /** Digits only. */
  postcode?: string;
  /** Digits only. */
  phone?: string;
}

export interface LabelRow {
  /** 1-based physical line where the row starts (header = line 1). */
  line: number;
  /** The management number the seller printed on the label: our order number. */
  reference: string | null;
  carrier: CarrierId;
  /** Service name (keys of carrier-names.ts); for carrier 'other', the carrier's name as written. */
  service: string | null;
  /** Normalized, ready for Qoo10. */
  trackingNo: string;
  recipient?: LabelRecipient;
}

/**
 * A row held for a person to confirm or correct (never submitted as it is): its values as read, with
 * every reason. Values are the file's text, not recipient data (those columns are never copied here).
 */
export interface HeldLabelRow {
  line: number;
  orderNo: string;
  carrier: string;
  service: string;
  trackingNo: string;
  reasons: HoldReason[];
}

export interface ParsedLabelFile {
  /** Null when the file could not be recognised. */
  format: LabelFormat | null;
  /** Null when the bytes could not be decoded at all. */
  encoding: LabelFileEncoding | null;
  rows: LabelRow[];
  /** Rows with junk in a value (garbled, formula text, unknown carrier, failed check): held, by line. */
  held: HeldLabelRow[];
  errors: LabelFileProblem[];
  warnings: LabelFileProblem[];
}

export interface ParseLabelCsvOptions {
  /** Skip detection and read the file as this layout. */
  format?: LabelFormat;
}

type Indexes = ReturnType<typeof resolveColumns>['indexes'];

// A long number that went through Excel comes back as 4.32E+11 with its last digits lost for good.
const EXCEL_SCIENTIFIC = /^\d+(\.\d+)?E\+\d+$/i;

export function parseLabelCsv(input: Buffer, options: ParseLabelCsvOptions = {}): ParsedLabelFile {
  const decoded = decodeLabelFile(input);
  if (!decoded.ok) return failed(null, null, [{ line: 0, code: decoded.code, message: decoded.message }]);

  const { records, failures } = readCsvRecords(decoded.text);
  const [header, ...body] = records;
  if (header === undefined) {
    return failed(null, decoded.encoding, [{ line: 0, code: 'empty_file', message: 'The file has no header row and no data.' }]);
  }
  const layout = options.format !== undefined ? layoutFor(options.format) : detectLayout(header.fields);
  if (layout === null) {
    return failed(null, decoded.encoding, [
      {
        line: header.line,
        code: 'unknown_format',
        message: `The header row matches no known label export. Accepted formats: ${describeAcceptedFormats()}.`,
      },
    ]);
  }
  const { indexes, missing } = resolveColumns(layout, header.fields);
  if (missing.length > 0) {
    return failed(
      layout.format,
      decoded.encoding,
      missing.map((name) => ({
        line: header.line,
        code: 'missing_column',
        message: `The header has no ${name} column, which a ${layout.software} export needs.`,
      })),
    );
  }

  const reader = new RowReader(layout, indexes, meaningfulLength(header.fields), decoded.foreignLines);
  for (const record of body) reader.read(record);
  // CSV failures are found in a separate pass; merged in line order (the sort is stable).
  const errors = [...reader.errors, ...failures].sort((a, b) => a.line - b.line);
  return { format: layout.format, encoding: decoded.encoding, rows: reader.rows, held: reader.held, errors, warnings: reader.warnings };
}

function failed(format: LabelFormat | null, encoding: LabelFileEncoding | null, errors: LabelFileProblem[]): ParsedLabelFile {
  return { format, encoding, rows: [], held: [], errors, warnings: [] };
}

// Excel can leave empty header cells at the end; only up to the last named column must be filled.
function meaningfulLength(header: string[]): number {
  let length = header.length;
  while (length > 0 && header[length - 1].trim() === '') length -= 1;
  return length;
}

/** Validates rows one by one; duplicates are found with one map, so a large file stays linear. */
class RowReader {
  readonly rows: LabelRow[] = [];
  readonly held: HeldLabelRow[] = [];
  readonly errors: LabelFileProblem[] = [];
  readonly warnings: LabelFileProblem[] = [];
  private readonly seen = new Map<string, { reference: string | null; line: number }>();

  constructor(
    private readonly layout: LabelLayout,
    private readonly indexes: Indexes,
    private readonly expectedFields: number,
    private readonly foreignLines: ReadonlySet<number>,
  ) {}

  read(record: CsvRecord): void {
    const { line, fields } = record;
    if (fields.length < this.expectedFields) {
      this.error(line, 'too_few_fields', `The row has ${fields.length} fields; the header has ${this.expectedFields}.`);
      return;
    }
    const rowWarnings: LabelFileProblem[] = [];
    const raw = (column: LabelColumn): string => {
      const index = this.indexes[column];
      return index === undefined ? '' : (fields[index] ?? '');
    };
    const value = (column: LabelColumn): string => raw(column).normalize('NFKC').trim();

    const reference = value('reference') || null;
    if (reference === null && this.layout.referenceRequired) {
      this.error(line, 'missing_reference', 'The order number is empty.');
      return;
    }
    if (this.layout.carrier === 'per-row' && value('carrier') === '') {
      this.error(line, 'missing_carrier', 'The carrier is empty.');
      return;
    }
    if (value('tracking') === '') {
      this.error(line, 'missing_tracking', 'The tracking number is empty.');
      return;
    }
    if (reference === null && this.indexes.reference !== undefined) {
      rowWarnings.push({ line, code: 'missing_reference', message: 'No management number; the row can only be matched on recipient details.' });
    }

    const values = { orderNo: raw('reference'), carrier: raw('carrier'), service: raw('service'), trackingNo: raw('tracking') };
    const reasons: HoldReason[] = [];
    // A long number that went through Excel comes back as 4.32E+11 with its last digits lost for good.
    for (const [field, cell] of [['orderNo', reference ?? ''], ['trackingNo', value('tracking')]] as const) {
      if (EXCEL_SCIENTIFIC.test(cell)) {
        reasons.push({ code: 'excel_scientific_notation', field, confirmable: false, message: `${cell} is a number Excel rounded; format the column as text and export the file again, or type the number.` });
      }
    }
    const fixed = this.layout.carrier === 'per-row' ? undefined : this.layout.carrier;
    const fixedService = fixed === undefined ? this.layout.defaultService : this.service(line, value('service'), rowWarnings, textProblems('service', raw('service')).length > 0);
    const check = reasons.length > 0 ? null : checkShipmentRow(values, { fixedCarrier: fixed, fixedService });
    if (check !== null && check.held) reasons.push(...check.reasons);
    if (this.foreignLines.has(line)) {
      reasons.push({
        code: 'mixed_encoding',
        field: 'trackingNo',
        confirmable: true,
        message: 'This line is in another character encoding than the header (UTF-8 and Shift_JIS mixed in one file); check the values before submitting.',
      });
    }
    if (check === null || check.held || reasons.length > 0) {
      // A fixed layout's service is kept decoded (ネコポス, not B2's code 7) for the person who confirms it.
      const service = fixed === undefined ? value('service') : (fixedService ?? '');
      this.held.push({ line, orderNo: reference ?? '', carrier: fixed ?? value('carrier'), service, trackingNo: value('tracking'), reasons });
      return;
    }
    for (const problem of check.warnings) rowWarnings.push({ line, code: problem.code, message: problem.message });

    const earlier = this.seen.get(check.trackingNo);
    if (earlier !== undefined) {
      // The same parcel listed twice for the same order is harmless (re-exported rows); the same
      // number on another order means a mis-paste that would show the wrong parcel to a buyer.
      if (earlier.reference !== reference) {
        this.error(line, 'duplicate_tracking', `Tracking number ${check.trackingNo} is already used on line ${earlier.line} for a different order.`);
      }
      return;
    }
    this.seen.set(check.trackingNo, { reference, line });

    const row: LabelRow = { line, reference, carrier: check.carrier, service: check.service, trackingNo: check.trackingNo };
    const recipient = this.recipient(value);
    if (recipient !== undefined) row.recipient = recipient;
    this.rows.push(row);
    this.warnings.push(...rowWarnings);
  }

  private service(line: number, code: string, rowWarnings: LabelFileProblem[], junk: boolean): string | null {
    const codes = this.layout.serviceCodes;
    if (codes === undefined || code === '' || junk) return this.layout.defaultService;
    const service = codes[code];
    if (service !== undefined) return service;
    rowWarnings.push({ line, code: 'unknown_service_code', message: `Service code "${code}" is not known; the carrier's default name is used.` });
    return this.layout.defaultService;
  }

  private recipient(value: (column: LabelColumn) => string): LabelRecipient | undefined {
    const name = value('recipientName').replace(/\s+/g, ' ');
    const postcode = value('recipientPostcode').replace(/\D/g, '');
    const phone = value('recipientPhone').replace(/\D/g, '');
    if (name === '' && postcode === '' && phone === '') return undefined;
    const recipient: LabelRecipient = {};
    if (name !== '') recipient.name = name;
    if (postcode !== '') recipient.postcode = postcode;
    if (phone !== '') recipient.phone = phone;
    return recipient;
  }

  private error(line: number, code: string, message: string): void {
    this.errors.push({ line, code, message });
  }
}
