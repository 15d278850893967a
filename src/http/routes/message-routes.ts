import { Router } from 'express';
import { qsmText, type CaseNotes } from '../../domain/buyer-messages';
import { AppError, ValidationFailedError } from '../../errors';
import type { BuyerMessageRecord, StoredMessageSettings } from '../../persistence/buyer-message-repository';
import type { BuyerMessageService } from '../../services/buyer-message-service';
import { messageTemplateCatalogue } from '../../services/message-settings';
import {
  AlternativeBody,
  CallSummaryBody,
  CaseLogQuery,
  CaseNotesBody,
  MarkSentBody,
  MessageEditBody,
  MessageSettingsBody,
  MessagesQuery,
} from '../dto/message.dto';
import { validated } from '../validate';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** A browser's clock may run a little ahead of the server's; only a call clearly in the future is refused. */
const CLOCK_SKEW_MS = 5 * 60_000;

const DEFAULT_PERSON = 'admin';

/**
 * A draft as the dashboard shows it: the text (it is addressed to the buyer), never the buyer's
 * address. qsmText is the same message as plain text to paste into QSM's buyer messaging; the
 * buyer's phone is shown only on a call-first draft, where calling is the point.
 */
export function presentBuyerMessage(message: BuyerMessageRecord) {
  const qsm = message.subject !== null && message.body !== null ? qsmText(message.subject, message.body) : null;
  return {
    id: message.id,
    requestId: message.requestId,
    shopId: message.shopId,
    orderNo: message.orderNo,
    purpose: message.purpose,
    templateKey: message.templateKey,
    language: message.language,
    subject: message.subject,
    body: message.body,
    needsPerson: message.needsPerson,
    missing: message.missing,
    problems: message.problems,
    notes: message.notes,
    callFirst: { ...message.callFirst, phone: message.buyerPhone },
    qsmText: qsm?.text ?? null,
    qsm: {
      length: qsm?.length ?? null,
      maxLength: qsm?.maxLength ?? null,
      fits: qsm?.fits ?? null,
      sentAt: iso(message.qsmSent?.at ?? null),
      sentBy: message.qsmSent?.by ?? null,
    },
    edited: message.edited ? { at: iso(message.edited.at), by: message.edited.by } : null,
    original: message.original,
    email: {
      status: message.emailStatus,
      heldReason: message.emailHeldReason,
      to: message.recipientMasked,
      attempts: message.emailAttempts,
      lastError: message.emailLastError,
      sentAt: iso(message.emailedAt),
      nextAttemptAt: message.emailStatus === 'failed' ? iso(message.emailNextAttemptAt) : null,
    },
    createdAt: iso(message.createdAt),
  };
}

function requestIdOf(id: string): string {
  if (!/^\d{1,18}$/.test(id)) {
    throw new ValidationFailedError('The cancel request id is invalid.', [
      { field: 'id', message: 'id must be a cancel request id (a whole number)' },
    ]);
  }
  return id;
}

function shopIdOf(id: string): string {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new ValidationFailedError('The shop id is invalid.', [{ field: 'id', message: 'id must be a shop id (uuid)' }]);
  }
  return id;
}

/** The record-valued settings (keyed by seller item code) checked entry by entry, fields named in full. */
function validatedAlternatives(alternatives: Record<string, unknown> | undefined): void {
  const details: Array<{ field: string; message: string }> = [];
  for (const [code, entry] of Object.entries(alternatives ?? {})) {
    try {
      validated(AlternativeBody, entry, 'body');
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const inner = (error.details ?? []) as Array<{ field: string; message: string }>;
      details.push(...inner.map((d) => ({ field: `alternatives.${code}.${d.field}`, message: d.message })));
    }
  }
  if (details.length > 0) {
    throw new ValidationFailedError(`The request body is invalid: ${details.map((d) => d.field).join(', ')}.`, details);
  }
}

/**
 * Buyer messages: each settled request's draft (to copy, or emailed where the shop chose it), the
 * written summary after a phone call, the shop's own templates, and the case log with the report
 * of items causing seller-fault cancels.
 */
