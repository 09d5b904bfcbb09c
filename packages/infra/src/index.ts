export * from './config';
export * from './logger';
export * from './metrics';
export * from './storage/storage-port';
export * from './bus/event-bus';
