/** nslab's library surface: the CLI is a thin layer over these functions. */
export { checkExisting, compile, compileContext, compileContextFor, labNameOf, labOfNetns, labPathOf, loadLab, planOf, readLabFile, resolveLab, selfArgv, verifyLab } from './lab/load.ts';
export type { Loaded, RawLab, UpCheck } from './lab/load.ts';
