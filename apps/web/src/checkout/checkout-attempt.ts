/**
 * One checkout attempt = one Idempotency-Key. The key is reused for every retry and double click
 * of the same order (the server then places it once) and replaced when the order itself changes
 * (the server answers 409 to a reused key with another body). It is kept in sessionStorage so a
 * reload after a lost response still reuses it.
 */
export interface CheckoutAttempt {
  key: string;
  /** The request body the key was issued for, serialized. */
  body: string;
}

export const ATTEMPT_STORAGE_KEY = 'pizza-express.checkout-attempt.v1';

export function attemptFor(previous: CheckoutAttempt | null, body: string, newKey: () => string): CheckoutAttempt {
  return previous && previous.body === body ? previous : { key: newKey(), body };
}

/** A UUID v4. `crypto.randomUUID` only exists in secure contexts; `getRandomValues` exists everywhere. */
export function newIdempotencyKey(random: (bytes: Uint8Array<ArrayBuffer>) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function loadAttempt(storage: Pick<Storage, 'getItem'> | undefined = globalThis.sessionStorage): CheckoutAttempt | null {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(ATTEMPT_STORAGE_KEY) ?? 'null');
    if (parsed && typeof parsed === 'object' && 'key' in parsed && 'body' in parsed) {
      const { key, body } = parsed;
      if (typeof key === 'string' && typeof body === 'string') return { key, body };
    }
  } catch {
    // unreadable: start a new attempt
  }
  return null;
}

export function saveAttempt(attempt: CheckoutAttempt | null, storage: Pick<Storage, 'setItem' | 'removeItem'> | undefined = globalThis.sessionStorage): void {
  try {
    if (attempt) storage?.setItem(ATTEMPT_STORAGE_KEY, JSON.stringify(attempt));
    else storage?.removeItem(ATTEMPT_STORAGE_KEY);
  } catch {
    // storage blocked: the in-memory attempt still covers double clicks and retries
  }
}
