// A large list answer cut into rows while it arrives (ADR 0024), so its body is never held whole. The
// answer's bytes are pushed in as they come; once the envelope before the ResultObject array has been read
// and says success, every complete row is handed out as its text, whatever chunk boundaries cut it
// (a row is decoded only when all its bytes are here, so a UTF-8 character or an escape split across
// chunks is never cut). The rest of the envelope after the array is read at the end and joined with what
// came before, so the answer's verdict is read from the whole envelope exactly as a whole parse reads it.
//
// Anything that is not the plain shape before the array (no object, an escaped key, ResultObject not an
// array or missing, a byte order mark), an envelope that does not say success before the array, or an
// answer shorter than `minBytes`, is held whole and handed back at the end: such answers keep today's
// handling exactly (answer-rows.ts, then the whole parse). Once rows have been handed out, a shape that
// breaks further on (a truncated body, stray bytes, a second ResultObject) makes the answer malformed.
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
  Scanner,
  isSpace,
} from './answer-rows';

/** Whether the envelope read before the rows (`{...}` text) lets rows be handed out before the end. */
export type MayRelease = (envelopeBefore: string) => boolean;

/** The end of an answer: the whole envelope without its rows (rows were handed out), or the whole body. */
export type AnswerEnd = { envelope: string } | { body: Buffer };

/** Up to this many bytes are looked at for the envelope before the array; a longer one is held whole. */
const PREFIX_LIMIT = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

type Mode = 'prefix' | 'rows' | 'tail' | 'whole';
type PrefixScan = { kind: 'more' } | { kind: 'whole' } | { kind: 'rows'; members: string[]; pos: number };

export class AnswerStream {
  private mode: Mode = 'prefix';
  private held: Buffer[] = [];
  private heldBytes = 0;
  private members: string[] = [];
  // The rows: bytes not yet handed out, the scan position in them and the state of the value being read.
  private pending: Buffer = EMPTY;
  private pos = 0;
  private rowStart = -1;
  private scalar = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private expect: 'first' | 'value' | 'separator' = 'first';
  private tail: Buffer[] = [];

  constructor(
    private readonly minBytes: number,
    private readonly mayRelease: MayRelease,
    private readonly malformed: (what: string) => Error,
  ) {}

  /** Whether rows are being handed out (from here on the answer is never held whole). */
  get releasing(): boolean {
    return this.mode === 'rows' || this.mode === 'tail';
  }

  /** The envelope's members before the rows, as `{...}` text (once releasing). */
  get envelopeBefore(): string {
    return `{${this.members.join(',')}}`;
  }

  /** The next bytes of the body; answers the texts of the rows they complete (none while held). */
  push(chunk: Buffer): string[] {
    if (this.mode === 'tail') {
      this.tail.push(chunk);
      return [];
    }
    if (this.mode === 'rows') {
      this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
      return this.scanRows();
    }
    this.held.push(chunk);
    this.heldBytes += chunk.length;
    if (this.mode === 'whole' || this.heldBytes < this.minBytes) return [];
    const body = Buffer.concat(this.held);
    this.held = [body];
    const scan = scanPrefix(body);
    if (scan.kind === 'more' && body.length < PREFIX_LIMIT) return [];
    if (scan.kind !== 'rows' || !this.mayRelease(`{${scan.members.join(',')}}`)) {
      this.mode = 'whole';
      return [];
    }
    this.mode = 'rows';
    this.members = scan.members;
    this.held = [];
    this.pending = body;
    this.pos = scan.pos;
    return this.scanRows();
  }

  /** The body has ended. Throws the malformed error when rows were handed out and the rest is not plain. */
  end(): AnswerEnd {
    if (this.mode === 'prefix' || this.mode === 'whole') return { body: Buffer.concat(this.held) };
    if (this.mode === 'rows') throw this.malformed('the answer ended inside ResultObject');
    const members = readTail(Buffer.concat(this.tail), this.malformed);
    return { envelope: `{${[...this.members, ...members].join(',')}}` };
  }

