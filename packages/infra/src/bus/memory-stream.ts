import type { StreamName } from '@pizza/contracts';
import { entryAgeMs, type InspectedGroup } from './bus-inspection';
import type { GroupStats } from './group-gauges';

/**
 * The in-process stream model behind the memory bus, shaped like Redis Streams: an append-only log
 * with `<ms>-<seq>` ids and consumer groups with a read cursor and a pending list.
 *
 * What a log holds is bounded twice. Like `MAXLEN ~`, never much more than `maxLen` entries. And,
 * unlike Redis (where other processes may still read them), no entry every consumer group of this
 * process has already read: a group that took an entry keeps it in its own pending list until it
 * is acknowledged (retries, claims and dead letters work from there), and broadcast subscribers
 * are handed each entry as it is appended. A stream nobody consumes through a group (dead-letters,
 * read by operators) keeps its last `maxLen` entries, as in Redis.
 */

export interface LogEntry {
  id: string;
  /** The JSON envelope, as it would sit in the Redis `data` field. */
  data: string;
}

/** A consumer group's read position in a log (absolute: the position of the next entry it will take). */
export interface LogReader {
  readonly position: number;
}

/**
 * Entries read by every group are let go in batches of at least this many (and at least half the
 * log), so that dropping them costs O(1) per append on average. A log whose groups keep up holds
 * fewer than this many entries (about 100 KB of envelopes).
 */
export const READ_ENTRIES_BATCH = 256;

export class StreamLog {
  private entries: LogEntry[] = [];
  /** Absolute position of `entries[0]`; grows as the log is trimmed. */
  private first = 0;
  private lastMs = 0;
  private lastSeq = 0;
  /** Trim in chunks (like `MAXLEN ~`) so trimming costs O(1) per append on average. */
  private readonly slack: number;
  private readonly readers = new Set<LogReader>();

  constructor(private readonly maxLen: number) {
    this.slack = Math.max(1, Math.ceil(maxLen / 10));
  }

  append(data: string): LogEntry {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.lastSeq = 0;
    } else {
      this.lastSeq++;
    }
    const entry = { id: `${this.lastMs}-${this.lastSeq}`, data };
    this.entries.push(entry);
    this.trim();
    return entry;
  }

  /** From now on, entries are kept until this reader (and every other) has read them. */
  addReader(reader: LogReader): void {
    this.readers.add(reader);
  }

  /** Drops what `MAXLEN ~` or the readers allow; called on every append and whenever a reader moves on. */
  trim(): void {
    const length = this.entries.length;
    let drop = length >= this.maxLen + this.slack ? length - this.maxLen : 0;
    if (this.readers.size > 0) {
      let read = Number.POSITIVE_INFINITY;
      for (const reader of this.readers) read = Math.min(read, reader.position);
      const readCount = Math.min(read, this.end) - this.first;
      if (readCount >= Math.max(READ_ENTRIES_BATCH, length / 2)) drop = Math.max(drop, readCount);
    }
    if (drop <= 0) return;
    this.entries.splice(0, drop);
    this.first += drop;
  }

  /** Position of the oldest retained entry. */
  get start(): number {
    return this.first;
  }

  /** Position after the newest entry. */
  get end(): number {
    return this.first + this.entries.length;
  }

  at(position: number): LogEntry | undefined {
    return this.entries[position - this.first];
  }

  all(): readonly LogEntry[] {
    return this.entries;
  }
}

/** A delivered, not yet acknowledged entry. It keeps its data, so trimming never loses pending work. */
export interface PendingEntry {
  entry: LogEntry;
  deliveries: number;
  /** The member it was last handed to (the pipeline view counts pending per consumer). */
  owner?: GroupMember;
}

export interface GroupMember {
  readonly name: string;
  /** When it last started or finished a delivery (Date.now()). */
  readonly lastActiveAt: number;
  readonly hasSlot: boolean;
  start(group: MemoryGroup, pending: PendingEntry): void;
}

/** One consumer group on one stream: every group sees every entry, each entry goes to one member. */
export class MemoryGroup implements LogReader {
  private cursor: number;
  private readonly pending = new Map<string, PendingEntry>();
  private readonly redeliveries: PendingEntry[] = [];
  private readonly members: GroupMember[] = [];
  private nextMember = 0;
  private scheduled = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly stream: StreamName,
    readonly name: string,
    private readonly log: StreamLog,
  ) {
    // Like `XGROUP CREATE … 0`: a group created late still sees the entries the stream holds (on a
    // stream with other groups, only those some group has not read yet).
    this.cursor = log.start;
    log.addReader(this);
  }

  get position(): number {
    return this.cursor;
  }

  join(member: GroupMember): void {
    this.members.push(member);
    this.schedule();
  }

  leave(member: GroupMember): void {
    const index = this.members.indexOf(member);
    if (index >= 0) this.members.splice(index, 1);
  }

  /** Delivers whatever is ready on the next turn of the event loop, never inside the caller. */
  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  ack(pending: PendingEntry): void {
    this.pending.delete(pending.entry.id);
  }

  /** Keeps the entry pending and hands it to a member (any member, round-robin) after the delay. */
  retryLater(pending: PendingEntry, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.redeliveries.push(pending);
      this.schedule();
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  stats(): GroupStats {
    // a Map keeps insertion order: the first pending id is the oldest
    const oldestPendingId = this.pending.keys().next().value ?? null;
    return { pending: this.pending.size, lag: this.log.end - Math.max(this.cursor, this.log.start), oldestPendingId };
  }

  /** The group as the pipeline view shows it; pending entries are kept in id order. */
  inspect(now: number): InspectedGroup {
    const owned = new Map<GroupMember, number>();
    for (const pending of this.pending.values()) if (pending.owner) owned.set(pending.owner, (owned.get(pending.owner) ?? 0) + 1);
    const oldest = this.pending.keys().next();
    const { pending, lag } = this.stats();
    return {
      name: this.name,
      pending,
      lag,
      entriesRead: this.cursor,
      oldestPendingMs: oldest.done ? 0 : entryAgeMs(oldest.value, now),
      consumers: this.members.map((m) => ({ name: m.name, pending: owned.get(m) ?? 0, idleMs: Math.max(0, now - m.lastActiveAt) })),
    };
  }

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private drain(): void {
    for (;;) {
      const member = this.memberWithSlot();
      if (!member) return;
      const next = this.take();
      if (!next) return;
      next.owner = member;
      member.start(this, next);
    }
  }

  /** Redeliveries first (they are older), then the next new entry. */
  private take(): PendingEntry | undefined {
    const again = this.redeliveries.shift();
    if (again) {
      again.deliveries++;
      return again;
    }
    // Entries trimmed before this group read them are gone, as in Redis.
    if (this.cursor < this.log.start) this.cursor = this.log.start;
    const entry = this.log.at(this.cursor);
    if (!entry) return undefined;
    this.cursor++;
    this.log.trim();
    const pending = { entry, deliveries: 1 };
    this.pending.set(entry.id, pending);
    return pending;
  }

  private memberWithSlot(): GroupMember | undefined {
    const count = this.members.length;
    for (let i = 0; i < count; i++) {
      const index = (this.nextMember + i) % count;
      const member = this.members[index]!;
      if (member.hasSlot) {
        this.nextMember = (index + 1) % count;
        return member;
      }
    }
    return undefined;
  }
}
