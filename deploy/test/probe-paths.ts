// Asks the real HTTP server every node service runs (createServiceServer from @pizza/infra) for
// the probe paths, with no dependencies to check, and reports each status code.
import type { AddressInfo } from 'node:net';
import { closeServer, createLogger, createMetrics, createServiceServer, listen } from '@pizza/infra';

export async function servedPaths(paths: string[]): Promise<Record<string, number>> {
  const server = createServiceServer({
    service: 'probe-check',
    logger: createLogger('probe-check', 'silent'),
    metrics: createMetrics('probe-check'),
    probes: {},
    handlers: [],
    routeOf: () => 'unmatched',
  });
  await listen(server, 0, '127.0.0.1');
  try {
    const { port } = server.address() as AddressInfo;
    const statuses: Record<string, number> = {};
    for (const path of new Set(paths)) statuses[path] = (await fetch(`http://127.0.0.1:${port}${path}`)).status;
    return statuses;
  } finally {
    await closeServer(server);
  }
}
