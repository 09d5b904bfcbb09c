import type { IncomingMessage } from 'node:http';
import type { OriginCheck } from './origin-policy';

/** Why a live connection is refused: sent as a JSON error before any stream starts. */
export interface Refusal {
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
  /** Label for `ws_connections_dropped_total{reason}`. */
  reason: string;
}

/** Who may open a long-lived tracking connection (SSE). One place decides, every stream asks. */
export interface ConnectionPolicy {
  /** The refusal for this request, or null to admit it. */
  refusal(req: IncomingMessage): Refusal | null;
}

export interface ConnectionPolicyOptions {
  /** True when the process already holds as many connections as it may (WS_MAX_CONNECTIONS). */
  atCapacity: () => boolean;
  /** The same Origin rule as the socket upgrades (ALLOWED_ORIGINS). */
  originAllowed: OriginCheck;
  /** What `Retry-After` tells a refused client (seconds). */
  retryAfterSeconds?: number;
}

export function createConnectionPolicy(options: ConnectionPolicyOptions): ConnectionPolicy {
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  return {
    refusal(req) {
      if (!options.originAllowed(req)) {
        return { status: 403, code: 'FORBIDDEN', message: 'Pages of this origin may not open live streams (ALLOWED_ORIGINS)', reason: 'origin' };
      }
      if (!options.atCapacity()) return null;
      return {
        status: 503,
        code: 'SERVICE_UNAVAILABLE',
        message: 'Too many live connections on this server: try again later',
        headers: { 'retry-after': retryAfter },
        reason: 'capacity',
      };
    },
  };
}
