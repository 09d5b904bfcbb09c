import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetterPage, ErrorBody, MenuItem, PipelineSnapshot, Redriven, RedrivenMatching, STREAMS, makeEvent } from '@pizza/contracts';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { eventually, startProcess, type AppProcess } from './app-process';
import { jsonCall } from './json-call';

// Black-box: the operations API (/api/v1/admin and tRPC admin.*) of the real all-in-one process,
// embedded without ADMIN_TOKEN and on Redis Streams with one.
const TOKEN = 'control-room-test-token-0123456789';

describe('embedded, ADMIN_TOKEN unset', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startProcess('apps/server/src/main.ts', { SIM_CONFIRM_DELAY_MS: '60000' });
  });
  afterAll(async () => {
    await app?.kill();
  });

  it('answers a direct loopback client: the pipeline with every stream and the in-process groups', async () => {
    const { status, body } = await jsonCall(app.url, '/api/v1/admin/pipeline');
    expect(status).toBe(200);
    const snapshot = PipelineSnapshot.parse(body);
    expect(snapshot.streams.map((s) => s.name)).toContain(STREAMS.orders);
    const orders = snapshot.streams.find((s) => s.name === STREAMS.orders)!;
    expect(orders.groups.map((g) => g.name).sort()).toEqual(['delivery-group']);
    expect(orders.groups[0]!.consumers).toHaveLength(1);
    expect(snapshot.deadLetters).toBe(0);
  });

  it('refuses a client that came through a proxy (X-Forwarded-For or Forwarded) with 403 naming ADMIN_TOKEN, REST and tRPC', async () => {
    for (const headers of [{ 'x-forwarded-for': '203.0.113.9' }, { forwarded: 'for=203.0.113.9' }] as Record<string, string>[]) {
      for (const path of ['/api/v1/admin/pipeline', '/api/trpc/admin.pipelineSnapshot']) {
        const { status, body } = await jsonCall(app.url, path, { headers });
        expect(status, path).toBe(403);
        expect(JSON.stringify(body), path).toContain('ADMIN_TOKEN');
      }
    }
    expect(ErrorBody.parse((await jsonCall(app.url, '/api/v1/admin/pipeline', { headers: { forwarded: 'for=x' } })).body).code).toBe('FORBIDDEN');
  });

  it('sets stock: 200 with the item, and the menu (REST and tRPC) shows it at once', async () => {
    const { status, body } = await jsonCall(app.url, '/api/v1/admin/menu/cola/stock', { method: 'PUT', body: { stock: 1_000_000 } });
    expect(status).toBe(200);
    expect(MenuItem.parse(body)).toMatchObject({ id: 'cola', stock: 1_000_000 });
    expect(MenuItem.parse((await jsonCall(app.url, '/api/v1/menu/cola')).body).stock).toBe(1_000_000);
    const menu = MenuItem.array().parse((await jsonCall(app.url, '/api/v1/menu')).body);
    expect(menu.find((i) => i.id === 'cola')!.stock).toBe(1_000_000);
    const trpc = (await jsonCall(app.url, '/api/trpc/menu.list')).body as { result: { data: MenuItem[] } };
    expect(trpc.result.data.find((i) => i.id === 'cola')!.stock).toBe(1_000_000);
  });

  it('refuses bad stock input with 400 naming the field, an unknown item with 404, another method with 405', async () => {
    for (const bad of [{ stock: 1_000_001 }, { stock: -1 }, { stock: 2.5 }, { stock: 'many' }, {}]) {
      const { status, body } = await jsonCall(app.url, '/api/v1/admin/menu/cola/stock', { method: 'PUT', body: bad });
      expect(status, JSON.stringify(bad)).toBe(400);
      expect(ErrorBody.parse(body)).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('stock') });
    }
    const unknown = await jsonCall(app.url, '/api/v1/admin/menu/calzone/stock', { method: 'PUT', body: { stock: 3 } });
    expect(unknown.status).toBe(404);
    expect(ErrorBody.parse(unknown.body).code).toBe('NOT_FOUND');
    expect((await jsonCall(app.url, '/api/v1/admin/menu/cola/stock')).status).toBe(405);
  });

  it('lists no dead letters; bad filters are 400 naming the field; unknown ids 404', async () => {
    expect(DeadLetterPage.parse((await jsonCall(app.url, '/api/v1/admin/dead-letters?stream=orders-stream&limit=10')).body)).toEqual({ items: [], next: null });
    for (const [query, field] of [['limit=0', 'limit'], ['limit=many', 'limit'], ['cursor=yesterday', 'cursor']] as const) {
      const { status, body } = await jsonCall(app.url, `/api/v1/admin/dead-letters?${query}`);
      expect(status, query).toBe(400);
      expect(ErrorBody.parse(body).message, query).toContain(field);
    }
    expect((await jsonCall(app.url, '/api/v1/admin/dead-letters/1700000000000-0/redrive', { method: 'POST', body: {} })).status).toBe(404);
    expect((await jsonCall(app.url, '/api/v1/admin/dead-letters/1700000000000-0', { method: 'DELETE' })).status).toBe(404);
    const badId = await jsonCall(app.url, '/api/v1/admin/dead-letters/not-an-id', { method: 'DELETE' });
    expect(badId.status).toBe(400);
    expect(ErrorBody.parse(badId.body).message).toContain('id');
  });

  it('redrive all matching: nothing to redrive is 200 with an empty list; bad filters are 400 naming the field', async () => {
    const none = await jsonCall(app.url, '/api/v1/admin/dead-letters/redrive', { method: 'POST', body: { group: 'delivery-group' } });
    expect(none.status).toBe(200);
    expect(RedrivenMatching.parse(none.body)).toEqual({ redriven: [], more: false });
    for (const [body, field] of [[{ error: '' }, 'error'], [{ stream: 5 }, 'stream'], [{ group: 'g'.repeat(201) }, 'group']] as const) {
      const { status, body: answer } = await jsonCall(app.url, '/api/v1/admin/dead-letters/redrive', { method: 'POST', body });
      expect(status, field).toBe(400);
      expect(ErrorBody.parse(answer).message, field).toContain(field);
    }
    expect((await jsonCall(app.url, '/api/v1/admin/dead-letters?error=', {})).status).toBe(400);
  });

  it('documents every admin route in OpenAPI with the bearer security scheme', async () => {
    const doc = (await jsonCall(app.url, '/api/v1/openapi.json')).body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
      components: { securitySchemes: Record<string, { type: string; scheme: string }> };
    };
    const routes = [
      ['/admin/pipeline', 'get'],
      ['/admin/dead-letters', 'get'],
      ['/admin/dead-letters/{id}/redrive', 'post'],
      ['/admin/dead-letters/redrive', 'post'],
      ['/admin/dead-letters/{id}', 'delete'],
      ['/admin/menu/{id}/stock', 'put'],
    ] as const;
    for (const [path, method] of routes) expect(doc.paths[path]?.[method]?.security, `${method} ${path}`).toBeDefined();
    expect(Object.values(doc.components.securitySchemes)).toContainEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));
  });
});

