import { Link } from '@tanstack/react-router';
import { Pizza } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button } from './ui/button';
import { useDocumentTitle } from '@/lib/document-title';

export function NotFound({ title = 'Page not found', children }: { title?: string; children?: ReactNode }) {
  useDocumentTitle(title);
  return (
    <div className="mx-auto flex max-w-md flex-col items-center py-16 text-center">
      <div className="grid size-20 place-items-center rounded-full bg-secondary text-secondary-foreground" aria-hidden="true">
        <Pizza className="size-10 -rotate-12" />
      </div>
      <h1 className="mt-6 text-3xl font-extrabold tracking-tight font-display">{title}</h1>
      <div className="mt-3 text-muted-foreground">
        {children ?? <p>We looked in the oven, under the counter and in the delivery bag — nothing here.</p>}
      </div>
      <Button asChild size="lg" className="mt-8">
        <Link to="/">Back to the menu</Link>
      </Button>
    </div>
  );
}
