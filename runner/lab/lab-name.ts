/**
 * What a lab's name looks like (the namespaces are nsl.<lab>.<node>, so it is short). A stand-in until the one
 * validator of issue 10 lands in runner/config/; the lab layer's copies use this one.
 */
export const LAB_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,23}$/;

export const isLabName = (s: string): boolean => LAB_NAME_PATTERN.test(s);
