// Turns the uploaded bytes into text. Label software writes Shift_JIS (CP932) unless the user chose
// UTF-8, and files re-saved in Excel may gain a BOM; nothing in the file says which, so we try.
import iconv from 'iconv-lite';

export type LabelFileEncoding = 'utf-8' | 'utf-8-bom' | 'cp932';

export type DecodedLabelFile =
  | { ok: true; text: string; encoding: LabelFileEncoding }
  | { ok: false; code: string; message: string };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * UTF-8 when the bytes decode as UTF-8 without a single invalid sequence, else CP932. Real
 * Shift_JIS text with kanji or kana is practically never valid UTF-8, so the order is safe; a
 * pure-ASCII file is the same in both.
 */
export function decodeLabelFile(input: Buffer): DecodedLabelFile {
  if (startsWith(input, [0xff, 0xfe]) || startsWith(input, [0xfe, 0xff])) {
    return { ok: false, code: 'unsupported_encoding', message: 'The file is UTF-16; save it as CSV in UTF-8 or Shift_JIS.' };
  }
  if (startsWith(input, [0x50, 0x4b, 0x03, 0x04])) {
    return { ok: false, code: 'not_csv', message: 'The file is a ZIP/Excel workbook, not CSV; export or save it as CSV.' };
  }
  try {
    // fatal: an invalid sequence throws instead of becoming U+FFFD; the BOM is dropped by default.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    return { ok: true, text, encoding: startsWith(input, UTF8_BOM) ? 'utf-8-bom' : 'utf-8' };
  } catch {
    return { ok: true, text: iconv.decode(input, 'cp932'), encoding: 'cp932' };
  }
}

function startsWith(input: Buffer, bytes: number[]): boolean {
  return input.length >= bytes.length && bytes.every((byte, i) => input[i] === byte);
}
