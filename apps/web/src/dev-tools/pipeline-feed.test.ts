import { describe, expect, it } from 'vitest';
import { readSseEvents } from './pipeline-feed';

describe('readSseEvents', () => {
  it('splits complete events (named or not) and keeps the incomplete rest', () => {
    const { events, rest } = readSseEvents('event: connected\ndata: {}\n\ndata: {"a":1}\n\nevent: serialized-error\ndata: {"mess');
    expect(events).toEqual([
      { event: 'connected', data: '{}' },
      { event: 'message', data: '{"a":1}' },
    ]);
    expect(rest).toBe('event: serialized-error\ndata: {"mess');
  });
});
