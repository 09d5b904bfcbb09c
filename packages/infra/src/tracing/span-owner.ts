import { createContextKey, type Context } from '@opentelemetry/api';
import { GROUPS, SERVICES } from '@pizza/contracts';

/**
 * Which of the four services a span belongs to. Separate processes say it in `service.name`; the
 * all-in-one process says it in `pizza.service` on every span, inherited through the context.
 */
export const TRACE_SERVICE_NAMES: Record<string, string> = {
  [SERVICES.order]: 'order-service',
  [SERVICES.delivery]: 'delivery',
  [SERVICES.simulator]: 'simulator',
  [SERVICES.notifications]: 'notifications',
};

/** The service that consumes as each group; broadcast subscribers are the notifications replicas. */
export const GROUP_OWNERS: Record<string, string> = {
  [GROUPS.orders]: 'order-service',
  [GROUPS.delivery]: 'delivery',
  [GROUPS.simulator]: 'simulator',
};
export const BROADCAST_OWNER = 'notifications';

const OWNER = createContextKey('pizza.service');

export function withOwner(ctx: Context, owner: string): Context {
  return ctx.setValue(OWNER, owner);
}

export function ownerOf(ctx: Context): string | undefined {
  return ctx.getValue(OWNER) as string | undefined;
}
