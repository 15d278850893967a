import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import type { ClassConstructor } from 'class-transformer';
import { getMetadataStorage } from 'class-validator';
import { projectPath } from '../config/paths';
import { AlertsQuery } from './dto/alert.dto';
import { CancelRequestsQuery, DashboardQuery } from './dto/cancel-request.dto';
import { MadeToOrderBody, OrderFactBody, StockBody, StockImportQuery } from './dto/facts.dto';
import { CountedCancelsQuery, RateHistoryQuery, RateQuery } from './dto/rate.dto';
import { ApproveBody, OverrideBody, ShopQuery } from './dto/review.dto';
import { CallSummaryBody, CaseLogQuery, CaseNotesBody, MarkSentBody, MessageEditBody, MessageSettingsBody, MessagesQuery } from './dto/message.dto';
import {
  DiscardHeldShipmentBody,
  ImportShipmentsQuery,
  ListHeldShipmentsQuery,
  ListShipmentsQuery,
  ResendShipmentBody,
  ShipmentBody,
  SubmitHeldShipmentBody,
  SubmitShipmentsQuery,
} from './dto/tracking.dto';
import { ShopIdParams } from './dto/qoo10-facts.dto';
import { ShopPolicyBody } from './dto/shop-policy.dto';
import { SCHEMAS, type Schema } from './openapi-schemas';

type Method = 'get' | 'post' | 'put';

/** One route as documented. `path` is written as Express mounts it (`/api/items/:code/stock`). */
interface Operation {
  method: Method;
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Public routes need no admin token. */
  isPublic?: boolean;
  query?: ClassConstructor<object>;
  /** The DTO that validates the path parameters (otherwise each is documented as a string). */
  params?: ClassConstructor<object>;
  body?: { json: ClassConstructor<object>; orArray?: boolean } | { raw: string[]; description: string };
  /** The 200 answer: a component name, or an inline schema. */
  ok: string | Schema;
  /** Error statuses beyond 400 (a query, body or path parameter), 401 (not public) and 500. */
  errors?: number[];
  /** Also answers 201 (something was created) with the same body. */
  creates?: boolean;
}

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const shopNote = 'Without shopId the only active shop is meant; with several active shops shopId is required (400).';

/**
 * Every route the service mounts. test/http/openapi.test.ts walks the composed app's router and
 * checks this list against it both ways, so a route cannot be added without documenting it.
 */
