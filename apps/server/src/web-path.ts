import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The built SPA of apps/web, resolved through the package (so it works from src and dist). Asked
 * only when WEB_DIST_DIR is not set: @pizza/web is a build-time dependency, and the server image
 * (which sets WEB_DIST_DIR) ships without it and without its React dependencies.
 */
export const webDistDir = (): string => join(dirname(createRequire(import.meta.url).resolve('@pizza/web/package.json')), 'dist');
