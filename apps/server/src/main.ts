import { notificationsModule, orderServiceModule } from '@pizza/api';
import { runService } from '@pizza/infra';
import { deliveryModule, simulatorModule } from '@pizza/workers';
import { webDistDir } from './web-path';
import { webStaticModule } from './web-static';

// The embedded topology: every service in this one process, sharing storage, bus and metrics.
await runService({
  service: 'pizza-express',
  defaultPort: 3000,
  modules: (runtime) => [
    orderServiceModule(runtime),
    deliveryModule(runtime),
    // the in-process bus forgets pending steps on a crash; storage remembers which orders move
    simulatorModule(runtime, { resumeFromStorage: !runtime.config.REDIS_URL }),
    notificationsModule(runtime),
    webStaticModule(runtime.config.WEB_DIST_DIR ?? webDistDir),
  ],
});