export const OPERATIONS: readonly Operation[] = [
  { method: 'get', path: '/healthz', tag: 'health', summary: 'The process answers', isPublic: true, ok: { type: 'object', properties: { status: { const: 'ok' } } } },
  { method: 'get', path: '/readyz', tag: 'health', summary: 'Database reachable, schema current, every active shop polled once; last poll age (503 when not ready)', isPublic: true, ok: ref('Readiness'), errors: [503] },
  { method: 'get', path: '/api/openapi.json', tag: 'meta', summary: 'This document (requires the admin token like the rest of /api)', ok: { type: 'object' } },
  { method: 'get', path: '/api/dashboard', tag: 'dashboard', summary: 'Everything the dashboard shows, in one answer', description: 'Rate and its daily series, review queue, today\'s refusals with their tracking state, recent alerts, Qoo10 connection health. Without shopId: the first active shop (shop is null when none exists).', query: DashboardQuery, ok: ref('Dashboard'), errors: [404] },
  { method: 'get', path: '/api/shops', tag: 'shops', summary: 'Shops', ok: { type: 'object', properties: { shops: { type: 'array', items: ref('Shop') } } } },
  { method: 'put', path: '/api/shops/:id/policy', tag: 'shops', summary: 'The shop\'s decision settings: what its stock figures mean (stockMeaning) and what to do with packed orders', description: 'Fields left out stay as they are; the defaults come from STOCK_MEANING and PACKED_ORDERS_POLICY.', params: ShopIdParams, body: { json: ShopPolicyBody }, ok: ref('Shop'), errors: [404] },
  { method: 'get', path: '/api/job-runs', tag: 'shops', summary: 'The latest 50 job runs', ok: { type: 'object', properties: { jobRuns: { type: 'array', items: ref('JobRun') } } } },
  { method: 'get', path: '/api/cancel-requests', tag: 'cancel requests', summary: 'Cancel requests, newest first, with filters and cursor pagination', description: 'Ordered by requested_at desc, id desc. Pass nextCursor back as cursor for the next page (null on the last). from/to: a JST date (the whole day) or an ISO 8601 instant with a zone (from inclusive, to exclusive). q searches order number, cart number, item title and seller item code.', query: CancelRequestsQuery, ok: ref('CancelRequestPage') },
  { method: 'get', path: '/api/cancel-requests/:id', tag: 'cancel requests', summary: 'One request with its order, decisions (rule trail), actions sent and Qoo10\'s answers', ok: ref('CancelRequestDetail'), errors: [404] },
  { method: 'post', path: '/api/cancel-requests/:id/approve', tag: 'review', summary: 'Carry out the suggested decision', body: { json: ApproveBody }, ok: ref('ActionResult'), errors: [404, 409] },
  { method: 'post', path: '/api/cancel-requests/:id/override', tag: 'review', summary: 'Carry out another decision (a note is required)', body: { json: OverrideBody }, ok: ref('ActionResult'), errors: [404, 409] },
  { method: 'post', path: '/api/cancel-requests/:id/handled', tag: 'review', summary: 'Mark as answered by hand in QSM', body: { json: ApproveBody }, ok: ref('CancelRequestDetail'), errors: [404, 409] },
  { method: 'post', path: '/api/cancel-requests/:id/handled/undo', tag: 'review', summary: 'Undo "answered in QSM" until the shop\'s next poll starts (409 undo_too_late after it)', body: { json: ApproveBody }, ok: ref('CancelRequestDetail'), errors: [404, 409] },
  { method: 'get', path: '/api/review-queue', tag: 'review', summary: 'Requests waiting for a person, oldest first', query: ShopQuery, ok: { type: 'object', properties: { items: { type: 'array', items: ref('ReviewItem') } } } },
  { method: 'get', path: '/api/items', tag: 'facts', summary: 'Stock and made-to-order flags per seller item code', description: shopNote, query: ShopQuery, ok: { type: 'object', properties: { items: { type: 'array', items: ref('ItemFact') } } }, errors: [404] },
  { method: 'put', path: '/api/items/:code/stock', tag: 'facts', summary: 'Set an item\'s available stock', body: { json: StockBody }, ok: { type: 'object', properties: { sellerItemCode: { type: 'string' }, available: { type: 'integer' } } }, errors: [404] },
  { method: 'put', path: '/api/items/:code/made-to-order', tag: 'facts', summary: 'Mark an item made to order', body: { json: MadeToOrderBody }, ok: { type: 'object', properties: { sellerItemCode: { type: 'string' }, madeToOrder: { type: 'boolean' } } }, errors: [404] },
  { method: 'post', path: '/api/stock/import', tag: 'facts', summary: 'Import a stock CSV (seller_item_code,available lines); dryRun=true previews it', query: StockImportQuery, body: { raw: ['text/csv', 'text/plain'], description: 'The stock file, at most 20 MB' }, ok: { type: 'object', properties: { imported: { type: 'integer' }, dryRun: { type: 'boolean' }, accepted: { type: 'array', items: { type: 'object' } }, errors: { type: 'array', items: { type: 'object' } } } }, errors: [400, 404, 413] },
  { method: 'post', path: '/api/orders/:orderNo/facts', tag: 'facts', summary: 'Record what the shop knows about an order (packed, handed to the carrier, a shop fault)', body: { json: OrderFactBody }, ok: { type: 'object', properties: { orderNo: { type: 'string' }, recorded: { type: 'boolean' } } }, errors: [404] },
  { method: 'get', path: '/api/cancel-rate', tag: 'rate', summary: 'The month\'s cancellation rate with headroom, projection and breakdowns', description: shopNote, query: RateQuery, ok: ref('RateReport'), errors: [404] },
  { method: 'get', path: '/api/cancel-rate/history', tag: 'rate', summary: 'The rate of the last months, oldest first', description: shopNote, query: RateHistoryQuery, ok: { type: 'object', properties: { shop: ref('ShopRef'), months: { type: 'array', items: { type: 'object' } } } }, errors: [404] },
  { method: 'get', path: '/api/cancel-rate/cancels', tag: 'rate', summary: 'The counted cancels behind the rate, newest first, cursor pagination', description: shopNote, query: CountedCancelsQuery, ok: { type: 'object', properties: { shop: ref('ShopRef'), month: { type: 'string' }, items: { type: 'array', items: { type: 'object' } }, nextCursor: { type: ['string', 'null'] } } }, errors: [404] },
  { method: 'get', path: '/api/alerts', tag: 'alerts', summary: 'Recent alerts, newest first, with their email delivery state', query: AlertsQuery, ok: { type: 'object', properties: { alerts: { type: 'array', items: ref('Alert') } } } },
  { method: 'get', path: '/api/cancel-requests/:id/message', tag: 'messages', summary: 'The buyer message drafted for a settled request, with any phone-call summaries', ok: ref('BuyerMessageWithCalls'), errors: [404] },
  { method: 'put', path: '/api/cancel-requests/:id/message', tag: 'messages', summary: 'Edit this one draft before sending it (a personal line); the built text is kept as original', body: { json: MessageEditBody }, ok: ref('BuyerMessageWithCalls'), errors: [404, 409] },
  { method: 'post', path: '/api/cancel-requests/:id/message/sent', tag: 'messages', summary: 'Mark the draft as sent by hand through QSM (送信済みにする); a waiting email is withdrawn', body: { json: MarkSentBody }, ok: ref('BuyerMessageWithCalls'), errors: [404, 409] },
  { method: 'get', path: '/api/cancel-requests/:id/case-notes', tag: 'messages', summary: 'The case notes: contact channel and time, call, offers, buyer reaction, root cause', ok: ref('CaseNotes'), errors: [404] },
  { method: 'put', path: '/api/cancel-requests/:id/case-notes', tag: 'messages', summary: 'Update the case notes (fields given are replaced, others kept)', body: { json: CaseNotesBody }, ok: ref('CaseNotes'), errors: [404] },
  { method: 'post', path: '/api/cancel-requests/:id/call-summary', tag: 'messages', summary: 'Write the summary of what was agreed on the phone (201 when new, 200 when the same summary exists)', body: { json: CallSummaryBody }, ok: { type: 'object', properties: { created: { type: 'boolean' } }, allOf: [ref('BuyerMessage')] }, creates: true, errors: [404, 409] },
  { method: 'get', path: '/api/messages', tag: 'messages', summary: 'Recent buyer messages, newest first, with their email state', query: MessagesQuery, ok: { type: 'object', properties: { messages: { type: 'array', items: ref('BuyerMessage') } } } },
  { method: 'get', path: '/api/message-templates', tag: 'messages', summary: 'The message templates and their placeholders', ok: { type: 'object' } },
  { method: 'get', path: '/api/shops/:id/message-settings', tag: 'messages', summary: 'A shop\'s buyer-message settings (signature, coupon, alternatives, templates, email sending)', ok: { type: 'object' }, errors: [404] },
  { method: 'put', path: '/api/shops/:id/message-settings', tag: 'messages', summary: 'Replace a shop\'s buyer-message settings', body: { json: MessageSettingsBody }, ok: { type: 'object' }, errors: [404] },
  { method: 'get', path: '/api/case-log', tag: 'messages', summary: 'The case log of a JST month: item, cause, timing and outcome of every case', description: shopNote, query: CaseLogQuery, ok: { type: 'object', properties: { shop: ref('ShopRef'), month: { type: 'string' }, entries: { type: 'array', items: { type: 'object' } } } }, errors: [404] },
  { method: 'get', path: '/api/case-log.csv', tag: 'messages', summary: 'The case log of a JST month as CSV for Excel (UTF-8 with BOM, CRLF); the response is text/csv', description: shopNote, query: CaseLogQuery, ok: { type: 'string', description: 'text/csv; charset=utf-8' }, errors: [404] },
  { method: 'get', path: '/api/reports/seller-fault-items', tag: 'messages', summary: 'Items causing seller-fault cancels in a JST month', description: shopNote, query: CaseLogQuery, ok: { type: 'object', properties: { shop: ref('ShopRef'), month: { type: 'string' } } }, errors: [404] },
  { method: 'get', path: '/api/shipments', tag: 'tracking', summary: 'Tracking numbers received and what Qoo10 answered', query: ListShipmentsQuery, ok: { type: 'object', properties: { shipments: { type: 'array', items: ref('Shipment') } } } },
  { method: 'post', path: '/api/shipments', tag: 'tracking', summary: 'Submit tracking numbers (one shipment or an array) from a WMS/3PL or the dashboard', query: SubmitShipmentsQuery, body: { json: ShipmentBody, orArray: true }, ok: ref('TrackingReport'), errors: [404] },
  { method: 'get', path: '/api/shops/:id/qoo10-facts', tag: 'shops', summary: 'What `cancel-guard verify-live` settled about Qoo10 on this shop\'s account', description: 'Every unconfirmed Qoo10 behaviour (README, "What is not confirmed about Qoo10") as confirmed, contradicted or unknown, with the evidence; unknown (evidence null) until verify-live has settled it.', params: ShopIdParams, ok: { type: 'object', properties: { shop: ref('ShopRef'), facts: { type: 'array', items: { type: 'object', properties: { fact: { type: 'string' }, statement: { type: 'string' }, verdict: { type: 'string', enum: ['confirmed', 'contradicted', 'unknown'] }, evidence: { type: ['string', 'null'] }, checkedAt: { type: ['string', 'null'], format: 'date-time' } } } } } }, errors: [404] },
  { method: 'get', path: '/api/shipments/held', tag: 'tracking', summary: 'Rows held for a person: junk carrier or number (garbled, formula text, unknown carrier, failed check), never sent as they are', description: shopNote, query: ListHeldShipmentsQuery, ok: { type: 'object', properties: { items: { type: 'array', items: ref('HeldShipment') } } }, errors: [404] },
  { method: 'post', path: '/api/shipments/held/:id', tag: 'tracking', summary: 'Correct a held row (fields left out stay as held) and submit it; posting it unchanged confirms an unrecognised carrier name', description: 'A value that is still junk is a 400 naming the field. When the order is unknown or the number belongs to another order, the row stays held with that reason (200, report.errors).', body: { json: SubmitHeldShipmentBody }, ok: { type: 'object', properties: { held: ref('HeldShipment'), report: ref('TrackingReport') } }, errors: [404, 409] },
  { method: 'post', path: '/api/shipments/held/:id/discard', tag: 'tracking', summary: 'Discard a held row (nothing is sent)', body: { json: DiscardHeldShipmentBody }, ok: { type: 'object', properties: { held: ref('HeldShipment') } }, errors: [404, 409] },
  { method: 'post', path: '/api/shipments/:id/resend', tag: 'tracking', summary: 'Send a number Qoo10 rejected again, with a corrected carrier and/or number', description: 'The refused outbox row is kept; the same number gets a new attempt under its key, a new number is a new submission.', body: { json: ResendShipmentBody }, ok: ref('TrackingReport'), errors: [404, 409] },
  { method: 'post', path: '/api/shipments/import', tag: 'tracking', summary: 'Import a label-software export (Yamato B2 Cloud, Sagawa e飛伝, Japan Post), Shift_JIS or UTF-8', query: ImportShipmentsQuery, body: { raw: ['text/csv', 'text/plain', 'application/octet-stream'], description: 'The label file as exported, at most 20 MB' }, ok: ref('TrackingReport'), errors: [404, 413] },
];

