export * from './free-port';
export * from './redis-server';
export * from './mongo-server';
