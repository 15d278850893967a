// Shop-editable templates: text with {{placeholder}} slots. Validation names every unknown or
// misplaced slot and every stray brace, so a shop's typo is caught when it saves the template and
// never reaches a buyer as "{{buyerNmae}}" or half-filled text.
import type { MessageTemplate, TemplateKey } from './message-types';
import { isPlaceholderName, PLACEHOLDER_DOCS, TEMPLATE_SLOTS, type PlaceholderName } from './placeholders';

export type TemplateProblemCode =
  | 'unknown_placeholder'
  | 'placeholder_not_allowed'
  | 'malformed_braces'
  | 'missing_placeholder'
  | 'paragraph_in_subject'
  | 'multiline_subject'
  | 'doubled_honorific';

export interface TemplateProblem {
  code: TemplateProblemCode;
  part: 'subject' | 'body';
  /** 1-based; absent for problems about the template as a whole. */
  line?: number;
  column?: number;
  placeholder?: string;
  /** The closest allowed placeholder, for a probable typo. */
  suggestion?: string;
  message: string;
}

export type TemplateValidation = { ok: true } | { ok: false; problems: TemplateProblem[] };

export type RenderResult =
  { ok: true; subject: string; body: string } | { ok: false; missing: PlaceholderName[]; problems: TemplateProblem[] };

type Token = { kind: 'text'; text: string } | { kind: 'slot'; name: string; column: number };

interface ScannedLine {
  line: number;
  tokens: Token[];
}

const NAME = /^[A-Za-z][A-Za-z0-9]*$/;
// A name right after {{buyerName}} that would double the honorific: the value already ends in 様.
const HONORIFIC_AFTER = /^(様|さま|殿)/;

function scan(source: string, part: TemplateProblem['part'], problems: TemplateProblem[]): ScannedLine[] {
  return source.split('\n').map((lineText, index) => {
    const line = index + 1;
    const tokens: Token[] = [];
    const malformed = (column: number, message: string): void => {
      problems.push({
        code: 'malformed_braces',
        part,
        line,
        column,
        message: `${part} line ${line}, column ${column}: ${message}`,
      });
    };
    let text = '';
    let i = 0;
    while (i < lineText.length) {
      if (lineText.startsWith('{{', i)) {
        const close = lineText.indexOf('}}', i + 2);
        const reopen = lineText.indexOf('{{', i + 2);
        if (close === -1 || (reopen !== -1 && reopen < close)) {
          malformed(i + 1, '"{{" is never closed with "}}"');
          i += 2;
          continue;
        }
        const inner = lineText.slice(i + 2, close);
        if (NAME.test(inner.trim())) {
          if (text !== '') tokens.push({ kind: 'text', text });
          text = '';
          tokens.push({ kind: 'slot', name: inner.trim(), column: i + 1 });
        } else {
          malformed(i + 1, `{{${inner}}} is not a placeholder: a name is letters and digits, like {{orderNo}}`);
        }
        i = close + 2;
        continue;
      }
      if (lineText.startsWith('}}', i)) {
        malformed(i + 1, '"}}" has no opening "{{"');
        i += 2;
        continue;
      }
      const ch = lineText[i] as string;
      if (ch === '{' || ch === '}') {
        malformed(i + 1, `single "${ch}": placeholders are written with double braces, like {{orderNo}}`);
      } else if (lineText.startsWith('｛｛', i) || lineText.startsWith('｝｝', i)) {
        malformed(i + 1, 'full-width braces: placeholders use half-width {{ and }}');
        i += 2;
        continue;
      } else {
        text += ch;
      }
      i += 1;
    }
    if (text !== '') tokens.push({ kind: 'text', text });
    return { line, tokens };
  });
}

