import type { PipelineGroup, StreamName } from '@pizza/contracts';
import { entryAgeMs } from './bus-inspection';
import type { GroupStats } from './group-gauges';

/**
 * The in-process stream model behind the memory bus, shaped like Redis Streams: an append-only log
 * with `<ms>-<seq>` ids trimmed to about `maxLen`, and consumer groups with a read cursor and a
 * pending list.
 */

export interface LogEntry {
  id: string;
  /** The JSON envelope, as it would sit in the Redis `data` field. */
  data: string;
}

export class StreamLog {
  private entries: LogEntry[] = [];
  /** Absolute position of `entries[0]`; grows as the log is trimmed. */
  private first = 0;
  private lastMs = 0;
  private lastSeq = 0;
  /** Trim in chunks (like `MAXLEN ~`) so trimming costs O(1) per append on average. */
  private readonly slack: number;

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
    if (this.entries.length >= this.maxLen + this.slack) {
      const drop = this.entries.length - this.maxLen;
      this.entries.splice(0, drop);
      this.first += drop;
    }
    return entry;
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
export class MemoryGroup {
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
    // Like `XGROUP CREATE … 0`: a group created late still sees the entries already in the stream.
    this.cursor = log.start;
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
  inspect(now: number): PipelineGroup {
    const owned = new Map<GroupMember, number>();
    for (const pending of this.pending.values()) if (pending.owner) owned.set(pending.owner, (owned.get(pending.owner) ?? 0) + 1);
    const oldest = this.pending.keys().next();
    return {
      name: this.name,
      ...this.stats(),
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
