/**
 * A path in one spelling: each segment percent-decoded and encoded again the standard way, so
 * `/api/v1/menu/margherit%61` and `/api/v1/%6Frders` name what their plain forms name (RFC 3986
 * §6.2.2.2). A segment with malformed encoding is kept as sent (it matches nothing: 404). An
 * encoded `/` stays encoded: it is part of a segment, never a separator; so does an encoded `.`/`..`.
 */
export function canonicalPath(path: string): string {
  if (!path.includes('%')) return path;
  return path
    .split('/')
    .map((segment) => {
      try {
        const decoded = decodeURIComponent(segment);
        // an encoded dot segment stays encoded: decoding it here would let it climb out of /api/v1
        return decoded === '.' || decoded === '..' ? segment : encodeURIComponent(decoded);
      } catch {
        return segment;
      }
    })
    .join('/');
}
