// Splits CSV text into records that know their physical line, so every message can point the seller
// at the line their spreadsheet or editor shows.
import { parse } from 'csv-parse/sync';

export interface CsvRecord {
  /** 1-based physical line where the record starts (a quoted newline makes a record span lines). */
  line: number;
  fields: string[];
}

export interface CsvReadFailure {
  line: number;
  code: string;
  message: string;
}

export interface CsvRecords {
  records: CsvRecord[];
  failures: CsvReadFailure[];
}

type ParseEvent = { kind: 'record'; fields: string[]; end: number } | { kind: 'failure'; code: string };

const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads every record it can; a record csv-parse cannot read becomes a failure and the rest are kept.
 * Records whose fields are all blank (",,," rows Excel leaves behind) are dropped.
 *
 * Line numbers are counted here from byte offsets rather than taken from csv-parse's `info.lines`,
 * which counts a CRLF inside a quoted field as two lines (csv-parse 6.2).
 */
export function readCsvRecords(text: string): CsvRecords {
  const bytes = Buffer.from(text, 'utf8');
  const events: ParseEvent[] = [];
  parse(bytes, {
    relax_column_count: true,
    // Stray quotes inside unquoted fields (12" など) are data, not syntax errors.
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (fields: string[], context) => {
      events.push({ kind: 'record', fields, end: context.bytes });
      // Collected here in order with the failures; nothing is returned through parse's result.
      return null;
    },
    on_skip: (error) => {
      events.push({ kind: 'failure', code: error?.code ?? 'CSV_UNKNOWN' });
      return undefined;
    },
  });

  const counter = new LineCounter(bytes);
  const records: CsvRecord[] = [];
  const failures: CsvReadFailure[] = [];
  for (const event of events) {
    // A failed record starts where the last good record ended; its own end is unknown.
    const line = counter.startOfNextRecord();
    if (event.kind === 'failure') {
      failures.push({ line, code: 'unreadable_csv', message: failureMessage(event.code) });
      continue;
    }
    counter.advanceTo(event.end);
    if (event.fields.some((field) => field.trim() !== '')) records.push({ line, fields: event.fields });
  }
  return { records, failures };
}

function failureMessage(csvCode: string): string {
  if (csvCode === 'CSV_QUOTE_NOT_CLOSED') {
    return 'A quoted field that starts here is never closed, so this line and the rest of the file could not be read.';
  }
  return `This record could not be read as CSV (${csvCode}).`;
}

/** Walks the bytes once, front to back, so counting lines for all records stays linear. */
class LineCounter {
  private position = 0;
  private line = 1;

  constructor(private readonly bytes: Buffer) {}

  /** Skips blank lines (which csv-parse drops silently) and returns the line the next record starts on. */
  startOfNextRecord(): number {
    while (this.position < this.bytes.length && this.isBreakAt(this.position)) this.consumeBreak();
    return this.line;
  }

  advanceTo(offset: number): void {
    while (this.position < offset && this.position < this.bytes.length) {
      if (this.isBreakAt(this.position)) this.consumeBreak();
      else this.position += 1;
    }
  }

  private isBreakAt(position: number): boolean {
    const byte = this.bytes[position];
    return byte === LF || byte === CR;
  }

  // CRLF, LF and a lone CR each end one line.
  private consumeBreak(): void {
    const byte = this.bytes[this.position];
    this.position += 1;
    if (byte === CR && this.bytes[this.position] === LF) this.position += 1;
    this.line += 1;
  }
}
