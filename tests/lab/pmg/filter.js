// Stand-in for PMG's pmg-smtp-filter in the lab (the real one is not packaged for Debian). What
// it keeps of the real filter's contract, read from pmg-api src/bin/pmg-smtp-filter and
// src/templates/master.cf.in: it answers LMTP on 127.0.0.1:10023 (mail that came in on the
// internal port, int_port) and 127.0.0.1:10024 (the external port), and reinjects into Postfix's
// 127.0.0.1:10025. Only mail from 10023 counts as trusted, and PMG DKIM-signs only trusted mail
// (pmg-smtp-filter: `$queue->{trusted}` decides `dkim_sign`); here trusted mail is reinjected on
// 127.0.0.1:10026 instead, the same smtpd service with OpenDKIM as its milter (pmg/render.pl
// adds it). No spam or virus scanning, no rules: every message passes.
// Plain CommonJS, run inside the lab's network namespace by pmg/host.ts.
"use strict";
const net = require("node:net");

const REINJECT = { 10023: 10026, 10024: 10025 };

function smtpSend(port, from, rcpts, data) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port });
    const steps = [
      null, // greeting
      "EHLO pmg-smtp-filter.lab\r\n",
      `MAIL FROM:<${from}>\r\n`,
      ...rcpts.map((r) => `RCPT TO:<${r}>\r\n`),
      "DATA\r\n",
      data.replace(/^\./gm, "..") + (data.endsWith("\r\n") ? "" : "\r\n") + ".\r\n",
      "QUIT\r\n",
    ];
    let buf = "";
    let i = 0;
    const replies = [];
    s.on("data", (chunk) => {
      buf += chunk.toString("latin1");
      for (;;) {
        const m = /^(\d{3})([ -])(.*)\r?\n/m.exec(buf);
        if (!m) return;
        buf = buf.slice(m.index + m[0].length);
        if (m[2] === "-") continue;
        replies.push(`${m[1]} ${m[3]}`);
        if (!/^[23]/.test(m[1])) {
          s.destroy();
          reject(new Error(`reinjection refused: ${m[1]} ${m[3]}`));
          return;
        }
        i++;
        if (i < steps.length) s.write(steps[i], "latin1");
        else {
          s.end();
          resolve(replies);
        }
      }
    });
    s.on("error", reject);
  });
}

function serve(port) {
  net
    .createServer((c) => {
      let buf = "";
      let from = "";
      let rcpts = [];
      let inData = false;
      c.write("220 pmg-smtp-filter.lab LMTP (homelab-mail lab stand-in)\r\n");
      c.on("data", (chunk) => {
        buf += chunk.toString("latin1");
        for (;;) {
          if (inData) {
            const end = buf.indexOf("\r\n.\r\n");
            const atStart = buf.startsWith(".\r\n");
            if (end < 0 && !atStart) return;
            const body = atStart ? "" : buf.slice(0, end + 2);
            buf = atStart ? buf.slice(3) : buf.slice(end + 5);
            inData = false;
            const data = body.replace(/^\.\./gm, ".");
            const n = rcpts.length;
            smtpSend(REINJECT[port], from, rcpts, data).then(
              () => c.write("250 2.5.0 OK\r\n".repeat(n)),
              (e) => c.write(`451 4.5.0 ${e.message}\r\n`.repeat(n)),
            );
            continue;
          }
          const nl = buf.indexOf("\r\n");
          if (nl < 0) return;
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 2);
          const cmd = line.slice(0, 4).toUpperCase();
          if (cmd === "LHLO") c.write("250-pmg-smtp-filter.lab\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
          else if (cmd === "MAIL") {
            from = (/<([^>]*)>/.exec(line) || [])[1] || "";
            rcpts = [];
            c.write("250 2.1.0 OK\r\n");
          } else if (cmd === "RCPT") {
            rcpts.push((/<([^>]*)>/.exec(line) || [])[1] || "");
            c.write("250 2.1.5 OK\r\n");
          } else if (cmd === "DATA") {
            inData = true;
            c.write("354 go ahead\r\n");
          } else if (cmd === "RSET") {
            from = "";
            rcpts = [];
            c.write("250 OK\r\n");
          } else if (cmd === "QUIT") c.end("221 bye\r\n");
          else c.write("250 OK\r\n");
        }
      });
      c.on("error", () => {});
    })
    .listen(port, "127.0.0.1", () => process.stdout.write(`filter ${port} ready\n`));
}

serve(10023);
serve(10024);
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
