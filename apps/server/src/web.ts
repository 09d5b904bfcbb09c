import { runService } from '@pizza/infra';
import { webDistDir } from './web-path';
import { webStaticModule } from './web-static';

// The web app on its own, for the distributed topology without Docker (NGINX routes `/` here).
await runService({
  service: 'web',
  defaultPort: 3000,
  usesStorage: false,
  modules: (runtime) => [webStaticModule(runtime.config.WEB_DIST_DIR ?? webDistDir())],
});
