import type { MenuItem } from '@pizza/contracts';
import { skipToken } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useLiveTransport } from '@/lib/live-transport';
import { trpc } from '@/lib/trpc';
import { applyStock } from './apply-stock';

/** Without the live channel (e.g. WebSockets blocked), pages that show stock poll while the tab is visible. */
export const MENU_REFRESH_MS = 4_000;

/** The menu, its stock kept live by the `menu.stock` subscription on the same socket as tracking. */
export function useMenu() {
  const utils = trpc.useUtils();
  const overSocket = useLiveTransport() === 'websocket';
  const stock = trpc.menu.stock.useSubscription(overSocket ? undefined : skipToken, {
    onData: (levels) => utils.menu.list.setData(undefined, (items) => items && applyStock(items, levels)),
  });
  const pushed = overSocket && stock.status === 'pending';
  const query = trpc.menu.list.useQuery(undefined, {
    refetchInterval: pushed ? false : MENU_REFRESH_MS,
    refetchIntervalInBackground: false,
    staleTime: pushed ? Infinity : 2_000,
  });
  const byId = useMemo(() => new Map<string, MenuItem>((query.data ?? []).map((item) => [item.id, item])), [query.data]);
  return { ...query, byId, live: pushed };
}