/** `/api/items/:code/stock` → `/api/items/{code}/stock` */
export const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

/** Adds what one class-validator decorator says to a JSON Schema. Decorators not listed add nothing. */
function applyRule(schema: Schema, name: string | undefined, constraints: unknown[] | undefined): void {
  const [first] = constraints ?? [];
  if (name === 'isIn') schema.enum = first as unknown[];
  else if (name === 'isInt') schema.type = 'integer';
  else if (name === 'isNumber') schema.type = schema.type ?? 'number';
  else if (name === 'isBoolean') schema.type = 'boolean';
  else if (name === 'isString') schema.type = schema.type ?? 'string';
  else if (name === 'isArray') schema.type = 'array';
  else if (name === 'isObject') schema.type = 'object';
  else if (name === 'isUuid') Object.assign(schema, { type: 'string', format: 'uuid' });
  else if (name === 'isIso8601') Object.assign(schema, { type: 'string', format: 'date-time' });
  else if (name === 'isEmail') Object.assign(schema, { type: 'string', format: 'email' });
  else if (name === 'isUrl') Object.assign(schema, { type: 'string', format: 'uri' });
  else if (name === 'matches') Object.assign(schema, { type: 'string', pattern: (first as RegExp).source });
  else if (name === 'min') schema.minimum = first;
  else if (name === 'max') schema.maximum = first;
  else if (name === 'minLength') schema.minLength = first;
  else if (name === 'maxLength') schema.maxLength = first;
  else if (name === 'arrayMinSize') schema.minItems = first;
  else if (name === 'arrayMaxSize') schema.maxItems = first;
}

