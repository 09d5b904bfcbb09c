import { runService } from '@pizza/infra';
import { embeddedModules } from './embedded-modules';

// The embedded topology: every service in this one process, sharing storage, bus and metrics.
await runService({ service: 'pizza-express', defaultPort: 3000, modules: embeddedModules });
