import { generateOpenApiDocument } from 'trpc-to-openapi';
import { ErrorBody, HealthReport, ServicesReport } from '@pizza/contracts';
import { appRouter } from '../router';

const healthResponses = {
  '200': { description: 'Every dependency answers', content: { 'application/json': { schema: HealthReport } } },
  '503': { description: 'A dependency does not answer (named in checks)', content: { 'application/json': { schema: HealthReport } } },
};

/** The OpenAPI 3 document of the REST API, generated from the tRPC router (plus health). */
export function buildOpenApiDocument() {
  const doc = generateOpenApiDocument(appRouter, {
    title: 'Pizza Express API',
    description: 'Order pizza and track it live. Every error body has `code` and `message`.',
    version: '1.0.0',
    baseUrl: '/api/v1',
    docsUrl: '/api/docs',
    tags: ['menu', 'orders', 'health', 'admin'],
    defs: { ErrorBody },
    paths: {
      '/health': { get: { tags: ['health'], summary: 'Storage and bus checks', responses: healthResponses } },
      '/health/readiness': { get: { tags: ['health'], summary: 'Ready to serve (same checks)', responses: healthResponses } },
      '/health/services': {
        get: {
          tags: ['health'],
          summary: 'Every live instance of every service, as it last reported (dev tools)',
          responses: {
            '200': { description: 'One entry per running instance', content: { 'application/json': { schema: ServicesReport } } },
            '503': { description: 'The registry (Redis) does not answer', content: { 'application/json': { schema: ErrorBody } } },
          },
        },
      },
      '/orders/{id}/events': {
        get: {
          tags: ['orders'],
          summary: 'Follow an order live as Server-Sent Events (served by the notifications service)',
          description:
            'The current state first, then every change, each as `event: status` with `id:` the tracked event id (the same ids as the ' +
            '`orders.track` subscription) and `data:` a TrackingMessage. Reconnecting with `Last-Event-ID` (or `?lastEventId=`) replays every ' +
            'state after that one, once; an id that is not one of ours starts from the current state. A comment line keeps the connection ' +
            'alive at least every 15 s.',
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', maxLength: 64 } },
            { name: 'lastEventId', in: 'query', required: false, schema: { type: 'string', maxLength: 64 } },
          ],
          responses: {
            '200': { description: 'An endless `text/event-stream` of status events', content: { 'text/event-stream': { schema: { type: 'string' } } } },
            '404': { description: 'No such order (also for a malformed id)', content: { 'application/json': { schema: ErrorBody } } },
            '503': {
              description: 'Too many live connections on this server; retry after `Retry-After` seconds',
              headers: { 'Retry-After': { schema: { type: 'integer' } } },
              content: { 'application/json': { schema: ErrorBody } },
            },
          },
        },
      },
      '/health/liveness': {
        get: { tags: ['health'], summary: 'The process is up', responses: { '200': healthResponses['200'] } },
      },
    },
  });
  // trpc-to-openapi documents every success as 200; creating an order answers 201
  const create = doc.paths?.['/orders']?.post;
  if (create?.responses?.['200']) {
    const { '200': created, ...others } = create.responses;
    create.responses = {
      '201': created,
      ...others,
      '415': { description: 'The body is not `application/json`', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } },
    };
  }
  return doc;
}
