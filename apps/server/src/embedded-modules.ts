import { notificationsModule, orderServiceModule, type NotificationsBounds } from '@pizza/api';
import type { ServiceModule, ServiceRuntime } from '@pizza/infra';
import { deliveryModule, simulatorModule } from '@pizza/workers';
import { webDistDir } from './web-path';
import { webStaticModule } from './web-static';

/** The embedded topology: every service in one process, sharing storage, bus and metrics. `bounds`: tests lower them. */
export function embeddedModules(runtime: ServiceRuntime, bounds: NotificationsBounds = {}): ServiceModule[] {
  return [
    // first: its SSE route `/api/v1/orders/{id}/events` sits inside the order service's `/api/v1`
    notificationsModule(runtime, bounds),
    orderServiceModule(runtime),
    deliveryModule(runtime),
    // the in-process bus forgets pending steps on a crash; storage remembers which orders move
    simulatorModule(runtime, { resumeFromStorage: !runtime.config.REDIS_URL }),
    webStaticModule(runtime.config.WEB_DIST_DIR ?? webDistDir()),
  ];
}
