// The shared process helper (spawn, health waits, stop); kept under this name for the bench's imports.
export * from '@pizza/infra/testing';