describe('Redis Streams, ADMIN_TOKEN set', () => {
  let redis: RedisServer;
  let raw: Redis;
  let app: AppProcess;
  const auth = { authorization: `Bearer ${TOKEN}` };
  beforeAll(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
    app = await startProcess('apps/server/src/main.ts', { REDIS_URL: redis.url, ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'info', SIM_CONFIRM_DELAY_MS: '60000' });
  });
  afterAll(async () => {
    await app?.kill();
    raw?.disconnect();
    await redis?.stop();
  });

  it('needs the bearer token: 401 without, 403 wrong, 200 right (REST and tRPC), even from loopback', async () => {
    for (const path of ['/api/v1/admin/pipeline', '/api/trpc/admin.pipelineSnapshot']) {
      const without = await jsonCall(app.url, path);
      expect(without.status, path).toBe(401);
      expect(JSON.stringify(without.body)).toContain('UNAUTHORIZED');
      expect((await jsonCall(app.url, path, { headers: { authorization: 'Bearer not-the-token' } })).status, path).toBe(403);
      expect((await jsonCall(app.url, path, { headers: auth })).status, path).toBe(200);
    }
    // the token is checked before the input: no hint about routes or fields without it
    expect((await jsonCall(app.url, '/api/v1/admin/menu/cola/stock', { method: 'PUT', body: { stock: -1 } })).status).toBe(401);
  });

  it('shows the Redis groups with their consumers', async () => {
    // Redis lists a consumer of a group once it has been served an entry: place an order
    const placed = await jsonCall(app.url, '/api/v1/orders', {
      method: 'POST',
      body: { customer: { name: 'Op Erator', phone: '+1 555 0101', address: '1 Control Room' }, items: [{ menuItemId: 'cola', quantity: 1 }] },
    });
    expect(placed.status).toBe(201);
    const orders = await eventually(
      async () => PipelineSnapshot.parse((await jsonCall(app.url, '/api/v1/admin/pipeline', { headers: auth })).body).streams.find((s) => s.name === STREAMS.orders)!,
      // the relay publishes after the commit, and Redis 7 lists a consumer from its first read even
      // when nothing was served: wait for the entry itself, then for it to be acknowledged
      (stream) => stream.length === 1 && stream.groups[0]?.consumers.length === 1 && stream.groups[0].pending === 0,
      30_000,
    );
    expect(orders.length).toBe(1);
    expect(orders.groups.map((g) => g.name)).toEqual(['delivery-group']);
    expect(orders.groups[0]!.consumers[0]).toMatchObject({ name: expect.stringMatching(/^pizza-express-/), pending: 0 });
  });

  it('redrives a dead letter: the same envelope back on its stream, gone from the list, a second redrive 404; discards another (204, then 404); each logged and counted', async () => {
    const envelope = makeEvent('delivery.status_simulated', {
      eventId: '7d0c7c4e-8b7a-4b8e-9b1a-1e2f3a4b5c6d',
      orderId: '0b6f9d8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
      source: 'delivery-service',
      payload: { deliveryId: '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b', status: 'on_the_way' },
    });
    const letter = (entryId: string) =>
      JSON.stringify({ stream: STREAMS.deliveryStatus, group: 'delivery-group', entryId, envelope, error: 'boom', attempts: 3, failedAt: new Date().toISOString() });
    const first = (await raw.xadd(STREAMS.deadLetters, '*', 'data', letter('1-1')))!;
    const second = (await raw.xadd(STREAMS.deadLetters, '*', 'data', letter('1-2')))!;

    const listed = DeadLetterPage.parse((await jsonCall(app.url, `/api/v1/admin/dead-letters?stream=${STREAMS.deliveryStatus}`, { headers: auth })).body);
    expect(listed.items.map((i) => i.id)).toEqual([first, second]);
    expect(listed.items[0]).toMatchObject({ group: 'delivery-group', entryId: '1-1', error: 'boom', attempts: 3, envelope });

    const redrive = await jsonCall(app.url, `/api/v1/admin/dead-letters/${first}/redrive`, { method: 'POST', body: {}, headers: auth });
    expect(redrive.status).toBe(200);
    const { republishedAs } = Redriven.parse(redrive.body);
    const [[, fields]] = (await raw.xrange(STREAMS.deliveryStatus, republishedAs, republishedAs)) as [[string, string[]]];
    expect(JSON.parse(fields[1]!)).toEqual(envelope);
    expect((await jsonCall(app.url, `/api/v1/admin/dead-letters/${first}/redrive`, { method: 'POST', body: {}, headers: auth })).status).toBe(404);

    expect((await jsonCall(app.url, `/api/v1/admin/dead-letters/${second}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await jsonCall(app.url, `/api/v1/admin/dead-letters/${second}`, { method: 'DELETE', headers: auth })).status).toBe(404);
    expect(await raw.xlen(STREAMS.deadLetters)).toBe(0);

    // the child's log lines arrive through a pipe, a moment after the answers
    const audit = [/"who":"bearer","action":"redrive","deadLetterId":"[\d-]+","outcome":"ok"/, /"who":"bearer","action":"discard","deadLetterId":"[\d-]+","outcome":"ok"/];
    await eventually(async () => app.output(), (out) => audit.every((line) => line.test(out)), 20_000);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/admin_actions_total\{action="redrive",outcome="ok"[^}]*\} 1/);
    expect(metrics).toMatch(/admin_actions_total\{action="redrive",outcome="refused"[^}]*\} 1/);
    expect(metrics).toMatch(/admin_actions_total\{action="discard",outcome="ok"[^}]*\} 1/);
  });

  it('redrives all dead letters whose error matches (any case), REST and tRPC; the others stay; logged and counted', async () => {
    const envelopeOf = (n: number) =>
      makeEvent('delivery.status_simulated', {
        eventId: `7d0c7c4e-8b7a-4b8e-9b1a-1e2f3a4b5c${n}0`,
        orderId: '0b6f9d8e-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
        source: 'delivery-service',
        payload: { deliveryId: '1f2e3d4c-5b6a-4798-8a9b-0c1d2e3f4a5b', status: 'on_the_way' },
      });
    const envelopes = [1, 2, 3, 4].map(envelopeOf);
    const envelope = (n: number) => envelopes[n - 1]!;
    const letter = (n: number, error: string) =>
      JSON.stringify({ stream: STREAMS.deliveryStatus, group: 'delivery-group', entryId: `2-${n}`, envelope: envelope(n), error, attempts: 3, failedAt: new Date().toISOString() });
    const ids: string[] = [];
    for (const [n, error] of [[1, 'Boom: oven'], [2, 'fizz'], [3, 'kaBOOM'], [4, 'boom again']] as const) ids.push((await raw.xadd(STREAMS.deadLetters, '*', 'data', letter(n, error)))!);

    const listed = DeadLetterPage.parse((await jsonCall(app.url, '/api/v1/admin/dead-letters?error=boom', { headers: auth })).body);
    expect(listed.items.map((i) => i.id)).toEqual([ids[0], ids[2], ids[3]]);

    expect((await jsonCall(app.url, '/api/v1/admin/dead-letters/redrive', { method: 'POST', body: {} })).status).toBe(401);
    const rest = await jsonCall(app.url, '/api/v1/admin/dead-letters/redrive', { method: 'POST', body: { stream: STREAMS.deliveryStatus, error: 'BOOM' }, headers: { ...auth } });
    expect(rest.status).toBe(200);
    const { redriven, more } = RedrivenMatching.parse(rest.body);
    expect(more).toBe(false);
    expect(redriven.map((r) => r.id)).toEqual([ids[0], ids[2], ids[3]]);
    for (const [i, r] of redriven.entries()) {
      const [[, fields]] = (await raw.xrange(STREAMS.deliveryStatus, r.republishedAs, r.republishedAs)) as [[string, string[]]];
      expect(JSON.parse(fields[1]!)).toEqual(envelope([1, 3, 4][i]!));
    }
    // (a redriven event may fail again in the delivery service and come back under a new id: only these ids count)
    const left = async () => DeadLetterPage.parse((await jsonCall(app.url, '/api/v1/admin/dead-letters', { headers: auth })).body).items.map((i) => i.id).filter((id) => ids.includes(id));
    expect(await left()).toEqual([ids[1]]);

    const trpc = await jsonCall(app.url, '/api/trpc/admin.redriveDeadLetters', { method: 'POST', body: { error: 'fizz' }, headers: auth });
    expect(trpc.status).toBe(200);
    expect((trpc.body as { result: { data: unknown } }).result.data).toMatchObject({ redriven: [{ id: ids[1] }], more: false });
    expect(await left()).toEqual([]);

    await eventually(async () => app.output(), (out) => /"who":"bearer","action":"redrive-all","filter":\{"stream":"delivery-status-stream","error":"BOOM"\},"outcome":"ok","redriven":3/.test(out), 20_000);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).toMatch(/admin_actions_total\{action="redrive-all",outcome="ok"[^}]*\} 2/);
    expect(metrics).toMatch(/admin_dead_letters_redriven_total(\{[^}]*\})? 5/);
  });
});

describe('live pipeline feed (tRPC subscription over SSE)', () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startProcess('apps/server/src/main.ts', { ADMIN_TOKEN: TOKEN, SIM_CONFIRM_DELAY_MS: '60000' });
  });
  afterAll(async () => {
    await app?.kill();
  });

  it('pushes a pipeline snapshot about every second to an authorized subscriber; refuses one without the token', async () => {
    // over SSE the refusal is the stream's one error event (HTTP 200 is already sent), then it ends
    const refused = await (await fetch(`${app.url}/api/trpc/admin.pipeline`, { headers: { accept: 'text/event-stream' } })).text();
    expect(refused).toMatch(/event: serialized-error\ndata: .*"httpStatus":401/);
    expect(refused).not.toContain('"streams"');

    const abort = new AbortController();
    const res = await fetch(`${app.url}/api/trpc/admin.pipeline`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const snapshots: PipelineSnapshot[] = [];
    let buffer = '';
    const deadline = Date.now() + 30_000;
    while (snapshots.length < 3 && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += new TextDecoder().decode(value);
      const events = buffer.split('\n\n');
      buffer = events.pop()!;
      for (const event of events) {
        const data = event.split('\n').find((l) => l.startsWith('data: '));
        const parsed = data ? PipelineSnapshot.safeParse(JSON.parse(data.slice(6))) : null;
        if (parsed?.success) snapshots.push(parsed.data);
      }
    }
    abort.abort();
    expect(snapshots).toHaveLength(3);
    const gaps = snapshots.slice(1).map((s, i) => Date.parse(s.at) - Date.parse(snapshots[i]!.at));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(900);
  });
});
