import { expect } from "vitest";
import { FormatError } from "../../src/formats/errors.js";

/** The FormatError `fn` throws (fails the test if it throws nothing or something else). */
export function formatErrorOf(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error("expected a FormatError");
}
