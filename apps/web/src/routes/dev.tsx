import { createFileRoute } from '@tanstack/react-router';
import { DevToolsPage } from '@/dev-tools/dev-tools-page';

export const Route = createFileRoute('/dev')({ component: DevToolsPage });
