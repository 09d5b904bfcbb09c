export * from './delivery/delivery-module';
export * from './simulator/simulator-module';
