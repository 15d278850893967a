// The plain-text version of a message to paste into QSM's buyer messaging, where Qoo10 buyers are
// usually reached (their email is often not given). INF: Qoo10 does not publish the limits of that
// box; the length and character rules below are THE place to change when a live account shows
// otherwise (README: "Unconfirmed").

/** Characters the QSM message box is assumed to take in one message (INF). */
export const QSM_MAX_CHARS = 2000;

// Platform-dependent characters (機種依存文字) that some Japanese systems garble, with the plain
// forms every system shows the same way.
const REPLACEMENTS: ReadonlyArray<[RegExp, (match: string) => string]> = [
  [/[\u2460-\u2473]/g, (c) => `(${c.charCodeAt(0) - 0x2460 + 1})`],
  [/[\u2160-\u2169]/g, (c) => ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'][c.charCodeAt(0) - 0x2160] as string],
  [/\u3231/g, () => '(株)'],
  [/\u3232/g, () => '(有)'],
  [/\u2116/g, () => 'No.'],
  [/\u2121/g, () => 'TEL'],
  [/[\u3300-\u33ff]/g, (c) => c.normalize('NFKC')],
];

export interface QsmText {
  text: string;
  /** Length in characters as a person counts them (code points). */
  length: number;
  maxLength: number;
  /** False when the text is longer than QSM is assumed to take: shorten it before pasting. */
  fits: boolean;
}

/**
 * Subject and body as one plain text: the subject as the first line (QSM messages have no subject
 * field of their own), no emoji or other characters outside the basic plane, no control characters,
 * platform-dependent characters spelled out. The text is never cut: a message too long is flagged.
 */
export function qsmText(subject: string, body: string): QsmText {
  let text = `${subject.trim()}\n\n${body.trim()}`.replace(/\r\n?/g, '\n');
  for (const [pattern, replace] of REPLACEMENTS) text = text.replace(pattern, replace);
  text = text
    .replace(/[\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/[\uFE00-\uFE0F\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/\t/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
    .replace(/[ \u3000]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n');
  const length = [...text].length;
  return { text, length, maxLength: QSM_MAX_CHARS, fits: length <= QSM_MAX_CHARS };
}
