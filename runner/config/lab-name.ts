/**
 * What a lab name may be: the one rule every part of nslab checks a lab name against (the schema's `labName`,
 * namespace names, results files, `lab down NAME`). A lab name prefixes every namespace the lab creates
 * (nsl.<lab>.<node>), so it is short and has only characters a namespace and a file name can hold.
 */

/** At most this many characters. */
export const LAB_NAME_MAX = 24;

/** Lower-case letters, digits and '-', starting with a letter or digit (schema/lab.schema.json `labName` has the same pattern). */
export const LAB_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,23}$/;

export function isLabName(s: string): boolean {
  return LAB_NAME_PATTERN.test(s);
}

/** Why a name is not a lab name, in words (for a diagnostic). */
export function explainLabName(name: string): string {
  if (name.length > LAB_NAME_MAX) return `it is ${name.length} characters long (at most ${LAB_NAME_MAX}: it prefixes every namespace the lab creates)`;
  if (/[A-Z]/.test(name)) return 'it has upper-case letters';
  if (!/^[a-z0-9]/.test(name)) return 'it must start with a letter or digit';
  return "only lower-case letters, digits and '-' are allowed";
}
