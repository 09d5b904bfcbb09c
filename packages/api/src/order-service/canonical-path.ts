/**
 * A path in one spelling: each segment percent-decoded and encoded again the standard way, so
 * `/api/v1/menu/margherit%61` and `/api/v1/%6Drders` name what their plain forms name (RFC 3986
 * §6.2.2.2). A segment with malformed encoding is kept as sent (it matches nothing: 404). An
 * encoded `/` stays encoded: it is part of a segment, never a separator.
 */
export function canonicalPath(path: string): string {
  if (!path.includes('%')) return path;
  return path
    .split('/')
    .map((segment) => {
      try {
        return encodeURIComponent(decodeURIComponent(segment));
      } catch {
        return segment;
      }
    })
    .join('/');
}
