/** Types of scripts/kamailio.js (the Kamailio harness of the live tests and the relay benchmark). */
export declare const KAMAILIO_CONFIG: string;
export declare function findKamailio(): string | null;
export declare function freePort(host?: string): Promise<number>;
export interface KamailioOptions {
  users?: Record<string, string>;
  realm?: string;
  host?: string;
  port?: number;
  /** host:port for Use-Path (the module adds the scheme); default host:port. */
  usePath?: string;
  /** Kamailio's log level (default 1). */
  debug?: number;
  /** Milliseconds to wait until it accepts (default 10000). */
  startTimeout?: number;
}
export interface RunningKamailio {
  pid: number;
  host: string;
  port: number;
  realm: string;
  /** host:port */
  address: string;
  /** msrp://host:port;tcp, the relay's URI. */
  uri: string;
  /** What it wrote on stdout and stderr so far. */
  log(): string;
  /** Ends it (SIGTERM, then SIGKILL to its process group) and removes its directory. */
  stop(): Promise<void>;
}
export declare function startKamailio(options?: KamailioOptions): Promise<RunningKamailio>;
