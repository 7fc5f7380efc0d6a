/** Exit codes of `lab` (they live with LabError, below every layer that raises one). */
export { EXIT } from '../config/exit-codes.ts';
