import { createMongoStorage } from './mongo-storage';
import { createSqliteStorage } from './sqlite-storage';
import type { Storage } from './storage-port';

/** Picks the adapter from DATABASE_URL: `sqlite:<path>` (embedded) or `mongodb://…` (distributed). */
export function createStorage(databaseUrl: string): Storage {
  if (databaseUrl.startsWith('sqlite:')) return createSqliteStorage(databaseUrl.slice('sqlite:'.length));
  if (/^mongodb(\+srv)?:\/\//.test(databaseUrl)) return createMongoStorage(databaseUrl);
  // Only the scheme is echoed: a MongoDB URL may carry credentials.
  throw new Error(
    `DATABASE_URL: unsupported scheme "${databaseUrl.split(':')[0]}" (expected sqlite:<path> or mongodb://…)`,
  );
}
