import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  CONTACT_CHANNELS,
  LANGUAGES,
  OFFER_KINDS,
  type ContactChannel,
  type Language,
  type OfferKind,
  type TemplateKey,
} from '../../domain/buyer-messages';
import { BUYER_EMAIL_STATUSES, type BuyerEmailStatus } from '../../persistence/buyer-message-repository';

const SHOP_MESSAGE = 'shopId must be a shop id (uuid)';
const MONTH_MESSAGE = 'month must be a JST month as YYYY-MM, e.g. 2026-11';
const LANGUAGE_MESSAGE = `language must be one of: ${LANGUAGES.join(', ')}`;
const MESSAGE_STATUSES = [...BUYER_EMAIL_STATUSES, 'needs_person'] as const;

/** GET /api/messages */
export class MessagesQuery {
  @IsOptional()
  @IsIn(MESSAGE_STATUSES, { message: `status must be one of: ${MESSAGE_STATUSES.join(', ')}` })
  status?: BuyerEmailStatus | 'needs_person';

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 200' })
  @Min(1, { message: 'limit must be a whole number from 1 to 200' })
  @Max(200, { message: 'limit must be a whole number from 1 to 200' })
  limit: number = 50;

  @IsOptional()
  @IsUUID('all', { message: SHOP_MESSAGE })
  shopId?: string;
}

/** GET /api/case-log and /api/reports/seller-fault-items: the JST month (default: the current one). */
export class CaseLogQuery {
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: MONTH_MESSAGE })
  month?: string;

  @IsOptional()
  @IsUUID('all', { message: SHOP_MESSAGE })
  shopId?: string;
}

/** POST /api/cancel-requests/:id/call-summary: what was agreed on the phone, one point per entry. */
export class CallSummaryBody {
  @IsArray({ message: 'agreedPoints must be a list of the points agreed on the phone' })
  @ArrayMinSize(1, { message: 'agreedPoints must list at least one point agreed on the phone' })
  @ArrayMaxSize(20, { message: 'agreedPoints may list at most 20 points' })
  @IsString({ each: true, message: 'agreedPoints must be a list of sentences' })
  @Matches(/\S/, { each: true, message: 'agreedPoints must not contain blank points' })
  @MaxLength(500, { each: true, message: 'each agreed point must be at most 500 characters' })
  agreedPoints!: string[];

  /** When the call took place; default: now. */
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'calledAt must be an ISO 8601 instant, e.g. 2026-11-20T05:30:00Z' })
  calledAt?: string;

  @IsOptional()
  @IsIn(LANGUAGES, { message: LANGUAGE_MESSAGE })
  language?: Language;
}

/** PUT /api/cancel-requests/:id/message: a person's own wording for this one draft before it is sent. */
export class MessageEditBody {
  @IsOptional()
  @IsString({ message: 'subject must be text' })
  @Matches(/\S/, { message: 'subject must not be blank' })
  @Matches(/^[^\n]*$/, { message: 'subject must be one line' })
  @MaxLength(200, { message: 'subject must be at most 200 characters' })
  subject?: string;

  @IsOptional()
  @IsString({ message: 'body must be text' })
  @Matches(/\S/, { message: 'body must not be blank' })
  @MaxLength(10_000, { message: 'body must be at most 10000 characters' })
  body?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}

/** POST /api/cancel-requests/:id/message/sent: the draft was sent by hand through QSM. */
export class MarkSentBody {
  /** A call summary's id; default: the decision's draft. */
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'messageId must be a message id (a whole number)' })
  messageId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}

/** PUT /api/cancel-requests/:id/case-notes: the fields given are replaced, the others kept. */
export class CaseNotesBody {
  @IsOptional()
  @ValidateIf((body: CaseNotesBody) => body.contactChannel !== null)
  @IsIn(CONTACT_CHANNELS, { message: `contactChannel must be one of: ${CONTACT_CHANNELS.join(', ')} (or null)` })
  contactChannel?: ContactChannel | null;

