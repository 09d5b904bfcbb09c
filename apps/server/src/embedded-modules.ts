import { notificationsModule, orderServiceModule } from '@pizza/api';
import type { ServiceModule, ServiceRuntime } from '@pizza/infra';
import { deliveryModule, simulatorModule } from '@pizza/workers';
import { webDistDir } from './web-path';
import { webStaticModule } from './web-static';

/** Every service of the embedded topology, sharing one runtime: storage, bus and metrics. */
export function embeddedModules(runtime: ServiceRuntime): ServiceModule[] {
  return [
    orderServiceModule(runtime),
    deliveryModule(runtime),
    // the in-process bus forgets pending steps on a crash; storage remembers which orders move
    simulatorModule(runtime, { resumeFromStorage: !runtime.config.REDIS_URL }),
    notificationsModule(runtime),
    webStaticModule(runtime.config.WEB_DIST_DIR ?? webDistDir),
  ];
}
