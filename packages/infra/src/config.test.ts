import { describe, expect, it } from 'vitest';
import { ConfigError, drawDelay, loadConfig } from './config';

describe('loadConfig', () => {
  it('has working defaults for the embedded topology', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('sqlite:./.data/pizza.db');
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.STREAM_CLAIM_IDLE_MS).toBe(30_000);
    expect(config.WS_PING_INTERVAL_MS).toBe(30_000);
    expect(config.WS_IDLE_TIMEOUT_MS).toBe(60_000);
    expect(config.SIM_CONFIRM_DELAY_MS.min).toBeLessThanOrEqual(config.SIM_CONFIRM_DELAY_MS.max);
  });

  it('reads ALLOWED_ORIGINS as a comma-separated list of origins, unset by default', () => {
    expect(loadConfig({}).ALLOWED_ORIGINS).toBeUndefined();
    expect(loadConfig({ ALLOWED_ORIGINS: ' https://Shop.example.com/ , http://localhost:5173,' }).ALLOWED_ORIGINS).toEqual([
      'https://shop.example.com',
      'http://localhost:5173',
    ]);
  });

  it('reads delays as "min-max" or a single number', () => {
    const config = loadConfig({ SIM_CONFIRM_DELAY_MS: '100-250', SIM_TRANSIT_DELAY_MS: '0' });
    expect(config.SIM_CONFIRM_DELAY_MS).toEqual({ min: 100, max: 250 });
    expect(config.SIM_TRANSIT_DELAY_MS).toEqual({ min: 0, max: 0 });
    for (let i = 0; i < 50; i++) {
      const d = drawDelay(config.SIM_CONFIRM_DELAY_MS);
      expect(d).toBeGreaterThanOrEqual(100);
      expect(d).toBeLessThanOrEqual(250);
    }
  });

  it.each([
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x'],
    ['REDIS_URL', '127.0.0.1:6379'],
    ['LOG_LEVEL', 'chatty'],
    ['SIM_PREPARE_DELAY_MS', 'soon'],
    ['SIM_PICKUP_DELAY_MS', '500-100'],
    ['SIM_TRANSIT_DELAY_MS', '99999999999'],
    ['STREAM_CLAIM_IDLE_MS', '-1'],
    ['WS_PING_INTERVAL_MS', 'often'],
    ['ALLOWED_ORIGINS', 'https://ok.example.com, shop.example.com'],
    ['ALLOWED_ORIGINS', 'https://shop.example.com/path'],
    ['ALLOWED_ORIGINS', 'ftp://shop.example.com'],
  ])('refuses a bad %s and names it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(name);
  });

  it('refuses an idle timeout that is not longer than the ping interval', () => {
    expect(() => loadConfig({ WS_PING_INTERVAL_MS: '5000', WS_IDLE_TIMEOUT_MS: '4000' })).toThrow(/WS_IDLE_TIMEOUT_MS/);
  });
});
