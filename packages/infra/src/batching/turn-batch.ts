/**
 * Collects what arrives during one turn of the event loop and hands it over as one batch at the
 * start of the next (setImmediate runs after the I/O callbacks of the current turn), so that work
 * which costs the same for one item as for many (a commit, a network write) is paid once per turn.
 */
export interface TurnBatch<T> {
  add(item: T): void;
  /** Resolves once every batch added so far has been handed over. */
  drained(): Promise<void>;
}

export function turnBatch<T>(handle: (items: T[]) => void): TurnBatch<T> {
  let items: T[] = [];
  let scheduled: Promise<void> | null = null;
  const run = () => {
    const batch = items;
    items = [];
    scheduled = null;
    handle(batch);
  };
  return {
    add(item) {
      items.push(item);
      scheduled ??= new Promise<void>((resolve) =>
        setImmediate(() => {
          try {
            run();
          } finally {
            resolve();
          }
        }),
      );
    },
    drained() {
      return scheduled ?? Promise.resolve();
    },
  };
}
