import { MongoClient } from 'mongodb';
import { afterAll } from 'vitest';
import { startMongoServer, type MongoServer } from '../testing/mongo-server';
import { createMongoStorage } from './mongo-storage';
import { storageContract } from './storage.contract';

const DATABASE_PREFIX = `storage-test-${process.pid}`;
let server: Promise<MongoServer> | undefined;
let databases = 0;

afterAll(async () => {
  await (await server)?.stop();
});

storageContract('MongoDB', async () => {
  server ??= startMongoServer(DATABASE_PREFIX);
  const { url, real } = await server;
  // A database per test: jongodb has no dropDatabase, and a fresh database needs no cleanup between tests.
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${DATABASE_PREFIX}-${++databases}`;
  return {
    storage: createMongoStorage(databaseUrl.toString()),
    supportsConcurrentWriters: real,
    cleanup: async () => {
      if (!real) return; // jongodb keeps everything in memory and is stopped after the file
      const client = new MongoClient(databaseUrl.toString());
      await client.db().dropDatabase();
      await client.close();
    },
  };
});
