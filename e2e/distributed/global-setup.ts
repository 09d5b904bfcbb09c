import { startStack } from './stack';

// Starts the whole distributed stack once; tests read its addresses from the environment.
export default async function globalSetup() {
  const storage = process.env.E2E_STORAGE === 'mongo' ? 'mongo' : 'sqlite';
  const stack = await startStack(storage);
  process.env.E2E_STACK = JSON.stringify(stack.addresses);
  return async () => {
    await stack.stop();
  };
}
