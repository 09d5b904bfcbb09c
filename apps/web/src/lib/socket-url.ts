/** The app is always served same-origin, so sockets live on this host: ws:// or wss:// to match the page. */
export function sameOriginSocketUrl(path: string, location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
