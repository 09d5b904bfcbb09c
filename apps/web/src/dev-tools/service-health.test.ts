import { describe, expect, it } from 'vitest';
import { readHealthResponse } from './service-health';

describe('readHealthResponse', () => {
  it('reads a health report, healthy or not', () => {
    const body = JSON.stringify({ status: 'error', service: 'order-service', checks: { storage: { status: 'ok', latencyMs: 2 }, bus: { status: 'error', error: 'timeout' } } });
    const probe = readHealthResponse(503, body, 0);
    expect(probe).toMatchObject({ kind: 'report', httpStatus: 503, report: { status: 'error', checks: { bus: { error: 'timeout' } } } });
  });

  it('shows anything else raw (e.g. a gateway error page)', () => {
    expect(readHealthResponse(502, '<html>Bad Gateway</html>', 0)).toMatchObject({ kind: 'unexpected', httpStatus: 502, body: '<html>Bad Gateway</html>' });
  });
});
