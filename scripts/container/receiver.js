// A stand-in for Zapier's hook endpoint on the host, for the container check: records each
// request's Webhook-Id; answers 503 while /control/fail is set (deliveries wait in the queue),
// 200 after /control/ok. GET /control/received lists the Webhook-Ids. Prints its port.
const http = require('node:http');

const received = [];
let failing = false;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url === '/control/fail') failing = true;
    else if (req.url === '/control/ok') failing = false;
    else if (req.url === '/control/received') return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(received));
    else if (failing) return res.writeHead(503).end();
    else received.push(String(req.headers['webhook-id']));
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"success"}');
  });
});
server.listen(0, '0.0.0.0', () => console.log(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
