import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type RegistryContentType } from 'prom-client';

/**
 * Every metric the services expose (the dashboards in docker/grafana query them), registered once per process. The all-in-one process shares one
 * instance between its services; labels tell streams and groups apart.
 */
export function createMetrics(service: string, options: { exemplars?: boolean } = {}) {
  const registry = new Registry<RegistryContentType>();
  registry.setDefaultLabels({ service });
  // Exemplars (a trace id on a histogram bucket) exist only in the OpenMetrics format.
  const exemplars = options.exemplars ?? false;
  if (exemplars) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  collectDefaultMetrics({ register: registry });

  const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

  return {
    registry,
    exemplars,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method and route template.',
      labelNames: ['method', 'route'] as const,
      buckets: latencyBuckets,
      enableExemplars: exemplars,
      registers: [registry],
    }),
    streamProcessed: new Counter({
      name: 'stream_messages_processed_total',
      help: 'Stream messages handled, by outcome (success, error, dead_letter).',
      labelNames: ['stream', 'group', 'status'] as const,
      registers: [registry],
    }),
    streamDuration: new Histogram({
      name: 'stream_message_duration_seconds',
      help: 'Time spent handling one stream message.',
      labelNames: ['stream', 'group'] as const,
      buckets: latencyBuckets,
      enableExemplars: exemplars,
      registers: [registry],
    }),
    streamDlq: new Counter({
      name: 'stream_dlq_messages_total',
      help: 'Messages moved to the dead-letters stream.',
      labelNames: ['stream', 'group'] as const,
      registers: [registry],
    }),
    streamPending: new Gauge({
      name: 'stream_pending_messages',
      help: 'Entries delivered to a group but not yet acknowledged.',
      labelNames: ['stream', 'group'] as const,
      registers: [registry],
    }),
    streamLag: new Gauge({
      name: 'stream_consumer_lag',
      help: 'Entries in the stream not yet delivered to the group.',
      labelNames: ['stream', 'group'] as const,
      registers: [registry],
    }),
    streamOldestPending: new Gauge({
      name: 'stream_oldest_pending_age_seconds',
      help: 'Age of the oldest entry delivered to the group and not acknowledged (0 when none).',
      labelNames: ['stream', 'group'] as const,
      registers: [registry],
    }),
    spansDropped: new Counter({
      name: 'otel_spans_dropped_total',
      help: 'Spans never delivered to the trace collector: export_failed (endpoint unreachable, refusing or too slow), queue_full (the export queue was full while exports hung or failed).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'events_published_total',
      help: 'Envelopes published to the bus, by stream and event type.',
      labelNames: ['stream', 'type'] as const,
      registers: [registry],
    }),
    outboxPending: new Gauge({
      name: 'outbox_pending_events',
      help: 'Outbox rows waiting to be published at the last relay pass.',
      registers: [registry],
    }),
    ordersCreated: new Counter({
      name: 'orders_created_total',
      help: 'Orders accepted.',
      registers: [registry],
    }),
    ordersRejected: new Counter({
      name: 'orders_rejected_total',
      help: 'Orders refused, by reason (validation, unknown_item, insufficient_stock, idempotency_conflict, too_large, unavailable).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    orderTransitions: new Counter({
      name: 'order_status_transitions_total',
      help: 'Order status changes applied, by new status.',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    eventsIgnored: new Counter({
      name: 'lifecycle_events_ignored_total',
      help: 'Lifecycle events not applied, by event type and reason (stale, duplicate, not_found).',
      labelNames: ['type', 'reason'] as const,
      registers: [registry],
    }),
    deliveriesCreated: new Counter({
      name: 'deliveries_created_total',
      help: 'Delivery records created.',
      registers: [registry],
    }),
    simulatorSteps: new Counter({
      name: 'simulator_steps_total',
      help: 'Steps the simulator published, by kind (order, delivery) and status.',
      labelNames: ['kind', 'status'] as const,
      registers: [registry],
    }),
    wsConnections: new Gauge({
      name: 'ws_connections_open',
      help: 'Open live-tracking connections, by transport (tracking and trpc: WebSocket; sse: Server-Sent Events).',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    wsConnectionsLimit: new Gauge({
      name: 'ws_connections_limit',
      help: 'WS_MAX_CONNECTIONS: the sockets one notifications process accepts, all transports together.',
      registers: [registry],
    }),
    wsMessagesPushed: new Counter({
      name: 'ws_messages_pushed_total',
      help: 'Status messages pushed to clients, by transport.',
      labelNames: ['transport'] as const,
      registers: [registry],
    }),
    wsPushLatency: new Histogram({
      name: 'ws_push_latency_seconds',
      help: 'Time from the event occurredAt to the message being sent, by transport.',
      labelNames: ['transport'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    wsDropped: new Counter({
      name: 'ws_connections_dropped_total',
      help: 'Connections closed or refused by the server, by reason (idle, slow, capacity, unknown_order, origin, subscriptions).',
      labelNames: ['transport', 'reason'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** Observes a duration, tagged with the trace that took it when exemplars are on and one is given. */
export function observeSeconds<T extends string>(
  metrics: Metrics,
  histogram: Histogram<T>,
  labels: Partial<Record<T, string>>,
  seconds: number,
  exemplar: Record<string, string> | undefined,
): void {
  if (metrics.exemplars) histogram.observe({ labels, value: seconds, exemplarLabels: (exemplar ?? {}) as Partial<Record<T, string>> });
  else histogram.observe(labels, seconds);
}
