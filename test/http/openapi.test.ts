import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { DASHBOARD_PAGE_ROUTES } from '../../src/http/routes/dashboard-routes';
import { openApiPath } from '../../src/http/openapi';
import { createTestApp, type TestApp } from '../helpers/test-app';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
type Operation = {
  operationId: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, unknown>;
};

/** The parts of Express 5's router (router 2.x) the inventory reads. */
interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/**
 * Every route the app answers, as `METHOD /path`, found by walking app.router.stack: route layers
 * carry their path and methods; a mounted router carries its mount path as `rawPath` and its own stack.
 */
function mountedRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = ([] as string[]).concat(layer.route.path);
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all')) {
          for (const path of paths) found.push(`${method.toUpperCase()} ${prefix}${path}`);
        }
      } else if (layer.handle.stack) {
        assert.equal(typeof layer.rawPath, 'string', 'a router mounted on one string path');
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Doc;
  before(async () => {
    t = await createTestApp();
    doc = (await request(t.services.app).get('/api/openapi.json').set(t.auth)).body;
  });
  after(async () => {
    await t.close();
  });

  test('GET /api/openapi.json needs the admin token like the rest of /api', async () => {
    const res = await request(t.services.app).get('/api/openapi.json');
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'unauthorized');
    assert.equal(doc.openapi, '3.1.0');
  });

  test('documents every route the composed app mounts, and nothing else', () => {
    const page = new Set(DASHBOARD_PAGE_ROUTES.map((path) => `GET ${path}`));
    const mounted = mountedRoutes(t.services.app).filter((route) => !page.has(route));
    assert.ok(mounted.some((route) => route === 'GET /api/cancel-requests'), mounted.join('\n'));
    const app = new Set(mounted.map((route) => route.replace(/ (.*)$/, (_m, path: string) => ` ${openApiPath(path)}`)));
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`)));
    assert.deepEqual([...app].filter((route) => !documented.has(route)), [], 'mounted but not documented');
    assert.deepEqual([...documented].filter((route) => !app.has(route)), [], 'documented but not mounted');
    assert.equal(app.size, mounted.length, 'no route is mounted twice');
  });

  test('every documented operation reaches a handler (not the catch-all 404)', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops) as Array<'get' | 'post' | 'put'>) {
        const url = path.replace(/\{\w+\}/g, '0');
        const call = request(t.services.app)[method](url).set(t.auth);
        const res = method === 'get' ? await call : await call.send({});
        assert.doesNotMatch(String(res.body?.message ?? ''), /^The route /, `${method} ${path}`);
      }
    }
  });

  test('query parameters are exactly what the route validates: an undocumented one is a 400 naming it', async () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const query = ops.get?.parameters?.filter((p) => p.in === 'query') ?? [];
      if (query.length === 0) continue;
      const res = await request(t.services.app).get(path.replace(/\{\w+\}/g, '0')).query({ undocumented: '1' }).set(t.auth);
      assert.equal(res.status, 400, path);
      assert.deepEqual(res.body.details.map((d: { field: string }) => d.field), ['undocumented'], path);
    }
  });

  test('the list route documents its filters with the validator’s rules', () => {
    const params = doc.paths['/api/cancel-requests']!.get!.parameters!;
    assert.deepEqual(params.map((p) => p.name), ['shopId', 'status', 'kind', 'from', 'to', 'q', 'limit', 'cursor']);
    const byName = Object.fromEntries(params.map((p) => [p.name, p]));
    assert.deepEqual(byName.status!.schema.enum, ['pending', 'review', 'acting', 'done', 'closed']);
    assert.deepEqual(byName.kind!.schema.enum, ['accept', 'refuse', 'seller-fault', 'review']);
    assert.deepEqual([byName.limit!.schema.type, byName.limit!.schema.minimum, byName.limit!.schema.maximum, byName.limit!.schema.default], ['integer', 1, 200, 50]);
    assert.equal(byName.shopId!.schema.format, 'uuid');
    assert.ok(params.every((p) => p.required === false));
  });

  test('JSON bodies come from the DTOs: required fields and no unknown ones', () => {
    const override = doc.components.schemas.OverrideBody as { required: string[]; additionalProperties: boolean; properties: Record<string, { enum?: string[] }> };
    assert.deepEqual(override.required, ['kind', 'note']);
    assert.equal(override.additionalProperties, false);
    assert.deepEqual(override.properties.kind!.enum, ['accept', 'refuse', 'seller-fault']);
    const shipments = doc.paths['/api/shipments']!.post!.requestBody!.content['application/json']!.schema;
    assert.ok(Array.isArray(shipments.oneOf), 'one shipment or an array');
  });

  test('is self-consistent: refs resolve, path parameters are declared, ids are unique, errors are documented', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
    assert.ok(refs.length > 20);
    assert.deepEqual(refs.filter((name) => !(name in doc.components.schemas)), []);
    const ids = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        assert.deepEqual(declared, inPath, `${method} ${path}`);
        assert.ok(!ids.has(op.operationId), op.operationId);
        ids.add(op.operationId);
        const isPublic = Array.isArray(op.security) && op.security.length === 0;
        assert.equal(isPublic, !path.startsWith('/api'), `${method} ${path}: only /healthz and /readyz are public`);
        if (!isPublic) assert.ok(op.responses['401'], `${method} ${path} documents 401`);
        if (op.parameters?.some((p) => p.in === 'query') || op.requestBody) assert.ok(op.responses['400'], `${method} ${path} documents 400`);
      }
    }
  });
});
