import { expect, it } from 'vitest';
import { lintOpenApi } from './lint-openapi';

it('the OpenAPI document has no error under Redocly, spectral:oas, and only the OWASP rules docs/api.md explains', async () => {
  const { redocly, spectral, owasp } = await lintOpenApi();
  expect(redocly.errors).toBe(0);
  expect(spectral.errors).toBe(0);
  const explained = [
    'owasp:api4:2023-string-limit',
    'owasp:api4:2023-string-restricted',
    'owasp:api4:2023-array-limit',
    'owasp:api4:2023-rate-limit',
    'owasp:api4:2023-rate-limit-responses-429',
    'owasp:api8:2023-define-error-responses-401',
    'owasp:api8:2023-define-error-validation',
    'owasp:api2:2023-read-restricted',
    'owasp:api2:2023-write-restricted',
    'owasp:api9:2023-inventory-access',
    'owasp:api8:2023-define-cors-origin',
  ];
  expect(Object.keys(owasp.rules).filter((rule) => !explained.includes(rule))).toEqual([]);
}, 180_000);
