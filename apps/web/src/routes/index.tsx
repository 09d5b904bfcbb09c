import { createFileRoute } from '@tanstack/react-router';
import { MenuPage } from '@/menu/menu-page';

export const Route = createFileRoute('/')({ component: MenuPage });
