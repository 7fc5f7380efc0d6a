/** What compiling needs to know about the machine it compiles for: paths only, never state. */
export interface CompileContext {
  /** Directory of the lab's state and logs: <stateRoot>/<lab>. */
  readonly labDir: string;
  /** How to run nslab itself inside a namespace (for built-in agents such as whoami). */
  readonly selfArgv: readonly string[];
}
