import { SERVICES } from '@pizza/contracts';
import { runService } from '@pizza/infra';
import { notificationsModule } from './notifications-module';

await runService({ service: SERVICES.notifications, defaultPort: 8002, modules: (runtime) => [notificationsModule(runtime)] });
