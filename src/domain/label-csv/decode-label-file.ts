// Turns the uploaded bytes into text. Label software writes Shift_JIS (CP932) unless the user chose
// UTF-8, and files re-saved in Excel may gain a BOM; nothing in the file says which, so we try.
// A file whose lines are not all in one encoding (a UTF-8 header pasted over Shift_JIS rows, rows
// appended from another export) is decoded line by line, and the lines whose encoding differs from
// the header's are named so their rows can be held for a person to confirm.
import iconv from 'iconv-lite';

export type LabelFileEncoding = 'utf-8' | 'utf-8-bom' | 'cp932' | 'mixed';

export type DecodedLabelFile =
  | {
      ok: true;
      text: string;
      encoding: LabelFileEncoding;
      /** 1-based physical lines decoded in another encoding than the header's (only for 'mixed'). */
      foreignLines: ReadonlySet<number>;
    }
  | { ok: false; code: string; message: string };

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const LF = 0x0a;
const CR = 0x0d;

type LineKind = 'ascii' | 'utf-8' | 'cp932';

/**
 * UTF-8 when the bytes decode as UTF-8 without a single invalid sequence, else CP932 when no line is
 * UTF-8 with non-ASCII text, else line by line. Real Shift_JIS text with kanji or kana is practically
 * never valid UTF-8, so the order is safe; a pure-ASCII file is the same in both. Invalid CP932 bytes
 * become U+FFFD, which the row check holds as garbled.
 */
export function decodeLabelFile(input: Buffer): DecodedLabelFile {
  if (startsWith(input, [0xff, 0xfe]) || startsWith(input, [0xfe, 0xff])) {
    return { ok: false, code: 'unsupported_encoding', message: 'The file is UTF-16; save it as CSV in UTF-8 or Shift_JIS.' };
  }
  if (startsWith(input, [0x50, 0x4b, 0x03, 0x04])) {
    return { ok: false, code: 'not_csv', message: 'The file is a ZIP/Excel workbook, not CSV; export or save it as CSV.' };
  }
  const utf8 = tryUtf8(input);
  if (utf8 !== null) return { ok: true, text: utf8, encoding: startsWith(input, UTF8_BOM) ? 'utf-8-bom' : 'utf-8', foreignLines: new Set() };

  const lines = splitLines(input);
  const kinds = lines.map((line, i) => lineKind(i === 0 ? stripBom(line.content) : line.content, i === 0 && startsWith(input, UTF8_BOM)));
  if (!kinds.includes('utf-8')) return { ok: true, text: iconv.decode(input, 'cp932'), encoding: 'cp932', foreignLines: new Set() };

  // Mixed: the header's encoding is the file's; an ASCII header defers to the most common one.
  const headerIndex = kinds.findIndex((kind, i) => kind !== 'ascii' || lines[i]!.content.length > 0);
  const counted = kinds.filter((kind) => kind !== 'ascii');
  const majority: LineKind = counted.filter((k) => k === 'utf-8').length >= counted.filter((k) => k === 'cp932').length ? 'utf-8' : 'cp932';
  const fileKind = kinds[headerIndex] !== undefined && kinds[headerIndex] !== 'ascii' ? kinds[headerIndex]! : majority;
  const foreignLines = new Set<number>();
  const text = lines
    .map((line, i) => {
      const kind = kinds[i]!;
      if (kind !== 'ascii' && kind !== fileKind) foreignLines.add(i + 1);
      const content = i === 0 ? stripBom(line.content) : line.content;
      return (kind === 'cp932' ? iconv.decode(content, 'cp932') : content.toString('utf8')) + line.terminator;
    })
    .join('');
  return { ok: true, text, encoding: 'mixed', foreignLines };
}

function tryUtf8(input: Buffer): string | null {
  try {
    // fatal: an invalid sequence throws instead of becoming U+FFFD; the BOM is dropped by default.
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return null;
  }
}

function lineKind(content: Buffer, hadBom: boolean): LineKind {
  if (hadBom) return 'utf-8';
  if (content.every((byte) => byte < 0x80)) return 'ascii';
  return tryUtf8(content) === null ? 'cp932' : 'utf-8';
}

/** Lines with their own terminator (CRLF, LF or a lone CR); CP932 trail bytes are never CR or LF. */
function splitLines(input: Buffer): Array<{ content: Buffer; terminator: string }> {
  const lines: Array<{ content: Buffer; terminator: string }> = [];
  let start = 0;
  for (let i = 0; i < input.length; i += 1) {
    const byte = input[i];
    if (byte !== LF && byte !== CR) continue;
    const crlf = byte === CR && input[i + 1] === LF;
    lines.push({ content: input.subarray(start, i), terminator: crlf ? '\r\n' : byte === CR ? '\r' : '\n' });
    if (crlf) i += 1;
    start = i + 1;
  }
  if (start < input.length) lines.push({ content: input.subarray(start), terminator: '' });
  return lines;
}

function stripBom(content: Buffer): Buffer {
  return startsWith(content, UTF8_BOM) ? content.subarray(3) : content;
}

function startsWith(input: Buffer, bytes: number[]): boolean {
  return input.length >= bytes.length && bytes.every((byte, i) => input[i] === byte);
}
