import type { StackAddresses } from './stack';

/** The addresses global-setup published for this run. */
export function stack(): StackAddresses {
  const raw = process.env.E2E_STACK;
  if (!raw) throw new Error('E2E_STACK is not set: run through distributed.config.ts');
  return JSON.parse(raw) as StackAddresses;
}
