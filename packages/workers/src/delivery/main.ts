import { SERVICES } from '@pizza/contracts';
import { runService } from '@pizza/infra';
import { deliveryModule } from './delivery-module';

await runService({ service: SERVICES.delivery, defaultPort: 8001, modules: (runtime) => [deliveryModule(runtime)] });
