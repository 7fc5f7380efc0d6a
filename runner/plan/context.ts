/** What compiling needs to know about the machine it compiles for: paths only, never state. */
export interface CompileContext {
  /** Directory of the lab's state and logs: <stateRoot>/<lab>. */
  readonly labDir: string;
  /** How to run nslab itself inside a namespace (for built-in agents such as whoami). */
  readonly selfArgv: readonly string[];
  /**
   * Sysctls a new namespace inherits from this host (see net.core.devconf_inherit_init_net). A node is given
   * only the sysctls that differ from these; undefined (unknown) gives every node all of its sysctls.
   */
  readonly inherited?: Readonly<Record<string, string>>;
  /**
   * Kernel features found on this machine (probed by the lab layer for `lab up`), or assumed for `lab plan`;
   * known only for labs whose plan depends on them (loss without delay). netem true: loss is compiled into
   * netem; false or unknown: into an nftables drop, which works everywhere.
   */
  readonly features?: { readonly netem: boolean };
  /** Features assumed present instead of probed (`lab plan` probes nothing): the plan says so in a note. */
  readonly assumed?: readonly string[];
}