  private scanRows(): string[] {
    const rows: string[] = [];
    const buf = this.pending;
    while (this.pos < buf.length && this.mode === 'rows') {
      if (this.rowStart >= 0) {
        if (!this.continueValue(buf)) break;
        rows.push(buf.toString('utf8', this.rowStart, this.pos));
        this.rowStart = -1;
        this.expect = 'separator';
        continue;
      }
      const byte = buf[this.pos]!;
      if (isSpace(byte)) {
        this.pos += 1;
      } else if (byte === CLOSE_BRACKET && this.expect !== 'value') {
        this.pos += 1;
        this.mode = 'tail';
      } else if (this.expect === 'separator') {
        if (byte !== COMMA) throw this.malformed('ResultObject is not a JSON array of rows');
        this.pos += 1;
        this.expect = 'value';
      } else {
        if (byte === COMMA || byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
          throw this.malformed('ResultObject is not a JSON array of rows');
        }
        this.rowStart = this.pos;
        this.scalar = byte !== QUOTE && byte !== OPEN_BRACE && byte !== OPEN_BRACKET;
        this.depth = 0;
        this.inString = false;
        this.escaped = false;
      }
    }
    if (this.mode === 'tail') {
      if (this.pos < buf.length) this.tail.push(buf.subarray(this.pos));
      this.pending = EMPTY;
      this.pos = 0;
      return rows;
    }
    // Keep only the row being read (or nothing): its bytes are joined with the next chunk's.
    const keepFrom = this.rowStart >= 0 ? this.rowStart : this.pos;
    this.pending = keepFrom >= buf.length ? EMPTY : buf.subarray(keepFrom);
    this.pos -= keepFrom;
    if (this.rowStart >= 0) this.rowStart = 0;
    return rows;
  }

  /** Steps over the value being read; true once it is complete (pos just after it). */
  private continueValue(buf: Buffer): boolean {
    if (this.scalar) {
      for (; this.pos < buf.length; this.pos += 1) {
        const byte = buf[this.pos]!;
        if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) return true;
      }
      return false;
    }
    for (; this.pos < buf.length; this.pos += 1) {
      const byte = buf[this.pos]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) {
          this.inString = false;
          if (this.depth === 0) {
            this.pos += 1;
            return true;
          }
        }
      } else if (byte === QUOTE) {
        this.inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.depth += 1;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.depth -= 1;
        if (this.depth === 0) {
          this.pos += 1;
          return true;
        }
      }
    }
    return false;
  }
}

/** The envelope's members before `"ResultObject": [`, as splitAnswer reads them; 'more' when cut short. */
function scanPrefix(body: Buffer): PrefixScan {
  const scan = new Scanner(body);
  const more = { kind: 'more' } as const;
  const whole = { kind: 'whole' } as const;
  let next = scan.skipSpace();
  if (next === undefined) return more;
  if (next !== OPEN_BRACE) return whole;
  scan.pos += 1;
  const members: string[] = [];
  for (;;) {
    next = scan.skipSpace();
    if (next === undefined) return more;
    if (next !== QUOTE) return whole;
    const keyStart = scan.pos;
    if (!scan.string()) return more;
    const keyText = body.toString('utf8', keyStart, scan.pos);
    // An escaped key could spell ResultObject in another way: such bodies are held whole.
    if (keyText.includes('\\')) return whole;
    next = scan.skipSpace();
    if (next === undefined) return more;
    if (next !== COLON) return whole;
    scan.pos += 1;
    next = scan.skipSpace();
    if (next === undefined) return more;
    if (keyText === '"ResultObject"') {
      return next === OPEN_BRACKET ? { kind: 'rows', members, pos: scan.pos + 1 } : whole;
    }
    const valueStart = scan.pos;
    if (!scan.value()) return scan.pos >= body.length ? more : whole;
    members.push(`${keyText}:${body.toString('utf8', valueStart, scan.pos)}`);
    next = scan.skipSpace();
    if (next === undefined) return more;
    if (next !== COMMA) return whole;
    scan.pos += 1;
  }
}

/** The envelope's members after the array, up to its closing brace and nothing but space after it. */
function readTail(body: Buffer, malformed: (what: string) => Error): string[] {
  const scan = new Scanner(body);
  const broken = () => malformed('the envelope after ResultObject is not valid JSON');
  const members: string[] = [];
  for (let next = scan.skipSpace(); next !== CLOSE_BRACE; next = scan.skipSpace()) {
    if (next !== COMMA) throw broken();
    scan.pos += 1;
    if (scan.skipSpace() !== QUOTE) throw broken();
    const keyStart = scan.pos;
    if (!scan.string()) throw broken();
    const keyText = body.toString('utf8', keyStart, scan.pos);
    let key: unknown;
    try {
      key = JSON.parse(keyText);
    } catch {
      throw broken();
    }
    // A second ResultObject would replace the rows already handed out: that answer cannot be read.
    if (key === 'ResultObject') throw malformed('the answer names ResultObject twice');
    if (scan.skipSpace() !== COLON) throw broken();
    scan.pos += 1;
    scan.skipSpace();
    const valueStart = scan.pos;
    if (!scan.value()) throw broken();
    members.push(`${keyText}:${body.toString('utf8', valueStart, scan.pos)}`);
  }
  scan.pos += 1;
  if (scan.skipSpace() !== undefined) throw broken();
  return members;
}
