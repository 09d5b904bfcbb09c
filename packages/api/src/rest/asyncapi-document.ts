import { z } from 'zod';
import {
  DeadLetter,
  EVENT_STREAM,
  EventEnvelope,
  GROUPS,
  MAX_DELIVERY_ATTEMPTS,
  OrderCreatedEvent,
  SERVICES,
  STREAMS,
  type EventType,
  type StreamName,
} from '@pizza/contracts';

/** Who writes each stream and who reads it (a group, or every notifications replica on its own). */
const TOPOLOGY: { stream: StreamName; producer: string; consumers: { service: string; group: string | null }[] }[] = [
  { stream: STREAMS.orders, producer: SERVICES.order, consumers: [{ service: SERVICES.delivery, group: GROUPS.delivery }, { service: SERVICES.notifications, group: null }] },
  { stream: STREAMS.simulateOrder, producer: SERVICES.order, consumers: [{ service: SERVICES.simulator, group: GROUPS.simulator }] },
  { stream: STREAMS.orderStatus, producer: SERVICES.simulator, consumers: [{ service: SERVICES.order, group: GROUPS.orders }] },
  {
    stream: STREAMS.deliveries,
    producer: SERVICES.delivery,
    consumers: [{ service: SERVICES.notifications, group: null }, { service: SERVICES.order, group: GROUPS.orders }],
  },
  { stream: STREAMS.simulateDelivery, producer: SERVICES.delivery, consumers: [{ service: SERVICES.simulator, group: GROUPS.simulator }] },
  { stream: STREAMS.deliveryStatus, producer: SERVICES.simulator, consumers: [{ service: SERVICES.delivery, group: GROUPS.delivery }] },
];

/** `order.status_updated` → `orderStatusUpdated`; `dead-letters` → `deadLetters` (AsyncAPI keys). */
const camel = (name: string) => name.replace(/[._-](\w)/g, (_m, c: string) => c.toUpperCase());

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const EVENT_TYPES = EventEnvelope.options.map((option) => option.shape.type.value) as EventType[];
/** Every event as it travels: the common fields, `type`, and a payload whose shape the type decides. */
const Envelope = OrderCreatedEvent.extend({ type: z.enum(EVENT_TYPES as [EventType, ...EventType[]]), payload: z.record(z.string(), z.unknown()) });

const ENTRY = 'Each stream entry has one field, `data`, holding the JSON envelope.';

/**
 * The AsyncAPI 3.0 document of the event streams: one channel per stream, one message per event
 * type with its payload schema generated from the zod contracts, the consumer groups as receive
 * operations, and the dead-letter format.
 */
export function buildAsyncApiDocument() {
  const messages: Record<string, unknown> = {};
  for (const option of EventEnvelope.options) {
    const type = option.shape.type.value;
    messages[camel(type)] = {
      name: type,
      title: type,
      summary: `\`${type}\` on \`${EVENT_STREAM[type]}\`. ${ENTRY}`,
      contentType: 'application/json',
      payload: jsonSchema(option),
    };
  }
  messages.deadLetter = {
    name: 'dead-letter',
    title: 'Dead letter',
    summary: `A message that failed ${MAX_DELIVERY_ATTEMPTS} times, with where it came from and why it failed; the original is acknowledged.`,
    contentType: 'application/json',
    payload: jsonSchema(DeadLetter),
  };

  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messageRef = (stream: string, key: string) => ({ $ref: `#/channels/${camel(stream)}/messages/${key}` });
  for (const { stream, producer, consumers } of TOPOLOGY) {
    const keys = EVENT_TYPES.filter((type) => EVENT_STREAM[type] === stream).map(camel);
    channels[camel(stream)] = {
      address: stream,
      title: stream,
      description: `Redis stream \`${stream}\` (trimmed with MAXLEN ~). ${ENTRY}`,
      messages: Object.fromEntries(keys.map((key) => [key, { $ref: `#/components/messages/${key}` }])),
    };
    operations[camel(`${producer}-publishes-${stream}`)] = {
      action: 'send',
      title: `${producer} publishes to ${stream}`,
      summary: 'Written with the state change in one transaction (outbox) and published after commit: at least once.',
      channel: { $ref: `#/channels/${camel(stream)}` },
      messages: keys.map((key) => messageRef(stream, key)),
    };
    for (const { service, group } of consumers) {
      operations[camel(`${group ?? service}-reads-${stream}`)] = {
        action: 'receive',
        title: group ? `${service} reads ${stream} in consumer group ${group}` : `every ${service} replica reads ${stream} (no group)`,
        summary: group
          ? `XREADGROUP: acknowledged after the effect is stored and follow-ups published; idempotent by eventId; pending entries claimed after STREAM_CLAIM_IDLE_MS; after ${MAX_DELIVERY_ATTEMPTS} failures to ${STREAMS.deadLetters}.`
          : 'XREAD from the tail: each replica sees every entry and pushes it to its own clients.',
        channel: { $ref: `#/channels/${camel(stream)}` },
        messages: keys.map((key) => messageRef(stream, key)),
        ...(group ? { 'x-consumer-group': group } : {}),
        'x-service': service,
      };
    }
  }
  channels[camel(STREAMS.deadLetters)] = {
    address: STREAMS.deadLetters,
    title: STREAMS.deadLetters,
    description: `Messages any consumer gave up on. ${ENTRY.replace('the JSON envelope', 'the JSON dead letter')}`,
    messages: { deadLetter: { $ref: '#/components/messages/deadLetter' } },
  };
  operations.consumersDeadLetter = {
    action: 'send',
    title: `every consumer group writes to ${STREAMS.deadLetters}`,
    channel: { $ref: `#/channels/${camel(STREAMS.deadLetters)}` },
    messages: [messageRef(STREAMS.deadLetters, 'deadLetter')],
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Pizza Express event streams',
      version: '1.0.0',
      description:
        'Every state change of an order and its delivery travels as an event over Redis Streams (the in-process bus of the ' +
        'all-in-one process keeps the same semantics). Payload schemas are generated from the same zod schemas the services validate with.',
    },
    defaultContentType: 'application/json',
    servers: {
      redis: { host: 'localhost:6379', protocol: 'redis', description: 'The Redis of REDIS_URL' },
    },
    channels,
    operations,
    components: {
      schemas: { Envelope: jsonSchema(Envelope), DeadLetter: jsonSchema(DeadLetter) },
      messages,
    },
  };
}
