import { HealthReport, ServicesReport, TRPC_SOCKET_PATH } from '@pizza/contracts';
import { useQuery } from '@tanstack/react-query';
import { sameOriginSocketUrl } from '@/lib/socket-url';

export const HEALTH_POLL_MS = 5_000;
export const HEALTH_PATH = '/api/v1/health';

/** What `/api/v1/health` answered: its HTTP status and report, or why there was none. */
export type HealthProbe =
  | { kind: 'report'; httpStatus: number; report: HealthReport; checkedAt: number }
  | { kind: 'unexpected'; httpStatus: number; body: string; checkedAt: number }
  | { kind: 'unreachable'; error: string; checkedAt: number };

/** Classifies a health response body; anything but a HealthReport is shown raw. */
export function readHealthResponse(httpStatus: number, body: string, checkedAt: number): HealthProbe {
  try {
    const parsed = HealthReport.safeParse(JSON.parse(body));
    if (parsed.success) return { kind: 'report', httpStatus, report: parsed.data, checkedAt };
  } catch {
    // not JSON (e.g. a proxy error page)
  }
  return { kind: 'unexpected', httpStatus, body: body.slice(0, 300), checkedAt };
}

async function probeHealth(signal: AbortSignal): Promise<HealthProbe> {
  const checkedAt = Date.now();
  try {
    const res = await fetch(HEALTH_PATH, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
    return readHealthResponse(res.status, await res.text(), checkedAt);
  } catch (error) {
    if (signal.aborted) throw error;
    return { kind: 'unreachable', error: error instanceof Error ? error.message : String(error), checkedAt };
  }
}

export function useHealthReport() {
  return useQuery({
    queryKey: ['dev-tools', 'health'],
    queryFn: ({ signal }) => probeHealth(signal),
    refetchInterval: HEALTH_POLL_MS,
    staleTime: 0,
    retry: false,
  });
}

export const SERVICES_PATH = '/api/v1/health/services';

/** Every live instance of every service, as the registry knows them. */
export function useServicesReport() {
  return useQuery({
    queryKey: ['dev-tools', 'services'],
    queryFn: async ({ signal }): Promise<ServicesReport> => {
      const res = await fetch(SERVICES_PATH, { signal, cache: 'no-store', headers: { accept: 'application/json' } });
      const body: unknown = await res.json().catch(() => null);
      if (!res.ok) throw new Error((body as { message?: string } | null)?.message ?? `HTTP ${res.status}`);
      return ServicesReport.parse(body);
    },
    refetchInterval: HEALTH_POLL_MS,
    staleTime: 0,
    retry: false,
  });
}

export type SocketProbe = { connected: true; latencyMs: number; checkedAt: number } | { connected: false; error: string; checkedAt: number };

const SOCKET_TIMEOUT_MS = 4_000;

/** Opens a WebSocket to the tracking endpoint, reports whether the upgrade succeeded, and closes it. */
export function probeSocket(url = sameOriginSocketUrl(TRPC_SOCKET_PATH)): Promise<SocketProbe> {
  const started = performance.now();
  const checkedAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const socket = new WebSocket(url);
    const finish = (result: SocketProbe) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.close(1000, 'health probe');
      resolve(result);
    };
    const timer = setTimeout(() => finish({ connected: false, error: `no answer within ${SOCKET_TIMEOUT_MS / 1000} s`, checkedAt }), SOCKET_TIMEOUT_MS);
    socket.addEventListener('open', () => finish({ connected: true, latencyMs: Math.round(performance.now() - started), checkedAt }));
    socket.addEventListener('error', () => finish({ connected: false, error: 'connection refused or upgrade failed', checkedAt }));
    socket.addEventListener('close', (e) => finish({ connected: false, error: `closed with code ${e.code}`, checkedAt }));
  });
}

export function useSocketProbe() {
  return useQuery({
    queryKey: ['dev-tools', 'socket'],
    queryFn: () => probeSocket(),
    refetchInterval: HEALTH_POLL_MS * 2,
    staleTime: 0,
    retry: false,
  });
}
