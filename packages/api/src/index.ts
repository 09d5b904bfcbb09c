export * from './app-error';
export * from './router';
export * from './order-service/order-service';
export * from './order-service/order-http';
export * from './notifications/tracking-service';
export * from './order-service/order-service-module';
export * from './notifications/notifications-module';
