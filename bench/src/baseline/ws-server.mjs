// The WebSocket baseline: a bare `ws` server that sends what the tracking socket sends, with none
// of the system's work in between. Plain JavaScript, run by plain node.
//
// BASELINE_MESSAGE = a tracking message (JSON); its `at` is replaced by the send time.
// On connect: the message once (the tracking socket's snapshot). Then, per BASELINE_MODE:
//   stream  BASELINE_PUSHES more, 2 ms apart (push latency)
//   hold    nothing until `POST /push`, which sends it to every open socket (capacity)
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const template = JSON.parse(process.env.BASELINE_MESSAGE ?? '{}');
const mode = process.env.BASELINE_MODE ?? 'hold';
const pushes = Number(process.env.BASELINE_PUSHES ?? '6');
const message = () => JSON.stringify({ ...template, at: new Date().toISOString() });

const server = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/push') {
    const text = message();
    let sent = 0;
    for (const ws of wss.clients) {
      ws.send(text);
      sent += 1;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ sent }));
    return;
  }
  res.writeHead(req.url === '/api/v1/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{}');
});
const wss = new WebSocketServer({ server, maxPayload: 1024 });
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.send(message());
  if (mode === 'stream') {
    let left = pushes;
    const timer = setInterval(() => {
      if (left-- <= 0 || ws.readyState !== ws.OPEN) return clearInterval(timer);
      ws.send(message());
    }, 2);
  }
});
server.listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
});
