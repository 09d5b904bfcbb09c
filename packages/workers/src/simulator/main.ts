import { SERVICES } from '@pizza/contracts';
import { runService } from '@pizza/infra';
import { simulatorModule } from './simulator-module';

// The simulator keeps no state of its own: pending steps live in the streams.
await runService({ service: SERVICES.simulator, defaultPort: 8004, usesStorage: false, modules: (runtime) => [simulatorModule(runtime)] });
