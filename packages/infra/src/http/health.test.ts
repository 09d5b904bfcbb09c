import { Writable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import { checkHealth } from './health';

it('names a failing check without the driver message, which goes to the log', async () => {
  let logged = '';
  const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => ((logged += chunk.toString()), done()) }));
  const report = await checkHealth(
    'order-service',
    {
      storage: async () => {
        throw new Error('connect ECONNREFUSED 10.1.2.3:27017 (mongodb://admin:secret@mongo-0)');
      },
      bus: async () => {},
    },
    logger,
  );
  expect(report.status).toBe('error');
  expect(report.checks.storage).toEqual({ status: 'error', error: 'storage does not answer' });
  expect(report.checks.bus?.status).toBe('ok');
  expect(JSON.stringify(report)).not.toMatch(/10\.1\.2\.3|secret|ECONNREFUSED/);
  expect(logged).toContain('ECONNREFUSED 10.1.2.3:27017');
});