  @IsOptional()
  @ValidateIf((body: CaseNotesBody) => body.contactedAt !== null)
  @IsISO8601({ strict: true }, { message: 'contactedAt must be an ISO 8601 instant, e.g. 2026-11-20T05:30:00Z (or null)' })
  contactedAt?: string | null;

  @IsOptional()
  @IsBoolean({ message: 'callMade must be true or false' })
  callMade?: boolean;

  @IsOptional()
  @ValidateIf((body: CaseNotesBody) => body.callSummary !== null)
  @IsString({ message: 'callSummary must be text (or null)' })
  @MaxLength(2000, { message: 'callSummary must be at most 2000 characters' })
  callSummary?: string | null;

  @IsOptional()
  @IsArray({ message: `offered must be a list of: ${OFFER_KINDS.join(', ')}` })
  @IsIn(OFFER_KINDS, { each: true, message: `offered must be a list of: ${OFFER_KINDS.join(', ')}` })
  offered?: OfferKind[];

  @IsOptional()
  @ValidateIf((body: CaseNotesBody) => body.buyerReaction !== null)
  @IsString({ message: 'buyerReaction must be text (or null)' })
  @MaxLength(2000, { message: 'buyerReaction must be at most 2000 characters' })
  buyerReaction?: string | null;

  @IsOptional()
  @ValidateIf((body: CaseNotesBody) => body.rootCause !== null)
  @IsString({ message: 'rootCause must be text (or null)' })
  @MaxLength(2000, { message: 'rootCause must be at most 2000 characters' })
  rootCause?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  person?: string;
}

export class TemplateBody {
  @IsString({ message: 'subject must be text' })
  @MinLength(1, { message: 'subject must not be empty' })
  @MaxLength(200, { message: 'subject must be at most 200 characters' })
  subject!: string;

  @IsString({ message: 'body must be text' })
  @MinLength(1, { message: 'body must not be empty' })
  @MaxLength(10_000, { message: 'body must be at most 10000 characters' })
  body!: string;
}

/** One language's own templates; a key left out uses the built-in default. */
export class LanguageTemplatesBody {
  @IsOptional() @ValidateNested() @Type(() => TemplateBody) 'refused-shipped'?: TemplateBody;
  @IsOptional() @ValidateNested() @Type(() => TemplateBody) accepted?: TemplateBody;
  @IsOptional() @ValidateNested() @Type(() => TemplateBody) 'seller-fault'?: TemplateBody;
  @IsOptional() @ValidateNested() @Type(() => TemplateBody) 'partial-accepted'?: TemplateBody;
  @IsOptional() @ValidateNested() @Type(() => TemplateBody) 'partial-seller-fault'?: TemplateBody;
  @IsOptional() @ValidateNested() @Type(() => TemplateBody) 'call-summary'?: TemplateBody;
}

// A template key added to the domain fails compilation here until the DTO accepts it too.
const everyTemplateKeyAccepted: Record<Exclude<TemplateKey, keyof LanguageTemplatesBody>, never> = {};
void everyTemplateKeyAccepted;

export class TemplatesBody {
  @IsOptional() @ValidateNested() @Type(() => LanguageTemplatesBody) ja?: LanguageTemplatesBody;
  @IsOptional() @ValidateNested() @Type(() => LanguageTemplatesBody) en?: LanguageTemplatesBody;
}

export class CouponBody {
  @IsString({ message: 'coupon.code must be text' })
  @Matches(/^\S{1,50}$/, { message: 'coupon.code must be 1 to 50 characters without spaces' })
  code!: string;

  @IsOptional()
  @IsInt({ message: 'coupon.amountYen must be a whole number of yen from 1' })
  @Min(1, { message: 'coupon.amountYen must be a whole number of yen from 1' })
  amountYen?: number;

  @IsOptional()
  @IsInt({ message: 'coupon.percent must be a whole number from 1 to 100' })
  @Min(1, { message: 'coupon.percent must be a whole number from 1 to 100' })
  @Max(100, { message: 'coupon.percent must be a whole number from 1 to 100' })
  percent?: number;