export function messageRoutes(messages: BuyerMessageService, now: () => Date): Router {
  const router = Router();

  router.get('/cancel-requests/:id/message', async (req, res) => {
    const found = await messages.draftOfRequest(requestIdOf(req.params.id));
    res.json({ ...presentBuyerMessage(found.draft), callSummaries: found.callSummaries.map(presentBuyerMessage) });
  });

  router.put('/cancel-requests/:id/message', async (req, res) => {
    const requestId = requestIdOf(req.params.id);
    const body = validated(MessageEditBody, req.body, 'body');
    const edited = await messages.editDraft(
      requestId,
      { ...(body.subject !== undefined ? { subject: body.subject } : {}), ...(body.body !== undefined ? { body: body.body } : {}) },
      body.person ?? DEFAULT_PERSON,
      now(),
    );
    const found = await messages.messagesOfRequest(requestId);
    res.json({ ...presentBuyerMessage(edited), callSummaries: found.callSummaries.map(presentBuyerMessage) });
  });

  router.post('/cancel-requests/:id/message/sent', async (req, res) => {
    const requestId = requestIdOf(req.params.id);
    const body = validated(MarkSentBody, req.body ?? {}, 'body');
    const sent = await messages.markSent(requestId, body.person ?? DEFAULT_PERSON, now(), body.messageId);
    const found = await messages.draftOfRequest(requestId);
    res.json({ ...presentBuyerMessage(found.draft), callSummaries: found.callSummaries.map(presentBuyerMessage), marked: sent.id });
  });

  router.get('/cancel-requests/:id/case-notes', async (req, res) => {
    res.json(presentCaseNotes(await messages.caseNotes(requestIdOf(req.params.id))));
  });

  router.put('/cancel-requests/:id/case-notes', async (req, res) => {
    const requestId = requestIdOf(req.params.id);
    const body = validated(CaseNotesBody, req.body, 'body');
    const { person, contactedAt, ...rest } = body;
    const patch = {
      ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
      ...(contactedAt !== undefined ? { contactedAt: contactedAt === null ? null : new Date(contactedAt) } : {}),
    };
    res.json(presentCaseNotes(await messages.updateCaseNotes(requestId, patch, person ?? DEFAULT_PERSON)));
  });

  router.post('/cancel-requests/:id/call-summary', async (req, res) => {
    const requestId = requestIdOf(req.params.id);
    const body = validated(CallSummaryBody, req.body, 'body');
    const at = now();
    const calledAt = body.calledAt ? new Date(body.calledAt) : at;
    if (calledAt.getTime() > at.getTime() + CLOCK_SKEW_MS) {
      throw new ValidationFailedError('The request body is invalid: calledAt.', [
        { field: 'calledAt', message: 'calledAt must not be in the future' },
      ]);
    }
    const { message, created } = await messages.writeCallSummary(
      requestId,
      { agreedPoints: body.agreedPoints, calledAt, ...(body.language ? { language: body.language } : {}) },
      at,
    );
    res.status(created ? 201 : 200).json({ created, ...presentBuyerMessage(message) });
  });

  router.get('/messages', async (req, res) => {
    const query = validated(MessagesQuery, req.query, 'query');
    const found = await messages.recentMessages({
      limit: query.limit,
      ...(query.shopId ? { shopId: query.shopId } : {}),
      ...(query.status ? { status: query.status } : {}),
    });
    res.json({ messages: found.map(presentBuyerMessage) });
  });

  router.get('/message-templates', (_req, res) => {
    res.json(messageTemplateCatalogue());
  });

  router.get('/shops/:id/message-settings', async (req, res) => {
    res.json(await messages.messageSettings(shopIdOf(req.params.id)));
  });

  router.put('/shops/:id/message-settings', async (req, res) => {
    const shopId = shopIdOf(req.params.id);
    const body = validated(MessageSettingsBody, req.body, 'body');
    validatedAlternatives(body.alternatives);
    // A plain copy: what is stored is the JSON the shop sent, not the DTO's class instances.
    const settings = JSON.parse(JSON.stringify(body)) as StoredMessageSettings;
    res.json(await messages.updateMessageSettings(shopId, settings));
  });

  router.get('/case-log', async (req, res) => {
    const query = validated(CaseLogQuery, req.query, 'query');
    const log = await messages.caseLog(query.shopId, query.month, now());
    res.json({ shop: { id: log.shop.id, name: log.shop.name }, month: log.month, entries: log.entries });
  });

  // UTF-8 with a byte-order mark so Excel opens the Japanese text as written.
  router.get('/case-log.csv', async (req, res) => {
    const query = validated(CaseLogQuery, req.query, 'query');
    const { month, csv } = await messages.caseLogCsv(query.shopId, query.month, now());
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="case-log-${month}.csv"`);
    res.send(Buffer.from(csv, 'utf8'));
  });

  router.get('/reports/seller-fault-items', async (req, res) => {
    const query = validated(CaseLogQuery, req.query, 'query');
    const { shop, month, report } = await messages.sellerFaultItems(query.shopId, query.month, now());
    res.json({ shop: { id: shop.id, name: shop.name }, month, ...report });
  });

  return router;
}

function presentCaseNotes(notes: CaseNotes) {
  return { ...notes, contactedAt: iso(notes.contactedAt) };
}
