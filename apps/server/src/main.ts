import { EMBEDDED_SERVICE, runService } from '@pizza/infra';
import { embeddedModules } from './embedded-modules';

await runService({ service: EMBEDDED_SERVICE, defaultPort: 3000, modules: embeddedModules });
