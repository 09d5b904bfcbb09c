// The pipeline baseline: a bare ioredis loop doing the Redis work of the order lifecycle without any of
// our code. Orders walk a chain of STAGES streams (one stream entry per lifecycle event); every stream
// is read by GROUPS consumer groups, one consumer each on its own connection (XREADGROUP … COUNT
// BATCH BLOCK), and acked with one multi-id XACK per batch; the first group of a stage forwards each
// entry to the next stage (XADD, in the same pipeline as its XACK). Plain JavaScript, run by plain node.
//
// REDIS_URL; BASELINE_PLAN = JSON { orders, stages, groups, batch }. Prints one JSON line when every
// group of the last stage has acked every order: { ms, cpuMs, events }.
import { Redis } from 'ioredis';

const plan = JSON.parse(process.env.BASELINE_PLAN ?? '{}');
const { orders, stages, groups, batch } = plan;
const url = process.env.REDIS_URL ?? '';
const stream = (/** @type {number} */ stage) => `bare:stage:${stage}`;
const payload = JSON.stringify({ type: 'order.status_updated', payload: { status: 'confirmed', note: 'x'.repeat(200) } });

const admin = new Redis(url);
for (let stage = 0; stage < stages; stage += 1) {
  for (let group = 0; group < groups; group += 1) await admin.xgroup('CREATE', stream(stage), `g${group}`, '$', 'MKSTREAM');
}

/** @type {Redis[]} */
const readers = [];
let finishedGroups = 0;
const cpuBefore = process.cpuUsage();
const started = performance.now();
const done = new Promise((resolve) => {
  for (let stage = 0; stage < stages; stage += 1) {
    for (let group = 0; group < groups; group += 1) {
      const reader = new Redis(url);
      readers.push(reader);
      const forwards = group === 0 && stage < stages - 1;
      void (async () => {
        let acked = 0;
        while (acked < orders) {
          const reply = /** @type {[string, [string, string[]][]][] | null} */ (await reader.xreadgroup('GROUP', `g${group}`, 'c', 'COUNT', batch, 'BLOCK', 1000, 'STREAMS', stream(stage), '>'));
          const entries = reply?.[0]?.[1] ?? [];
          if (entries.length === 0) continue;
          const pipeline = admin.pipeline();
          for (const [, fields] of entries) {
            if (forwards) pipeline.xadd(stream(stage + 1), 'MAXLEN', '~', 100000, '*', 'data', fields[1] ?? '');
          }
          pipeline.xack(stream(stage), `g${group}`, ...entries.map(([id]) => id));
          await pipeline.exec();
          acked += entries.length;
        }
        if (stage === stages - 1 && (finishedGroups += 1) === groups) resolve(undefined);
      })();
    }
  }
});

const seed = admin.pipeline();
for (let i = 0; i < orders; i += 1) seed.xadd(stream(0), 'MAXLEN', '~', 100000, '*', 'data', payload);
await seed.exec();
await done;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(`${JSON.stringify({ ms: performance.now() - started, cpuMs: (cpu.user + cpu.system) / 1000, events: orders * stages })}\n`);
for (const reader of readers) reader.disconnect();
admin.disconnect();
process.exit(0);