/** The JSON Schema of one DTO property; rules declared with `each` describe the array's items. */
function propertySchema(metadata: Array<{ name?: string; constraints?: unknown[]; each: boolean }>, initial: unknown): Schema {
  const schema: Schema = {};
  const items: Schema = {};
  for (const { name, constraints, each } of metadata) applyRule(each ? items : schema, name, constraints);
  if (Object.keys(items).length > 0) Object.assign(schema, { type: 'array', items });
  for (const target of [schema, items]) if (target.enum && !target.type) target.type = 'string';
  if (initial !== undefined) schema.default = initial;
  return schema;
}

/**
 * A DTO's fields as documented: the same decorators that validate a request describe it, and unknown
 * fields are refused (400), so the document lists exactly what is accepted.
 */
export function dtoFields(dto: ClassConstructor<object>): Array<{ name: string; required: boolean; schema: Schema }> {
  const all = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const defaults = new dto() as Record<string, unknown>;
  const names = [...new Set(all.map((m) => m.propertyName))];
  return names.map((name) => {
    const own = all.filter((m) => m.propertyName === name);
    return {
      name,
      required: !own.some((m) => m.name === 'isOptional'),
      schema: propertySchema(own, defaults[name]),
    };
  });
}

function dtoSchema(dto: ClassConstructor<object>): Schema {
  const fields = dtoFields(dto);
  const required = fields.filter((f) => f.required).map((f) => f.name);
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(fields.map((f) => [f.name, f.schema])),
    ...(required.length > 0 ? { required } : {}),
  };
}

