import { SERVICES } from '@pizza/contracts';
import { runService } from '@pizza/infra';
import { orderServiceModule } from './order-service-module';

await runService({ service: SERVICES.order, defaultPort: 8003, modules: (runtime) => [orderServiceModule(runtime)] });
