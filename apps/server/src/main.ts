import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { notificationsModule, orderServiceModule } from '@pizza/api';
import { runService } from '@pizza/infra';
import { deliveryModule, simulatorModule } from '@pizza/workers';
import { webStaticModule } from './web-static';

const webDist = join(dirname(createRequire(import.meta.url).resolve('@pizza/web/package.json')), 'dist');

// The embedded topology: every service in this one process, sharing storage, bus and metrics.
await runService({
  service: 'pizza-express',
  defaultPort: 3000,
  modules: (runtime) => [
    orderServiceModule(runtime),
    deliveryModule(runtime),
    simulatorModule(runtime),
    notificationsModule(runtime),
    webStaticModule(runtime.config.WEB_DIST_DIR ?? webDist),
  ],
});
