import { useEffect } from 'react';

/** Each page names itself in the tab title (and for screen readers on navigation). */
export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Pizza Express` : 'Pizza Express';
  }, [title]);
}
