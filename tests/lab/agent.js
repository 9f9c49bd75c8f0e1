// The lab's agent, run inside the lab's network namespace (tests/lab/netns.ts starts it with
// `nsenter --net`). Node cannot enter a namespace, so the test process reaches the lab through
// this agent: each connection to its Unix socket (a file, visible from both namespaces) starts
// with one JSON line {"host","port","localAddress"?}; the agent opens that TCP connection inside
// the lab, answers "OK\n" (or "ERR <reason>\n") and then pipes bytes both ways.
// Plain CommonJS on purpose: it starts in milliseconds, without ts-node.
"use strict";
const net = require("node:net");
const fs = require("node:fs");

const socketPath = process.argv[2];
fs.rmSync(socketPath, { force: true });
const server = net.createServer((client) => {
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const nl = head.indexOf(10);
    if (nl < 0) return;
    client.off("data", onData);
    client.pause();
    const rest = head.subarray(nl + 1);
    let target;
    try {
      target = JSON.parse(head.subarray(0, nl).toString("utf8"));
    } catch {
      client.end("ERR bad request line\n");
      return;
    }
    const upstream = net.connect({ host: target.host, port: target.port, localAddress: target.localAddress });
    upstream.once("connect", () => {
      client.write("OK\n");
      if (rest.length) upstream.write(rest);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.once("error", (err) => {
      if (!client.destroyed) client.end(`ERR ${err.code || err.message}\n`);
    });
    client.once("error", () => upstream.destroy());
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  };
  client.on("data", onData);
  client.on("error", () => {});
});
server.listen(socketPath, () => {
  fs.chmodSync(socketPath, 0o600);
  process.stdout.write("agent ready\n");
});
// Stop with the test process: the parent's pipe closes when it dies.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
