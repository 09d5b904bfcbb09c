import { generateOpenApiDocument } from 'trpc-to-openapi';
import { ErrorBody, HealthReport, ServicesReport } from '@pizza/contracts';
import { appRouter } from '../router';

const errorContent = { 'application/json': { schema: ErrorBody } };
const healthResponses = {
  '200': { description: 'Every dependency answers', content: { 'application/json': { schema: HealthReport } } },
  '405': { description: 'Only GET and HEAD', content: errorContent },
  '503': { description: 'A dependency does not answer (named in checks)', content: { 'application/json': { schema: HealthReport } } },
};
const TAGS = [
  { name: 'menu', description: 'What can be ordered, with live stock' },
  { name: 'orders', description: 'Placing an order and reading it back' },
  { name: 'health', description: 'Dependency checks of this service and of every running instance' },
  { name: 'admin', description: 'The operations API (control room): needs the admin bearer token (ADMIN_TOKEN)' },
];
const METHODS = ['get', 'post', 'put', 'delete'] as const;
/** The admin routes' scheme: `Authorization: Bearer <ADMIN_TOKEN>`. */
const ADMIN_SCHEME = 'adminBearer';

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
      '/health': { get: { operationId: 'health.check', tags: ['health'], summary: 'Storage and bus checks', responses: healthResponses } },
      '/health/readiness': { get: { operationId: 'health.readiness', tags: ['health'], summary: 'Ready to serve (same checks)', responses: healthResponses } },
      '/health/services': {
        get: {
          operationId: 'health.services',
          tags: ['health'],
          summary: 'Every live instance of every service, as it last reported (dev tools)',
          responses: {
            '200': { description: 'One entry per running instance', content: { 'application/json': { schema: ServicesReport } } },
            '405': healthResponses['405'],
            '503': { description: 'The registry (Redis) does not answer', content: { 'application/json': { schema: ErrorBody } } },
          },
        },
      },
      '/orders/{id}/events': {
        get: {
          operationId: 'orders-events',
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
              headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1, maximum: 3600 } } },
              content: { 'application/json': { schema: ErrorBody } },
            },
          },
        },
      },
      '/health/liveness': {
        get: { operationId: 'health.liveness', tags: ['health'], summary: 'The process is up', responses: { '200': healthResponses['200'], '405': healthResponses['405'] } },
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
  // The shop is public: anyone may read the menu, order, and read an order by its unguessable id.
  // Say so on every operation; the admin routes alone need the bearer token.
  doc.tags = TAGS;
  delete doc.externalDocs; // a relative URL (/api/docs) is not the absolute URI the field requires
  for (const item of Object.values(doc.paths ?? {}))
    for (const operation of METHODS.map((method) => item?.[method]))
      if (operation?.responses) operation.responses['500'] ??= { description: 'A bug: logged with the request id, no details here', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } };
  // every integer here (cents, stock, quantities, counts) fits 64 bits; say which
  visitSchemas(doc, (schema) => {
    if (schema.type === 'integer' && schema.format === undefined) schema.format = 'int64';
  });
  // One scheme, for the admin routes only (the adapter names its own and puts it on some operations).
  doc.components = { ...doc.components, securitySchemes: { [ADMIN_SCHEME]: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } } };
  doc.security = [];
  for (const [path, item] of Object.entries(doc.paths ?? {}))
    for (const method of METHODS) {
      const operation = item?.[method];
      if (operation) operation.security = path.startsWith('/admin/') ? [{ [ADMIN_SCHEME]: [] }] : [];
    }
  const menuList = doc.paths?.['/menu']?.get;
  if (menuList?.responses) menuList.responses['405'] = { description: 'Only GET and HEAD', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } };
  return doc;
}

/** Calls `visit` for every object in the document that has a `type` (the schemas). */
function visitSchemas(node: unknown, visit: (schema: { type?: unknown; format?: unknown }) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) visitSchemas(child, visit);
  } else if (node && typeof node === 'object') {
    if ('type' in node) visit(node as { type?: unknown; format?: unknown });
    for (const child of Object.values(node)) visitSchemas(child, visit);
  }
}
