import type { MenuItem } from '@pizza/contracts';
import { useMemo } from 'react';
import { trpc } from '@/lib/trpc';

/** Stock changes as others order: pages that show it poll while the tab is visible. */
export const MENU_REFRESH_MS = 4_000;

export function useMenu() {
  const query = trpc.menu.list.useQuery(undefined, {
    refetchInterval: MENU_REFRESH_MS,
    refetchIntervalInBackground: false,
    staleTime: 2_000,
  });
  const byId = useMemo(() => new Map<string, MenuItem>((query.data ?? []).map((item) => [item.id, item])), [query.data]);
  return { ...query, byId };
}
