/** The interface every contender (peer proxy, bare reference, Sidelight) implements. */
export interface StartOptions {
  /** Upstream origin, e.g. http://127.0.0.1:8081 */
  upstream: string;
  /** Port to listen on (127.0.0.1). */
  port: number;
  /** Core to pin the proxy to (taskset), if pinning is available. */
  core?: number | undefined;
  /**
   * Run the proxy's process under this command prefix (valgrind, for the
   * instruction counts), with a longer start-up allowance. Only the Node
   * contenders (`wrappable`) take it.
   */
  wrap?: { prefix: string[]; startTimeoutMs: number } | undefined;
}

export interface Running {
  url: string;
  /** The pid whose RSS and CPU time are measured. */
  pid: number;
  stop(): Promise<void>;
  /** Diagnostic output tail (stdout+stderr), when the process was spawned by us. */
  output?(): string;
}

export interface Contender {
  name: string;
  /** 'reference' | 'peer' | 'sidelight' — used for grouping in the report. */
  kind: 'reference' | 'peer' | 'sidelight';
  /** Undefined when available, else why not (e.g. "nginx not installed"). */
  unavailable(): string | undefined;
  /** Honours `StartOptions.wrap` (the Node contenders). */
  wrappable?: boolean;
  start(opts: StartOptions): Promise<Running>;
}
