// Carrier names: our carrier + service → the Qoo10 ShippingCorp text, and free text → our carrier.
// Qoo10 matches ShippingCorp against the carrier list the shop keeps in QSM (送料管理 → 配送会社);
// the official list is not published, so the defaults below are the names seen in working
// integrations (../shared/carriers.md) and every shop can override them.
import type { CarrierId } from './types';

/** Used for 'other' when the file gave no carrier name to pass on. */
export const OTHER_CARRIER_FALLBACK_NAME = 'その他';

interface CarrierNameDefaults {
  /** Name when the service is unknown or not listed. */
  fallback: string;
  /** Service (as our parsers name it) → Qoo10 name. */
  services: Record<string, string>;
}

// Service keys are the names the label parsers emit (label-csv/label-layouts.ts).
const DEFAULT_NAMES: Record<Exclude<CarrierId, 'other'>, CarrierNameDefaults> = {
  yamato: {
    fallback: 'ヤマト宅急便',
    services: {
      宅急便: 'ヤマト宅急便',
      宅急便コレクト: 'ヤマト宅急便',
      宅急便タイムサービス: 'ヤマト宅急便',
      宅急便着払: 'ヤマト宅急便',
      宅急便コンパクト: 'ヤマト宅急便',
      宅急便コンパクトコレクト: 'ヤマト宅急便',
      ネコポス: 'ネコポス',
      DM便: 'クロネコDM便',
      メール便速達: 'クロネコDM便',
    },
  },
  sagawa: { fallback: '佐川急便', services: {} },
  japanpost: {
    // A ゆうプリR export without 郵便種別 is almost always ゆうパック; every Japan Post name leads to
    // the same tracking site, so a wrong guess here costs only the label shown to the buyer.
    fallback: 'ゆうパック',
    services: {
      ゆうパック: 'ゆうパック',
      ゆうパケット: 'ゆうパケット',
      クリックポスト: 'クリックポスト',
      // ゆうメール is its own product; QSM shops that lack the name override it (e.g. to 日本郵便).
      ゆうメール: 'ゆうメール',
      レターパック: 'レターパック',
    },
  },
};

/**
 * The ShippingCorp name to send with a tracking number.
 * Overrides are per shop, keyed `carrier:service` (one service) or `carrier` (the whole carrier);
 * the more specific key wins. For 'other' the service is the carrier's own name from the file.
 */
export function qoo10CarrierName(
  carrier: CarrierId,
  service: string | null,
  overrides?: Record<string, string>,
): string {
  const key = service === null ? null : normalizeName(service);
  const override = (key !== null ? overrides?.[`${carrier}:${key}`] : undefined) ?? overrides?.[carrier];
  if (override !== undefined && override.trim() !== '') return override.trim();
  // The carrier's own name goes out as written (spaces kept): the shop's QSM list spells it that way.
  if (carrier === 'other') return service?.trim() || OTHER_CARRIER_FALLBACK_NAME;
  const defaults = DEFAULT_NAMES[carrier];
  return (key !== null ? defaults.services[key] : undefined) ?? defaults.fallback;
}

/**
 * The service a carrier name stands for, when it names one ('ネコポス', 'クロネコDM便', 'ゆうパケット'),
 * so a generic file's carrier column can carry the service too. Null for a plain carrier name.
 */
export function serviceFromName(carrier: CarrierId, freeText: string): string | null {
  if (carrier === 'other') return null;
  const text = normalizeName(freeText);
  const services = DEFAULT_NAMES[carrier].services;
  // The carrier's general name (ヤマト宅急便) is not a service choice, so the fallback never matches.
  const match = Object.entries(services).find(
    ([service, qoo10Name]) => text === service || (text === qoo10Name && qoo10Name !== DEFAULT_NAMES[carrier].fallback),
  );
  return match === undefined ? null : match[0];
}

interface NamePattern {
  carrier: CarrierId;
  /** Substrings matched against the normalized text (NFKC, lower case, no spaces). */
  contains: string[];
  /** Short Latin names matched as whole words only, so 'ups' does not hit 'groups'. */
  words?: string[];
}

// Order matters: Yamato and Sagawa sell services delivered by Japan Post (クロネコゆうパケット,
// 飛脚ゆうパケット便) whose numbers are theirs, so they are tried before Japan Post.
const NAME_PATTERNS: NamePattern[] = [
  {
    carrier: 'yamato',
    contains: ['ヤマト', 'やまと', 'クロネコ', 'くろねこ', '黒猫', 'yamato', 'kuroneko', 'taqbin', 'ta-q-bin', '宅急便', 'ネコポス', 'nekopos'],
  },
  { carrier: 'sagawa', contains: ['佐川', 'さがわ', 'サガワ', 'sagawa', '飛脚', 'e飛伝'] },
  {
    carrier: 'japanpost',
    contains: [
      '日本郵便', '日本郵政', '郵便', 'japanpost', 'jppost', 'ゆうパック', 'ゆうぱっく', 'ゆうパケット', 'ゆうメール',
      'ゆうプリ', 'クリックポスト', 'clickpost', 'レターパック', 'letterpack', 'yupack', 'yu-pack', 'yupacket', '書留', '特定記録',
    ],
    words: ['ems'],
  },
  {
    carrier: 'other',
    contains: ['福山', 'fukuyama', '西濃', 'seino', 'カンガルー', '名鉄', 'meitetsu', 'トナミ', 'tonami', '第一貨物', 'エコ配', 'ecohai', 'dhl', 'fedex'],
    words: ['ups', 'tnt'],
  },
];

/**
 * Recognises a carrier from free text (an API caller's carrier field, a generic CSV column).
 * Returns null when nothing is recognised, so the caller can ask rather than guess.
 */
export function carrierFromName(freeText: string): CarrierId | null {
  const text = normalizeName(freeText).toLowerCase();
  if (text === '') return null;
  const words = new Set(freeText.normalize('NFKC').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean));
  for (const pattern of NAME_PATTERNS) {
    if (pattern.contains.some((part) => text.includes(part))) return pattern.carrier;
    if (pattern.words?.some((word) => words.has(word))) return pattern.carrier;
  }
  return null;
}

// NFKC folds full-width letters and half-width katakana; spaces are dropped so "Japan Post",
// "JapanPost" and "ゆうパック " all meet the same key.
function normalizeName(value: string): string {
  return value.normalize('NFKC').replace(/\s+/g, '');
}
