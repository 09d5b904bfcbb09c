import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { EventEnvelope, STREAMS } from '@pizza/contracts';
import { buildAsyncApiDocument } from './asyncapi-document';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Every `makeEvent('<type>'` in the services' source (tests and fixtures left out): what the code can publish. */
function publishedEventTypes(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/\.(test|fixture|contract)\.ts$/.test(entry.name) && !path.includes('/fixtures/')) {
        for (const match of readFileSync(path, 'utf8').matchAll(/makeEvent\(\s*['"]([\w.]+)['"]/g)) found.set(match[1]!, relative(repoRoot, path));
      }
    }
  };
  for (const dir of ['packages', 'apps']) walk(join(repoRoot, dir));
  return found;
}

describe('AsyncAPI document of the event streams', () => {
  const doc = buildAsyncApiDocument();

  it('is a valid AsyncAPI 3.0 document: @asyncapi/parser reports no errors', async () => {
    const { document, diagnostics } = await new Parser().parse(doc);
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    expect(
      document!
        .channels()
        .all()
        .map((c) => c.address()),
    ).toEqual(expect.arrayContaining(Object.values(STREAMS)));
  });

  it('has a message for every event type the code can publish, with the zod schema of its payload', () => {
    const published = publishedEventTypes();
    expect(published.size).toBeGreaterThanOrEqual(5); // the scan found the producers
    const names = Object.values(doc.components.messages).map((m) => (m as { name: string }).name);
    for (const [type, file] of published) expect(names, `${type} (published in ${file})`).toContain(type);
    for (const option of EventEnvelope.options) {
      const type = option.shape.type.value;
      expect(names).toContain(type);
      const message = Object.values(doc.components.messages).find((m) => (m as { name: string }).name === type) as { payload: { properties: Record<string, unknown> } };
      expect(message.payload.properties.type).toEqual({ type: 'string', const: type });
      expect(Object.keys(message.payload.properties)).toEqual(Object.keys(option.shape));
    }
  });

  it('names every consumer group as a receive operation, and describes the dead-letter format', () => {
    const operations = Object.values(doc.operations) as { action: string; 'x-consumer-group'?: string; channel: { $ref: string } }[];
    const groups = operations.filter((o) => o.action === 'receive').map((o) => o['x-consumer-group']);
    expect(new Set(groups)).toEqual(new Set(['delivery-group', 'simulator-group', 'orders-group', undefined]));
    const deadLetter = doc.components.messages.deadLetter as { payload: { required: string[] } };
    expect(deadLetter.payload.required).toEqual(expect.arrayContaining(['stream', 'group', 'entryId', 'envelope', 'error', 'attempts']));
    expect(doc.components.schemas.Envelope.required).toEqual(expect.arrayContaining(['eventId', 'type', 'orderId', 'source', 'occurredAt', 'payload']));
  });
});