const ERROR_TEXT: Record<number, string> = {
  400: 'validation_failed (details name each failing field) or bad_request (unreadable body)',
  401: 'unauthorized: send Authorization: Bearer <ADMIN_TOKEN>',
  404: 'not_found',
  409: 'a conflict with the request\'s state; the code says which (e.g. no_suggestion, request_not_open, request_changed, order_shipped, shop_busy)',
  413: 'payload_too_large',
  500: 'internal_error (logged)',
  503: 'not ready',
};

function operationObject(op: Operation): Schema {
  const pathSchemas = new Map(op.params ? dtoFields(op.params).map((f) => [f.name, f.schema]) : []);
  const parameters: Schema[] = [...op.path.matchAll(/:(\w+)/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: pathSchemas.get(name) ?? { type: 'string' } }));
  for (const field of op.query ? dtoFields(op.query) : []) {
    parameters.push({ name: field.name, in: 'query', required: field.required, schema: field.schema });
  }
  let requestBody: Schema | undefined;
  if (op.body && 'json' in op.body) {
    const name = op.body.json.name;
    const schema = op.body.orArray ? { oneOf: [ref(name), { type: 'array', items: ref(name), minItems: 1 }] } : ref(name);
    requestBody = { required: true, content: { 'application/json': { schema } } };
  } else if (op.body) {
    const schema = { type: 'string', description: op.body.description };
    requestBody = { required: true, content: Object.fromEntries(op.body.raw.map((type) => [type, { schema }])) };
  }
  const statuses = [
    ...(op.query || op.body || parameters.length > 0 ? [400] : []),
    ...(op.isPublic ? [] : [401]),
    ...(op.errors ?? []),
    500,
  ].filter((status) => status !== 503);
  const responses: Schema = {
    200: { description: 'OK', content: { 'application/json': { schema: typeof op.ok === 'string' ? ref(op.ok) : op.ok } } },
  };
  if (op.creates) responses[201] = { description: 'Created', content: (responses[200] as Schema).content };
  for (const status of [...new Set(statuses)].sort()) {
    responses[status] = { description: ERROR_TEXT[status], content: { 'application/json': { schema: ref('Error') } } };
  }
  if (op.errors?.includes(503)) responses[503] = { description: ERROR_TEXT[503], content: { 'application/json': { schema: ref('Readiness') } } };
  return {
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    operationId: `${op.method}${op.path.replace(/[^a-zA-Z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    ...(op.isPublic ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
}

/** The OpenAPI 3.1 document of the admin API, served at GET /api/openapi.json. */
export function buildOpenApiDocument(): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of OPERATIONS) {
    (paths[openApiPath(op.path)] ??= {})[op.method] = operationObject(op);
  }
  const bodies = new Set(OPERATIONS.flatMap((op) => (op.body && 'json' in op.body ? [op.body.json] : [])));
  return {
    openapi: '3.1.0',
    info: {
      title: 'cancel-guard admin API',
      version: packageVersion(),
      description:
        'Answers Qoo10 Japan cancel requests, submits tracking numbers and tracks the monthly cancellation rate. ' +
        'Every /api route (this document included) requires Authorization: Bearer <ADMIN_TOKEN>. Errors are ' +
        '{ code, message, details } with a stable snake_case code. Instants are ISO 8601 UTC; months and dates are JST.',
    },
    security: [{ adminToken: [] }],
    paths,
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the service' } },
      schemas: { ...SCHEMAS, ...Object.fromEntries([...bodies].map((dto) => [dto.name, dtoSchema(dto)])) },
    },
  };
}
