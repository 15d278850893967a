// Reading a large list answer row by row. A list answer is one JSON body ({ResultCode, ResultMsg,
// ResultObject: [row, row, ...]}) with no paging; parsed whole, a day of a big shop's orders is a
// multi-megabyte string plus every row's object tree alive at once. Here the body stays UTF-8 bytes, the
// ResultObject array is cut into its elements' byte ranges, the rest of the envelope is read as usual
// (envelope.ts), and each row is parsed only when it is mapped, so its tree is garbage right after.
// Anything that is not that plain shape (no ResultObject array, a key twice, stray bytes) answers null
// and the caller parses the whole body as before, so odd answers keep today's handling exactly.

/** Byte ranges [start, end) of the ResultObject array's elements, and the envelope's text without it. */
export interface SplitAnswer {
  envelope: string;
  rows: Array<[number, number]>;
}

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

export function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** Steps over JSON text without reading it (the parts are read by JSON.parse); shared with answer-stream.ts. */
export class Scanner {
  pos = 0;
  constructor(readonly body: Buffer) {}

  skipSpace(): number | undefined {
    while (isSpace(this.body[this.pos])) this.pos += 1;
    return this.body[this.pos];
  }

  /** From an opening quote to just after its closing quote; false at the end of the body. */
  string(): boolean {
    for (this.pos += 1; this.pos < this.body.length; this.pos += 1) {
      const byte = this.body[this.pos];
      if (byte === BACKSLASH) this.pos += 1;
      else if (byte === QUOTE) {
        this.pos += 1;
        return true;
      }
    }
    return false;
  }

  /** Over one value (its inside is checked later by JSON.parse); false when the body ends first. */
  value(): boolean {
    const first = this.body[this.pos];
    if (first === QUOTE) return this.string();
    if (first === OPEN_BRACE || first === OPEN_BRACKET) {
      let depth = 0;
      while (this.pos < this.body.length) {
        const byte = this.body[this.pos];
        if (byte === QUOTE) {
          if (!this.string()) return false;
          continue;
        }
        if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth += 1;
        else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) depth -= 1;
        this.pos += 1;
        if (depth === 0) return true;
      }
      return false;
    }
    const start = this.pos;
    while (this.pos < this.body.length) {
      const byte = this.body[this.pos];
      if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) break;
      this.pos += 1;
    }
    return this.pos > start;
  }
}

/** The plain list-answer shape cut apart, or null when the body is anything else. */
export function splitAnswer(body: Buffer): SplitAnswer | null {
  const scan = new Scanner(body);
  if (scan.skipSpace() !== OPEN_BRACE) return null;
  scan.pos += 1;
  const members: string[] = [];
  let rows: Array<[number, number]> | null = null;
  for (;;) {
    let next = scan.skipSpace();
    if (next === CLOSE_BRACE && members.length === 0 && rows === null) break;
    if (next !== QUOTE) return null;
    const keyStart = scan.pos;
    if (!scan.string()) return null;
    const keyText = body.toString('utf8', keyStart, scan.pos);
    // An escaped key could spell ResultObject in another way: leave such bodies to the whole parse.
    if (keyText.includes('\\')) return null;
    if (scan.skipSpace() !== COLON) return null;
    scan.pos += 1;
    const valueStart = scan.pos;
    if (keyText === '"ResultObject"' && scan.skipSpace() === OPEN_BRACKET) {
      if (rows !== null) return null;
      rows = [];
      scan.pos += 1;
      if (scan.skipSpace() === CLOSE_BRACKET) scan.pos += 1;
      else {
        for (;;) {
          const start = scan.pos;
          if (!scan.value()) return null;
          rows.push([start, scan.pos]);
          next = scan.skipSpace();
          scan.pos += 1;
          if (next === CLOSE_BRACKET) break;
          if (next !== COMMA) return null;
          scan.skipSpace();
        }
      }
    } else {
      if (keyText === '"ResultObject"') return null;
      scan.skipSpace();
      if (!scan.value()) return null;
      members.push(`${keyText}:${body.toString('utf8', valueStart, scan.pos)}`);
    }
    next = scan.skipSpace();
    scan.pos += 1;
    if (next === CLOSE_BRACE) break;
    if (next !== COMMA) return null;
  }
  if (scan.skipSpace() !== undefined || rows === null) return null;
  return { envelope: `{${members.join(',')}}`, rows };
}

/**
 * The rows of a split answer, each parsed from its bytes when it is reached. A row that is not valid JSON
 * makes the whole answer malformed, as a whole parse would have.
 */
export class AnswerRows implements Iterable<unknown> {
  constructor(
    private readonly body: Buffer,
    private readonly ranges: ReadonlyArray<[number, number]>,
    private readonly malformed: (what: string) => Error,
  ) {}

  get length(): number {
    return this.ranges.length;
  }

  *[Symbol.iterator](): Iterator<unknown> {
    for (const [index, [start, end]] of this.ranges.entries()) {
      try {
        yield JSON.parse(this.body.toString('utf8', start, end)) as unknown;
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        throw this.malformed(`ResultObject[${index}] is not valid JSON`);
      }
    }
  }
}
