export * from './free-port';
export * from './redis-server';
export * from './mongo-server';
export * from './network-namespace';
export * from './children';
