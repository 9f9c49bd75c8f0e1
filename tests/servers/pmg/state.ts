// The gateway's configuration, one map per file under /etc/pmg. Tests may edit these maps directly
// to simulate hand edits on the gateway (see the header of server.ts). The Store reads and writes
// them through the same writer/reader pair the real files go through.
import {
  readDomains,
  readMynetworks,
  readTransport,
  writeDomains,
  writeMynetworks,
  writeTransport,
  type DomainEntry,
  type NetworkEntry,
  type TransportEntry,
} from "./files";
import { readFetchmailrc, writeFetchmailrc, type FetchmailEntry } from "./fetchmailrc";
import {
  parsePmgConf,
  sha1Hex,
  writePmgConf,
  type PmgConf,
  type Section,
  type SectionSchemas,
} from "./pmgconf";
import { loadSchema, sectionOptions, type PmgVersion, type SchemaIndex } from "./api-schema";

export class PmgState {
  /** /etc/pmg/mynetworks, keyed by CIDR exactly as posted. */
  readonly mynetworks = new Map<string, NetworkEntry>();
  /** /etc/pmg/domains (relay domains). */
  readonly domains = new Map<string, DomainEntry>();
  /** /etc/pmg/dkim/domains (DKIM-sign domains). */
  readonly dkimDomains = new Map<string, DomainEntry>();
  /** /etc/pmg/transport, keyed by domain or address. */
  readonly transport = new Map<string, TransportEntry>();
  /** /etc/pmg/pmg.conf: sections in file order, each a map of explicitly set keys. */
  readonly pmgConf: PmgConf = new Map([
    ["admin", new Map()],
    ["mail", new Map()],
  ]);
  /** /etc/pmg/dkim/<selector>.private: PEM text per selector, in directory order. */
  readonly dkimKeys = new Map<string, string>();
  /** /etc/pmg/fetchmailrc entries below the marker, keyed by id. */
  readonly fetchmail = new Map<string, FetchmailEntry>();

  /** A pmg.conf section, created (empty) if the file has none. */
  section(name: string): Section {
    let s = this.pmgConf.get(name);
    if (!s) {
      s = new Map();
      this.pmgConf.set(name, s);
    }
    return s;
  }

  get mail(): Section {
    return this.section("mail");
  }

  get admin(): Section {
    return this.section("admin");
  }

  clear(): void {
    for (const m of [
      this.mynetworks,
      this.domains,
      this.dkimDomains,
      this.transport,
      this.dkimKeys,
      this.fetchmail,
    ]) {
      m.clear();
    }
    const admin = this.pmgConf.get("admin") ?? new Map();
    const mail = this.pmgConf.get("mail") ?? new Map();
    admin.clear();
    mail.clear();
    this.pmgConf.clear();
    this.pmgConf.set("admin", admin);
    this.pmgConf.set("mail", mail);
  }
}

function replace<K, V>(target: Map<K, V>, source: Map<K, V>): Map<K, V> {
  target.clear();
  for (const [k, v] of source) target.set(k, v);
  return target;
}

/** File-level access for the handlers: every read is write→parse of the state, as on disk. */
export class Store {
  readonly schema: SchemaIndex;
  readonly sectionSchemas: SectionSchemas;

  constructor(
    readonly state: PmgState,
    readonly version: PmgVersion,
  ) {
    this.schema = loadSchema(version);
    this.sectionSchemas = {
      mail: sectionOptions(this.schema, "mail"),
      admin: sectionOptions(this.schema, "admin"),
    };
  }

  mynetworks() {
    return readMynetworks(writeMynetworks(this.state.mynetworks));
  }
  saveMynetworks(map: Map<string, NetworkEntry>): void {
    replace(this.state.mynetworks, readMynetworks(writeMynetworks(map)));
  }

  domains(dkim: boolean) {
    return readDomains(writeDomains(dkim ? this.state.dkimDomains : this.state.domains));
  }
  saveDomains(dkim: boolean, map: Map<string, DomainEntry>): void {
    replace(dkim ? this.state.dkimDomains : this.state.domains, readDomains(writeDomains(map)));
  }

  transport() {
    return readTransport(writeTransport(this.state.transport));
  }
  saveTransport(map: Map<string, TransportEntry>): void {
    replace(this.state.transport, readTransport(writeTransport(map)));
  }

  pmgConfText(): string {
    return writePmgConf(this.state.pmgConf, this.sectionSchemas);
  }
  pmgConf(): { conf: PmgConf; digest: string } {
    const text = this.pmgConfText();
    return { conf: parsePmgConf(text, this.sectionSchemas), digest: sha1Hex(text) };
  }
  savePmgConf(conf: PmgConf): void {
    const parsed = parsePmgConf(writePmgConf(conf, this.sectionSchemas), this.sectionSchemas);
    // keep the identity of section maps tests may hold on to
    const kept = new Map(this.state.pmgConf);
    this.state.pmgConf.clear();
    for (const [id, section] of parsed) {
      this.state.pmgConf.set(id, replace(kept.get(id) ?? new Map(), section));
    }
  }

  fetchmailrcText(map = this.state.fetchmail): string {
    const extPort = this.state.pmgConf.get("mail")?.get("ext_port") ?? 25;
    return writeFetchmailrc(map, this.version, `127.0.0.1/${extPort}`);
  }
  fetchmail(): Map<string, FetchmailEntry> {
    return readFetchmailrc(this.fetchmailrcText());
  }
  saveFetchmail(map: Map<string, FetchmailEntry>): void {
    replace(this.state.fetchmail, readFetchmailrc(this.fetchmailrcText(map)));
  }
}
