/** nslab's library surface: the CLI is a thin layer over these functions. */
export { checkExisting, checkLab, compile, compileContext, compileContextFor, hostFeaturesFor, planContextFor, labNameOf, labOfNetns, labPathOf, loadLab, planOf, readLabFile, resolveLab, selfArgv, verifyLab } from './lab/load.ts';
export type { Loaded, RawLab, UpCheck } from './lab/load.ts';
// the lifecycle: each returns a report; messages and progress go through the LabUi the caller supplies
export { down, downLab, downMessage } from './lab/down.ts';
export type { DownReport, DownTarget } from './lab/down.ts';
export { isCollectionArg, loadEntries, resolveLabArgs } from './lab/lab-files.ts';
export { test, testLoaded, runLabTests } from './lab/test.ts';
export type { LabTestRun, TestOptions, TestReport } from './lab/test.ts';
export { exitCodeOf, testMany } from './lab/test-many.ts';
export type { TestManyOptions, TestManyReport } from './lab/test-many.ts';
export { up } from './lab/up.ts';
export type { UpOptions, UpReport } from './lab/up.ts';
export type { LabTask, LabUi } from './lab/ui.ts';
