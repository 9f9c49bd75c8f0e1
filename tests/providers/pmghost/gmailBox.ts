/**
 * A stand-in for the Gmail catch box and for PMG's SMTP port, for the delivery tests: Debian's real
 * Dovecot serving one mailbox over IMAPS (TLS from the first byte, as imap.gmail.com:993) with a
 * certificate for `localhost` from a throwaway CA, and an SMTP listener that records each
 * transaction's envelope (MAIL FROM, every RCPT TO) and answers RCPT as a test tells it to.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { startDaemon, type Daemon } from "../../verify/bed/daemon";
import { freePort, listening } from "../../verify/bed/net";

export interface ImapsBox {
  readonly port: number;
  /** The CA file a client must trust (SSL_CERT_FILE). */
  readonly caFile: string;
  readonly user: string;
  readonly password: string;
  /** Puts one message into the box's INBOX, as Gmail stores it. */
  put(message: string): void;
  /** The messages still in the box (fetchmail deletes only what the next hop accepted). */
  count(): number;
  stop(): Promise<void>;
}

function ca(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const f = (n: string) => path.join(dir, n);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=homelab-mail test CA",
    "-keyout",
    f("ca.key"),
    "-out",
    f("ca.pem"),
  );
  ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    f("key.pem"),
    "-out",
    f("req.pem"),
  );
  fs.writeFileSync(f("ext.cnf"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n");
  ssl(
    "x509",
    "-req",
    "-in",
    f("req.pem"),
    "-CA",
    f("ca.pem"),
    "-CAkey",
    f("ca.key"),
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    f("ext.cnf"),
    "-out",
    f("cert.pem"),
  );
  return { caFile: f("ca.pem"), certFile: f("cert.pem"), keyFile: f("key.pem") };
}

export async function startImapsBox(dir: string, user: string, password: string): Promise<ImapsBox> {
  const uid = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
  const { caFile, certFile, keyFile } = ca(dir);
  const home = path.join(dir, "home");
  const maildir = path.join(home, "Maildir");
  for (const d of ["new", "cur", "tmp"]) fs.mkdirSync(path.join(maildir, d), { recursive: true });
  execFileSync("chown", ["-R", `${uid}:${uid}`, home]);
  for (const d of ["run", "state"]) fs.mkdirSync(path.join(dir, d), { recursive: true });
  const users = path.join(dir, "users");
  fs.writeFileSync(users, `${user}:{PLAIN}${password}:${uid}:${uid}::${home}\n`, { mode: 0o640 });
  execFileSync("chown", ["root:dovecot", users]);
  const port = await freePort();
  const conf = path.join(dir, "dovecot.conf");
  fs.writeFileSync(
    conf,
    [
      `base_dir = ${path.join(dir, "run")}`,
      `state_dir = ${path.join(dir, "state")}`,
      `instance_name = homelab-mail-gmail-box-${port}`,
      "protocols = imap",
      "listen = 127.0.0.1",
      "service imap-login {",
      "  inet_listener imap {",
      "    port = 0",
      "  }",
      "  inet_listener imaps {",
      "    address = 127.0.0.1",
      `    port = ${port}`,
      "    ssl = yes",
      "  }",
      "}",
      "ssl = required",
      `ssl_cert = <${certFile}`,
      `ssl_key = <${keyFile}`,
      "auth_mechanisms = plain login",
      "auth_failure_delay = 0",
      "passdb {",
      "  driver = passwd-file",
      `  args = scheme=PLAIN ${users}`,
      "}",
      "userdb {",
      "  driver = passwd-file",
      `  args = ${users}`,
      "}",
      "mail_location = maildir:~/Maildir",
      `first_valid_uid = ${Math.min(uid, 1000)}`,
      "log_path = /dev/stderr",
      "",
    ].join("\n"),
  );
  // IMAPS greets only inside TLS: ready is a listening port.
  const daemon: Daemon = await startDaemon("dovecot", ["dovecot", "-F", "-c", conf], () => listening(port));
  let n = 0;
  return {
    port,
    caFile,
    user,
    password,
    put(message) {
      const name = `${Date.now()}.M${n++}P${process.pid}.test`;
      fs.writeFileSync(path.join(maildir, "new", name), message.replace(/\r?\n/g, "\n"));
      fs.chownSync(path.join(maildir, "new", name), uid, uid);
    },
    count() {
      return ["new", "cur"].reduce((k, d) => k + fs.readdirSync(path.join(maildir, d)).length, 0);
    },
    stop: () => daemon.stop(),
  };
}

export interface Transaction {
  readonly from: string;
  readonly rcpts: string[];
  readonly data: string;
}

export interface SmtpRecorder {
  readonly port: number;
  /** Completed transactions (DATA accepted), in order. */
  readonly delivered: Transaction[];
  /** The reply to RCPT TO for an address; default 250. */
  reply: (rcpt: string) => string;
  close(): Promise<void>;
}

/** An SMTP listener that records envelopes; RCPT replies come from `reply`. `port` 0: any free port. */
export async function startSmtpRecorder(port = 0): Promise<SmtpRecorder> {
  const delivered: Transaction[] = [];
  const rec: SmtpRecorder = {
    port: 0,
    delivered,
    reply: () => "250 2.1.5 Ok",
    close: async () => undefined,
  };
  const server = net.createServer((sock) => {
    let buf = "";
    let from = "";
    let rcpts: string[] = [];
    let inData = false;
    let data = "";
    const say = (line: string) => sock.write(`${line}\r\n`);
    say("220 recorder ESMTP");
    sock.on("data", (chunk) => {
      buf += chunk.toString("latin1");
      let i: number;
      while ((i = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            delivered.push({ from, rcpts, data });
            say("250 2.0.0 Ok: queued");
          } else data += `${line.startsWith("..") ? line.slice(1) : line}\n`;
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === "EHLO" || cmd === "HELO") say("250-recorder\r\n250 8BITMIME");
        else if (cmd === "MAIL") {
          from = /<([^>]*)>/.exec(line)?.[1] ?? "";
          rcpts = [];
          say("250 2.1.0 Ok");
        } else if (cmd === "RCPT") {
          const to = /<([^>]*)>/.exec(line)?.[1] ?? "";
          const answer = rec.reply(to);
          if (answer.startsWith("2")) rcpts.push(to);
          say(answer);
        } else if (cmd === "DATA") {
          if (rcpts.length === 0) say("554 5.5.1 Error: no valid recipients");
          else {
            inData = true;
            data = "";
            say("354 End data with <CR><LF>.<CR><LF>");
          }
        } else if (cmd === "RSET") {
          rcpts = [];
          say("250 2.0.0 Ok");
        } else if (cmd === "QUIT") {
          say("221 2.0.0 Bye");
          sock.end();
        } else say("250 Ok");
      }
    });
    sock.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return Object.assign(rec, {
    port: (server.address() as net.AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