  // Months, not days: a coupon that runs out within days reads as a push to buy, not an apology.
  @IsInt({ message: 'coupon.validityMonths must be a whole number of months from 1 to 24' })
  @Min(1, { message: 'coupon.validityMonths must be a whole number of months from 1 to 24' })
  @Max(24, { message: 'coupon.validityMonths must be a whole number of months from 1 to 24' })
  validityMonths!: number;
}

export class AlternativeBody {
  @IsString()
  @MinLength(1, { message: 'itemTitle must not be empty' })
  @MaxLength(200)
  itemTitle!: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true }, { message: 'url must be an http(s) URL' })
  url?: string;

  @IsOptional()
  @Matches(/^[0-9A-Za-z-]{1,30}$/, { message: 'qoo10ItemCode must be a Qoo10 item number (letters, digits, -)' })
  qoo10ItemCode?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  itemTitleEn?: string;

  @IsOptional()
  @IsString()
  @MaxLength(500)
  noteEn?: string;
}

/** Shop name and signature for English messages (no Japanese script). */
export class EnglishIdentityBody {
  @IsOptional()
  @IsString()
  @MaxLength(100)
  shopName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  signature?: string;
}

export class CallFirstBody {
  /** Cart total in integer yen from which to call first; null switches the check off; left out: 30,000. */
  @IsOptional()
  @ValidateIf((body: CallFirstBody) => body.highValueYen !== null)
  @IsInt({ message: 'callFirst.highValueYen must be a whole number of yen (0 or more) or null' })
  @Min(0, { message: 'callFirst.highValueYen must be a whole number of yen (0 or more) or null' })
  highValueYen?: number | null;

  @IsOptional()
  @IsString({ each: true, message: 'callFirst.extraGiftWords must be a list of words' })
  @MaxLength(50, { each: true })
  @ArrayMaxSize(50)
  extraGiftWords?: string[];
}

/** PUT /api/shops/:id/message-settings: the whole settings object (what is left out is unset). */
export class MessageSettingsBody {
  /** Default: the shop's name. */
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: 'shopName must not be blank (leave it out to use the shop name)' })
  @MaxLength(100)
  shopName?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1000)
  signature?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => CouponBody)
  coupon?: CouponBody | null;

  /** Seller item code → the alternative to offer (each entry checked in the handler). */
  @IsOptional()
  @IsObject({ message: 'alternatives must be an object keyed by seller item code' })
  alternatives?: Record<string, AlternativeBody>;

  /** Seller item code → expected restock day, JST 'YYYY-MM-DD'. */
  @IsOptional()
  @IsObject({ message: 'restockDates must be an object keyed by seller item code' })
  restockDates?: Record<string, string>;

  @IsOptional()
  @IsInt({ message: 'restockMarginDays must be a whole number of days from 0 to 60' })
  @Min(0, { message: 'restockMarginDays must be a whole number of days from 0 to 60' })
  @Max(60, { message: 'restockMarginDays must be a whole number of days from 0 to 60' })
  restockMarginDays?: number;

  @IsOptional()
  @IsBoolean({ message: 'offerBackOrder must be true or false' })
  offerBackOrder?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => CallFirstBody)
  callFirst?: CallFirstBody;

  @IsOptional()
  @ValidateNested()
  @Type(() => TemplatesBody)
  templates?: TemplatesBody;

  @IsOptional()
  @IsBoolean({ message: 'sendByEmail must be true or false' })
  sendByEmail?: boolean;

  @IsOptional()
  @Matches(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, { message: 'fromAddress must be an email address, e.g. shop@example.com' })
  fromAddress?: string;

  /** Where buyers' replies to emails go (the shop's inbox). */
  @IsOptional()
  @Matches(/^([^<>]*<)?[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>?$/, { message: 'replyTo must be an email address, e.g. support@example.com' })
  replyTo?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => EnglishIdentityBody)
  english?: EnglishIdentityBody;

  @IsOptional()
  @IsIn(LANGUAGES, { message: LANGUAGE_MESSAGE })
  language?: Language;
}
