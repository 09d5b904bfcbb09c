import type { Order } from '@pizza/contracts';
import { startRedisServer, type RedisServer } from '@pizza/infra/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTracking } from '../../../packages/api/src/notifications/tracking-client.fixture';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver';
import { startProcess, tempDatabaseUrl, type AppProcess } from './app-process';
import { expectOneJourney, renderTrace } from './trace-journey';

// The first step waits long enough for the tracking socket to connect; the rest run fast.
const SIM = { SIM_CONFIRM_DELAY_MS: '1000', SIM_PREPARE_DELAY_MS: '20', SIM_PICKUP_DELAY_MS: '20', SIM_TRANSIT_DELAY_MS: '20' };
let redis: RedisServer;
let receiver: OtlpReceiver;
const processes: Record<string, AppProcess> = {};

beforeAll(async () => {
  redis = await startRedisServer();
  receiver = await startOtlpReceiver();
  const env = { ...SIM, LOG_LEVEL: 'info', DATABASE_URL: tempDatabaseUrl(), REDIS_URL: redis.url, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
  // half the services export OTLP/protobuf, half OTLP/JSON: one journey exercises both encodings
  const [orderService, delivery, simulator, notifications] = await Promise.all([
    startProcess('packages/api/src/order-service/main.ts', { ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    startProcess('packages/workers/src/delivery/main.ts', { ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
    startProcess('packages/workers/src/simulator/main.ts', { ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    startProcess('packages/api/src/notifications/main.ts', { ...env, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }),
  ]);
  Object.assign(processes, { orderService, delivery, simulator, notifications });
});
afterAll(async () => {
  await Promise.all(Object.values(processes).map((p) => p.kill()));
  await receiver?.close();
  await redis?.stop();
});

describe('tracing across separate processes over Redis Streams', () => {
  it('one simulated order is one trace from the POST to delivered, exported over OTLP/HTTP in both encodings', async () => {
    const res = await fetch(`${processes.orderService!.url}/api/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer: { name: 'Grace Hopper', phone: '555-0100-22', address: '1 Compiler Lane' }, items: [{ menuItemId: 'cola', quantity: 1 }] }),
    });
    expect(res.status).toBe(201);
    const order = (await res.json()) as Order;
    const client = openTracking(`ws://127.0.0.1:${processes.notifications!.port}/ws/v1/order-tracking/${order.id}`);
    try {
      await vi.waitFor(() => expect(client.statuses().at(-1)?.status).toBe('delivered'), { timeout: 40_000, interval: 50 });
      // the batch processors export about once a second
      await vi.waitFor(() => expectOneJourney(receiver.spans, order.id), { timeout: 20_000, interval: 250 });
      const trace = expectOneJourney(receiver.spans, order.id);
      expect([...receiver.encodings].sort()).toEqual(['json', 'protobuf']);
      console.info(`distributed trace of order ${order.id}:\n${renderTrace(trace)}`);

      // log lines written inside those spans name the trace
      const traceId = trace[0]!.traceId;
      const lines = [processes.orderService!, processes.delivery!].flatMap((p) => p.output().split('\n')).filter((l) => l.includes(order.id));
      const named = lines.filter((l) => /"msg":"(order placed|delivery created)"/.test(l));
      expect(named).toHaveLength(2);
      for (const line of named) expect(JSON.parse(line)).toMatchObject({ trace_id: traceId, span_id: expect.stringMatching(/^[0-9a-f]{16}$/) });
    } finally {
      client.ws.terminate();
    }
  });
});
