// Building the HTTP answers the way pve-http-server's response()/error() and the JSON formatter
// (Formatter/Standard.pm) do: reason phrase = first line of the message, errors close the
// connection, JSON errors carry `message` only from pve-http-server 5.2.0 on (not on PMG 7, nor 8 before it).
import type { ServerResponse } from "node:http";

export interface Reply {
  status: number;
  /** Full message; the reason phrase is its first line. */
  message: string;
  contentType?: string;
  body: string;
}

/** HTTP::Status::status_message for the codes used here. */
const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  506: "Variant Also Negotiates",
};

export function jsonOk(data: unknown): Reply {
  return {
    status: 200,
    message: "OK",
    contentType: "application/json;charset=UTF-8",
    body: JSON.stringify({ data: data ?? null }),
  };
}

/**
 * An error passed through the JSON formatter (rest_handler result with an error status); `message`
 * only from pve-http-server 5.2.0 (proxy.ts jsonErrorsHaveMessage).
 */
export function jsonError(
  withMessage: boolean,
  status: number,
  message: string,
  errors?: Record<string, string>,
): Reply {
  const body: Record<string, unknown> = { data: null };
  if (errors && Object.keys(errors).length > 0) body.errors = errors;
  if (withMessage) body.message = message || STATUS_TEXT[status] || "";
  return { status, message, contentType: "application/json;charset=UTF-8", body: JSON.stringify(body) };
}

/** AnyEvent.pm error(): the message also becomes the (untyped) body. */
export function plainError(status: number, message: string): Reply {
  return { status, message, body: message };
}

/** A reply without body (auth failures, unknown HTTP methods). */
export function emptyReply(status: number, message: string): Reply {
  return { status, message, body: "" };
}

export function sendReply(res: ServerResponse, reply: Reply, keepAlive: boolean): void {
  let reason = /^[^\n]*/.exec(reply.message)?.[0] ?? "";
  let { status, body } = reply;
  if (/\r/.test(reason)) {
    status = 400;
    reason = STATUS_TEXT[400];
    body = "";
  }
  if (reason === "") reason = STATUS_TEXT[status] ?? "";
  const date = new Date().toUTCString();
  const headers: Record<string, string> = {
    Date: date,
    Expires: date,
    "Cache-Control": "max-age=0",
    Pragma: "no-cache",
    Server: "pve-api-daemon/3.0",
    Connection: keepAlive && status < 400 ? "Keep-Alive" : "close",
  };
  if (reply.contentType) headers["Content-Type"] = reply.contentType;
  const payload = Buffer.from(body, "utf8");
  // the real server omits Content-Length on empty bodies and ends them by closing; Node would use
  // chunked encoding instead, so an explicit 0 is the closest equivalent on the wire
  headers["Content-Length"] = String(payload.length);
  res.sendDate = false;
  // the reason phrase goes out as the UTF-8 bytes of the message, as the Perl server sends them
  const wire = Buffer.from(reason, "utf8")
    .toString("latin1")
    .replace(/[^\t\x20-\x7e\x80-\xff]/g, "?");
  res.writeHead(status, wire, headers);
  res.end(payload);
}
