// Which template a message uses: the shop's own for that language and key, else the built-in one.
import { EN_TEMPLATES } from './default-templates-en';
import { JA_TEMPLATES } from './default-templates-ja';
import type { Language, MessageTemplate, TemplateKey } from './message-types';
import type { ShopMessageSettings } from './shop-message-settings';

export const DEFAULT_TEMPLATES: Record<Language, Record<TemplateKey, MessageTemplate>> = {
  ja: JA_TEMPLATES,
  en: EN_TEMPLATES,
};

export function templateFor(
  settings: Pick<ShopMessageSettings, 'templates'>,
  language: Language,
  key: TemplateKey,
): MessageTemplate {
  return settings.templates?.[language]?.[key] ?? DEFAULT_TEMPLATES[language][key];
}
