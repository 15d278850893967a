// A shop's buyer-message settings as stored (shops.message_settings) → what the builders read, and
// the checks a shop's edit must pass before it is stored. The shape is checked by the HTTP DTO; these
// are the rules a shape cannot say: template placeholders, exactly-one-of, calendar dates.
import {
  DEFAULT_TEMPLATES,
  LANGUAGES,
  PLACEHOLDER_DOCS,
  TEMPLATE_KEYS,
  TEMPLATE_SLOTS,
  validateTemplate,
  type Language,
  type ShopMessageSettings,
} from '../domain/buyer-messages';
import { jstDayRange } from '../domain/jst-calendar';
import type { StoredMessageSettings } from '../persistence/buyer-message-repository';

export interface SettingsProblem {
  /** Dotted path in the request body, e.g. 'templates.ja.accepted.body'. */
  field: string;
  message: string;
  code?: string;
  line?: number;
  column?: number;
}

export interface EffectiveSettings {
  /** What buildBuyerMessage and callFirst read; shopName falls back to the shop's name. */
  settings: ShopMessageSettings;
  stored: StoredMessageSettings;
  language: Language;
  sendByEmail: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads stored settings defensively: they were validated when saved, but a hand edit in the
 * database must not stop every draft. Unusable parts are then reported by the builders as notes or
 * as "needs a person".
 */
export function effectiveSettings(shopName: string, stored: unknown): EffectiveSettings {
  const raw = (isRecord(stored) ? stored : {}) as StoredMessageSettings;
  const ownName = typeof raw.shopName === 'string' && raw.shopName.trim() !== '' ? raw.shopName : shopName;
  const language = LANGUAGES.includes(raw.language as Language) ? (raw.language as Language) : 'ja';
  const { sendByEmail, fromAddress: _from, replyTo: _replyTo, language: _language, ...builderSettings } = raw;
  return {
    settings: { ...builderSettings, shopName: ownName },
    stored: raw,
    language,
    sendByEmail: sendByEmail === true,
  };
}

const LOCATION = /^(subject|body) line \d+, column \d+: /;

/** Every template problem, coupon and restock-date error in a shop's edit; empty when it may be stored. */
export function settingsProblems(settings: StoredMessageSettings): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const coupon = settings.coupon;
  if (coupon && (coupon.amountYen === undefined) === (coupon.percent === undefined)) {
    problems.push({ field: 'coupon', message: 'a coupon has exactly one of amountYen or percent' });
  }
  for (const [code, date] of Object.entries(settings.restockDates ?? {})) {
    try {
      jstDayRange(date);
    } catch {
      problems.push({ field: `restockDates.${code}`, message: 'a restock date is an existing JST date written YYYY-MM-DD' });
    }
  }
  for (const language of LANGUAGES) {
    const templates = settings.templates?.[language] ?? {};
    for (const key of TEMPLATE_KEYS) {
      const template = templates[key];
      if (!template) continue;
      const result = validateTemplate(key, template);
      if (result.ok) continue;
      for (const problem of result.problems) {
        problems.push({
          field: `templates.${language}.${key}.${problem.part}`,
          // The position is given as line/column fields, so the message reads on its own.
          message: problem.message.replace(LOCATION, ''),
          code: problem.code,
          ...(problem.line !== undefined ? { line: problem.line, column: problem.column } : {}),
        });
      }
    }
  }
  return problems;
}

/** The built-in templates and the documented placeholders of each template key, for an editor. */
export function messageTemplateCatalogue() {
  return {
    languages: LANGUAGES,
    templates: TEMPLATE_KEYS.map((key) => ({
      key,
      defaults: { ja: DEFAULT_TEMPLATES.ja[key], en: DEFAULT_TEMPLATES.en[key] },
      placeholders: TEMPLATE_SLOTS[key].allowed.map((name) => ({
        name,
        required: TEMPLATE_SLOTS[key].mustAppear.includes(name),
        ...PLACEHOLDER_DOCS[name],
      })),
    })),
  };
}
