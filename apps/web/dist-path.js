// Where the built single-page app lives, for the process that serves it.
import { fileURLToPath } from 'node:url';
export const webDistDir = fileURLToPath(new URL('./dist', import.meta.url));
