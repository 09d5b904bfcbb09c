export * from './menu';
export * from './lifecycle';
export * from './order';
export * from './errors';
export * from './streams';
export * from './events';
export * from './tracking';
export * from './health';
