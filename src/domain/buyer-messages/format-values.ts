// Turning order facts into the words a buyer reads: yen amounts, JST dates, names and item lines.
// Every function returns null for a value it cannot state truthfully, so the caller can ask a
// person instead of printing 'NaN' or 'undefined'.
import { daysInMonth, jstDateOf, jstDayRange, type JstDate } from '../jst-calendar';
import type { Order } from '../types';
import type { Language } from './message-types';

const DAY_MS = 86_400_000;

function isYen(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** 1980 → '1,980円' (ja) or '¥1,980' (en); null unless a non-negative integer. */
export function formatYen(value: number, language: Language): string | null {
  if (!isYen(value)) return null;
  return language === 'ja' ? `${groupThousands(value)}円` : `¥${groupThousands(value)}`;
}

/** Sum of the lines' totals in yen; null if any line's amount is not a non-negative integer. */
export function sumYen(lines: readonly Pick<Order, 'totalYen'>[]): number | null {
  let sum = 0;
  for (const line of lines) {
    if (!isYen(line.totalYen)) return null;
    sum += line.totalYen;
  }
  return sum;
}

const EN_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** A JST calendar date for people: '2026年11月20日' or 'November 20, 2026'. */
export function formatJstDate(date: JstDate, language: Language): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return language === 'ja' ? `${year}年${month}月${day}日` : `${EN_MONTHS[month - 1]} ${day}, ${year}`;
}

/** True for an existing calendar date written 'YYYY-MM-DD'. */
export function isJstDate(text: unknown): text is JstDate {
  if (typeof text !== 'string') return false;
  try {
    jstDayRange(text);
    return true;
  } catch {
    return false;
  }
}

export function addJstDays(date: JstDate, days: number): JstDate {
  return jstDateOf(new Date(jstDayRange(date).start.getTime() + days * DAY_MS));
}

/** Same day `months` later, clamped to the month's end (Nov 30 + 3 months → Feb 28). */
export function addJstMonths(date: JstDate, months: number): JstDate {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  const key = `${String(targetYear).padStart(4, '0')}-${String(targetMonth).padStart(2, '0')}`;
  return `${key}-${String(Math.min(day, daysInMonth(key))).padStart(2, '0')}`;
}

/** The buyer as addressed: '山田 花子様' / 'お客様' in Japanese, 'Hanako Yamada' / 'Customer' in English. */
export function buyerNameText(name: string | null | undefined, language: Language): string {
  // Qoo10 sometimes hands names over with the honorific already attached.
  const bare = (name ?? '')
    .trim()
    .replace(/\s*(様|さま|殿)$/, '')
    .trim();
  if (bare === '') return language === 'ja' ? 'お客様' : 'Customer';
  return language === 'ja' ? `${bare}様` : bare;
}

function present(text: string | null | undefined): text is string {
  return typeof text === 'string' && text.trim() !== '';
}

/** The item as the buyer chose it: title plus option in brackets; null when the title is missing. */
export function itemLabel(order: Pick<Order, 'itemTitle' | 'itemOption'>, language: Language): string | null {
  if (!present(order.itemTitle)) return null;
  const title = order.itemTitle.trim();
  if (!present(order.itemOption)) return title;
  return language === 'ja' ? `${title}（${order.itemOption.trim()}）` : `${title} (${order.itemOption.trim()})`;
}

/** One bullet per line: item, quantity and order number; null if any line lacks its facts. */
export function itemList(lines: readonly Order[], language: Language): string | null {
  const bullets: string[] = [];
  for (const line of lines) {
    const label = itemLabel(line, language);
    if (label === null || !present(line.orderNo) || !Number.isSafeInteger(line.quantity) || line.quantity < 1)
      return null;
    bullets.push(
      language === 'ja'
        ? `・${label} × ${line.quantity}（注文番号：${line.orderNo}）`
        : `- ${label} × ${line.quantity} (order no. ${line.orderNo})`,
    );
  }
  return bullets.length > 0 ? bullets.join('\n') : null;
}

export function textOrNull(text: string | null | undefined): string | null {
  return present(text) ? text.trim() : null;
}