/** Classic edit distance; names are short, so the quadratic table is fine. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

function closest(name: string, allowed: readonly PlaceholderName[]): PlaceholderName | undefined {
  const limit = Math.max(2, Math.floor(name.length / 3));
  let best: { name: PlaceholderName; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function checkSlots(
  key: TemplateKey,
  part: TemplateProblem['part'],
  lines: ScannedLine[],
  problems: TemplateProblem[],
): void {
  const { allowed } = TEMPLATE_SLOTS[key];
  for (const { line, tokens } of lines) {
    tokens.forEach((token, index) => {
      if (token.kind !== 'slot') return;
      const where = { part, line, column: token.column, placeholder: token.name };
      const at = `${part} line ${line}, column ${token.column}`;
      if (!isPlaceholderName(token.name) || !allowed.includes(token.name)) {
        const suggestion = closest(token.name, allowed);
        const hint = suggestion ? ` (did you mean {{${suggestion}}}?)` : '';
        const known = isPlaceholderName(token.name);
        problems.push({
          ...where,
          code: known ? 'placeholder_not_allowed' : 'unknown_placeholder',
          ...(suggestion ? { suggestion } : {}),
          message: known
            ? `${at}: {{${token.name}}} is not available in ${key} messages${hint}`
            : `${at}: unknown placeholder {{${token.name}}}${hint}`,
        });
        return;
      }
      if (part === 'subject' && PLACEHOLDER_DOCS[token.name].shape !== 'inline') {
        problems.push({
          ...where,
          code: 'paragraph_in_subject',
          message: `${at}: {{${token.name}}} is a paragraph and cannot go in the subject`,
        });
      }
      const next = tokens[index + 1];
      if (token.name === 'buyerName' && next?.kind === 'text' && HONORIFIC_AFTER.test(next.text)) {
        problems.push({
          ...where,
          code: 'doubled_honorific',
          message: `${at}: {{buyerName}} already ends in 様 (or reads お客様); remove the honorific after it`,
        });
      }
    });
  }
}

function slotNames(lines: ScannedLine[]): string[] {
  return lines.flatMap(({ tokens }) => tokens.flatMap((t) => (t.kind === 'slot' ? [t.name] : [])));
}

function scanTemplate(
  key: TemplateKey,
  template: MessageTemplate,
): { subject: ScannedLine[]; body: ScannedLine[]; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  if (template.subject.includes('\n')) {
    problems.push({ code: 'multiline_subject', part: 'subject', message: 'the subject must be a single line' });
  }
  const subject = scan(template.subject, 'subject', problems);
  const body = scan(template.body, 'body', problems);
  checkSlots(key, 'subject', subject, problems);
  checkSlots(key, 'body', body, problems);
  const used = new Set([...slotNames(subject), ...slotNames(body)]);
  for (const name of TEMPLATE_SLOTS[key].mustAppear) {
    if (!used.has(name)) {
      problems.push({
        code: 'missing_placeholder',
        part: 'body',
        placeholder: name,
        message: `a ${key} template must contain {{${name}}}`,
      });
    }
  }
  return { subject, body, problems };
}

export function validateTemplate(key: TemplateKey, template: MessageTemplate): TemplateValidation {
  const { problems } = scanTemplate(key, template);
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

function renderLines(lines: ScannedLine[], values: Partial<Record<PlaceholderName, string>>): string {
  const kept: string[] = [];
  for (const { tokens } of lines) {
    const slots = tokens.filter((t) => t.kind === 'slot');
    const onlyBlanks = tokens.every((t) =>
      t.kind === 'text' ? t.text.trim() === '' : values[t.name as PlaceholderName] === '',
    );
    // A line holding nothing but empty optional paragraphs goes away instead of leaving a gap.
    if (slots.length > 0 && onlyBlanks) continue;
    kept.push(tokens.map((t) => (t.kind === 'text' ? t.text : (values[t.name as PlaceholderName] as string))).join(''));
  }
  return kept
    .join('\n')
    .replace(/\n[ \t]*(\n[ \t]*)+\n/g, '\n\n')
    .trim();
}

/**
 * Fills a template. Every slot must have a value (an empty string is allowed and drops a line that
 * holds only optional paragraphs); a missing value fails the whole render rather than leaving a gap.
 */
export function renderTemplate(
  key: TemplateKey,
  template: MessageTemplate,
  values: Partial<Record<PlaceholderName, string>>,
): RenderResult {
  const { subject, body, problems } = scanTemplate(key, template);
  if (problems.length > 0) return { ok: false, missing: [], problems };
  const used = [...new Set([...slotNames(subject), ...slotNames(body)])] as PlaceholderName[];
  const missing = used.filter((name) => values[name] === undefined);
  if (missing.length > 0) return { ok: false, missing, problems: [] };
  return {
    ok: true,
    subject: renderLines(subject, values).replace(/\s+/g, ' ').trim(),
    body: renderLines(body, values),
  };
}
