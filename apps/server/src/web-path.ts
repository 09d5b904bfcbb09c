import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The built SPA of apps/web (resolved through the package, so it works from src and dist). */
export const webDistDir = join(dirname(createRequire(import.meta.url).resolve('@pizza/web/package.json')), 'dist');
