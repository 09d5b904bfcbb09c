import { createHash } from 'node:crypto';
import type { MenuItem } from '@pizza/contracts';
import type { Storage } from '@pizza/infra';

export interface MenuSnapshot {
  items: MenuItem[];
  /** The items serialized once, served as-is to every REST reader. */
  json: string;
  etag: string;
}

/**
 * The menu is read far more often than it changes: it is loaded and serialized once, dropped
 * when this process takes stock, and re-read after `ttlMs` so that stock taken by other
 * replicas shows up too.
 */
export function createMenuCache(storage: Storage, ttlMs = 1000) {
  let current: { snapshot: MenuSnapshot; loadedAt: number } | null = null;
  let loading: Promise<MenuSnapshot> | null = null;
  // bumped by invalidate(): a load that started before a commit must not be kept as fresh
  let generation = 0;

  const load = async (): Promise<MenuSnapshot> => {
    const items = await storage.listMenu();
    const json = JSON.stringify(items);
    const etag = `"${createHash('sha1').update(json).digest('base64url')}"`;
    return { items, json, etag };
  };

  const fresh = (): MenuSnapshot | null => (current && performance.now() - current.loadedAt < ttlMs ? current.snapshot : null);

  return {
    /** The snapshot when one is loaded and fresh, without waiting; null when `get()` would load. */
    peek: fresh,
    async get(): Promise<MenuSnapshot> {
      const snapshot = fresh();
      if (snapshot) return snapshot;
      // one load at a time; concurrent readers share it
      if (loading) return loading;
      const started = generation;
      const settle = () => {
        if (loading === pending) loading = null;
      };
      const pending: Promise<MenuSnapshot> = load().then(
        (snapshot) => {
          settle();
          if (started === generation) current = { snapshot, loadedAt: performance.now() };
          return snapshot;
        },
        (error: unknown) => {
          settle();
          throw error;
        },
      );
      loading = pending;
      return pending;
    },
    invalidate(): void {
      generation++;
      current = null;
      loading = null; // the next reader starts a load that sees the commit
    },
  };
}

